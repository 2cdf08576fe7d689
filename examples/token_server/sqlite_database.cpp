#include "sqlite_database.hpp"
#include "unix_time.hpp"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <string_view>
#include <utility>

#include "demo_data.hpp"
#include "password_hash.hpp"
#include "schema.hpp"

namespace token_server {

namespace {

result<void> execute(sqlite3* db, const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK) return {};
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return failure(text);
}

result<int> user_version(sqlite3* db) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK)
        return failure(sqlite3_errmsg(db));
    const statement s(raw);
    if (sqlite3_step(raw) != SQLITE_ROW) return failure(sqlite3_errmsg(db));
    return sqlite3_column_int(raw, 0);
}

// An empty view may have a null data pointer, which SQLite binds as NULL; these columns
// are NOT NULL, '' for none.
std::string_view text_or_empty(std::string_view text) noexcept { return text.empty() ? std::string_view("") : text; }

// The group the calling thread is in (token_database::begin_group), if any: whose,
// whether the thread holds that database's mutex with the group's transaction open, and
// whether SQLite undid a transaction of the group on its own (then end_group fails).
// Per thread, since two workers may each be in a group of one database; only the one
// that holds the mutex is past BEGIN.
struct group_of_thread {
    const sqlite_database* db = nullptr;
    bool holding = false;
    bool lost = false;
};
thread_local group_of_thread thread_group;

result<void> done(int step_status, sqlite3* db) {
    if (step_status == SQLITE_DONE) return {};
    if (step_status == SQLITE_CONSTRAINT) return failure(std::string("already exists (") + sqlite3_errmsg(db) + ")");
    return failure(sqlite3_errmsg(db));
}

}  // namespace

