#pragma once
// A fixed number of threads for the slow work of a request (the argon2id checks of the
// client secret and the user password, about 0.1 s each) with a bounded queue in front
// of them: when the queue is full, the I/O thread is told at once and answers 503
// instead of letting waiting requests pile up without bound.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace token_server {

struct work_limits {
    unsigned workers = 0;         // 0: one per core
    std::size_t max_queued = 32;  // requests waiting for a worker, not counting those being worked on
};

// The number of workers a pool made with these limits has.
[[nodiscard]] unsigned worker_count(const work_limits& limits) noexcept;

class work_pool {
public:
    using clock = std::chrono::steady_clock;

    explicit work_pool(const work_limits& limits);
    work_pool(const work_pool&) = delete;
    work_pool& operator=(const work_pool&) = delete;
    // Stops (dropping the queue) and joins the workers.
    ~work_pool();

    // Queues `job`; false when max_queued jobs wait already (the job is not kept), or
    // after stop().
    [[nodiscard]] bool try_submit(std::function<void()> job);

    // No more jobs are taken; those queued still run until `drain_until`, then the rest
    // are dropped unrun (destroyed, which releases what they hold).
    void stop(clock::time_point drain_until);

    [[nodiscard]] unsigned workers() const noexcept { return static_cast<unsigned>(threads_.size()); }

private:
    void work();

    std::size_t max_queued_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    clock::time_point drain_until_;
    std::vector<std::thread> threads_;
};

}  // namespace token_server
