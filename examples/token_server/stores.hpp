#pragma once
// oauthcore's client store, user store, refresh-token, authorization-code and
// device-code stores and token issuer, over token_database (SQLite or PostgreSQL: the
// stores do not know which). Each query takes microseconds to a millisecond; the
// argon2id checks run outside the database, so requests check passwords in parallel on
// all worker threads.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codes.hpp"
#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/authorization_request.hpp"
#include "oauthcore/client_authentication.hpp"
#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/device_authorization.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/introspection.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "oauthcore/token_store.hpp"
#include "random_token.hpp"
#include "token_database.hpp"

namespace token_server {

struct db_client {
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

class db_client_store {
public:
    using client_type = db_client;

    // `scopes`: what every client may ask for, in scope syntax (RFC 6749 3.3), or empty.
    // `secrets_in_body`: a client registered for client_secret_basic may also send its
    // secret in the body (--allow-body-client-auth).
    db_client_store(token_database& db, std::string scopes, bool secrets_in_body)
        : db_(db), scopes_(std::move(scopes)), secrets_in_body_(secrets_in_body) {}

    // An unknown id is checked against dummy_hash(), so it costs what a wrong secret
    // costs. A public client (registered with method none) presents no secret; any
    // other client that presents none is rejected after the same dummy check.
    [[nodiscard]] oauthcore::outcome<client_type> authenticate_client(
        const oauthcore::client_authentication& presented);
    // The same, also setting `registered` to whether presented.id names a registered
    // client (left as it is when the database cannot say): the limiter counts failures
    // against registered clients alone, and asks with the lookup already made.
    [[nodiscard]] oauthcore::outcome<client_type> authenticate_client(const oauthcore::client_authentication& presented,
                                                                      bool& registered);

private:
    token_database& db_;
    std::string scopes_;
    bool secrets_in_body_;
};

struct db_user {
    std::int64_t id = 0;
    // The authorization code the tokens are issued for, directly or by refreshing a pair
    // it produced: stored with them, so that a second use of the code can revoke them
    // all (RFC 6749 4.1.2: "all tokens previously issued based on that authorization code").
    std::optional<token_digest> code;
};

class db_user_store {
public:
    using user_type = db_user;

    explicit db_user_store(token_database& db) noexcept : db_(db) {}

    // Unknown user and wrong password: the same argon2id work, the same reject().
    [[nodiscard]] oauthcore::outcome<user_type> authenticate_user(oauthcore::user_identifier who,
                                                                  std::string_view password);

private:
    token_database& db_;
};

// A live refresh token's row: the user it stands for and the scope granted with it.
struct db_refresh_record {
    std::int64_t row = 0;
    db_user owner;
    std::string granted_scope;
    std::string client_id;  // the client it was issued to, which is refreshing it

    [[nodiscard]] db_user user() const noexcept { return owner; }
    [[nodiscard]] std::string_view scope() const noexcept { return granted_scope; }
};

// How long what the server issues lives (--expires-in, --refresh-expires-in), in seconds.
struct token_lifetimes {
    std::uint64_t access = 0;
    std::uint64_t refresh = 0;
};

// Tokens made for a client (and a user), with everything the database keeps of them.
// The pair owns its text: oauthcore writes the response from these views while the
// outcome holding this value is alive (endpoint.hpp, make_issuer_response).
class issued_pair {
public:
    issued_pair() = default;
    // Two fresh tokens (an access token alone without a user: client_credentials,
    // RFC 6749 4.4.3) issued at `now` for `scope`.
    issued_pair(std::string_view client_id, const db_user* user, std::string_view scope, token_lifetimes lifetimes,
                std::int64_t now);

    [[nodiscard]] std::string_view access_token() const noexcept { return access_.view(); }
    [[nodiscard]] std::optional<std::uint64_t> expires_in() const noexcept { return lifetimes_.access; }
    // Empty for a client's own token (client_credentials): RFC 6749 4.4.3.
    [[nodiscard]] std::string_view refresh_token() const noexcept {
        return refresh_ ? refresh_->view() : std::string_view();
    }
    // The granted scope; oauthcore sends it only when it differs from the requested one.
    [[nodiscard]] std::string_view scope() const noexcept { return scope_; }

