#pragma once
// What the server keeps (clients, users, issued tokens, authorization and device codes)
// as one interface over two databases: SQLite, a file beside the server (the default,
// sqlite_database.hpp), and PostgreSQL, shared by several servers (postgres_database.hpp).
// open_token_database() picks one from the --db value. The stores (stores.hpp) see only
// this interface.
//
// Every operation that must not be split is one here, and each backend makes it one
// transaction or one statement: a refresh token's revocation with the new pair stored
// (replace_refresh_tokens), a code's spending with its tokens (redeem_authorization_code),
// a device code's poll.
// Revocations are conditional (`... WHERE revoked_at IS NULL`), so that of concurrent
// calls on one row, on one server or several, exactly one wins.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/concepts.hpp"
#include "oauthcore/token_store.hpp"
#include "random_token.hpp"
#include "result.hpp"

namespace token_server {

struct client_record {
    std::string secret_hash;    // '' for a public client
    std::string grants;         // grant types, space-separated
    std::string redirect_uris;  // space-separated
    std::string auth_method;    // RFC 7591 token_endpoint_auth_method
};

struct new_client {
    std::string_view id;
    std::string secret_hash;
    std::string_view grants;
    std::string_view redirect_uris;
    std::string_view auth_method;
};

struct user_record {
    std::int64_t id = 0;
    std::string password_hash;
};

struct token_record {
    token_digest access_digest{};
    std::optional<token_digest> refresh_digest;  // none: no refresh token (client_credentials)
    std::string_view client_id;
    std::optional<std::int64_t> user_id;  // none: the client's own token (client_credentials)
    std::string_view scope;               // granted, RFC 6749 3.3 syntax; empty: none
    std::int64_t issued_at = 0;
    std::int64_t access_expires_at = 0;
    std::int64_t refresh_expires_at = 0;
    std::optional<token_digest> code_digest;  // the authorization code the pair was issued for
    // The refresh token's scope when it is not `scope` (a refresh that narrowed the
    // access token's, RFC 6749 6).
    std::optional<std::string_view> refresh_scope;
};

// The row a live refresh token belongs to.
struct refresh_record {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string scope;
    std::optional<token_digest> code_digest;  // the pair descends from this authorization code
};

// An authorization code as the authorization request recorded it (RFC 6749 4.1.1,
// RFC 7636 4.3).
struct authorization_code_row {
    std::string client_id;
    std::int64_t user_id = 0;
    std::string redirect_uri;           // '' when the request had none
    std::string code_challenge;         // '' when none
    std::string code_challenge_method;  // "S256", "plain" or ''
    std::string scope;
    std::int64_t expires_at = 0;
    bool used_before = false;  // spent by an earlier request
};

// An issued token as revocation (RFC 7009) and introspection (RFC 7662) find it by its
// value: the row of its pair, and what introspection reports.
struct issued_token_row {
    std::int64_t id = 0;
    std::string client_id;
    std::optional<std::int64_t> user_id;  // none: the client's own token (client_credentials)
    std::string username;                 // the user's username, else the email address; '' without a user
    std::string scope;                    // the scope of this token (a refresh token's may be wider)
    std::int64_t issued_at = 0;
    std::int64_t expires_at = 0;
};

enum class device_decision : unsigned char { pending, approved, denied };

// The decision column's text, both ways.
[[nodiscard]] inline std::string_view name_of(device_decision decision) noexcept {
    switch (decision) {
        case device_decision::approved: return "approved";
        case device_decision::denied: return "denied";
        case device_decision::pending: break;
    }
    return "pending";
}
[[nodiscard]] inline device_decision decision_named(std::string_view name) noexcept {
    if (name == "approved") return device_decision::approved;
    if (name == "denied") return device_decision::denied;
    return device_decision::pending;
}

// A device authorization request (RFC 8628 3.1) as stored.
struct device_code_row {
    std::string client_id;
    std::string scope;
    std::int64_t poll_interval = 5;
    std::int64_t expires_at = 0;
    std::optional<std::int64_t> last_polled_at;
    device_decision decision = device_decision::pending;
    std::int64_t user_id = 0;  // who approved; 0 otherwise
};

// The row from a query's columns client_id, scope, poll_interval, expires_at,
// last_polled_at, decision, coalesce(user_id, 0), in this order: from either backend's
// row reader (text, integer and is_null by column).
template <class Row>
[[nodiscard]] device_code_row device_code_row_of(const Row& row) {
    return device_code_row{row.text(0),
                           row.text(1),
                           row.integer(2),
                           row.integer(3),
                           row.is_null(4) ? std::nullopt : std::optional<std::int64_t>(row.integer(4)),
                           decision_named(row.text(5)),
                           row.integer(6)};
}

struct new_user {
    std::optional<std::string_view> username;
    std::optional<std::string_view> email_address;
    std::string password_hash;
};

inline constexpr std::int64_t purge_batch_rows = 1000;

// What purge_expired deleted.
struct purge_counts {
    std::int64_t tokens = 0;
    std::int64_t authorization_codes = 0;
    std::int64_t device_codes = 0;
};

class token_database {
public:
    enum class seeding : bool { none, demo_data_if_new };

