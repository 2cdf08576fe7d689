#include "token_database.hpp"

#include <chrono>

#include "demo_data.hpp"
#include "password_hash.hpp"
#include "schema.hpp"

namespace token_server {

namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

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

result<void> done(int step_status, sqlite3* db) {
    if (step_status == SQLITE_DONE) return {};
    if (step_status == SQLITE_CONSTRAINT) return failure(std::string("already exists (") + sqlite3_errmsg(db) + ")");
    return failure(sqlite3_errmsg(db));
}

}  // namespace

result<std::unique_ptr<token_database>> token_database::open(const std::string& path, seeding seed) {
    std::unique_ptr<token_database> self(new token_database());
    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    self->db_.reset(raw);
    if (opened != SQLITE_OK) return failure("cannot open " + path + ": " + sqlite3_errstr(opened));
    sqlite3* db = raw;
    // Another process (add-user next to a running server) may hold the write lock for
    // a moment: wait for it rather than fail.
    sqlite3_busy_timeout(db, 5000);
    if (auto r = execute(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"); !r) return failure(r.error());

    auto version = user_version(db);
    if (!version) return failure(version.error());
    if (*version > schema_version)
        return failure(path + " has schema version " + std::to_string(*version) + "; this program knows " +
                       std::to_string(schema_version));
    if (*version == 0) {
        // Hash before taking the write lock: argon2id takes a while.
        std::optional<std::string> secret_hash, password_hash;
        if (seed == seeding::demo_data_if_new) {
            secret_hash = hash_password(demo_client_secret);
            password_hash = hash_password(demo_user_password);
            if (!secret_hash || !password_hash) return failure("cannot hash the demo credentials (out of memory)");
        }
        if (auto r = execute(db, "BEGIN IMMEDIATE"); !r) return failure(r.error());
        version = user_version(db);  // another process may have made it meanwhile
        if (version && *version == 0) {
            if (auto r = execute(db, std::string(schema_sql).c_str()); !r) {
                (void)execute(db, "ROLLBACK");
                return failure("cannot create the schema: " + r.error());
            }
            self->created_ = true;
        }
        if (auto r = self->prepare_statements(); !r) {
            (void)execute(db, "ROLLBACK");
            return failure(r.error());
        }
        if (self->created_ && secret_hash) {
            auto client = self->insert_client(demo_client_id, *secret_hash);
            auto user = client ? self->insert_user({demo_user_name, demo_user_email, *password_hash}) : client;
            if (!user) {
                (void)execute(db, "ROLLBACK");
                return failure("cannot add the demo data: " + user.error());
            }
        }
        if (auto r = execute(db, "COMMIT"); !r) return failure(r.error());
        return self;
    }
    if (*version == 1) {
        if (auto r = execute(db, "BEGIN IMMEDIATE"); !r) return failure(r.error());
        version = user_version(db);  // another process may have migrated it meanwhile
        if (version && *version == 1) {
            if (auto r = execute(db, std::string(migration_1_to_2_sql).c_str()); !r) {
                (void)execute(db, "ROLLBACK");
                return failure("cannot migrate " + path + " from schema version 1 to 2: " + r.error());
            }
        }
        if (auto r = execute(db, "COMMIT"); !r) return failure(r.error());
    }
    if (auto r = self->prepare_statements(); !r) return failure(r.error());
    return self;
}

result<void> token_database::prepare_statements() {
    struct entry {
        statement* target;
        const char* sql;
    };
    const entry entries[] = {
        {&find_client_, "SELECT secret_hash, password_grant, refresh_grant FROM clients WHERE id = ?1"},
        {&find_user_by_username_, "SELECT id, password_hash FROM users WHERE username = ?1"},
        {&find_user_by_email_, "SELECT id, password_hash FROM users WHERE email_address = ?1"},
        {&find_refresh_token_,
         "SELECT id, user_id, scope FROM tokens WHERE refresh_digest = ?1 AND client_id = ?2 "
         "AND revoked_at IS NULL AND refresh_expires_at > ?3"},
        {&revoke_tokens_, "UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"},
        {&insert_tokens_,
         "INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, scope, issued_at, "
         "access_expires_at, refresh_expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
        {&insert_client_, "INSERT INTO clients (id, secret_hash, created_at) VALUES (?1, ?2, ?3)"},
        {&insert_user_,
         "INSERT INTO users (username, email_address, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)"},
        // IMMEDIATE: the write lock is taken at BEGIN (waiting for another process, up to
        // the busy timeout), not at the first write, where a lock upgrade could fail.
        {&begin_, "BEGIN IMMEDIATE"},
        {&commit_, "COMMIT"},
        {&rollback_, "ROLLBACK"},
    };
    for (const entry& e : entries) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v3(db_.get(), e.sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK)
            return failure("cannot prepare a statement: " + last_error());
        e.target->reset(raw);
    }
    return {};
}

std::string token_database::last_error() const { return sqlite3_errmsg(db_.get()); }

result<std::optional<client_record>> token_database::find_client(std::string_view id) {
    const std::lock_guard lock(mutex_);
    statement_use q(find_client_.get());
    if (!q.bind(1, id)) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW:
            return std::optional<client_record>(client_record{q.text(0), q.integer(1) != 0, q.integer(2) != 0});
        case SQLITE_DONE: return std::optional<client_record>();
        default: return failure(last_error());
    }
}

result<std::optional<user_record>> token_database::find_user(oauthcore::user_identifier who) {
    const std::lock_guard lock(mutex_);
    statement_use q(who.kind == oauthcore::identifier_kind::username ? find_user_by_username_.get()
                                                                     : find_user_by_email_.get());
    if (!q.bind(1, who.value)) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW: return std::optional<user_record>(user_record{q.integer(0), q.text(1)});
        case SQLITE_DONE: return std::optional<user_record>();
        default: return failure(last_error());
    }
}

