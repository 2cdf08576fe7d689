#include "postgres_database.hpp"
#include "unix_time.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <utility>

#include "demo_data.hpp"
#include "password_hash.hpp"
#include "postgres_schema.hpp"

namespace token_server {

namespace {

constexpr std::chrono::seconds pool_wait{10};

// A prepared statement: its name on every connection, and its text.
struct prepared {
    const char* name;
    const char* sql;
};

namespace sql {

constexpr prepared find_client{
    "find_client", "SELECT secret_hash, grants, redirect_uris, auth_method FROM clients WHERE id = $1::text"};
constexpr prepared find_user_by_username{"find_user_by_username",
                                         "SELECT id, password_hash FROM users WHERE username = $1::text"};
// The expression of the users_by_email index (postgres_schema.hpp).
constexpr prepared find_user_by_email{
    "find_user_by_email",
    "SELECT id, password_hash FROM users "
    "WHERE translate(email_address, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = "
    "translate($1::text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"};
constexpr prepared find_refresh_token{"find_refresh_token",
                                      "SELECT id, user_id, coalesce(refresh_scope, scope), code_digest FROM tokens "
                                      "WHERE refresh_digest = $1::bytea AND client_id = $2::text "
                                      "AND revoked_at IS NULL AND refresh_expires_at > $3::bigint"};
constexpr prepared find_access_token{
    "find_access_token",
    "SELECT t.id, t.client_id, t.user_id, coalesce(u.username, u.email_address, ''), t.scope, t.issued_at, "
    "t.access_expires_at FROM tokens t LEFT JOIN users u ON u.id = t.user_id "
    "WHERE t.access_digest = $1::bytea AND t.revoked_at IS NULL"};
constexpr prepared find_refresh_token_any_client{
    "find_refresh_token_any_client",
    "SELECT t.id, t.client_id, t.user_id, coalesce(u.username, u.email_address, ''), "
    "coalesce(t.refresh_scope, t.scope), t.issued_at, t.refresh_expires_at FROM tokens t "
    "LEFT JOIN users u ON u.id = t.user_id WHERE t.refresh_digest = $1::bytea AND t.revoked_at IS NULL"};
constexpr prepared revoke_token_pair{
    "revoke_token_pair", "UPDATE tokens SET revoked_at = $2::bigint WHERE id = $1::bigint AND revoked_at IS NULL"};
constexpr prepared revoke_tokens_of_code{
    "revoke_tokens_of_code",
    "UPDATE tokens SET revoked_at = $2::bigint WHERE code_digest = $1::bytea AND revoked_at IS NULL"};
constexpr prepared insert_tokens{
    "insert_tokens",
    "INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, scope, issued_at, access_expires_at, "
    "refresh_expires_at, code_digest, refresh_scope) VALUES ($1::bytea, $2::bytea, $3::text, $4::bigint, $5::text, "
    "$6::bigint, $7::bigint, $8::bigint, $9::bytea, $10::text)"};
// One statement, so one transaction: the INSERT stores the new pair only for a row the
// UPDATE revoked, which it does for exactly one of concurrent callers.
constexpr prepared replace_refresh_tokens{
    "replace_refresh_tokens",
    "WITH revoked AS (UPDATE tokens SET revoked_at = $10::bigint WHERE id = $11::bigint AND revoked_at IS NULL "
    "RETURNING id) "
    "INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, scope, issued_at, access_expires_at, "
    "refresh_expires_at, code_digest, refresh_scope) SELECT $1::bytea, $2::bytea, $3::text, $4::bigint, $5::text, "
    "$6::bigint, $7::bigint, $8::bigint, $9::bytea, $12::text FROM revoked"};
constexpr prepared insert_client{
    "insert_client",
    "INSERT INTO clients (id, secret_hash, created_at, grants, redirect_uris, auth_method) "
    "VALUES ($1::text, $2::text, $3::bigint, $4::text, $5::text, $6::text)"};
constexpr prepared insert_user{"insert_user",
                               "INSERT INTO users (username, email_address, password_hash, created_at) "
                               "VALUES ($1::text, $2::text, $3::text, $4::bigint)"};
constexpr prepared insert_authorization_code{
    "insert_authorization_code",
    "INSERT INTO authorization_codes (digest, client_id, user_id, redirect_uri, code_challenge, "
    "code_challenge_method, scope, created_at, expires_at) VALUES ($1::bytea, $2::text, $3::bigint, $4::text, "
    "$5::text, $6::text, $7::text, $8::bigint, $9::bigint)"};
constexpr prepared find_authorization_code{
    "find_authorization_code",
    "SELECT client_id, user_id, redirect_uri, code_challenge, code_challenge_method, scope, expires_at, "
    "used_at IS NOT NULL FROM authorization_codes WHERE digest = $1::bytea"};
constexpr prepared redeem_authorization_code{
    "redeem_authorization_code",
    "WITH spent AS (UPDATE authorization_codes SET used_at = $10::bigint WHERE digest = $11::bytea "
    "AND used_at IS NULL RETURNING digest) "
    "INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, scope, issued_at, access_expires_at, "
    "refresh_expires_at, code_digest, refresh_scope) SELECT $1::bytea, $2::bytea, $3::text, $4::bigint, $5::text, "
    "$6::bigint, $7::bigint, $8::bigint, $9::bytea, $12::text FROM spent"};
constexpr prepared insert_device_code{
    "insert_device_code",
    "INSERT INTO device_codes (digest, user_code_digest, client_id, scope, poll_interval, created_at, expires_at) "
    "VALUES ($1::bytea, $2::bytea, $3::text, $4::text, $5::bigint, $6::bigint, $7::bigint)"};
constexpr prepared lock_device_code{
    "lock_device_code",
    "SELECT client_id, scope, poll_interval, expires_at, last_polled_at, decision, coalesce(user_id, 0) "
    "FROM device_codes WHERE digest = $1::bytea AND used_at IS NULL FOR UPDATE"};
constexpr prepared poll_device_code{"poll_device_code",
                                    "UPDATE device_codes SET last_polled_at = $2::bigint WHERE digest = $1::bytea"};
constexpr prepared redeem_device_code{
    "redeem_device_code",
    "WITH spent AS (UPDATE device_codes SET used_at = $10::bigint WHERE digest = $11::bytea "
    "AND used_at IS NULL AND decision = 'approved' RETURNING digest) "
    "INSERT INTO tokens (access_digest, refresh_digest, client_id, user_id, scope, issued_at, access_expires_at, "
    "refresh_expires_at, code_digest, refresh_scope) SELECT $1::bytea, $2::bytea, $3::text, $4::bigint, $5::text, "
    "$6::bigint, $7::bigint, $8::bigint, $9::bytea, $12::text FROM spent"};
// purge_expired's batches, in this order (a code goes once its tokens are gone).
constexpr prepared purge_tokens{
    "purge_tokens",
    "DELETE FROM tokens WHERE id IN (SELECT id FROM tokens WHERE access_expires_at < $1::bigint AND "
    "refresh_expires_at < $1::bigint LIMIT $2::bigint)"};
constexpr prepared purge_authorization_codes{
    "purge_authorization_codes",
    "DELETE FROM authorization_codes WHERE digest IN (SELECT digest FROM authorization_codes WHERE "
    "expires_at < $1::bigint AND NOT EXISTS (SELECT 1 FROM tokens WHERE tokens.code_digest = "
    "authorization_codes.digest) LIMIT $2::bigint)"};
constexpr prepared purge_device_codes{
    "purge_device_codes",
    "DELETE FROM device_codes WHERE digest IN (SELECT digest FROM device_codes WHERE expires_at < $1::bigint "
    "LIMIT $2::bigint)"};
constexpr prepared begin_device_confirmation{
    "begin_device_confirmation",
    "UPDATE device_codes SET confirmation_digest = $2::bytea, confirming_user_id = $3::bigint, "
    "confirmation_expires_at = $4::bigint WHERE user_code_digest = $1::bytea AND decision = 'pending' "
    "AND expires_at > $5::bigint AND used_at IS NULL "
    "RETURNING client_id, scope, poll_interval, expires_at, last_polled_at, decision, coalesce(user_id, 0)"};
constexpr prepared confirm_device_code{
    "confirm_device_code",
    "UPDATE device_codes SET decision = $3::text, user_id = CASE WHEN $3::text = 'approved' THEN "
    "confirming_user_id END, confirmation_digest = NULL, confirming_user_id = NULL, "
    "confirmation_expires_at = NULL WHERE user_code_digest = $1::bytea AND confirmation_digest = $2::bytea "
    "AND confirmation_expires_at > $4::bigint AND decision = 'pending' AND expires_at > $4::bigint "
    "AND used_at IS NULL"};
constexpr prepared decide_device_code{
    "decide_device_code",
    "UPDATE device_codes SET decision = $2::text, user_id = $3::bigint WHERE user_code_digest = $1::bytea "
    "AND decision = 'pending' AND expires_at > $4::bigint AND used_at IS NULL"};

constexpr const prepared* all[] = {&find_client,
                                   &find_user_by_username,
                                   &find_user_by_email,
                                   &find_refresh_token,
                                   &find_access_token,
                                   &find_refresh_token_any_client,
                                   &revoke_token_pair,
                                   &revoke_tokens_of_code,
                                   &insert_tokens,
                                   &replace_refresh_tokens,
                                   &insert_client,
                                   &insert_user,
                                   &insert_authorization_code,
                                   &find_authorization_code,
                                   &redeem_authorization_code,
                                   &insert_device_code,
                                   &lock_device_code,
                                   &poll_device_code,
                                   &redeem_device_code,
                                   &begin_device_confirmation,
                                   &confirm_device_code,
                                   &decide_device_code,
                                   &purge_tokens,
                                   &purge_authorization_codes,
                                   &purge_device_codes};

}  // namespace sql

// libpq's messages end in a newline and may span lines ("ERROR: ...\nDETAIL: ..."): one
// line for the log. They name what failed, never a password.
std::string one_line(std::string_view message) {
    std::string out;
    for (const char c : message) {
        if (c == '\n')
            out += "; ";
        else if (c != '\r')
            out += c;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
    return out;
}

// PostgreSQL text is valid UTF-8 without NUL (the connection's client_encoding is
// UTF8); SQLite's holds any bytes. A value that is not such text cannot be stored, and
// a name that is not cannot be found.
bool is_text(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto lead = static_cast<unsigned char>(s[i]);
        if (lead == 0) return false;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t more = 0;
        std::uint32_t point = 0;
        if (lead >= 0xc2 && lead <= 0xdf) {
            more = 1;
            point = lead & 0x1fu;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            more = 2;
            point = lead & 0x0fu;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            more = 3;
            point = lead & 0x07u;
        } else {
            return false;
        }
        if (s.size() - i <= more) return false;
        for (std::size_t k = 1; k <= more; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xc0) != 0x80) return false;
            point = (point << 6) | (next & 0x3fu);
        }
        const bool overlong = (more == 2 && point < 0x800) || (more == 3 && point < 0x10000);
        if (overlong || point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff)) return false;
        i += more + 1;
    }
    return true;
}