    // The row the database keeps: digests, client, user, scope, times, the code it
    // descends from. Its views point into this pair.
    [[nodiscard]] token_record stored_record() const;
    [[nodiscard]] std::string_view client_id() const noexcept { return client_id_; }
    [[nodiscard]] std::optional<std::int64_t> user_id() const noexcept { return user_id_; }

private:
    token access_;
    std::optional<token> refresh_;
    token_lifetimes lifetimes_;
    std::string scope_;
    std::string client_id_;
    std::optional<std::int64_t> user_id_;
    std::optional<token_digest> code_;
    std::int64_t issued_at_ = 0;
};

// The refresh_token grant's store (oauthcore::refresh_token_store). A token is found by
// its SHA-256 digest, only for the client it was issued to, only while neither revoked
// nor expired; anything else is one reject(), so oauthcore answers unknown, revoked,
// expired and other clients' tokens alike (400 invalid_grant). Made per request.
class db_refresh_token_store {
public:
    using record_type = db_refresh_record;

    explicit db_refresh_token_store(token_database& db) noexcept : db_(db) {}

    [[nodiscard]] oauthcore::outcome<record_type> find_refresh_token(const db_client& client,
                                                                     std::string_view refresh_token);
    // oauthcore's coming store API (issue 17): the grant has the new pair made
    // (db_token_issuer::make_token) and hands it here, and the revocation and the insert
    // are one transaction. Accepted for exactly one of concurrent refreshes; rejected,
    // nothing stored, for the others; failed, nothing changed, when the database fails.
    [[nodiscard]] oauthcore::outcome_status replace_refresh_token(const record_type& record, const issued_pair& tokens);

private:
    token_database& db_;
};

class db_token_issuer {
public:
    using token_type = issued_pair;

    db_token_issuer(token_database& db, token_lifetimes lifetimes) noexcept : db_(db), lifetimes_(lifetimes) {}

    // Two fresh tokens, stored as digests with client, user, scope and both expiry times
    // before they are handed out: a token the database does not know is never sent.
    // The scope is granted as oauthcore passes it: requested and allowed by the client
    // (password grant), or the refreshed token's, or the narrower one asked for (refresh).
    [[nodiscard]] oauthcore::outcome<token_type> issue_token(const db_client& client, const db_user& user,
                                                             std::string_view scope);
    // client_credentials (RFC 6749 4.4): an access token for the client itself, stored
    // with no user and without a refresh token (4.4.3).
    [[nodiscard]] oauthcore::outcome<token_type> issue_token(const db_client& client, oauthcore::no_user,
                                                             std::string_view scope);
    // oauthcore's coming token_maker (issue 17): a new pair for the user, stored by
    // nobody yet; the store that is handed it stores it (replace_refresh_token,
    // redeem_authorization_code).
    [[nodiscard]] oauthcore::outcome<token_type> make_token(const db_client& client, const db_user& user,
                                                            std::string_view scope) const;

private:
    [[nodiscard]] oauthcore::outcome<token_type> issue(const db_client& client, const db_user* user,
                                                       std::string_view scope);

    token_database& db_;
    token_lifetimes lifetimes_;
};

// An authorization code as the store found it (oauthcore::authorization_code_record).
struct db_code_record {
    authorization_code_row row;
    token_digest digest{};

    [[nodiscard]] std::string_view client_id() const noexcept { return row.client_id; }
    [[nodiscard]] std::string_view redirect_uri() const noexcept { return row.redirect_uri; }
    [[nodiscard]] std::string_view code_challenge() const noexcept { return row.code_challenge; }
    [[nodiscard]] std::string_view code_challenge_method() const noexcept { return row.code_challenge_method; }
    [[nodiscard]] std::string_view scope() const noexcept { return row.scope; }
    [[nodiscard]] db_user user() const noexcept { return {row.user_id, digest}; }
    [[nodiscard]] std::uint64_t expires_at() const noexcept { return static_cast<std::uint64_t>(row.expires_at); }
    [[nodiscard]] bool used_before() const noexcept { return row.used_before; }
};

// The authorization_code grant's store: a code is found by its SHA-256 digest and
// marked spent in the same transaction (a code works once, RFC 6749 4.1.2).
class db_authorization_code_store {
public:
    using record_type = db_code_record;

