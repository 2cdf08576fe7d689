#pragma once
// token_database on PostgreSQL, through libpq: one database shared by any number of
// token servers (docs/DEPLOYMENT.md). --db names it with a libpq URI
// (postgresql://host/dbname, postgres://...) or key/value connection string
// (host=... dbname=...); see names_postgres in token_database.hpp.
//
// Connections: a pool of at most database_options::connections (the server's workers,
// the threads that ask the database; one for an admin command), each opened when first
// needed, with every statement prepared on it. A request takes one for each operation
// and gives it back; a broken one is closed and replaced by a new one on a later
// request. Waits are bounded: connecting (connect_timeout, 10 s unless the connection
// string says otherwise), every statement (statement_timeout, 10 s), and waiting for a
// free connection (10 s).
//
// Concurrency between servers rests on the database, never on a lock in one process:
//   - revocation is `UPDATE ... WHERE id = $1 AND revoked_at IS NULL`: of concurrent
//     updates of one row, one changes it and the others, which wait for its row lock,
//     then find it revoked and change nothing (READ COMMITTED re-checks the condition);
//   - replace_refresh_tokens, redeem_authorization_code and redeem_device_code are one
//     statement each: a
//     conditional UPDATE ... RETURNING feeding an INSERT ... SELECT, so the new tokens
//     are stored exactly when the old grant was ended, in the same transaction;
//   - poll_device_code is one transaction that reads the row with SELECT ... FOR UPDATE
//     before recording the poll;
//   - the schema is made or migrated under pg_advisory_xact_lock (postgres_schema.hpp).

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg_handle.hpp"
#include "token_database.hpp"

namespace token_server {

class postgres_database final : public token_database {
public:
    // Connects, makes or migrates the schema (with the demo data when asked and the
    // schema is new) in one transaction, and keeps that connection in the pool.
    [[nodiscard]] static result<std::unique_ptr<token_database>> open(const std::string& conninfo,
                                                                      const database_options& options);

    [[nodiscard]] result<std::optional<client_record>> find_client(std::string_view id) override;
    [[nodiscard]] result<std::optional<user_record>> find_user(oauthcore::user_identifier who) override;
    [[nodiscard]] result<std::optional<refresh_record>> find_refresh_token(const token_digest& refresh_digest,
                                                                           std::string_view client_id,
                                                                           std::int64_t now) override;
    [[nodiscard]] result<bool> replace_refresh_tokens(std::int64_t old_id, const token_record& new_pair,
                                                      std::int64_t now) override;
    [[nodiscard]] result<void> revoke_tokens_of_code(const token_digest& code_digest, std::int64_t now) override;
    [[nodiscard]] result<std::optional<issued_token_row>> find_issued_token(const token_digest& digest,
                                                                            oauthcore::token_kind kind) override;
    [[nodiscard]] result<void> revoke_token_pair(std::int64_t id, std::int64_t now) override;
    [[nodiscard]] result<void> insert_tokens(const token_record& record) override;
    [[nodiscard]] result<void> insert_client(const new_client& client) override;
    [[nodiscard]] result<void> insert_user(const new_user& user) override;
    [[nodiscard]] result<void> insert_authorization_code(const token_digest& digest, const authorization_code_row& row,
                                                         std::int64_t now) override;
    [[nodiscard]] result<std::optional<authorization_code_row>> find_authorization_code(
        const token_digest& digest) override;
    [[nodiscard]] result<bool> redeem_authorization_code(const token_digest& digest, const token_record& tokens,
                                                         std::int64_t now) override;
    [[nodiscard]] result<void> insert_device_code(const token_digest& device_digest,
                                                  const token_digest& user_code_digest, const device_code_row& row,
                                                  std::int64_t now) override;
    [[nodiscard]] result<std::optional<device_code_row>> poll_device_code(const token_digest& device_digest,
                                                                          std::int64_t now) override;
    [[nodiscard]] result<bool> redeem_device_code(const token_digest& device_digest, const token_record& tokens,
                                                  std::int64_t now) override;
    [[nodiscard]] result<purge_counts> purge_expired(std::int64_t before) override;
    [[nodiscard]] result<std::optional<device_code_row>> begin_device_confirmation(
        const token_digest& user_code_digest, const token_digest& confirmation_digest, std::int64_t user_id,
        std::int64_t confirmation_expires_at, std::int64_t now) override;
    [[nodiscard]] result<bool> confirm_device_code(const token_digest& user_code_digest,
                                                   const token_digest& confirmation_digest, device_decision decision,
                                                   std::int64_t now) override;
    [[nodiscard]] result<bool> decide_device_code(const token_digest& user_code_digest, device_decision decision,
                                                  std::int64_t user_id, std::int64_t now) override;

    class session;  // a connection with every statement prepared on it
    class lease;    // a session taken from the pool, given back when it goes

private:
    postgres_database(std::string conninfo, unsigned connections);

    // A free session, a new one if fewer than the most are open, or, after waiting up to
    // 10 s for one to be given back, an error.
    [[nodiscard]] result<lease> acquire();
    void give_back(std::unique_ptr<session> s);

    std::string conninfo_;
    unsigned max_sessions_;
    std::mutex mutex_;
    std::condition_variable given_back_;
    std::vector<std::unique_ptr<session>> idle_;
    unsigned open_ = 0;  // sessions idle or lent
};

}  // namespace token_server
