// The work pool's batches (work_pool.hpp) and group commit's side of them
// (commit_batch.hpp): which jobs share a batch, when a batch ends, and that no reply is
// handed on before the commit that covers its job.
#include "../work_pool.hpp"

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <future>
#include <initializer_list>
#include <mutex>
#include <string>
#include <vector>

#include "catch.hpp"

namespace {

using token_server::batch_hooks;
using token_server::commit_batch;
using token_server::work_limits;
using token_server::work_pool;

// What the pool and its jobs did, in order, from any thread.
class recorder {
public:
    void add(std::string event) {
        {
            const std::lock_guard lock(mutex_);
            events_.push_back(std::move(event));
        }
        changed_.notify_all();
    }
    // Waits (at most 10 s) until `count` events carry `what`; the events so far.
    std::vector<std::string> wait_for(const std::string& what, std::size_t count) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::seconds(10), [&] { return occurrences(what) >= count; });
        return events_;
    }

private:
    std::size_t occurrences(const std::string& what) const {
        std::size_t n = 0;
        for (const std::string& e : events_) n += e.rfind(what, 0) == 0 ? 1 : 0;
        return n;
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<std::string> events_;
};

batch_hooks recording_hooks(recorder& r, std::vector<bool> commits = {}) {
    auto results = std::make_shared<std::vector<bool>>(std::move(commits));
    auto next = std::make_shared<std::size_t>(0);
    return {[&r] { r.add("begin"); },
            [&r, results, next] {
                const bool ok = *next < results->size() ? (*results)[*next] : true;
                ++*next;
                r.add(ok ? "commit" : "commit failed");
                return ok;
            }};
}

// A job that records itself and registers its reply with the batch.
std::function<void()> replying_job(recorder& r, std::string name) {
    return [&r, name] {
        r.add("job " + name);
        commit_batch::after_commit(
            [&r, name](bool committed) { r.add("deliver " + name + (committed ? "" : " failed")); });
    };
}

// A job that holds the (single) worker until `go` is set, so that the jobs submitted
// meanwhile are queued behind it.
std::function<void()> blocking_job(recorder& r, std::shared_future<void> go) {
    return [&r, go] {
        r.add("job blocker");
        go.wait();
    };
}

work_limits one_worker() {
    work_limits limits;
    limits.workers = 1;
    limits.max_queued = 100;
    // The blocker's wait counts toward its batch's time: no time bound in the tests
    // that are not about it.
    limits.max_batch_time = std::chrono::seconds(60);
    return limits;
}

// What a pool made with `limits` does when a job blocks until a job per name is queued
// behind it (each registering a reply named after it): its events until every reply of
// those jobs has left.
std::vector<std::string> events_behind_a_blocker(const work_limits& limits, std::initializer_list<const char*> names) {
    recorder r;
    std::promise<void> go;
    work_pool pool(limits, recording_hooks(r));
    REQUIRE(pool.try_submit(blocking_job(r, go.get_future().share())));
    r.wait_for("job blocker", 1);
    for (const char* name : names) REQUIRE(pool.try_submit(replying_job(r, name)));
    go.set_value();
    return r.wait_for("deliver", names.size());
}

}  // namespace

TEST_CASE("work_pool: the jobs queued behind one share its batch, and their replies leave after its commit",
          "[work_pool][group_commit]") {
    CHECK(events_behind_a_blocker(one_worker(), {"a", "b", "c"}) ==
          std::vector<std::string>{"begin", "job blocker", "job a", "job b", "job c", "commit", "deliver a",
                                   "deliver b", "deliver c"});
}

TEST_CASE("work_pool: a batch ends when the queue is empty", "[work_pool][group_commit]") {
    recorder r;
    work_pool pool(one_worker(), recording_hooks(r));
    REQUIRE(pool.try_submit(replying_job(r, "a")));
    r.wait_for("deliver a", 1);
    REQUIRE(pool.try_submit(replying_job(r, "b")));
    const auto events = r.wait_for("deliver b", 1);
    CHECK(events ==
          std::vector<std::string>{"begin", "job a", "commit", "deliver a", "begin", "job b", "commit", "deliver b"});
}

TEST_CASE("work_pool: a batch holds at most max_batch_jobs jobs", "[work_pool][group_commit]") {
    work_limits limits = one_worker();
    limits.max_batch_jobs = 2;
    CHECK(events_behind_a_blocker(limits, {"a", "b", "c"}) ==
          std::vector<std::string>{"begin", "job blocker", "job a", "commit", "deliver a", "begin", "job b", "job c",
                                   "commit", "deliver b", "deliver c"});
}

TEST_CASE("work_pool: a batch lasts at most max_batch_time", "[work_pool][group_commit]") {
    work_limits limits = one_worker();
    limits.max_batch_time = std::chrono::microseconds(0);  // every batch ends after its first job
    CHECK(events_behind_a_blocker(limits, {"a", "b"}) ==
          std::vector<std::string>{"begin", "job blocker", "commit", "begin", "job a", "commit", "deliver a", "begin",
                                   "job b", "commit", "deliver b"});
}

TEST_CASE("work_pool: without batch hooks a reply leaves as its job registers it", "[work_pool][group_commit]") {
    recorder r;
    work_pool pool(one_worker());
    REQUIRE(pool.try_submit([&r] {
        commit_batch::after_commit([&r](bool committed) { r.add(committed ? "deliver" : "deliver failed"); });
        r.add("job returns");
    }));
    CHECK(r.wait_for("job returns", 1) == std::vector<std::string>{"deliver", "job returns"});
}

TEST_CASE("work_pool: a failed commit fails the replies of every job it may have undone", "[work_pool][group_commit]") {
    recorder r;
    std::promise<void> go;
    // The first commit (a flush inside job b) fails; the batch's last one succeeds.
    work_pool pool(one_worker(), recording_hooks(r, {false, true}));
    REQUIRE(pool.try_submit(blocking_job(r, go.get_future().share())));
    r.wait_for("job blocker", 1);
    REQUIRE(pool.try_submit(replying_job(r, "a")));
    REQUIRE(pool.try_submit([&r] {
        r.add("job b");
        // Before slow work: commits now and hands on what waits (a's reply, failed).
        commit_batch::flush();
        commit_batch::after_commit([&r](bool committed) { r.add(committed ? "deliver b" : "deliver b failed"); });
    }));
    REQUIRE(pool.try_submit(replying_job(r, "c")));
    go.set_value();
    const auto events = r.wait_for("deliver", 3);
    // b started before the failed commit: its writes before the flush may be lost, so
    // its reply fails although the batch's last commit succeeded. c started after it.
    CHECK(events == std::vector<std::string>{"begin", "job blocker", "job a", "job b", "commit failed",
                                             "deliver a failed", "begin", "job c", "commit", "deliver b failed",
                                             "deliver c"});
}
