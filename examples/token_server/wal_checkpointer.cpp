#include "wal_checkpointer.hpp"

#include <pthread.h>

#include <algorithm>

namespace token_server {

result<std::unique_ptr<wal_checkpointer>> wal_checkpointer::start(const std::string& path, sqlite3* writer,
                                                                  checkpoint_limits limits) {
    std::unique_ptr<wal_checkpointer> self(new wal_checkpointer(writer, limits));
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    self->own_.reset(raw);
    if (opened != SQLITE_OK) return failure("cannot open " + path + " for checkpoints: " + sqlite3_errstr(opened));
    // As the writer's: another process may hold a lock for a moment (recovering the WAL).
    sqlite3_busy_timeout(raw, 5000);
    // A connection learns that the database is in WAL mode when it first reads it; until
    // then a checkpoint through it does nothing (and reports success).
    if (sqlite3_exec(raw, "PRAGMA journal_mode", nullptr, nullptr, nullptr) != SQLITE_OK)
        return failure("cannot read " + path + " for checkpoints: " + sqlite3_errmsg(raw));
    self->thread_ = std::thread([checkpointer = self.get()] { checkpointer->run(); });
    sqlite3_wal_hook(writer, after_commit, self.get());
    return self;
}

wal_checkpointer::~wal_checkpointer() {
    // Unhooked, the writer's last commits (if any) leave the log to the checkpoint
    // SQLite runs when the last connection to the database closes.
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();  // not when start failed before starting it
}

// Runs in the committing thread, after the commit, with the pages the log now holds.
int wal_checkpointer::after_commit(void* context, sqlite3* db, const char* schema, int pages) {
    auto& self = *static_cast<wal_checkpointer*>(context);
    if (pages < self.last_pages_) {  // the log started over
        ++self.restarts_;
        self.next_pass_at_ = 0;
    }
    self.last_pages_ = pages;
    if (pages >= self.limits_.inline_pages) {
        // SQLITE_BUSY: the thread is checkpointing right now; the next commit tries again.
        if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK)
            ++self.inline_;
    } else if (pages >= std::max(self.limits_.background_pages, self.next_pass_at_.load()) &&
               !self.woken_.exchange(true)) {
        // Notified under the mutex, so that the wake-up cannot fall between the thread's
        // test of woken_ and its wait.
        const std::lock_guard lock(self.mutex_);
        self.wake_.notify_one();
    }
    return SQLITE_OK;
}

void wal_checkpointer::run() {
    ::pthread_setname_np(::pthread_self(), "wal checkpoint");
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return woken_.load() || stopping_; });
        if (stopping_) return;
        lock.unlock();
        // A failure (SQLITE_BUSY while the writer checkpoints itself, or an I/O error) is
        // not reported: the next commit past background_pages wakes the thread again, and
        // inline_pages bounds the log whatever happens here.
        const std::uint64_t restarts = restarts_;
        int log_pages = 0;
        const bool passed =
            sqlite3_wal_checkpoint_v2(own_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, nullptr) == SQLITE_OK;
        if (passed) {
            ++background_;
            next_pass_at_ = log_pages + limits_.background_pages;
            // The log started over during the pass: its next pass is due at
            // background_pages, not after the old log's size (the commit that saw the
            // restart may have reset next_pass_at_ before the store above).
            if (restarts_ != restarts) next_pass_at_ = 0;
        }
        // A commit that came due during the pass found woken_ set and woke nobody: then
        // the next pass runs now (not after a failed one, which the next commit retries).
        woken_ = passed && last_pages_ >= std::max(limits_.background_pages, next_pass_at_.load());
        lock.lock();
    }
}

}  // namespace token_server