result<std::unique_ptr<token_database>> sqlite_database::open(const std::string& path, seeding seed,
                                                              database_options::durability sync) {
    std::unique_ptr<sqlite_database> self(new sqlite_database());
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    self->db_.reset(raw);
    if (opened != SQLITE_OK) return failure("cannot open " + path + ": " + sqlite3_errstr(opened));
    // New files are 0600 (main.cpp's umask); one made otherwise, by hand or by another
    // program, is used as it is but named: it holds password hashes.
    if (struct stat file{}; ::stat(path.c_str(), &file) == 0 && (file.st_mode & 077) != 0)
        std::fprintf(stderr,
                     "token_server: WARNING: %s may be read by other users (mode %03o); it holds password hashes: "
                     "chmod 600 it and its -wal and -shm files\n",
                     path.c_str(), static_cast<unsigned>(file.st_mode & 0777));
    sqlite3* db = raw;
    // Another process (add-user next to a running server) may hold the write lock for
    // a moment: wait for it rather than fail.
    sqlite3_busy_timeout(db, 5000);
    if (auto r = execute(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"); !r) return failure(r.error());
    if (auto r = execute(db, sync == database_options::durability::full ? "PRAGMA synchronous = FULL"
                                                                        : "PRAGMA synchronous = NORMAL");
        !r)
        return failure(r.error());

    auto version = user_version(db);
    if (!version) return failure(version.error());
    if (*version > schema_version)
        return failure(path + " has schema version " + std::to_string(*version) + "; this program knows " +
                       std::to_string(schema_version));
    if (*version == schema_version) {
        if (auto r = self->prepare_statements(); !r) return failure(r.error());
        return start_checkpoints(std::move(self), path);
    }
    // Hash before taking the write lock: argon2id takes a while.
    std::optional<std::string> secret_hash, password_hash;
    if (*version == 0 && seed == seeding::demo_data_if_new) {
        // The vendor's secret is 64 hex digits, 256 bits: a fast hash (password_hash.hpp).
        secret_hash = fast_secret_hash(demo_client_secret);
        password_hash = hash_password(demo_user_password);
        if (!secret_hash || !password_hash) return failure("cannot hash the demo credentials (out of memory)");
    }
    if (auto r = execute(db, "BEGIN IMMEDIATE"); !r) return failure(r.error());
    const auto rollback = [db](std::string message) -> result<std::unique_ptr<token_database>> {
        (void)execute(db, "ROLLBACK");
        return failure(std::move(message));
    };
    version = user_version(db);  // another process may have made or migrated it meanwhile
    if (!version) return rollback(version.error());
    if (*version == 0) {
        if (auto r = execute(db, std::string(schema_sql).c_str()); !r)
            return rollback("cannot create the schema: " + r.error());
        self->created_ = true;
        *version = 2;
    }
    // Each migration in turn; a new database takes them too (schema.hpp).
    const std::string_view migrations[] = {migration_1_to_2_sql, migration_2_to_3_sql, migration_3_to_4_sql};
    for (; *version < schema_version; ++*version) {
        if (auto r = execute(db, std::string(migrations[*version - 1]).c_str()); !r)
            return rollback("cannot migrate " + path + " from schema version " + std::to_string(*version) + " to " +
                            std::to_string(*version + 1) + ": " + r.error());
    }
    if (auto r = self->prepare_statements(); !r) return rollback(r.error());
    if (self->created_ && secret_hash) {
        auto client =
            self->insert_client({demo_client_id, *secret_hash, default_client_grants, "", "client_secret_basic"});
        auto user = client ? self->insert_user({demo_user_name, demo_user_email, *password_hash}) : client;
        if (!user) return rollback("cannot add the demo data: " + user.error());
    }
    if (auto r = execute(db, "COMMIT"); !r) return failure(r.error());
    return start_checkpoints(std::move(self), path);
}

result<std::unique_ptr<token_database>> sqlite_database::start_checkpoints(std::unique_ptr<sqlite_database> self,
                                                                           const std::string& path) {
    auto started = wal_checkpointer::start(path, self->db_.get());
    if (!started) return failure(started.error());
    self->checkpointer_ = std::move(*started);
    return std::unique_ptr<token_database>(std::move(self));
}

result<void> sqlite_database::prepare_statements() {
    struct entry {
        statement* target;
        const char* sql;
    };
    const entry entries[] = {
        {&find_client_, "SELECT secret_hash, grants, redirect_uris, auth_method FROM clients WHERE id = ?1"},
        {&find_user_by_username_, "SELECT id, password_hash FROM users WHERE username = ?1"},
        {&find_user_by_email_, "SELECT id, password_hash FROM users WHERE email_address = ?1"},
        {&find_refresh_token_,
         "SELECT id, user_id, coalesce(refresh_scope, scope), code_digest FROM tokens "
         "WHERE refresh_digest = ?1 AND client_id = ?2 "
         "AND revoked_at IS NULL AND refresh_expires_at > ?3"},
        {&revoke_tokens_, "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"},
        {&find_access_token_,
         "SELECT t.id, t.client_id, t.user_id, coalesce(u.username, u.email_address, ''), t.scope, t.issued_at, "
         "t.access_expires_at FROM tokens t LEFT JOIN users u ON u.id = t.user_id "
         "WHERE t.access_digest = ?1 AND t.revoked_at IS NULL"},
        {&find_refresh_token_any_client_,
         "SELECT t.id, t.client_id, t.user_id, coalesce(u.username, u.email_address, ''), "
         "coalesce(t.refresh_scope, t.scope), t.issued_at, t.refresh_expires_at FROM tokens t "
         "LEFT JOIN users u ON u.id = t.user_id WHERE t.refresh_digest = ?1 AND t.revoked_at IS NULL"},
        {&revoke_tokens_of_code_, "UPDATE tokens SET revoked_at = ?2 WHERE code_digest = ?1 AND revoked_at IS NULL"},
        {&insert_tokens_,
         "INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, scope, issued_at, "
         "access_expires_at, refresh_expires_at, code_digest, refresh_scope) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
        {&insert_client_,
         "INSERT INTO clients (id, secret_hash, created_at, grants, redirect_uris, auth_method) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&insert_authorization_code_,
         "INSERT INTO authorization_codes (digest, client_id, user_id, redirect_uri, code_challenge, "
         "code_challenge_method, scope, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
        {&find_authorization_code_,
         "SELECT client_id, user_id, redirect_uri, code_challenge, code_challenge_method, scope, expires_at, "
         "used_at IS NOT NULL FROM authorization_codes WHERE digest = ?1"},
        {&spend_authorization_code_,
         "UPDATE authorization_codes SET used_at = ?2 WHERE digest = ?1 AND used_at IS NULL"},
        {&insert_device_code_,
         "INSERT INTO device_codes (digest, user_code_digest, client_id, scope, poll_interval, created_at, "
         "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&find_device_code_,
         "SELECT client_id, scope, poll_interval, expires_at, last_polled_at, decision, coalesce(user_id, 0) "
         "FROM device_codes WHERE digest = ?1 AND used_at IS NULL"},
        {&poll_device_code_, "UPDATE device_codes SET last_polled_at = ?2 WHERE digest = ?1"},
        {&spend_device_code_,
         "UPDATE device_codes SET used_at = ?2 WHERE digest = ?1 AND used_at IS NULL AND decision = 'approved'"},
        {&begin_device_confirmation_,
         "UPDATE device_codes SET confirmation_digest = ?2, confirming_user_id = ?3, confirmation_expires_at = ?4 "
         "WHERE user_code_digest = ?1 AND decision = 'pending' AND expires_at > ?5 AND used_at IS NULL "
         "RETURNING client_id, scope, poll_interval, expires_at, last_polled_at, decision, coalesce(user_id, 0)"},
        {&confirm_device_code_,
         "UPDATE device_codes SET decision = ?3, user_id = iif(?3 = 'approved', confirming_user_id, NULL), "
         "confirmation_digest = NULL, confirming_user_id = NULL, confirmation_expires_at = NULL "
         "WHERE user_code_digest = ?1 AND confirmation_digest = ?2 AND confirmation_expires_at > ?4 "
         "AND decision = 'pending' AND expires_at > ?4 AND used_at IS NULL"},
        {&decide_device_code_,
         "UPDATE device_codes SET decision = ?2, user_id = ?3 "
         "WHERE user_code_digest = ?1 AND decision = 'pending' AND expires_at > ?4 AND used_at IS NULL"},
        {&begin_, "BEGIN IMMEDIATE"},
        {&commit_, "COMMIT"},
        {&rollback_, "ROLLBACK"},
        {&savepoint_, "SAVEPOINT operation"},
        {&release_, "RELEASE operation"},
        {&rollback_to_, "ROLLBACK TO operation"},
        {&insert_user_,
         "INSERT INTO users (username, email_address, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)"},
    };
    for (const entry& e : entries) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v3(db_.get(), e.sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK)
            return failure("cannot prepare a statement: " + last_error());
        e.target->reset(raw);
    }
    return {};
}

std::string sqlite_database::last_error() const { return sqlite3_errmsg(db_.get()); }

result<std::unique_lock<std::mutex>> sqlite_database::enter() {
    if (thread_group.db != this) return std::unique_lock(mutex_);
    if (!thread_group.holding) {
        mutex_.lock();
        thread_group.holding = true;
    } else if (sqlite3_get_autocommit(db_.get()) == 0) {
        return std::unique_lock<std::mutex>();  // the group's transaction, open
    } else {
        // An error made SQLite undo the group's transaction (SQLITE_FULL, SQLITE_IOERR,
        // SQLITE_NOMEM: https://sqlite.org/lang_transaction.html, "Response To Errors
        // Within A Transaction"): what the group wrote before is gone, and end_group will
        // say so. What follows gets a transaction again.
        thread_group.lost = true;
    }
    statement_use begin(begin_.get());
    if (begin.step() == SQLITE_DONE) return std::unique_lock<std::mutex>();
    std::string message = last_error();
    thread_group.holding = false;
    mutex_.unlock();
    return failure(message);
}

void sqlite_database::begin_group() {
    if (thread_group.db == nullptr) thread_group = {this, false, false};
}

result<void> sqlite_database::end_group() {
    if (thread_group.db != this) return {};
    const group_of_thread group = std::exchange(thread_group, {});
    static constexpr std::string_view undone = "the database undid the group's transaction after an error";
    if (!group.holding) return group.lost ? failure(std::string(undone)) : result<void>();
    const std::unique_lock lock(mutex_, std::adopt_lock);
    if (sqlite3_get_autocommit(db_.get()) != 0) return failure(std::string(undone));
    std::string message;
    {
        statement_use commit(commit_.get());
        if (commit.step() == SQLITE_DONE) return group.lost ? failure(std::string(undone)) : result<void>();
        message = last_error();
    }
    // A COMMIT that fails may leave the transaction open (SQLITE_BUSY): it is undone, so
    // that the connection is clean for the next operation.
    if (sqlite3_get_autocommit(db_.get()) == 0) {
        statement_use rollback(rollback_.get());
        (void)rollback.step();
    }
    return failure(message);
}

template <class Work>
auto sqlite_database::in_transaction(Work&& work) -> decltype(work()) {
    // In a group, the group's transaction is open already: the operation is a savepoint
    // in it, so that its failure undoes it alone and leaves the group's other writes.
    const bool grouped = thread_group.db == this;
    sqlite3_stmt* const start = grouped ? savepoint_.get() : begin_.get();
    sqlite3_stmt* const keep = grouped ? release_.get() : commit_.get();
    sqlite3_stmt* const undo = grouped ? rollback_to_.get() : rollback_.get();
    const auto undo_all = [&] {
        {
            statement_use u(undo);
            (void)u.step();
        }
        // ROLLBACK TO leaves the savepoint open; it is released, empty. (If SQLite undid
        // the group's whole transaction, both fail and enter() or end_group() tell.)
        if (grouped) {
            statement_use r(release_.get());
            (void)r.step();
        }
    };
    {
        statement_use begin(start);
        if (begin.step() != SQLITE_DONE) return failure(last_error());
    }
    auto answer = work();
    if (!answer) {
        undo_all();
        return answer;
    }
    std::string message;
    {
        statement_use end(keep);
        if (end.step() == SQLITE_DONE) return answer;
        message = last_error();
    }
    undo_all();
    return failure(message);
}

result<std::optional<client_record>> sqlite_database::find_client(std::string_view id) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(find_client_.get());
    if (!q.bind(1, id)) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW: return std::optional<client_record>(client_record{q.text(0), q.text(1), q.text(2), q.text(3)});
        case SQLITE_DONE: return std::optional<client_record>();
        default: return failure(last_error());
    }
}

result<std::optional<user_record>> sqlite_database::find_user(oauthcore::user_identifier who) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(who.kind == oauthcore::identifier_kind::username ? find_user_by_username_.get()
                                                                     : find_user_by_email_.get());
    if (!q.bind(1, who.value)) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW: return std::optional<user_record>(user_record{q.integer(0), q.text(1)});
        case SQLITE_DONE: return std::optional<user_record>();
        default: return failure(last_error());
    }
}