result<std::optional<refresh_record>> token_database::find_refresh_token(const token_digest& refresh_digest,
                                                                         std::string_view client_id, std::int64_t now) {
    const std::lock_guard lock(mutex_);
    statement_use q(find_refresh_token_.get());
    const bool bound = q.bind_blob(1, refresh_digest.data(), static_cast<int>(refresh_digest.size())) &&
                       q.bind(2, client_id) && q.bind(3, now);
    if (!bound) return failure(last_error());
    switch (q.step()) {
        case SQLITE_ROW: return std::optional<refresh_record>(refresh_record{q.integer(0), q.integer(1), q.text(2)});
        case SQLITE_DONE: return std::optional<refresh_record>();
        default: return failure(last_error());
    }
}

result<bool> token_database::replace_tokens(std::int64_t id, const token_record& replacement, std::int64_t now) {
    const std::lock_guard lock(mutex_);
    if (auto begun = run(begin_); !begun) return failure(begun.error());
    const result<bool> replaced = [&]() -> result<bool> {
        auto revoked = revoke_row(id, now);
        if (!revoked || !*revoked) return revoked;
        if (auto inserted = insert_row(replacement); !inserted) return failure(inserted.error());
        if (auto committed = run(commit_); !committed) return failure(committed.error());
        return true;
    }();
    if (replaced && *replaced) return replaced;
    // Revoked already, or a statement or the commit failed: undo the revocation. (After
    // some errors SQLite has rolled back already; ROLLBACK then fails, with nothing left
    // to undo.)
    (void)run(rollback_);
    return replaced;
}

result<bool> token_database::revoke_row(std::int64_t id, std::int64_t now) {
    statement_use q(revoke_tokens_.get());
    if (!(q.bind(1, id) && q.bind(2, now))) return failure(last_error());
    if (auto r = done(q.step(), db_.get()); !r) return failure(r.error());
    // One statement, one row: changes() is 1 only for the call that found it unrevoked.
    return sqlite3_changes(db_.get()) == 1;
}

result<void> token_database::insert_tokens(const token_record& record) {
    const std::lock_guard lock(mutex_);
    return insert_row(record);
}

result<void> token_database::insert_row(const token_record& record) {
    statement_use q(insert_tokens_.get());
    // An empty view may have a null data pointer, which SQLite binds as NULL; scope is
    // NOT NULL, '' for none.
    const bool bound = q.bind_blob(1, record.access_digest.data(), static_cast<int>(record.access_digest.size())) &&
                       q.bind_blob(2, record.refresh_digest.data(), static_cast<int>(record.refresh_digest.size())) &&
                       q.bind(3, record.client_id) && q.bind(4, record.user_id) &&
                       q.bind(5, record.scope.empty() ? std::string_view("") : record.scope) &&
                       q.bind(6, record.issued_at) && q.bind(7, record.access_expires_at) &&
                       q.bind(8, record.refresh_expires_at);
    if (!bound) return failure(last_error());
    return done(q.step(), db_.get());
}

result<void> token_database::run(statement& s) {
    statement_use q(s.get());
    return done(q.step(), db_.get());
}

result<void> token_database::insert_client(std::string_view id, const std::string& secret_hash) {
    const std::lock_guard lock(mutex_);
    statement_use q(insert_client_.get());
    if (!(q.bind(1, id) && q.bind(2, secret_hash) && q.bind(3, unix_now()))) return failure(last_error());
    return done(q.step(), db_.get());
}

result<void> token_database::insert_user(const new_user& user) {
    const std::lock_guard lock(mutex_);
    statement_use q(insert_user_.get());
    const bool bound = (user.username ? q.bind(1, *user.username) : q.bind_null(1)) &&
                       (user.email_address ? q.bind(2, *user.email_address) : q.bind_null(2)) &&
                       q.bind(3, user.password_hash) && q.bind(4, unix_now());
    if (!bound) return failure(last_error());
    return done(q.step(), db_.get());
}

}  // namespace token_server