template <class T>
bool storable(const T&) noexcept {
    return true;
}
bool storable(std::string_view text) noexcept { return is_text(text); }
bool storable(const std::optional<std::string_view>& text) noexcept { return !text || is_text(*text); }

bool changed_one_row(const PGresult* r) noexcept {
    return std::string_view(PQcmdTuples(const_cast<PGresult*>(r))) == "1";
}

authorization_code_row code_row(const pg_row& row) {
    return {row.text(0), row.integer(1), row.text(2),    row.text(3),
            row.text(4), row.text(5),    row.integer(6), row.integer(7) != 0};
}

}  // namespace

class postgres_database::session {
public:
    // Connects with the server's defaults (each may be overridden in the connection
    // string but the encoding): connect_timeout 10 s, application_name token_server,
    // client_encoding UTF8; then sets statement_timeout.
    [[nodiscard]] static result<std::unique_ptr<session>> connect(const std::string& conninfo) {
        // libpq's message for a string that does not parse quotes the string, password and
        // all (`invalid percent-encoded token: "My%Passw0rd"`): it is never shown.
        if (!parses_as_conninfo(conninfo))
            return failure(
                "the PostgreSQL connection string does not parse (libpq's message is not shown: it may "
                "quote the password); check its quoting and percent-encoding");
        const char* const keywords[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding",
                                        nullptr};
        const char* const values[] = {"10", "token_server", conninfo.c_str(), "UTF8", nullptr};
        auto made = std::unique_ptr<session>(new session(pg_connection(PQconnectdbParams(keywords, values, 1))));
        if (!made->connection_) return failure("cannot connect to PostgreSQL (out of memory)");
        if (PQstatus(made->get()) != CONNECTION_OK)
            return failure("cannot connect to " + printable_location(conninfo) + ": " +
                           one_line(PQerrorMessage(made->get())));
        // Every statement is bounded: a worker never waits for the database for ever.
        if (auto r = made->command("SET statement_timeout = '10s'"); !r) return failure(r.error());
        return made;
    }

