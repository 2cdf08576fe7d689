#include "work_pool.hpp"

#include <algorithm>

namespace token_server {

unsigned worker_count(const work_limits& limits) noexcept {
    return limits.workers > 0 ? limits.workers : std::max(1u, std::thread::hardware_concurrency());
}

work_pool::work_pool(const work_limits& limits) : max_queued_(limits.max_queued) {
    const unsigned count = worker_count(limits);
    threads_.reserve(count);
    for (unsigned i = 0; i < count; ++i) threads_.emplace_back([this] { work(); });
}

work_pool::~work_pool() {
    stop(clock::now());
    for (std::thread& t : threads_) t.join();
}

bool work_pool::try_submit(std::function<void()> job) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= max_queued_) return false;
        queue_.push_back(std::move(job));
    }
    wake_.notify_one();
    return true;
}

void work_pool::stop(clock::time_point drain_until) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) drain_until = std::min(drain_until, drain_until_);
        stopping_ = true;
        drain_until_ = drain_until;
    }
    wake_.notify_all();
}

void work_pool::work() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, nothing left
            if (stopping_ && clock::now() >= drain_until_) {
                // Past the grace period: destroyed here, outside the lock.
                std::deque<std::function<void()>> dropped;
                dropped.swap(queue_);
                lock.unlock();
                return;
            }
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        job();
    }
}

}  // namespace token_server
