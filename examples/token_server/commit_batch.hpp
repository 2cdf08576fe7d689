#pragma once
// Group commit on a worker thread (README, "Group commit"): the jobs a worker runs back
// to back form a batch, whose database writes are committed together when it ends, and
// no job's reply leaves before that commit. The batch knows the database only through
// two hooks the server gives it (server.cpp: the database's begin_group and end_group),
// so that the work pool and its tests need no database.
//
// What it guarantees:
//  - A reply registered with after_commit() is handed on only after a commit that
//    covers everything its job wrote, and with committed = false when any commit since
//    the job started failed (conservative: a failed commit may have undone any of its
//    writes, and a job cannot tell which).
//  - flush() commits and hands on the waiting replies at once: a job calls it before
//    slow work (an argon2id check, ~50 ms), so that the database's lock, which the batch
//    holds, is not held across it and the other worker's requests are not held up.
//  - Without a batch on the calling thread (no group commit: PostgreSQL, the admin
//    commands, the I/O thread), after_commit() hands the reply on at once, committed,
//    and flush() does nothing.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace token_server {

// What a batch does at its start and at its end.
struct batch_hooks {
    std::function<void()> begin;   // the writes that follow are the batch's
    std::function<bool()> commit;  // commits them; false: failed, undone (and logged by the hook)

    [[nodiscard]] bool active() const noexcept { return begin && commit; }
};

class commit_batch {
public:
    // The job's reply, handed on with whether its writes are committed.
    using delivery = std::function<void(bool committed)>;

    // `hooks` must outlive the batch.
    explicit commit_batch(const batch_hooks& hooks) noexcept : hooks_(hooks) {}
    commit_batch(const commit_batch&) = delete;
    commit_batch& operator=(const commit_batch&) = delete;
    ~commit_batch();

    // The pool's side, on the worker thread: open() begins a batch and makes it the
    // thread's; start_job() before each job; close() commits, hands on every waiting
    // reply, and leaves the thread without a batch.
    void open();
    void start_job() noexcept { failures_at_job_start_ = failures_; }
    void close();

    // The number of jobs that registered a reply since the batch opened (for tests).
    [[nodiscard]] std::size_t waiting() const noexcept { return waiting_.size(); }

    // The jobs' side: on the calling thread's batch, if it has one.
    static void after_commit(delivery deliver);
    static void flush();

private:
    struct waiting_reply {
        delivery deliver;
        std::uint64_t failures_at_job_start = 0;
    };

    void commit_and_deliver();

    const batch_hooks& hooks_;
    std::vector<waiting_reply> waiting_;
    std::uint64_t failures_ = 0;  // failed commits since the batch was made
    std::uint64_t failures_at_job_start_ = 0;
    bool open_ = false;
};

}  // namespace token_server