    [[nodiscard]] PGconn* get() const noexcept { return connection_.get(); }

    // True when it may serve another request: connected and outside any transaction.
    [[nodiscard]] bool reusable() const noexcept {
        return PQstatus(get()) == CONNECTION_OK && PQtransactionStatus(get()) == PQTRANS_IDLE;
    }

    // An idle connection has nothing to read (the server sends nothing unasked: no
    // LISTEN here). If it has, the server has spoken while nobody asked: it is closing
    // the connection (a restart, a failover, pg_terminate_backend) and says why. Such a
    // connection is replaced before a request is given it; if the server had sent
    // something harmless, a new connection is all it costs.
    [[nodiscard]] bool still_alive() const noexcept {
        pollfd watched{PQsocket(get()), POLLIN, 0};
        if (watched.fd < 0) return false;
        return ::poll(&watched, 1, 0) == 0 && reusable();
    }

    [[nodiscard]] result<void> prepare_all() {
        for (const prepared* s : sql::all) {
            const pg_result r(PQprepare(get(), s->name, s->sql, 0, nullptr));
            if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
                return failure(std::string("cannot prepare ") + s->name + ": " + error_of(r.get()));
        }
        return {};
    }

    // A statement without parameters, by the simple protocol (rows in text).
    [[nodiscard]] result<pg_result> simple(const char* text) {
        pg_result r(PQexec(get(), text));
        const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(error_of(r.get()));
        return r;
    }
    [[nodiscard]] result<void> command(const char* text) {
        auto r = simple(text);
        if (!r) return failure(r.error());
        return {};
    }

