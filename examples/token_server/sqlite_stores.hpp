#pragma once
// oauthcore's client store, user store, refresh-token, authorization-code and
// device-code stores and token issuer, backed by token_database.
// Each query holds the database lock for microseconds; the argon2id checks run
// outside it, so requests check passwords in parallel on all worker threads.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/client_authentication.hpp"
#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "random_token.hpp"
#include "token_database.hpp"

namespace token_server {

struct sqlite_client {
    std::string id;
    std::string grants;  // the clients table's grants column: grant types, space-separated
    // The method the client is registered for (RFC 7591 token_endpoint_auth_method), or
    // empty when either secret method will do (--allow-body-client-auth).
    std::string method;
    // The scope tokens clients may ask for (--scopes), space-separated; a view into the
    // client store, which outlives every request. Empty: no scope may be asked for.
    std::string_view scopes;

    // The grant types registered for the client (add-client --grants); nothing else.
    // scope_includes compares space-separated lists, which the grants column is.
    [[nodiscard]] bool allows_grant(std::string_view grant_type) const noexcept {
        return oauthcore::scope_includes(grants, grant_type);
    }
    // oauthcore refuses a request authenticated by another method (401 invalid_client).
    [[nodiscard]] std::string_view authentication_method() const noexcept { return method; }
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
    // `secrets_in_body`: a client registered for client_secret_basic may also send its
    // secret in the body (--allow-body-client-auth).
    sqlite_client_store(token_database& db, std::string scopes, bool secrets_in_body)
        : db_(db), scopes_(std::move(scopes)), secrets_in_body_(secrets_in_body) {}

    // An unknown id is checked against dummy_secret_hash(), so it costs what a wrong
    // generated secret costs (password_hash.hpp). A public client (registered with method none) presents no secret; any
    // other client that presents none is rejected after the same dummy check.
    [[nodiscard]] oauthcore::outcome<client_type> authenticate_client(
        const oauthcore::client_authentication& presented);

private:
    token_database& db_;
    std::string scopes_;
    bool secrets_in_body_;
};

struct sqlite_user {
    std::int64_t id = 0;
    // The authorization code the tokens are issued for, directly or by refreshing a pair
    // it produced: stored with them, so that a second use of the code can revoke them
    // all (RFC 6749 4.1.2: "all tokens previously issued based on that authorization code").
    std::optional<token_digest> code;
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

// A new pair (or, for client_credentials, an access token alone), as the issuer made it:
// the tokens oauthcore sends, and for whom and for how long, so that whichever store
// stores it writes the same row. It owns its text: oauthcore writes the response from
// these views while the outcome holding this value is alive (endpoint.hpp).
class issued_pair {
public:
    issued_pair() = default;
    issued_pair(const token& access, std::optional<token> refresh, std::string scope, std::string client_id,
                std::optional<sqlite_user> user, std::int64_t issued_at, std::uint64_t lifetime,
                std::uint64_t refresh_lifetime)
        : access_(access),
          refresh_(refresh),
          scope_(std::move(scope)),
          client_id_(std::move(client_id)),
          user_(std::move(user)),
          issued_at_(issued_at),
          lifetime_(lifetime),
          refresh_lifetime_(refresh_lifetime) {}

    [[nodiscard]] std::string_view access_token() const noexcept { return access_.view(); }
    [[nodiscard]] std::optional<std::uint64_t> expires_in() const noexcept { return lifetime_; }
    // Empty for a client's own token (client_credentials): RFC 6749 4.4.3.
    [[nodiscard]] std::string_view refresh_token() const noexcept {
        return refresh_ ? refresh_->view() : std::string_view();
    }
    // The granted scope; oauthcore sends it only when it differs from the requested one.
    [[nodiscard]] std::string_view scope() const noexcept { return scope_; }

    // The tokens table's row for this pair: digests, client, user, scope, times, and the
    // authorization code it descends from. Its views point into this pair.
    [[nodiscard]] token_record row() const;

private:
    token access_;
    std::optional<token> refresh_;
    std::string scope_;
    std::string client_id_;
    std::optional<sqlite_user> user_;  // none: the client's own token
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

    // oauthcore::token_maker, for the grants whose store stores the pair with the end of
    // the old grant (refresh_token, authorization_code): two fresh tokens, stored by no
    // one yet.
    [[nodiscard]] oauthcore::outcome<token_type> make_token(const sqlite_client& client, const sqlite_user& user,
                                                            std::string_view scope);
    // oauthcore::token_issuer, for the others: made, then stored as digests with client,
    // user, scope and both expiry times before they are handed out (a token the database
    // does not know is never sent). The scope is granted as oauthcore passes it.
    [[nodiscard]] oauthcore::outcome<token_type> issue_token(const sqlite_client& client, const sqlite_user& user,
                                                             std::string_view scope);
    // client_credentials (RFC 6749 4.4): an access token for the client itself, stored
    // with no user and without a refresh token (4.4.3).
    [[nodiscard]] oauthcore::outcome<token_type> issue_token(const sqlite_client& client, oauthcore::no_user,
                                                             std::string_view scope);

private:
    [[nodiscard]] issued_pair make(const sqlite_client& client, const sqlite_user* user, std::string_view scope) const;
    [[nodiscard]] oauthcore::outcome<token_type> store(issued_pair pair);

