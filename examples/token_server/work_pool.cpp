#include "work_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <optional>
#include <utility>

namespace token_server {

unsigned worker_count(const work_limits& limits) noexcept {
    return limits.workers > 0 ? limits.workers : std::max(1u, std::thread::hardware_concurrency());
}

work_pool::work_pool(const work_limits& limits, batch_hooks hooks)
    : max_queued_(limits.max_queued),
      max_batch_jobs_(std::max<std::size_t>(1, limits.max_batch_jobs)),
      max_batch_time_(limits.max_batch_time),
      hooks_(std::move(hooks)) {
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

bool work_pool::take(std::function<void()>& job, bool wait) {
    std::unique_lock lock(mutex_);
    if (wait) wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return false;  // stopping and nothing left, or (not waiting) nothing queued
    if (stopping_ && clock::now() >= drain_until_) {
        // Past the grace period: destroyed here, outside the lock.
        std::deque<std::function<void()>> dropped;
        dropped.swap(queue_);
        lock.unlock();
        return false;
    }
    job = std::move(queue_.front());
    queue_.pop_front();
    return true;
}

void work_pool::work() {
    ::pthread_setname_np(::pthread_self(), "worker");  // what top -H and perf show
    std::optional<commit_batch> batch;
    if (hooks_.active()) batch.emplace(hooks_);
    std::function<void()> job;
    while (take(job, true)) {
        if (!batch) {
            job();
            job = nullptr;
            continue;
        }
        batch->open();
        const clock::time_point began = clock::now();
        std::size_t run = 0;
        do {
            batch->start_job();
            job();
            job = nullptr;  // what it holds (its connection) is let go before the next
        } while (++run < max_batch_jobs_ && clock::now() - began < max_batch_time_ && take(job, false));
        batch->close();
    }
}

}  // namespace token_server