    template <class... Args>
    [[nodiscard]] result<pg_result> run(const prepared& statement, const Args&... args) {
        if (!(storable(args) && ...)) return failure("a value is not UTF-8 text (or holds a NUL byte)");
        pg_result r = execute_prepared(get(), statement.name, args...);
        const auto status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return failure(error_of(r.get()));
        return r;
    }

    // Runs `work` between BEGIN and COMMIT, or ROLLBACK when it fails.
    template <class Work>
    [[nodiscard]] auto in_transaction(Work&& work) -> decltype(work()) {
        if (auto r = command("BEGIN"); !r) return failure(r.error());
        auto answer = work();
        if (!answer) {
            (void)command("ROLLBACK");
            return answer;
        }
        if (auto r = command("COMMIT"); !r) return failure(r.error());
        return answer;
    }

private:
    explicit session(pg_connection c) noexcept : connection_(std::move(c)) {}

    [[nodiscard]] std::string error_of(const PGresult* r) const {
        if (r == nullptr) return one_line(PQerrorMessage(get()));
        std::string message = one_line(PQresultErrorMessage(r));
        const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        // unique_violation: admin_commands.cpp tells "already exists" apart.
        if (state != nullptr && std::string_view(state) == "23505") return "already exists (" + message + ")";
        return message;
    }