result<std::optional<refresh_record>> sqlite_database::find_refresh_token(const token_digest& refresh_digest,
                                                                          std::string_view client_id,
                                                                          std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(find_refresh_token_.get());
    const bool bound = q.bind(1, refresh_digest) && q.bind(2, client_id) && q.bind(3, now);
    if (!bound) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW:
            return std::optional<refresh_record>(refresh_record{q.integer(0), q.integer(1), q.text(2), q.digest(3)});
        case SQLITE_DONE: return std::optional<refresh_record>();
        default: return failure(last_error());
    }
}

result<bool> sqlite_database::replace_refresh_tokens(std::int64_t old_id, const token_record& new_pair,
                                                     std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    return in_transaction([&]() -> result<bool> {
        {
            statement_use q(revoke_tokens_.get());
            if (!(q.bind(1, old_id) && q.bind(2, now))) return failure(last_error());
            if (auto r = done(q.step(), db_.get()); !r) return failure(r.error());
        }
        // Revoked already: nothing to store, and the empty transaction commits.
        if (sqlite3_changes(db_.get()) != 1) return false;
        if (auto r = insert_tokens_locked(new_pair); !r) return failure(r.error());
        return true;
    });
}

result<void> sqlite_database::insert_tokens(const token_record& record) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    return insert_tokens_locked(record);
}