    virtual ~token_database() = default;
    token_database(const token_database&) = delete;
    token_database& operator=(const token_database&) = delete;

    // True when opening made the schema (and the demo data, if asked).
    [[nodiscard]] bool created() const noexcept { return created_; }

    // Group commit (README, "Group commit"). Between begin_group() and end_group(), the
    // operations the calling thread makes may share one transaction, which end_group()
    // commits: one commit (one WAL append, one lock round) for the writes of many
    // requests, instead of one each. Until end_group() has succeeded, what they wrote is
    // not durable and may still be undone; a caller answers nobody before. Each operation
    // keeps its own all-or-nothing guarantee inside the group: one that fails undoes only
    // itself. end_group() fails when the commit does, or when the database undid the
    // group's transaction on its own after an error: then nothing the group wrote is kept.
    // A group belongs to the thread that began it; other threads' operations wait for it
    // (SQLite) or are not affected. By default (PostgreSQL, whose every operation commits
    // on a connection of its own) there are no groups: begin_group() does nothing,
    // end_group() succeeds and every operation is committed when it returns.
    // groups_commits() says which: true when end_group() may have something to commit.
    [[nodiscard]] virtual bool groups_commits() const noexcept { return false; }
    virtual void begin_group() {}
    [[nodiscard]] virtual result<void> end_group() { return {}; }

    // nullopt: no such record. An error: the database could not answer.
    [[nodiscard]] virtual result<std::optional<client_record>> find_client(std::string_view id) = 0;
    [[nodiscard]] virtual result<std::optional<user_record>> find_user(oauthcore::user_identifier who) = 0;

    // The pair whose refresh token has this digest, issued to client_id, not revoked and
    // not expired at `now`; nullopt when there is none (unknown, other client's,
    // revoked and expired tokens are not told apart).
    [[nodiscard]] virtual result<std::optional<refresh_record>> find_refresh_token(const token_digest& refresh_digest,
                                                                                   std::string_view client_id,
                                                                                   std::int64_t now) = 0;
    // In one transaction: revokes the pair in row `old_id` unless it is revoked already,
    // and stores `new_pair`. True: both done. False: the row was revoked already (a
    // concurrent refresh won), nothing stored. An error: nothing changed. Of concurrent
    // calls for one row, exactly one gets true (RFC 9700 4.14.2: a refresh token works once).
    [[nodiscard]] virtual result<bool> replace_refresh_tokens(std::int64_t old_id, const token_record& new_pair,
                                                              std::int64_t now) = 0;
    // Revokes every pair issued for the authorization code with this digest.
    [[nodiscard]] virtual result<void> revoke_tokens_of_code(const token_digest& code_digest, std::int64_t now) = 0;

    // The unrevoked pair whose access or refresh token (`kind`) has this digest, expired
    // or not; nullopt when there is none.
    [[nodiscard]] virtual result<std::optional<issued_token_row>> find_issued_token(const token_digest& digest,
                                                                                    oauthcore::token_kind kind) = 0;
    // Revokes the pair in row `id` (both of its tokens); revoking a revoked pair changes
    // nothing and is no error.
    [[nodiscard]] virtual result<void> revoke_token_pair(std::int64_t id, std::int64_t now) = 0;

    [[nodiscard]] virtual result<void> insert_tokens(const token_record& record) = 0;
    [[nodiscard]] virtual result<void> insert_client(const new_client& client) = 0;
    [[nodiscard]] virtual result<void> insert_user(const new_user& user) = 0;

    [[nodiscard]] virtual result<void> insert_authorization_code(const token_digest& digest,
                                                                 const authorization_code_row& row,
                                                                 std::int64_t now) = 0;
    // Finds the code and changes nothing; used_before is set for a spent code.
    // nullopt: unknown.
    [[nodiscard]] virtual result<std::optional<authorization_code_row>> find_authorization_code(
        const token_digest& digest) = 0;
    // In one transaction: marks the code spent at `now` unless it is spent already, and
    // stores `tokens` (whose code_digest names it). True: both done. False: spent already
    // (or unknown), nothing stored. Of concurrent calls for one code, exactly one gets true.
    [[nodiscard]] virtual result<bool> redeem_authorization_code(const token_digest& digest, const token_record& tokens,
                                                                 std::int64_t now) = 0;