    pg_connection connection_;
};

class postgres_database::lease {
public:
    lease() = default;
    lease(postgres_database& owner, std::unique_ptr<session> s) noexcept : owner_(&owner), session_(std::move(s)) {}
    lease(lease&& other) noexcept = default;
    lease& operator=(lease&& other) noexcept {
        if (this != &other) {
            release();
            owner_ = other.owner_;
            session_ = std::move(other.session_);
        }
        return *this;
    }
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() { release(); }

    session* operator->() const noexcept { return session_.get(); }

private:
    void release() {
        if (session_) owner_->give_back(std::move(session_));
    }

    postgres_database* owner_ = nullptr;
    std::unique_ptr<session> session_;
};

postgres_database::postgres_database(std::string conninfo, unsigned connections)
    : conninfo_(std::move(conninfo)), max_sessions_(std::max(1u, connections)) {}

result<std::unique_ptr<token_database>> postgres_database::open(const std::string& conninfo,
                                                                const database_options& options) {
    std::unique_ptr<postgres_database> self(new postgres_database(conninfo, options.connections));
    // Hash before the transaction: argon2id takes a while, and others wait for the lock.
    std::optional<std::string> secret_hash, password_hash;
    if (options.seed == seeding::demo_data_if_new) {
        // The vendor's secret is 64 hex digits, 256 bits: a fast hash (password_hash.hpp).
        secret_hash = fast_secret_hash(demo_client_secret);
        password_hash = hash_password(demo_user_password);
        if (!secret_hash || !password_hash) return failure("cannot hash the demo credentials (out of memory)");
    }
    auto first = session::connect(conninfo);
    if (!first) return failure(first.error());
    session& s = **first;
    bool created = false;
    const auto made = s.in_transaction([&]() -> result<void> {
        // No statement_timeout here: a migration may take long. The lock wait is bounded.
        if (auto r = s.command("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = '60s'"); !r) return r;
        const std::string lock = "SELECT pg_advisory_xact_lock(" + std::to_string(schema_lock_key) + ")";
        if (auto r = s.command(lock.c_str()); !r) return failure("cannot lock the schema: " + r.error());
        auto exists = s.simple("SELECT to_regclass('schema_version') IS NOT NULL");
        if (!exists) return failure(exists.error());
        int version = 0;
        if (std::string_view(PQgetvalue(exists->get(), 0, 0)) != "t") {
            if (auto r = s.command(std::string(postgres_schema_sql).c_str()); !r)
                return failure("cannot create the schema: " + r.error());
            const std::string row =
                "INSERT INTO schema_version (version) VALUES (" + std::to_string(postgres_first_version) + ")";
            if (auto r = s.command(row.c_str()); !r) return failure("cannot create the schema: " + r.error());
            created = true;
            version = postgres_first_version;
        } else {
            auto found = s.simple("SELECT version FROM schema_version");
            if (!found) return failure(found.error());
            if (PQntuples(found->get()) != 1) return failure("schema_version does not hold one row");
            version = std::atoi(PQgetvalue(found->get(), 0, 0));
        }
        if (version > schema_version || version < postgres_first_version)
            return failure(printable_location(conninfo) + " has schema version " + std::to_string(version) +
                           "; this program knows " + std::to_string(postgres_first_version) + " to " +
                           std::to_string(schema_version));
        for (; version < schema_version; ++version) {
            const std::string step =
                std::string(postgres_migrations[static_cast<std::size_t>(version - postgres_first_version)]) +
                ";\nUPDATE schema_version SET version = " + std::to_string(version + 1);
            if (auto r = s.command(step.c_str()); !r)
                return failure("cannot migrate from schema version " + std::to_string(version) + ": " + r.error());
        }
        // Prepared statements outlive the transaction (and are checked against the schema now).
        if (auto r = s.prepare_all(); !r) return r;
        if (created && secret_hash) {
            auto client = s.run(sql::insert_client, demo_client_id, std::string_view(*secret_hash), unix_now(),
                                default_client_grants, std::string_view(), std::string_view("client_secret_basic"));
            if (!client) return failure("cannot add the demo data: " + client.error());
            auto user =
                s.run(sql::insert_user, demo_user_name, demo_user_email, std::string_view(*password_hash), unix_now());
            if (!user) return failure("cannot add the demo data: " + user.error());
        }
        return {};
    });
    if (!made) return failure(made.error());
    self->created_ = created;
    self->open_ = 1;
    self->idle_.push_back(std::move(*first));
    return std::unique_ptr<token_database>(std::move(self));
}