result<void> sqlite_database::insert_tokens_locked(const token_record& record) {
    statement_use q(insert_tokens_.get());
    const bool bound = q.bind(1, record.access_digest) && q.bind(2, record.refresh_digest) &&
                       q.bind(3, record.client_id) && (record.user_id ? q.bind(4, *record.user_id) : q.bind_null(4)) &&
                       q.bind(5, text_or_empty(record.scope)) && q.bind(6, record.issued_at) &&
                       q.bind(7, record.access_expires_at) && q.bind(8, record.refresh_expires_at) &&
                       q.bind(9, record.code_digest) &&
                       (record.refresh_scope ? q.bind(10, text_or_empty(*record.refresh_scope)) : q.bind_null(10));
    if (!bound) return failure(last_error());
    return done(q.step(), db_.get());
}

result<void> sqlite_database::insert_client(const new_client& client) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(insert_client_.get());
    const bool bound = q.bind(1, client.id) && q.bind(2, client.secret_hash) && q.bind(3, unix_now()) &&
                       q.bind(4, client.grants) && q.bind(5, text_or_empty(client.redirect_uris)) &&
                       q.bind(6, client.auth_method);
    if (!bound) return failure(last_error());
    return done(q.step(), db_.get());
}

result<void> sqlite_database::insert_user(const new_user& user) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(insert_user_.get());
    const bool bound = (user.username ? q.bind(1, *user.username) : q.bind_null(1)) &&
                       (user.email_address ? q.bind(2, *user.email_address) : q.bind_null(2)) &&
                       q.bind(3, user.password_hash) && q.bind(4, unix_now());
    if (!bound) return failure(last_error());
    return done(q.step(), db_.get());
}

