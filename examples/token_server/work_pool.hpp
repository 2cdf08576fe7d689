#pragma once
// A fixed number of threads for the slow work of a request (the argon2id checks of the
// client secret and the user password, about 0.1 s each) with a bounded queue in front
// of them: when the queue is full, the I/O thread is told at once and answers 503
// instead of letting waiting requests pile up without bound.
//
// Group commit (commit_batch.hpp): given batch hooks, a worker that finds more jobs
// queued when it finishes one runs them in the same batch, one at a time (taken from the
// queue one by one, so that a second worker busy with a slow job never sits on queued
// ones), and ends the batch (commits, then hands on the replies) when the queue is empty
// or the batch reached max_batch_jobs or max_batch_time. Without hooks, each job runs
// alone and its reply leaves at once.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "commit_batch.hpp"

namespace token_server {

struct work_limits {
    unsigned workers = 0;         // 0: one per core
    std::size_t max_queued = 32;  // requests waiting for a worker, not counting those being worked on
    // A batch's bounds: a reply waits for its batch's commit, so a long batch is latency.
    std::size_t max_batch_jobs = 64;
    std::chrono::microseconds max_batch_time{2000};
};

// The number of workers a pool made with these limits has.
[[nodiscard]] unsigned worker_count(const work_limits& limits) noexcept;

class work_pool {
public:
    using clock = std::chrono::steady_clock;

    // `hooks`: what begins and commits a batch; inactive (the default): no batches.
    explicit work_pool(const work_limits& limits, batch_hooks hooks = {});
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
    // The next job: false when the worker is to end (stopping, and nothing left to run
    // before the grace period ends). `wait`: for a job to come; else only one queued.
    [[nodiscard]] bool take(std::function<void()>& job, bool wait);

    std::size_t max_queued_;
    std::size_t max_batch_jobs_;
    std::chrono::microseconds max_batch_time_;
    batch_hooks hooks_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
    bool stopping_ = false;
    clock::time_point drain_until_;
    std::vector<std::thread> threads_;
};

}  // namespace token_server