result<postgres_database::lease> postgres_database::acquire() {
    std::unique_lock lock(mutex_);
    const bool free = given_back_.wait_for(lock, pool_wait, [&] { return !idle_.empty() || open_ < max_sessions_; });
    if (!free) return failure("no database connection was free within 10 s");
    while (!idle_.empty()) {
        std::unique_ptr<session> s = std::move(idle_.back());
        idle_.pop_back();
        if (s->still_alive()) return lease(*this, std::move(s));
        --open_;  // closed when `s` goes; a new one is opened below
    }
    ++open_;  // this slot is taken while the connection is made, outside the lock
    lock.unlock();
    auto made = session::connect(conninfo_);
    auto prepared = made ? (*made)->prepare_all() : result<void>(failure(made.error()));
    if (!prepared) {
        {
            const std::lock_guard relock(mutex_);
            --open_;
        }
        given_back_.notify_one();
        return failure(prepared.error());
    }
    return lease(*this, std::move(*made));
}

void postgres_database::give_back(std::unique_ptr<session> s) {
    // A broken connection, or one left in a transaction by a failure, is closed (outside
    // the lock); a later request opens a new one.
    const bool keep = s->reusable();
    {
        const std::lock_guard lock(mutex_);
        if (keep)
            idle_.push_back(std::move(s));
        else
            --open_;
    }
    given_back_.notify_one();
}

result<std::optional<client_record>> postgres_database::find_client(std::string_view id) {
    if (!is_text(id)) return std::optional<client_record>();
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::find_client, id);
    if (!r) return failure(r.error());
    if (PQntuples(r->get()) == 0) return std::optional<client_record>();
    const pg_row row(r->get(), 0);
    return std::optional<client_record>(client_record{row.text(0), row.text(1), row.text(2), row.text(3)});
}

result<std::optional<user_record>> postgres_database::find_user(oauthcore::user_identifier who) {
    if (!is_text(who.value)) return std::optional<user_record>();
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(
        who.kind == oauthcore::identifier_kind::username ? sql::find_user_by_username : sql::find_user_by_email,
        who.value);
    if (!r) return failure(r.error());
    if (PQntuples(r->get()) == 0) return std::optional<user_record>();
    const pg_row row(r->get(), 0);
    return std::optional<user_record>(user_record{row.integer(0), row.text(1)});
}