    explicit db_authorization_code_store(token_database& db) noexcept : db_(db) {}

    // oauthcore's coming store API (issue 17): find the code without spending it; then,
    // in one transaction, spend it unless it is spent already and store the tokens made
    // for it. Accepted for exactly one of concurrent redemptions; rejected, nothing
    // stored, for the others.
    [[nodiscard]] oauthcore::outcome<record_type> find_authorization_code(std::string_view code);
    [[nodiscard]] oauthcore::outcome_status redeem_authorization_code(const record_type& record,
                                                                      const issued_pair& tokens);

private:
    token_database& db_;
};

// A device authorization request as the store found it (oauthcore::device_code_record).
struct db_device_record {
    device_code_row row;
    token_digest digest{};

    [[nodiscard]] std::string_view client_id() const noexcept { return row.client_id; }
    [[nodiscard]] oauthcore::device_authorization_state state() const noexcept;
    [[nodiscard]] db_user user() const noexcept { return {row.user_id, std::nullopt}; }
    [[nodiscard]] std::string_view scope() const noexcept { return row.scope; }
    [[nodiscard]] std::uint64_t expires_at() const noexcept { return static_cast<std::uint64_t>(row.expires_at); }
    [[nodiscard]] std::optional<std::uint64_t> last_polled_at() const noexcept {
        if (!row.last_polled_at) return std::nullopt;
        return static_cast<std::uint64_t>(*row.last_polled_at);
    }
    [[nodiscard]] std::uint64_t interval() const noexcept { return static_cast<std::uint64_t>(row.poll_interval); }
};

// The device_code grant's store: one transaction finds the code and records the poll;
// another spends an approved code unless it is spent already and stores the tokens made
// for it (RFC 8628 3.5: a device code yields one token).
class db_device_code_store {
public:
    using record_type = db_device_record;

    explicit db_device_code_store(token_database& db) noexcept : db_(db) {}

    [[nodiscard]] oauthcore::outcome<record_type> poll_device_code(std::string_view device_code, std::uint64_t now);
    [[nodiscard]] oauthcore::outcome_status redeem_device_code(const record_type& record, const issued_pair& tokens);

private:
    token_database& db_;
};

// An issued token as revocation and introspection find it (oauthcore::token_record,
// oauthcore::introspection_record).
struct db_token_record {
    issued_token_row row;
    std::string sub;  // the user's id, or the client's for its own token

    [[nodiscard]] std::string_view client_id() const noexcept { return row.client_id; }
    [[nodiscard]] std::string_view scope() const noexcept { return row.scope; }
    [[nodiscard]] std::string_view username() const noexcept { return row.username; }
    [[nodiscard]] std::string_view subject() const noexcept { return sub; }
    // The token_type of the token response (oauthcore writes "bearer", RFC 6750 6.1.1).
    [[nodiscard]] std::string_view token_type() const noexcept { return "bearer"; }
    [[nodiscard]] std::optional<std::uint64_t> issued_at() const noexcept {
        return static_cast<std::uint64_t>(row.issued_at);
    }
    [[nodiscard]] std::optional<std::uint64_t> expires_at() const noexcept {
        return static_cast<std::uint64_t>(row.expires_at);
    }
};

// Revocation's and introspection's store (oauthcore::revocable_token_store): a token is
// found by its digest, live or expired, never when revoked. Revoking either token of a
// pair revokes the row, so both: a refresh token's access token goes with it (RFC 7009
// 2.1 SHOULD), and an access token's refresh token too (RFC 7009 2.1 MAY; a client that
// signs out wants both gone). Earlier access tokens of a rotated refresh token were
// revoked when it rotated.
class db_token_store {
public:
    using record_type = db_token_record;