result<std::optional<issued_token_row>> sqlite_database::find_issued_token(const token_digest& digest,
                                                                           oauthcore::token_kind kind) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(kind == oauthcore::token_kind::access_token ? find_access_token_.get()
                                                                : find_refresh_token_any_client_.get());
    if (!q.bind(1, digest)) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW:
            return std::optional<issued_token_row>(issued_token_row{
                q.integer(0), q.text(1), q.is_null(2) ? std::nullopt : std::optional<std::int64_t>(q.integer(2)),
                q.text(3), q.text(4), q.integer(5), q.integer(6)});
        case SQLITE_DONE: return std::optional<issued_token_row>();
        default: return failure(last_error());
    }
}

result<void> sqlite_database::revoke_token_pair(std::int64_t id, std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(revoke_tokens_.get());
    if (!(q.bind(1, id) && q.bind(2, now))) return failure(last_error());
    return done(q.step(), db_.get());
}

result<void> sqlite_database::revoke_tokens_of_code(const token_digest& code_digest, std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(revoke_tokens_of_code_.get());
    if (!(q.bind(1, code_digest) && q.bind(2, now))) return failure(last_error());
    return done(q.step(), db_.get());
}

result<void> sqlite_database::insert_authorization_code(const token_digest& digest, const authorization_code_row& row,
                                                        std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(insert_authorization_code_.get());
    const bool bound = q.bind(1, digest) && q.bind(2, row.client_id) && q.bind(3, row.user_id) &&
                       q.bind(4, text_or_empty(row.redirect_uri)) && q.bind(5, text_or_empty(row.code_challenge)) &&
                       q.bind(6, text_or_empty(row.code_challenge_method)) && q.bind(7, text_or_empty(row.scope)) &&
                       q.bind(8, now) && q.bind(9, row.expires_at);
    if (!bound) return failure(last_error());
    return done(q.step(), db_.get());
}

result<std::optional<authorization_code_row>> sqlite_database::find_authorization_code_locked(
    const token_digest& digest) {
    statement_use q(find_authorization_code_.get());
    if (!q.bind(1, digest)) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW:
            return std::optional<authorization_code_row>(authorization_code_row{
                q.text(0), q.integer(1), q.text(2), q.text(3), q.text(4), q.text(5), q.integer(6), q.integer(7) != 0});
        case SQLITE_DONE: return std::optional<authorization_code_row>();
        default: return failure(last_error());
    }
}

result<std::optional<authorization_code_row>> sqlite_database::find_authorization_code(const token_digest& digest) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    return find_authorization_code_locked(digest);
}

result<bool> sqlite_database::redeem_authorization_code(const token_digest& digest, const token_record& tokens,
                                                        std::int64_t now) {
    return spend_for_tokens(spend_authorization_code_.get(), digest, tokens, now);
}

result<bool> sqlite_database::spend_for_tokens(sqlite3_stmt* spend_statement, const token_digest& digest,
                                               const token_record& tokens, std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    return in_transaction([&]() -> result<bool> {
        {
            statement_use spend(spend_statement);
            if (!(spend.bind(1, digest) && spend.bind(2, now))) return failure(last_error());
            if (auto r = done(spend.step(), db_.get()); !r) return failure(r.error());
        }
        if (sqlite3_changes(db_.get()) != 1) return false;
        if (auto r = insert_tokens_locked(tokens); !r) return failure(r.error());
        return true;
    });
}

result<void> sqlite_database::insert_device_code(const token_digest& device_digest,
                                                 const token_digest& user_code_digest, const device_code_row& row,
                                                 std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(insert_device_code_.get());
    const bool bound = q.bind(1, device_digest) && q.bind(2, user_code_digest) && q.bind(3, row.client_id) &&
                       q.bind(4, text_or_empty(row.scope)) && q.bind(5, row.poll_interval) && q.bind(6, now) &&
                       q.bind(7, row.expires_at);
    if (!bound) return failure(last_error());
    return done(q.step(), db_.get());
}