result<std::optional<refresh_record>> postgres_database::find_refresh_token(const token_digest& refresh_digest,
                                                                            std::string_view client_id,
                                                                            std::int64_t now) {
    if (!is_text(client_id)) return std::optional<refresh_record>();
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::find_refresh_token, refresh_digest, client_id, now);
    if (!r) return failure(r.error());
    if (PQntuples(r->get()) == 0) return std::optional<refresh_record>();
    const pg_row row(r->get(), 0);
    return std::optional<refresh_record>(refresh_record{row.integer(0), row.integer(1), row.text(2), row.digest(3)});
}

result<bool> postgres_database::replace_refresh_tokens(std::int64_t old_id, const token_record& p, std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r =
        (*s)->run(sql::replace_refresh_tokens, p.access_digest, p.refresh_digest, p.client_id, p.user_id, p.scope,
                  p.issued_at, p.access_expires_at, p.refresh_expires_at, p.code_digest, now, old_id, p.refresh_scope);
    if (!r) return failure(r.error());
    return changed_one_row(r->get());
}

result<std::optional<issued_token_row>> postgres_database::find_issued_token(const token_digest& digest,
                                                                             oauthcore::token_kind kind) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(
        kind == oauthcore::token_kind::access_token ? sql::find_access_token : sql::find_refresh_token_any_client,
        digest);
    if (!r) return failure(r.error());
    if (PQntuples(r->get()) == 0) return std::optional<issued_token_row>();
    const pg_row row(r->get(), 0);
    return std::optional<issued_token_row>(issued_token_row{
        row.integer(0), row.text(1), row.is_null(2) ? std::nullopt : std::optional<std::int64_t>(row.integer(2)),
        row.text(3), row.text(4), row.integer(5), row.integer(6)});
}

result<void> postgres_database::revoke_token_pair(std::int64_t id, std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    if (auto r = (*s)->run(sql::revoke_token_pair, id, now); !r) return failure(r.error());
    return {};
}

result<void> postgres_database::revoke_tokens_of_code(const token_digest& code_digest, std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    if (auto r = (*s)->run(sql::revoke_tokens_of_code, code_digest, now); !r) return failure(r.error());
    return {};
}

result<void> postgres_database::insert_tokens(const token_record& p) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::insert_tokens, p.access_digest, p.refresh_digest, p.client_id, p.user_id, p.scope,
                       p.issued_at, p.access_expires_at, p.refresh_expires_at, p.code_digest, p.refresh_scope);
    if (!r) return failure(r.error());
    return {};
}

result<void> postgres_database::insert_client(const new_client& client) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::insert_client, client.id, std::string_view(client.secret_hash), unix_now(), client.grants,
                       client.redirect_uris, client.auth_method);
    if (!r) return failure(r.error());
    return {};
}

result<void> postgres_database::insert_user(const new_user& user) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::insert_user, user.username, user.email_address, std::string_view(user.password_hash),
                       unix_now());
    if (!r) return failure(r.error());
    return {};
}

result<void> postgres_database::insert_authorization_code(const token_digest& digest, const authorization_code_row& row,
                                                          std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::insert_authorization_code, digest, std::string_view(row.client_id), row.user_id,
                       std::string_view(row.redirect_uri), std::string_view(row.code_challenge),
                       std::string_view(row.code_challenge_method), std::string_view(row.scope), now, row.expires_at);
    if (!r) return failure(r.error());
    return {};
}

result<std::optional<authorization_code_row>> postgres_database::find_authorization_code(const token_digest& digest) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::find_authorization_code, digest);
    if (!r) return failure(r.error());
    if (PQntuples(r->get()) == 0) return std::optional<authorization_code_row>();
    return std::optional<authorization_code_row>(code_row(pg_row(r->get(), 0)));
}

result<bool> postgres_database::redeem_authorization_code(const token_digest& digest, const token_record& p,
                                                          std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r =
        (*s)->run(sql::redeem_authorization_code, p.access_digest, p.refresh_digest, p.client_id, p.user_id, p.scope,
                  p.issued_at, p.access_expires_at, p.refresh_expires_at, p.code_digest, now, digest, p.refresh_scope);
    if (!r) return failure(r.error());
    return changed_one_row(r->get());
}