    [[nodiscard]] virtual result<void> insert_device_code(const token_digest& device_digest,
                                                          const token_digest& user_code_digest,
                                                          const device_code_row& row, std::int64_t now) = 0;
    // In one transaction: finds an unspent device code and records this poll at `now`;
    // spends nothing. The row as it was before this poll; nullopt: unknown or spent.
    [[nodiscard]] virtual result<std::optional<device_code_row>> poll_device_code(const token_digest& device_digest,
                                                                                  std::int64_t now) = 0;
    // In one transaction: marks the device code spent at `now` unless it is spent already,
    // and stores `tokens`. True: both done. False: spent already (or unknown), nothing
    // stored. Of concurrent calls for one device code, exactly one gets true.
    [[nodiscard]] virtual result<bool> redeem_device_code(const token_digest& device_digest, const token_record& tokens,
                                                          std::int64_t now) = 0;
    // The device page's confirmation step (RFC 8628 5.4, sign_in_pages.hpp), on the
    // pending, unexpired request with this user code:
    //  - begin_device_confirmation records the user who signed in, the digest of the
    //    confirmation the page hands that browser and when it expires (replacing an earlier
    //    one), and gives the request as the page shows it; nullopt: no such request
    //    (unknown user code, expired, or decided already).
    //  - confirm_device_code records the decision if the confirmation's digest is the one
    //    recorded and has not expired, with the recorded user as the approver, and clears
    //    the confirmation (it works once). False: no such request or confirmation.
    [[nodiscard]] virtual result<std::optional<device_code_row>> begin_device_confirmation(
        const token_digest& user_code_digest, const token_digest& confirmation_digest, std::int64_t user_id,
        std::int64_t confirmation_expires_at, std::int64_t now) = 0;
    [[nodiscard]] virtual result<bool> confirm_device_code(const token_digest& user_code_digest,
                                                           const token_digest& confirmation_digest,
                                                           device_decision decision, std::int64_t now) = 0;
    // Records the user's decision on a pending, unexpired request. False: no such request
    // (unknown user code, expired, or decided already).
    [[nodiscard]] virtual result<bool> decide_device_code(const token_digest& user_code_digest,
                                                          device_decision decision, std::int64_t user_id,
                                                          std::int64_t now) = 0;

    // Deletes what can no longer be used and is kept no longer (the purge command): tokens
    // whose access and refresh lifetimes both ended before `before` (revoked or not),
    // then authorization codes that expired before it and no longer have a token issued
    // for them (a second use of a code revokes its tokens, RFC 6749 4.1.2, for as long as
    // any is kept), then device codes that expired before it. In batches of
    // purge_batch_rows rows, each its own transaction, so that a purge of millions of
    // rows never holds the database's write lock (SQLite) or a statement (PostgreSQL's
    // 10 s statement_timeout) for long; interrupted, it leaves what it has not reached.
    [[nodiscard]] virtual result<purge_counts> purge_expired(std::int64_t before) = 0;

protected:
    token_database() = default;

    bool created_ = false;
};

struct database_options {
    token_database::seeding seed = token_database::seeding::none;
    // PostgreSQL: at most this many connections, opened as needed (the server passes its
    // number of workers, the threads that ask the database; admin commands one). SQLite
    // always has one.
    unsigned connections = 1;
    // SQLite: how a commit reaches the disk, in WAL mode
    // (https://sqlite.org/pragma.html#pragma_synchronous):
    //  - normal: the WAL is synced at checkpoints, not at each commit. A crash of the
    //    server loses nothing; a power loss or an operating-system crash may roll back the
    //    last commits: tokens handed out just before are then unknown (their clients sign
    //    in again), and a refresh rotated just before may be undone (the old refresh
    //    token works once more, the new one is gone). ~30 us per token row.
    //  - full: each commit waits for fsync of the WAL; nothing committed is lost. ~0.4 ms
    //    per commit on a typical disk: at most a few thousand tokens a second.
    // PostgreSQL commits as its server is configured (synchronous_commit).
    enum class durability : bool { normal, full };
    durability sync = durability::normal;
};

// Which database --db names. PostgreSQL: a libpq URI (`postgresql://...` or
// `postgres://...`), or a libpq key/value connection string whose first word is a libpq
// keyword followed by '=' (`host=/run/postgresql dbname=tokens`). Anything else is the
// path of a SQLite file (write `./host=x` for a file of that name).
[[nodiscard]] bool names_postgres(std::string_view location);

// The location for messages: a SQLite path as it is; for PostgreSQL host, port, database
// and user, never a password.
[[nodiscard]] std::string printable_location(std::string_view location);

// Whether libpq can read `location` as a connection string (its own message for one it
// cannot is never shown: it may quote the password).
[[nodiscard]] bool parses_as_conninfo(std::string_view location);

// Opens (and creates, or migrates, in one transaction) the database `location` names.
[[nodiscard]] result<std::unique_ptr<token_database>> open_token_database(const std::string& location,
                                                                          const database_options& options);

}  // namespace token_server
