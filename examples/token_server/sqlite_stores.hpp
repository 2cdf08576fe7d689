#pragma once
// oauthcore's client store, user store and token issuer, backed by token_database.
// Each query holds the database lock for microseconds; the argon2id checks run
// outside it, so requests check passwords in parallel on all worker threads.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/concepts.hpp"
#include "random_token.hpp"
#include "token_database.hpp"

namespace token_server {

struct sqlite_client {
    std::string id;
    bool password_grant = true;

    [[nodiscard]] bool allows_grant(std::string_view grant_type) const noexcept {
        return password_grant && grant_type == oauthcore::password_grant_type;
    }
};

class sqlite_client_store {
public:
    using client_type = sqlite_client;

    explicit sqlite_client_store(token_database& db) noexcept : db_(db) {}

    // An unknown id is checked against dummy_hash(), so it costs what a wrong secret costs.
    [[nodiscard]] oauthcore::outcome<client_type> authenticate_client(std::string_view id, std::string_view secret);

private:
    token_database& db_;
};

struct sqlite_user {
    std::int64_t id = 0;
};

class sqlite_user_store {
public:
    using user_type = sqlite_user;

    explicit sqlite_user_store(token_database& db) noexcept : db_(db) {}

    // Unknown user and wrong password: the same argon2id work, the same reject().
    [[nodiscard]] oauthcore::outcome<user_type> authenticate_user(oauthcore::user_identifier who,
                                                                  std::string_view password);

private:
    token_database& db_;
};

// The issued pair owns its text: oauthcore writes the response from these views while
// the outcome holding this value is alive (endpoint.hpp, make_issuer_response).
class issued_pair {
public:
    issued_pair() = default;
    issued_pair(const token& access, const token& refresh, std::uint64_t lifetime) noexcept
        : access_(access), refresh_(refresh), lifetime_(lifetime) {}

    [[nodiscard]] std::string_view access_token() const noexcept { return access_.view(); }
    [[nodiscard]] std::optional<std::uint64_t> expires_in() const noexcept { return lifetime_; }
    [[nodiscard]] std::string_view refresh_token() const noexcept { return refresh_.view(); }
    // No scopes here: the vendor's endpoint has none, and an empty scope is left out.
    [[nodiscard]] std::string_view scope() const noexcept { return {}; }

private:
    token access_;
    token refresh_;
    std::uint64_t lifetime_ = 0;
};

class sqlite_token_issuer {
public:
    using token_type = issued_pair;

    sqlite_token_issuer(token_database& db, std::uint64_t expires_in) noexcept : db_(db), expires_in_(expires_in) {}

    // Two fresh tokens, stored as digests with client, user and expiry before they are
    // handed out: a token the database does not know is never sent.
    [[nodiscard]] oauthcore::outcome<token_type> issue_token(const sqlite_client& client, const sqlite_user& user,
                                                             std::string_view requested_scope);

private:
    token_database& db_;
    std::uint64_t expires_in_;
};

static_assert(oauthcore::client_store<sqlite_client_store>);
static_assert(oauthcore::user_store<sqlite_user_store>);
static_assert(oauthcore::token_issuer<sqlite_token_issuer, sqlite_client, sqlite_user>);

}  // namespace token_server
