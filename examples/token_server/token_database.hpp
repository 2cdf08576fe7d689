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
    std::string secret_hash;
    bool password_grant = true;
    bool refresh_grant = true;
};

struct user_record {
    std::int64_t id = 0;
    std::string password_hash;
};

struct token_record {
    token_digest access_digest{};
    token_digest refresh_digest{};
    std::string_view client_id;
    std::int64_t user_id = 0;
    std::string_view scope;  // granted, RFC 6749 3.3 syntax; empty: none
    std::int64_t issued_at = 0;
    std::int64_t access_expires_at = 0;
    std::int64_t refresh_expires_at = 0;
};

// The row a live refresh token belongs to.
struct refresh_record {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string scope;
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
    [[nodiscard]] static result<std::unique_ptr<token_database>> open(const std::string& path, seeding seed);

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

    [[nodiscard]] result<void> insert_tokens(const token_record& record);
    [[nodiscard]] result<void> insert_client(std::string_view id, const std::string& secret_hash);
    [[nodiscard]] result<void> insert_user(const new_user& user);

private:
    token_database() = default;
    [[nodiscard]] result<void> prepare_statements();
    [[nodiscard]] std::string last_error() const;
    // With mutex_ held: one statement each.
    [[nodiscard]] result<bool> revoke_row(std::int64_t id, std::int64_t now);
    [[nodiscard]] result<void> insert_row(const token_record& record);
    [[nodiscard]] result<void> run(statement& s);

    std::mutex mutex_;
    connection db_;
    statement find_client_;
    statement find_user_by_username_;
    statement find_user_by_email_;
    statement find_refresh_token_;
    statement revoke_tokens_;
    statement insert_tokens_;
    statement insert_client_;
    statement insert_user_;
    statement begin_;
    statement commit_;
    statement rollback_;
    bool created_ = false;
};

}  // namespace token_server
