#pragma once
// token_database on SQLite: one file beside the server, through statements prepared once
// when the database is opened. The default for any --db that does not name PostgreSQL.
//
// Concurrency: one connection shared by all of the server's password workers, behind a
// mutex. SQLite lets only one writer in at a time anyway (WAL too), and every query
// here is a primary-key or unique-index lookup or a one-row insert that takes
// microseconds; the slow step of a request, the argon2id check (~0.1-0.2 s), runs in
// the stores outside the lock. A connection per worker would add prepared statements
// per thread and connections to close at shutdown, for no gain. WAL mode still matters:
// `token_server add-user` can write from another process while the server reads.
// Group commit (token_database.hpp, README "Group commit"): a worker's group holds the
// mutex and one write transaction across several requests, so that their rows cost one
// commit; it lets the mutex go before any argon2id check (commit_batch.hpp).
// Checkpoints run on a thread and connection of their own (wal_checkpointer.hpp).

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "sqlite_handle.hpp"
#include "token_database.hpp"
#include "wal_checkpointer.hpp"

namespace token_server {

class sqlite_database final : public token_database {
public:
    // Opens the database at `path`, creating it and its schema if needed, or migrating
    // an older one, in one transaction. With seeding::demo_data_if_new, a database that
    // had no schema yet also gets the vendor document's client 138 and user john_doe, in
    // the same transaction.
    [[nodiscard]] static result<std::unique_ptr<token_database>> open(const std::string& path, seeding seed,
                                                                      database_options::durability sync);

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

    // Group commit (token_database.hpp): the first operation of the calling thread's
    // group takes the mutex and BEGIN IMMEDIATE; its later operations run in that
    // transaction without taking the mutex again, so that other threads wait until
    // end_group() has committed. A compound operation (in_transaction) is a SAVEPOINT
    // inside the group's transaction.
    [[nodiscard]] bool groups_commits() const noexcept override { return true; }
    void begin_group() override;
    [[nodiscard]] result<void> end_group() override;

private:
    sqlite_database() = default;
    // What an operation holds while it runs: the mutex, for this call alone; or, in a
    // group of the calling thread, nothing of its own (the group holds the mutex, with
    // its transaction open, which this call begins if it is the group's first). An error:
    // the group's transaction could not begin.
    [[nodiscard]] result<std::unique_lock<std::mutex>> enter();
    [[nodiscard]] result<void> prepare_statements();
    // The last step of open: checkpoints move to a thread of their own (wal_checkpointer.hpp).
    [[nodiscard]] static result<std::unique_ptr<token_database>> start_checkpoints(
        std::unique_ptr<sqlite_database> self, const std::string& path);
    [[nodiscard]] std::string last_error() const;
    // Runs `work` between BEGIN IMMEDIATE and COMMIT, or ROLLBACK when it fails: the
    // write lock is taken first, so another process's write cannot come between.
    template <class Work>
    [[nodiscard]] auto in_transaction(Work&& work) -> decltype(work());
    // The statements' bodies, for a caller that holds the mutex (and maybe a transaction).
    [[nodiscard]] result<void> insert_tokens_locked(const token_record& record);
    // In one transaction: `spend_statement` (?1 the digest, ?2 now) marks a code spent
    // unless it is spent already; then `tokens` are stored. False: it was spent already.
    [[nodiscard]] result<bool> spend_for_tokens(sqlite3_stmt* spend_statement, const token_digest& digest,
                                                const token_record& tokens, std::int64_t now);
    [[nodiscard]] result<std::optional<authorization_code_row>> find_authorization_code_locked(
        const token_digest& digest);

    std::mutex mutex_;
    connection db_;
    statement find_client_;
    statement find_user_by_username_;
    statement find_user_by_email_;
    statement find_refresh_token_;
    statement revoke_tokens_;
    statement find_access_token_;
    statement find_refresh_token_any_client_;
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
    statement spend_device_code_;
    statement begin_device_confirmation_;
    statement confirm_device_code_;
    statement decide_device_code_;
    statement begin_;
    statement commit_;
    statement rollback_;
    statement savepoint_;
    statement release_;
    statement rollback_to_;
    // Last, so that it is destroyed first: it unhooks db_ before db_ closes.
    std::unique_ptr<wal_checkpointer> checkpointer_;
};

}  // namespace token_server
