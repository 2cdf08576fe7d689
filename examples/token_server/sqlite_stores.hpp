#pragma once
// oauthcore's client store, user store, refresh-token store and token issuer (and
// maker), backed by token_database.
// Each query holds the database lock for microseconds; the argon2id checks run
// outside it, so requests check passwords in parallel on all worker threads.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "oauthcore/client_authentication.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "random_token.hpp"
#include "token_database.hpp"

namespace token_server {

struct sqlite_client {
    std::string id;
    bool password_grant = true;
    bool refresh_grant = true;
    // The scope tokens clients may ask for (--scopes), space-separated; a view into the
    // client store, which outlives every request. Empty: no scope may be asked for.
    std::string_view scopes;

    // The clients table's password_grant and refresh_grant columns; nothing else.
    [[nodiscard]] bool allows_grant(std::string_view grant_type) const noexcept {
        if (grant_type == oauthcore::password_grant_type) return password_grant;
        if (grant_type == oauthcore::refresh_token_grant_type) return refresh_grant;
        return false;
    }
    // oauthcore asks about each requested scope token (RFC 6749 3.3); a refused one is
    // 400 invalid_scope.
    [[nodiscard]] bool allows_scope(std::string_view scope_token) const noexcept {
        return !scopes.empty() && oauthcore::scope_includes(scopes, scope_token);
    }
};

class sqlite_client_store {
public:
    using client_type = sqlite_client;

    // `scopes`: what every client may ask for, in scope syntax (RFC 6749 3.3), or empty.
    sqlite_client_store(token_database& db, std::string scopes) : db_(db), scopes_(std::move(scopes)) {}

    // An unknown id is checked against dummy_hash(), so it costs what a wrong secret costs.
    [[nodiscard]] oauthcore::outcome<client_type> authenticate_client(
        const oauthcore::client_authentication& presented);

private:
    token_database& db_;
    std::string scopes_;
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

// A live refresh token's row: the user it stands for and the scope granted with it.
struct sqlite_refresh_record {
    std::int64_t row = 0;
    sqlite_user owner;
    std::string granted_scope;

    [[nodiscard]] sqlite_user user() const noexcept { return owner; }
    [[nodiscard]] std::string_view scope() const noexcept { return granted_scope; }
};

// A new pair, as the issuer made it: the tokens (only what oauthcore sends), and for whom
// and for how long, so that whichever store stores it writes the same row. It owns its
// text: oauthcore writes the response from these views while the outcome holding this
// value is alive (endpoint.hpp, make_issuer_response).
class issued_pair {
public:
    issued_pair() = default;
    issued_pair(const token& access, const token& refresh, std::string scope, std::string client_id,
                std::int64_t user_id, std::int64_t issued_at, std::uint64_t lifetime, std::uint64_t refresh_lifetime)
        : access_(access),
          refresh_(refresh),
          scope_(std::move(scope)),
          client_id_(std::move(client_id)),
          user_id_(user_id),
          issued_at_(issued_at),
          lifetime_(lifetime),
          refresh_lifetime_(refresh_lifetime) {}

    [[nodiscard]] std::string_view access_token() const noexcept { return access_.view(); }
    [[nodiscard]] std::optional<std::uint64_t> expires_in() const noexcept { return lifetime_; }
    [[nodiscard]] std::string_view refresh_token() const noexcept { return refresh_.view(); }
    // The granted scope; oauthcore sends it only when it differs from the requested one.
    [[nodiscard]] std::string_view scope() const noexcept { return scope_; }

    // The tokens table's row for this pair: digests, client, user, scope, times. Its views
    // point into this pair.
    [[nodiscard]] token_record row() const;

private:
    token access_;
    token refresh_;
    std::string scope_;
    std::string client_id_;
    std::int64_t user_id_ = 0;
    std::int64_t issued_at_ = 0;
    std::uint64_t lifetime_ = 0;
    std::uint64_t refresh_lifetime_ = 0;
};

// The refresh_token grant's store (oauthcore::refresh_token_store). A token is found by
// its SHA-256 digest, only for the client it was issued to, only while neither revoked
// nor expired; anything else is one reject(), so oauthcore answers unknown, revoked,
// expired and other clients' tokens alike (400 invalid_grant).
class sqlite_refresh_token_store {
public:
    using record_type = sqlite_refresh_record;

    explicit sqlite_refresh_token_store(token_database& db) noexcept : db_(db) {}

    [[nodiscard]] oauthcore::outcome<record_type> find_refresh_token(const sqlite_client& client,
                                                                     std::string_view refresh_token);
    // Revokes the row (the old access token with it) by a conditional UPDATE and inserts
    // the new pair's row, in one transaction (token_database::replace_tokens): accepted
    // for exactly one of any number of concurrent refreshes, rejected for the others;
    // failed, with nothing changed, when the database cannot.
    [[nodiscard]] oauthcore::outcome_status replace_refresh_token(const record_type& record, const issued_pair& tokens);

private:
    token_database& db_;
};

class sqlite_token_issuer {
public:
    using token_type = issued_pair;

    sqlite_token_issuer(token_database& db, std::uint64_t expires_in, std::uint64_t refresh_expires_in) noexcept
        : db_(db), expires_in_(expires_in), refresh_expires_in_(refresh_expires_in) {}

    // Two fresh tokens for the client, user and scope, with both lifetimes; stores
    // nothing (the refresh grant's store stores them as it revokes the old pair). The
    // scope is granted as oauthcore passes it: requested and allowed by the client
    // (password grant), or the refreshed token's, or the narrower one asked for (refresh).
    [[nodiscard]] oauthcore::outcome<token_type> make_token(const sqlite_client& client, const sqlite_user& user,
                                                            std::string_view scope);
    // make_token, then the pair's row stored as digests before it is handed out: a token
    // the database does not know is never sent (the password grant).
    [[nodiscard]] oauthcore::outcome<token_type> issue_token(const sqlite_client& client, const sqlite_user& user,
                                                             std::string_view scope);

private:
    token_database& db_;
    std::uint64_t expires_in_;
    std::uint64_t refresh_expires_in_;
};

static_assert(oauthcore::client_store<sqlite_client_store>);
static_assert(oauthcore::user_store<sqlite_user_store>);
static_assert(oauthcore::refresh_token_store<sqlite_refresh_token_store, sqlite_client, issued_pair>);
static_assert(oauthcore::token_issuer<sqlite_token_issuer, sqlite_client, sqlite_user>);
static_assert(oauthcore::token_maker<sqlite_token_issuer, sqlite_client, sqlite_user>);

}  // namespace token_server