    token_database& db_;
    std::uint64_t expires_in_;
    std::uint64_t refresh_expires_in_;
};

// An authorization code as the store found it (oauthcore::authorization_code_record).
struct sqlite_code_record {
    authorization_code_row row;
    token_digest digest{};

    [[nodiscard]] std::string_view client_id() const noexcept { return row.client_id; }
    [[nodiscard]] std::string_view redirect_uri() const noexcept { return row.redirect_uri; }
    [[nodiscard]] std::string_view code_challenge() const noexcept { return row.code_challenge; }
    [[nodiscard]] std::string_view code_challenge_method() const noexcept { return row.code_challenge_method; }
    [[nodiscard]] std::string_view scope() const noexcept { return row.scope; }
    [[nodiscard]] sqlite_user user() const noexcept { return {row.user_id, digest}; }
    [[nodiscard]] std::uint64_t expires_at() const noexcept { return static_cast<std::uint64_t>(row.expires_at); }
    [[nodiscard]] bool used_before() const noexcept { return row.used_before; }
};

// The authorization_code grant's store: a code is found by its SHA-256 digest, and
// redeemed (marked spent unless it is already, and the pair stored) in one transaction,
// so that a code yields one pair (RFC 6749 4.1.2).
class sqlite_authorization_code_store {
public:
    using record_type = sqlite_code_record;

    explicit sqlite_authorization_code_store(token_database& db) noexcept : db_(db) {}

    [[nodiscard]] oauthcore::outcome<record_type> find_authorization_code(std::string_view code);
    [[nodiscard]] oauthcore::outcome_status redeem_authorization_code(const record_type& record,
                                                                      const issued_pair& tokens);

private:
    token_database& db_;
};

// A device authorization request as the store found it (oauthcore::device_code_record).
struct sqlite_device_record {
    device_code_row row;

    [[nodiscard]] std::string_view client_id() const noexcept { return row.client_id; }
    [[nodiscard]] oauthcore::device_authorization_state state() const noexcept;
    [[nodiscard]] sqlite_user user() const noexcept { return {row.user_id, std::nullopt}; }
    [[nodiscard]] std::string_view scope() const noexcept { return row.scope; }
    [[nodiscard]] std::uint64_t expires_at() const noexcept { return static_cast<std::uint64_t>(row.expires_at); }
    [[nodiscard]] std::optional<std::uint64_t> last_polled_at() const noexcept {
        if (!row.last_polled_at) return std::nullopt;
        return static_cast<std::uint64_t>(*row.last_polled_at);
    }
    [[nodiscard]] std::uint64_t interval() const noexcept { return static_cast<std::uint64_t>(row.poll_interval); }
};

// The device_code grant's store: one transaction finds the code, records the poll and
// spends an approved code (RFC 8628 3.5: a device code yields one token).
class sqlite_device_code_store {
public:
    using record_type = sqlite_device_record;

    explicit sqlite_device_code_store(token_database& db) noexcept : db_(db) {}

    [[nodiscard]] oauthcore::outcome<record_type> poll_device_code(std::string_view device_code, std::uint64_t now);

private:
    token_database& db_;
};

// The grants' clock: Unix seconds, the times the database keeps.
struct unix_seconds_clock {
    [[nodiscard]] std::uint64_t operator()() const noexcept;
};

static_assert(oauthcore::client_store<sqlite_client_store>);
static_assert(oauthcore::user_store<sqlite_user_store>);
static_assert(oauthcore::refresh_token_store<sqlite_refresh_token_store, sqlite_client, issued_pair>);
static_assert(oauthcore::token_maker<sqlite_token_issuer, sqlite_client, sqlite_user>);
static_assert(oauthcore::token_issuer<sqlite_token_issuer, sqlite_client, sqlite_user>);
static_assert(oauthcore::token_issuer<sqlite_token_issuer, sqlite_client, oauthcore::no_user>);
static_assert(oauthcore::authorization_code_store<sqlite_authorization_code_store, issued_pair>);
static_assert(oauthcore::device_code_store<sqlite_device_code_store>);
static_assert(oauthcore::seconds_clock<unix_seconds_clock>);

}  // namespace token_server