result<std::optional<device_code_row>> sqlite_database::poll_device_code(const token_digest& device_digest,
                                                                         std::int64_t now) {
    using answer = result<std::optional<device_code_row>>;
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    return in_transaction([&]() -> answer {
        std::optional<device_code_row> found;
        {
            statement_use q(find_device_code_.get());
            if (!q.bind(1, device_digest)) return failure(last_error());
            switch (q.step()) {
                case SQLITE_ROW: found = device_code_row_of(q); break;
                case SQLITE_DONE: return found;
                default: return failure(last_error());
            }
        }
        statement_use poll(poll_device_code_.get());
        if (!(poll.bind(1, device_digest) && poll.bind(2, now))) return failure(last_error());
        if (auto r = done(poll.step(), db_.get()); !r) return failure(r.error());
        return found;
    });
}

result<bool> sqlite_database::redeem_device_code(const token_digest& device_digest, const token_record& tokens,
                                                 std::int64_t now) {
    return spend_for_tokens(spend_device_code_.get(), device_digest, tokens, now);
}

result<std::optional<device_code_row>> sqlite_database::begin_device_confirmation(
    const token_digest& user_code_digest, const token_digest& confirmation_digest, std::int64_t user_id,
    std::int64_t confirmation_expires_at, std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    // RETURNING: the first step makes the update and gives the row.
    statement_use q(begin_device_confirmation_.get());
    const bool bound = q.bind(1, user_code_digest) && q.bind(2, confirmation_digest) && q.bind(3, user_id) &&
                       q.bind(4, confirmation_expires_at) && q.bind(5, now);
    if (!bound) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW: return std::optional<device_code_row>(device_code_row_of(q));
        case SQLITE_DONE: return std::optional<device_code_row>();
        default: return failure(last_error());
    }
}

result<bool> sqlite_database::confirm_device_code(const token_digest& user_code_digest,
                                                  const token_digest& confirmation_digest, device_decision decision,
                                                  std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(confirm_device_code_.get());
    const bool bound =
        q.bind(1, user_code_digest) && q.bind(2, confirmation_digest) && q.bind(3, name_of(decision)) && q.bind(4, now);
    if (!bound) return failure(last_error());
    if (auto r = done(q.step(), db_.get()); !r) return failure(r.error());
    return sqlite3_changes(db_.get()) == 1;
}

result<bool> sqlite_database::decide_device_code(const token_digest& user_code_digest, device_decision decision,
                                                 std::int64_t user_id, std::int64_t now) {
    const auto lock = enter();
    if (!lock) return failure(lock.error());
    statement_use q(decide_device_code_.get());
    const bool bound = q.bind(1, user_code_digest) && q.bind(2, name_of(decision)) &&
                       (decision == device_decision::approved ? q.bind(3, user_id) : q.bind_null(3)) && q.bind(4, now);
    if (!bound) return failure(last_error());
    if (auto r = done(q.step(), db_.get()); !r) return failure(r.error());
    return sqlite3_changes(db_.get()) == 1;
}

result<purge_counts> sqlite_database::purge_expired(std::int64_t before) {
    constexpr const char* expired_tokens =
        "DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE access_expires_at < ?1 AND "
        "refresh_expires_at < ?1 LIMIT ?2)";
    constexpr const char* expired_codes =
        "DELETE FROM authorization_codes WHERE digest IN (SELECT digest FROM authorization_codes WHERE "
        "expires_at < ?1 AND NOT EXISTS (SELECT 1 FROM tokens WHERE tokens.code_digest = "
        "authorization_codes.digest) LIMIT ?2)";
    constexpr const char* expired_device_codes =
        "DELETE FROM device_codes WHERE digest IN (SELECT digest FROM device_codes WHERE expires_at < ?1 LIMIT ?2)";
    constexpr const char* deletes[] = {expired_tokens, expired_codes, expired_device_codes};
    std::int64_t deleted[3] = {};
    for (std::size_t i = 0; i < 3; ++i) {
        for (;;) {
            // A batch is one statement in autocommit mode: its own transaction.
            const auto lock = enter();
            if (!lock) return failure(lock.error());
            sqlite3_stmt* raw = nullptr;
            if (sqlite3_prepare_v2(db_.get(), deletes[i], -1, &raw, nullptr) != SQLITE_OK) return failure(last_error());
            const statement s(raw);
            if (sqlite3_bind_int64(raw, 1, before) != SQLITE_OK ||
                sqlite3_bind_int64(raw, 2, purge_batch_rows) != SQLITE_OK || sqlite3_step(raw) != SQLITE_DONE)
                return failure(last_error());
            const std::int64_t batch = sqlite3_changes(db_.get());
            deleted[i] += batch;
            if (batch < purge_batch_rows) break;
        }
    }
    return purge_counts{deleted[0], deleted[1], deleted[2]};
}

}  // namespace token_server
