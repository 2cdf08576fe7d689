// Group commit in sqlite_database (token_database.hpp, begin_group and end_group): what a
// group writes is one transaction, seen by other connections only once end_group has
// committed it; a compound operation that fails inside a group undoes itself alone; a
// group whose transaction SQLite undid reports it. And the device page's confirmation
// step as the database keeps it.
#include "../sqlite_database.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "catch.hpp"
#include "scratch_path.hpp"

namespace {

using namespace token_server;

// A database file of its own, removed (with its WAL) at the end.
class scratch_database {
public:
    scratch_database() {
        auto opened =
            sqlite_database::open(path_.str(), token_database::seeding::none, database_options::durability::normal);
        REQUIRE(opened);
        db_ = std::move(*opened);
        REQUIRE(db_->insert_client({"c", "sha256:00", "client_credentials refresh_token", "", "client_secret_basic"}));
    }
    scratch_database(const scratch_database&) = delete;
    scratch_database& operator=(const scratch_database&) = delete;

    token_database& db() { return *db_; }

    // Asks through a connection of its own, as another process would.
    std::int64_t count(const std::string& sql) const {
        sqlite3* other = nullptr;
        REQUIRE(sqlite3_open_v2(path_.str().c_str(), &other, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
        const connection guard(other);
        sqlite3_stmt* raw = nullptr;
        REQUIRE(sqlite3_prepare_v2(other, sql.c_str(), -1, &raw, nullptr) == SQLITE_OK);
        const statement s(raw);
        REQUIRE(sqlite3_step(raw) == SQLITE_ROW);
        return sqlite3_column_int64(raw, 0);
    }
    void execute(const std::string& sql) const {
        sqlite3* other = nullptr;
        REQUIRE(sqlite3_open_v2(path_.str().c_str(), &other, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
        const connection guard(other);
        REQUIRE(sqlite3_exec(other, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    }

private:
    const testing::scratch_path path_{"oauthcore_group_commit"};  // outlives db_
    std::unique_ptr<token_database> db_;
};

// A client_credentials row (no refresh token, no user) whose digests start with `n`,
// or with a refresh token when `refresh`.
token_record row(unsigned char n, std::string_view scope = "", bool refresh = false) {
    token_record r;
    r.access_digest.fill(n);
    if (refresh) {
        token_digest d{};
        d.fill(static_cast<unsigned char>(n + 100));
        r.refresh_digest = d;
    }
    r.client_id = "c";
    r.scope = scope;
    r.issued_at = 1;
    r.access_expires_at = 4'000'000'000;
    r.refresh_expires_at = refresh ? 4'000'000'000 : 0;
    return r;
}

const std::string tokens = "SELECT count(*) FROM tokens";

}  // namespace

TEST_CASE("sqlite group commit: a group's writes are seen by other connections after end_group, not before",
          "[sqlite][group_commit]") {
    scratch_database s;
    s.db().begin_group();
    REQUIRE(s.db().insert_tokens(row(1)));
    REQUIRE(s.db().insert_tokens(row(2)));
    // The group reads its own writes.
    REQUIRE(s.db().find_issued_token(row(2).access_digest, oauthcore::token_kind::access_token));
    CHECK(s.db().find_issued_token(row(2).access_digest, oauthcore::token_kind::access_token)->has_value());
    CHECK(s.count(tokens) == 0);
    REQUIRE(s.db().end_group());
    CHECK(s.count(tokens) == 2);
    // Outside a group, each operation commits on its own again.
    REQUIRE(s.db().insert_tokens(row(3)));
    CHECK(s.count(tokens) == 3);
}

TEST_CASE("sqlite group commit: another thread's operation waits for the group's end", "[sqlite][group_commit]") {
    scratch_database s;
    s.db().begin_group();
    REQUIRE(s.db().insert_tokens(row(1)));
    std::atomic<bool> done{false};
    std::thread other([&] {
        // Not in the group: it takes the connection when the group lets it go.
        const bool inserted = s.db().insert_tokens(row(2)).has_value();
        done = inserted;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK_FALSE(done);
    REQUIRE(s.db().end_group());
    other.join();
    CHECK(done);
    CHECK(s.count(tokens) == 2);
}

TEST_CASE("sqlite group commit: a compound operation that fails undoes itself alone (a savepoint)",
          "[sqlite][group_commit]") {
    scratch_database s;
    REQUIRE(s.db().insert_tokens(row(1, "", true)));
    const auto old = s.db().find_issued_token(row(1, "", true).access_digest, oauthcore::token_kind::access_token);
    REQUIRE(old);
    REQUIRE(old->has_value());
    // The insert of the new pair fails after the revocation of the old one.
    s.execute(
        "CREATE TRIGGER fail_insert BEFORE INSERT ON tokens WHEN NEW.scope = 'fail' "
        "BEGIN SELECT RAISE(ABORT, 'injected'); END");
    s.db().begin_group();
    REQUIRE(s.db().insert_tokens(row(2)));
    CHECK_FALSE(s.db().replace_refresh_tokens((*old)->id, row(3, "fail", true), 5));
    REQUIRE(s.db().insert_tokens(row(4)));
    REQUIRE(s.db().end_group());
    // Rows 2 and 4 are kept; the old pair is still live and no row 3.
    CHECK(s.count(tokens) == 3);
    CHECK(s.count("SELECT count(*) FROM tokens WHERE revoked_at IS NULL") == 3);
    // A compound operation that succeeds in a group is kept with the rest.
    s.db().begin_group();
    const auto replaced = s.db().replace_refresh_tokens((*old)->id, row(5, "", true), 6);
    REQUIRE(replaced);
    CHECK(*replaced);
    REQUIRE(s.db().end_group());
    CHECK(s.count("SELECT count(*) FROM tokens WHERE revoked_at IS NULL") == 3);
    CHECK(s.count(tokens) == 4);
}

TEST_CASE("sqlite group commit: end_group fails when SQLite undid the group's transaction", "[sqlite][group_commit]") {
    scratch_database s;
    // RAISE(ROLLBACK) undoes the whole transaction, as SQLITE_FULL or SQLITE_IOERR may.
    s.execute(
        "CREATE TRIGGER undo_all BEFORE INSERT ON tokens WHEN NEW.scope = 'undo' "
        "BEGIN SELECT RAISE(ROLLBACK, 'injected'); END");
    s.db().begin_group();
    REQUIRE(s.db().insert_tokens(row(1)));
    CHECK_FALSE(s.db().insert_tokens(row(2, "undo")));
    CHECK_FALSE(s.db().end_group());
    CHECK(s.count(tokens) == 0);
    // Operations after the undoing are in a transaction again; the group still fails,
    // since row 1, which its caller believed written, is gone.
    s.db().begin_group();
    REQUIRE(s.db().insert_tokens(row(3)));
    CHECK_FALSE(s.db().insert_tokens(row(4, "undo")));
    REQUIRE(s.db().insert_tokens(row(5)));
    CHECK_FALSE(s.db().end_group());
    // The connection is usable afterwards, in a group or not.
    REQUIRE(s.db().insert_tokens(row(6)));
    s.db().begin_group();
    REQUIRE(s.db().insert_tokens(row(7)));
    REQUIRE(s.db().end_group());
    CHECK(s.count("SELECT count(*) FROM tokens WHERE substr(access_digest, 1, 1) IN (x'06', x'07')") == 2);
    CHECK(s.count("SELECT count(*) FROM tokens WHERE substr(access_digest, 1, 1) IN (x'01', x'03')") == 0);
}

namespace {

token_digest filled(unsigned char b) {
    token_digest d{};
    d.fill(b);
    return d;
}

}  // namespace

// The device page's confirmation step in the database (token_database.hpp,
// begin_device_confirmation and confirm_device_code): the decision is recorded for the
// user who began it, with the confirmation recorded, before either expires, once.
TEST_CASE("sqlite device confirmation: the decision needs the recorded confirmation, in time, once",
          "[sqlite][rfc8628]") {
    scratch_database scratch;
    token_database& db = scratch.db();
    REQUIRE(db.insert_client({"tv", "", "urn:ietf:params:oauth:grant-type:device_code", "", "none"}));
    REQUIRE(db.insert_user({std::string_view("confirmer"), std::nullopt, "hash"}));
    const auto user = db.find_user({oauthcore::identifier_kind::username, "confirmer"});
    REQUIRE(user);
    REQUIRE(*user);
    const std::int64_t uid = (*user)->id;
    device_code_row request;
    request.client_id = "tv";
    request.scope = "read";
    request.expires_at = 1'000;
    REQUIRE(db.insert_device_code(filled(1), filled(2), request, 100));

    const auto unknown = db.begin_device_confirmation(filled(9), filled(3), uid, 400, 100);
    REQUIRE(unknown);
    CHECK_FALSE(*unknown);
    // Too late for the request itself.
    const auto late = db.begin_device_confirmation(filled(2), filled(3), uid, 1'300, 1'000);
    REQUIRE(late);
    CHECK_FALSE(*late);

    const auto begun = db.begin_device_confirmation(filled(2), filled(3), uid, 400, 100);
    REQUIRE(begun);
    REQUIRE(*begun);
    CHECK((*begun)->client_id == "tv");
    CHECK((*begun)->scope == "read");
    CHECK((*begun)->decision == device_decision::pending);

    const auto decided = [&](const token_digest& confirmation, std::int64_t now) {
        const auto r = db.confirm_device_code(filled(2), confirmation, device_decision::approved, now);
        REQUIRE(r);
        return *r;
    };
    CHECK_FALSE(decided(filled(4), 200));  // another confirmation
    CHECK_FALSE(decided(filled(3), 400));  // the confirmation has expired
    CHECK(scratch.count("SELECT count(*) FROM device_codes WHERE decision = 'pending'") == 1);
    CHECK(decided(filled(3), 399));
    CHECK_FALSE(decided(filled(3), 300));  // it works once
    CHECK(scratch.count("SELECT count(*) FROM device_codes WHERE decision = 'approved' AND user_id = " +
                        std::to_string(uid) + " AND confirmation_digest IS NULL") == 1);
    // Decided: no new confirmation begins.
    const auto again = db.begin_device_confirmation(filled(2), filled(5), uid, 400, 300);
    REQUIRE(again);
    CHECK_FALSE(*again);
}

TEST_CASE("sqlite device confirmation: a denial records no user, and a later sign-in replaces the confirmation",
          "[sqlite][rfc8628]") {
    scratch_database scratch;
    token_database& db = scratch.db();
    REQUIRE(db.insert_client({"tv", "", "urn:ietf:params:oauth:grant-type:device_code", "", "none"}));
    REQUIRE(db.insert_user({std::string_view("confirmer"), std::nullopt, "hash"}));
    const auto user = db.find_user({oauthcore::identifier_kind::username, "confirmer"});
    REQUIRE(user);
    REQUIRE(*user);
    device_code_row request;
    request.client_id = "tv";
    request.expires_at = 1'000;
    REQUIRE(db.insert_device_code(filled(1), filled(2), request, 100));
    REQUIRE(db.begin_device_confirmation(filled(2), filled(3), (*user)->id, 400, 100));
    REQUIRE(db.begin_device_confirmation(filled(2), filled(4), (*user)->id, 400, 110));
    const auto first = db.confirm_device_code(filled(2), filled(3), device_decision::denied, 120);
    REQUIRE(first);
    CHECK_FALSE(*first);
    const auto second = db.confirm_device_code(filled(2), filled(4), device_decision::denied, 120);
    REQUIRE(second);
    CHECK(*second);
    CHECK(scratch.count("SELECT count(*) FROM device_codes WHERE decision = 'denied' AND user_id IS NULL") == 1);
}
