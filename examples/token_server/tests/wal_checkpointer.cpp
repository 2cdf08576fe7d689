// wal_checkpointer (wal_checkpointer.hpp): a log past background_pages is checkpointed by
// the checkpointer's thread, not by the committing one; a log that reaches inline_pages
// is checkpointed by the committing thread, so that it stays bounded.
#include "../wal_checkpointer.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "catch.hpp"
#include "scratch_path.hpp"

namespace {

using namespace token_server;

// A WAL-mode database file of its own with one table, removed at the end.
class scratch_wal {
public:
    scratch_wal() {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open_v2(path_.str().c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) ==
                SQLITE_OK);
        writer_.reset(raw);
        execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE rows (data BLOB NOT NULL)");
    }
    scratch_wal(const scratch_wal&) = delete;
    scratch_wal& operator=(const scratch_wal&) = delete;

    const std::string& path() const { return path_.str(); }
    sqlite3* writer() const { return writer_.get(); }
    void execute(const char* sql) const {
        REQUIRE(sqlite3_exec(writer_.get(), sql, nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    // One commit that adds one 4 KiB row: a page or two more in the log.
    void commit_a_page() const { execute("INSERT INTO rows (data) VALUES (zeroblob(4096))"); }
    std::int64_t bytes(const char* suffix) const {
        struct stat s {};
        REQUIRE(::stat((path_.str() + suffix).c_str(), &s) == 0);
        return static_cast<std::int64_t>(s.st_size);
    }

private:
    const testing::scratch_path path_{"oauthcore_wal_checkpointer"};  // outlives writer_
    connection writer_;
};

}  // namespace

TEST_CASE("wal_checkpointer: a log past background_pages is moved into the database by the checkpointer's thread",
          "[sqlite][checkpoint]") {
    const scratch_wal db;
    auto started = wal_checkpointer::start(db.path(), db.writer(), {4, 1'000'000});
    REQUIRE(started);
    const wal_checkpointer& checkpointer = **started;
    const std::int64_t before = db.bytes("");
    // The database file grows only through checkpoints (every write goes to the log),
    // and the committing thread runs none below inline_pages. (A first version's
    // connection had not read the database yet, so SQLite took it for a rollback-journal
    // database: its checkpoints "succeeded" and moved nothing, and this check failed.)
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (checkpointer.background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline) {
        db.commit_a_page();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(checkpointer.background_checkpoints() > 0);
    CHECK(checkpointer.inline_checkpoints() == 0);
    CHECK(db.bytes("") > before);
}

TEST_CASE("wal_checkpointer: passes are paced by the log's growth, not run at every commit", "[sqlite][checkpoint]") {
    const scratch_wal db;
    // A reader keeps its snapshot, so no pass can copy the frames after it and the log
    // never starts over: it stays past background_pages from the first commits on.
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open_v2(db.path().c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    const connection reader(raw);
    REQUIRE(sqlite3_exec(raw, "BEGIN; SELECT count(*) FROM rows", nullptr, nullptr, nullptr) == SQLITE_OK);
    auto started = wal_checkpointer::start(db.path(), db.writer(), {4, 1'000'000});
    REQUIRE(started);
    constexpr int commits = 40;
    for (int i = 0; i < commits; ++i) {
        db.commit_a_page();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // time for a pass between commits
    }
    // The log is past background_pages, so a pass is due; on a busy machine the
    // checkpointer's thread may not have run one yet in the 200 ms above.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while ((*started)->background_checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // The log never started over: its frames (a 32-byte header, then 24 bytes and a page
    // each) are every page the commits wrote, and a pass per 4 of them is at most a
    // quarter of that, plus one (a pass at every commit would be one per commit).
    const std::int64_t frames = (db.bytes("-wal") - 32) / (24 + 4096);
    CHECK(frames >= commits);
    CHECK((*started)->background_checkpoints() > 0);
    CHECK((*started)->background_checkpoints() <= static_cast<std::uint64_t>(frames / 4 + 1));
    CHECK((*started)->background_checkpoints() < commits);
    REQUIRE(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
}

TEST_CASE(
    "wal_checkpointer: the committing thread checkpoints a log that reaches inline_pages, so the log stays bounded",
    "[sqlite][checkpoint]") {
    const scratch_wal db;
    auto started = wal_checkpointer::start(db.path(), db.writer(), {1'000'000, 8});
    REQUIRE(started);
    for (int i = 0; i < 200; ++i) db.commit_a_page();
    CHECK((*started)->inline_checkpoints() > 0);
    CHECK((*started)->background_checkpoints() == 0);
    // Without checkpoints the log would hold every one of the 200 rows' pages; restarted
    // after each checkpoint, it holds about inline_pages and the last commit's.
    CHECK(db.bytes("-wal") < 32 * 4096);
}

TEST_CASE("wal_checkpointer: once destroyed it no longer hooks the writer's commits", "[sqlite][checkpoint]") {
    const scratch_wal db;
    {
        auto started = wal_checkpointer::start(db.path(), db.writer(), {1, 1});
        REQUIRE(started);
        db.commit_a_page();
        CHECK((*started)->inline_checkpoints() == 1);
    }
    // A hook left behind would reach a destroyed object (ASan reports it) and, with these
    // limits, restart the log at every commit; unhooked, the log keeps every page (SQLite's
    // own autocheckpoint is not restored: the writer is about to close).
    for (int i = 0; i < 8; ++i) db.commit_a_page();
    CHECK(db.bytes("-wal") >= 8 * 4096);
}