    explicit db_token_store(token_database& db) noexcept : db_(db) {}

    [[nodiscard]] oauthcore::outcome<record_type> find_token(std::string_view token, oauthcore::token_kind kind);
    [[nodiscard]] oauthcore::outcome_status revoke_token(const record_type& record);

private:
    token_database& db_;
};

// A client as the authorization endpoint sees it (oauthcore::registered_client).
struct db_registered_client {
    std::string id;
    std::string grants;
    std::vector<std::string> uris;
    bool public_client = false;
    std::string_view scopes;  // as db_client::scopes

    [[nodiscard]] bool allows_grant(std::string_view grant_type) const noexcept {
        return oauthcore::scope_includes(grants, grant_type);
    }
    [[nodiscard]] bool is_public() const noexcept { return public_client; }
    [[nodiscard]] const std::vector<std::string>& redirect_uris() const noexcept { return uris; }
    [[nodiscard]] bool allows_scope(std::string_view scope_token) const noexcept {
        return !scopes.empty() && oauthcore::scope_includes(scopes, scope_token);
    }
};

// The authorization endpoint's client registry (oauthcore::client_registry).
class db_client_registry {
public:
    using client_type = db_registered_client;

    db_client_registry(token_database& db, std::string_view scopes) noexcept : db_(db), scopes_(scopes) {}

    [[nodiscard]] oauthcore::outcome<client_type> find_client(std::string_view client_id);

private:
    token_database& db_;
    std::string_view scopes_;
};

// The device authorization endpoint's issuer (oauthcore::device_authorization_issuer):
// the codes of codes.hpp, recorded as pending.
struct db_device_codes {
    device_request made;
    std::uint64_t lifetime = 0;
    std::uint64_t poll_interval = 0;

    [[nodiscard]] std::string_view device_code() const noexcept { return made.device_code.view(); }
    [[nodiscard]] std::string_view user_code() const noexcept { return made.user_code; }
    [[nodiscard]] std::uint64_t expires_in() const noexcept { return lifetime; }
    [[nodiscard]] std::uint64_t interval() const noexcept { return poll_interval; }
};

class db_device_authorization_issuer {
public:
    using codes_type = db_device_codes;

    // RFC 8628 3.2: codes live `expires_in` seconds; devices poll every `interval`.
    db_device_authorization_issuer(token_database& db, std::uint64_t expires_in, std::uint64_t interval) noexcept
        : db_(db), expires_in_(expires_in), interval_(interval) {}

    [[nodiscard]] oauthcore::outcome<codes_type> start_device_authorization(const db_client& client,
                                                                            std::string_view scope);

private:
    token_database& db_;
    std::uint64_t expires_in_;
    std::uint64_t interval_;
};

// The grants' clock: Unix seconds, the times the database keeps.
struct unix_seconds_clock {
    [[nodiscard]] std::uint64_t operator()() const noexcept;
};

static_assert(oauthcore::client_store<db_client_store>);
static_assert(oauthcore::user_store<db_user_store>);
static_assert(oauthcore::refresh_token_store<db_refresh_token_store, db_client, issued_pair>);
static_assert(oauthcore::token_maker<db_token_issuer, db_client, db_user>);
static_assert(oauthcore::token_issuer<db_token_issuer, db_client, db_user>);
static_assert(oauthcore::token_issuer<db_token_issuer, db_client, oauthcore::no_user>);
static_assert(oauthcore::authorization_code_store<db_authorization_code_store, issued_pair>);
static_assert(oauthcore::device_code_store<db_device_code_store, issued_pair>);
static_assert(oauthcore::seconds_clock<unix_seconds_clock>);
static_assert(oauthcore::revocable_token_store<db_token_store>);
static_assert(oauthcore::introspection_record<db_token_record>);
static_assert(oauthcore::client_registry<db_client_registry>);
static_assert(oauthcore::device_authorization_issuer<db_device_authorization_issuer, db_client>);

}  // namespace token_server
