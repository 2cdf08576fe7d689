#pragma once
// Moves a WAL-mode SQLite database's log into the database file on a thread of its own.
//
// Why: by default SQLite checkpoints inside the commit that takes the log past 1000
// pages, in the committing thread, and a checkpoint syncs the log and the database file
// (synchronous=NORMAL syncs at no other time). Under client_credentials load that meant
// a sync every few dozen milliseconds in the one worker that commits: a third of the
// time the worker waited on the disk while every request behind it waited on the worker
// (scripts/load.sh, docs/PERFORMANCE.md "Checkpoints off the request path").
//
// How: the writer's commit hook (sqlite3_wal_hook, which replaces SQLite's own
// autocheckpoint) wakes this thread when the log holds `background_pages`; the thread
// runs a PASSIVE checkpoint through its own connection, which copies what the log holds
// without stopping the writer or any reader (https://sqlite.org/wal.html, "Checkpointing").
// A log that still grows to `inline_pages` (the thread cannot keep up, or writes never
// pause long enough for the log to start over) is checkpointed by the committing thread
// itself, as SQLite would, so the log stays bounded whatever the load (not past a reader
// that holds its snapshot: no checkpoint can copy beyond it, SQLite's own neither). Durability is
// unchanged: a checkpoint syncs the log before it copies, whichever thread runs it.

#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "result.hpp"
#include "sqlite_handle.hpp"

namespace token_server {

struct checkpoint_limits {
    int background_pages = 1000;  // SQLite's own autocheckpoint threshold
    int inline_pages = 8000;      // 4 KiB pages: a log of at most about 32 MiB
};

class wal_checkpointer {
public:
    // Opens a connection of its own to `path` and hooks `writer`'s commits. `writer`
    // must outlive this object; the destructor unhooks it.
    [[nodiscard]] static result<std::unique_ptr<wal_checkpointer>> start(const std::string& path, sqlite3* writer,
                                                                         checkpoint_limits limits = {});
    ~wal_checkpointer();
    wal_checkpointer(const wal_checkpointer&) = delete;
    wal_checkpointer& operator=(const wal_checkpointer&) = delete;

    // Checkpoints that ended without error, by who ran them (for tests and the log).
    [[nodiscard]] std::uint64_t background_checkpoints() const noexcept { return background_.load(); }
    [[nodiscard]] std::uint64_t inline_checkpoints() const noexcept { return inline_.load(); }

private:
    wal_checkpointer(sqlite3* writer, checkpoint_limits limits) noexcept : writer_(writer), limits_(limits) {}
    static int after_commit(void* self, sqlite3* db, const char* schema, int pages);
    void run();

    sqlite3* writer_;
    const checkpoint_limits limits_;
    connection own_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    // A checkpoint is due; read and set without the mutex, so that a commit takes the
    // mutex only to wake the thread.
    std::atomic<bool> woken_{false};
    // Passes are paced: the next one is due when the log has grown by background_pages
    // since the last one (or started over). Otherwise every commit of a log that stays
    // past background_pages (it starts over only when a pass ends between two write
    // transactions) would start a pass of its own few pages, each with its two syncs.
    std::atomic<int> next_pass_at_{0};
    // The log's size at the last commit (commits are serialized; the thread reads it),
    // and how many times the log started over.
    std::atomic<int> last_pages_{0};
    std::atomic<std::uint64_t> restarts_{0};
    std::atomic<std::uint64_t> background_{0};
    std::atomic<std::uint64_t> inline_{0};
    std::thread thread_;
};

}  // namespace token_server