result<void> postgres_database::insert_device_code(const token_digest& device_digest,
                                                   const token_digest& user_code_digest, const device_code_row& row,
                                                   std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::insert_device_code, device_digest, user_code_digest, std::string_view(row.client_id),
                       std::string_view(row.scope), row.poll_interval, now, row.expires_at);
    if (!r) return failure(r.error());
    return {};
}

result<std::optional<device_code_row>> postgres_database::poll_device_code(const token_digest& device_digest,
                                                                           std::int64_t now) {
    using answer = result<std::optional<device_code_row>>;
    auto s = acquire();
    if (!s) return failure(s.error());
    return (*s)->in_transaction([&]() -> answer {
        auto r = (*s)->run(sql::lock_device_code, device_digest);
        if (!r) return failure(r.error());
        if (PQntuples(r->get()) == 0) return std::optional<device_code_row>();
        const pg_row row(r->get(), 0);
        std::optional<device_code_row> found = device_code_row_of(row);
        if (auto polled = (*s)->run(sql::poll_device_code, device_digest, now); !polled) return failure(polled.error());
        return found;
    });
}

result<bool> postgres_database::redeem_device_code(const token_digest& device_digest, const token_record& p,
                                                   std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::redeem_device_code, p.access_digest, p.refresh_digest, p.client_id, p.user_id, p.scope,
                       p.issued_at, p.access_expires_at, p.refresh_expires_at, p.code_digest, now, device_digest,
                       p.refresh_scope);
    if (!r) return failure(r.error());
    return changed_one_row(r->get());
}

result<std::optional<device_code_row>> postgres_database::begin_device_confirmation(
    const token_digest& user_code_digest, const token_digest& confirmation_digest, std::int64_t user_id,
    std::int64_t confirmation_expires_at, std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::begin_device_confirmation, user_code_digest, confirmation_digest, user_id,
                       confirmation_expires_at, now);
    if (!r) return failure(r.error());
    if (PQntuples(r->get()) == 0) return std::optional<device_code_row>();
    return std::optional<device_code_row>(device_code_row_of(pg_row(r->get(), 0)));
}

result<bool> postgres_database::confirm_device_code(const token_digest& user_code_digest,
                                                    const token_digest& confirmation_digest, device_decision decision,
                                                    std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    auto r = (*s)->run(sql::confirm_device_code, user_code_digest, confirmation_digest, name_of(decision), now);
    if (!r) return failure(r.error());
    return changed_one_row(r->get());
}

result<bool> postgres_database::decide_device_code(const token_digest& user_code_digest, device_decision decision,
                                                   std::int64_t user_id, std::int64_t now) {
    auto s = acquire();
    if (!s) return failure(s.error());
    const std::optional<std::int64_t> who =
        decision == device_decision::approved ? std::optional<std::int64_t>(user_id) : std::nullopt;
    auto r = (*s)->run(sql::decide_device_code, user_code_digest, name_of(decision), who, now);
    if (!r) return failure(r.error());
    return changed_one_row(r->get());
}

result<purge_counts> postgres_database::purge_expired(std::int64_t before) {
    auto s = acquire();
    if (!s) return failure(s.error());
    const prepared* const deletes[] = {&sql::purge_tokens, &sql::purge_authorization_codes, &sql::purge_device_codes};
    std::int64_t deleted[3] = {};
    for (std::size_t i = 0; i < 3; ++i) {
        for (;;) {
            // A batch is one statement outside any transaction block: its own transaction.
            auto r = (*s)->run(*deletes[i], before, purge_batch_rows);
            if (!r) return failure(r.error());
            const std::int64_t batch = std::atoll(PQcmdTuples(r->get()));
            deleted[i] += batch;
            if (batch < purge_batch_rows) break;
        }
    }
    return purge_counts{deleted[0], deleted[1], deleted[2]};
}

}  // namespace token_server
