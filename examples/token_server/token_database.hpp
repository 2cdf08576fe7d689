#pragma once
// The server's SQLite database: clients, users and issued tokens, through statements
// prepared once when the database is opened.
//
// Concurrency: one connection shared by all of the server's password workers, behind a
// mutex. SQLite lets only one writer in at a time anyway (WAL too), and every query
// here is a primary-key or unique-index lookup or a one-row insert that takes
// microseconds; the slow step of a request, the argon2id check (~0.1-0.2 s), runs in
// the stores outside the lock. A connection per worker would add prepared statements
// per thread and connections to close at shutdown, for no gain. WAL mode still matters:
// `token_server add-user` can write from another process while the server reads.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/concepts.hpp"
#include "random_token.hpp"
#include "result.hpp"
#include "sqlite_handle.hpp"

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
    bool used_before = false;  // consume_authorization_code: spent by an earlier request
};

enum class device_decision : unsigned char { pending, approved, denied };

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

struct new_user {
    std::optional<std::string_view> username;
    std::optional<std::string_view> email_address;
    std::string password_hash;
};

class token_database {
public:
    enum class seeding : bool { none, demo_data_if_new };

    // Opens the database at `path`, creating it and its schema if needed. With
    // seeding::demo_data_if_new, a database that had no schema yet also gets the vendor
    // document's client 138 and user john_doe, in the same transaction.
    // How a commit reaches the disk, in WAL mode (https://sqlite.org/pragma.html#pragma_synchronous):
    //  - normal: the WAL is synced at checkpoints, not at each commit. A crash of the
    //    server loses nothing; a power loss or an operating-system crash may roll back the
    //    last commits: tokens handed out just before are then unknown (their clients sign
    //    in again), and a refresh rotated just before may be undone (the old refresh
    //    token works once more, the new one is gone). ~30 us per token row.
    //  - full: each commit waits for fsync of the WAL; nothing committed is lost. ~0.4 ms
    //    per commit on a typical disk: at most a few thousand tokens a second.
    enum class durability : bool { normal, full };

    [[nodiscard]] static result<std::unique_ptr<token_database>> open(const std::string& path, seeding seed,
                                                                      durability sync = durability::normal);

    // True when open() made the schema (and the demo data, if asked).
    [[nodiscard]] bool created() const noexcept { return created_; }

    // nullopt: no such record. An error: the database could not answer.
    [[nodiscard]] result<std::optional<client_record>> find_client(std::string_view id);
    [[nodiscard]] result<std::optional<user_record>> find_user(oauthcore::user_identifier who);

    // The pair whose refresh token has this digest, issued to client_id, not revoked and
    // not expired at `now`; nullopt when there is none (unknown, other client's,
    // revoked and expired tokens are not told apart).
    [[nodiscard]] result<std::optional<refresh_record>> find_refresh_token(const token_digest& refresh_digest,
                                                                           std::string_view client_id,
                                                                           std::int64_t now);
    // In one transaction (BEGIN IMMEDIATE ... COMMIT): revokes the pair in row `id` unless
    // it is revoked already, and inserts `replacement`. True when both were done: of two
    // concurrent calls for one row, exactly one gets true. False when the row was revoked
    // already, and an error when a statement or the commit failed; either way nothing
    // changed (rolled back).
    [[nodiscard]] result<bool> replace_tokens(std::int64_t id, const token_record& replacement, std::int64_t now);
    // Revokes every pair issued for the authorization code with this digest.
    [[nodiscard]] result<void> revoke_tokens_of_code(const token_digest& code_digest, std::int64_t now);

    [[nodiscard]] result<void> insert_tokens(const token_record& record);
    [[nodiscard]] result<void> insert_client(const new_client& client);
    [[nodiscard]] result<void> insert_user(const new_user& user);

    [[nodiscard]] result<void> insert_authorization_code(const token_digest& digest, const authorization_code_row& row,
                                                         std::int64_t now);
    // The code with this digest, spent or not (used_before); nullopt: unknown. Reads only.
    [[nodiscard]] result<std::optional<authorization_code_row>> find_authorization_code(const token_digest& digest);
    // In one transaction: marks the code spent at `now` unless it is spent already, and
    // inserts the pair issued for it. True when both were done; false when the code was
    // spent already (by a concurrent request), with nothing inserted; an error when a
    // statement failed, with nothing changed.
    [[nodiscard]] result<bool> redeem_authorization_code(const token_digest& digest, const token_record& tokens,
                                                         std::int64_t now);

    [[nodiscard]] result<void> insert_device_code(const token_digest& device_digest,
                                                  const token_digest& user_code_digest, const device_code_row& row,
                                                  std::int64_t now);
    // In one transaction: finds an unspent device code, records this poll at `now`, and
    // spends the code when the user approved. The row as it was before this poll;
    // nullopt: unknown or spent.
    [[nodiscard]] result<std::optional<device_code_row>> poll_device_code(const token_digest& device_digest,
                                                                          std::int64_t now);
    // Records the user's decision on a pending, unexpired request. False: no such request
    // (unknown user code, expired, or decided already).
    [[nodiscard]] result<bool> decide_device_code(const token_digest& user_code_digest, device_decision decision,
                                                  std::int64_t user_id, std::int64_t now);

private:
    token_database() = default;
    [[nodiscard]] result<void> prepare_statements();
    [[nodiscard]] std::string last_error() const;
    // Runs `work` between BEGIN IMMEDIATE and COMMIT, or ROLLBACK when it fails: the
    // write lock is taken first, so another process's write cannot come between.
    template <class Work>
    [[nodiscard]] auto in_transaction(Work&& work) -> decltype(work());
    // With mutex_ held.
    [[nodiscard]] result<void> insert_row(const token_record& record);

    std::mutex mutex_;
    connection db_;
    statement find_client_;
    statement find_user_by_username_;
    statement find_user_by_email_;
    statement find_refresh_token_;
    statement revoke_tokens_;
    statement revoke_tokens_of_code_;
    statement insert_tokens_;
    statement insert_client_;
    statement insert_user_;
    statement insert_authorization_code_;
    statement find_authorization_code_;
    statement spend_authorization_code_;
    statement insert_device_code_;
    statement find_device_code_;
    statement poll_device_code_;
    statement decide_device_code_;
    statement begin_;
    statement commit_;
    statement rollback_;
    bool created_ = false;
};

}  // namespace token_server
