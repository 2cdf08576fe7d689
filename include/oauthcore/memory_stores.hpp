#pragma once
// In-memory models of the store, issuer and maker concepts, for tests, examples and
// hosts that keep a handful of clients in configuration. They hold their records in
// std::vector, std::deque and std::string, so adding records allocates (and so does
// storing the tokens a refresh or a code redemption is replaced with); authenticating,
// finding and spending do not.

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/authorization_request.hpp"
#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/base64.hpp"
#include "oauthcore/constant_time.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/device_authorization.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/introspection.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "oauthcore/scope.hpp"
#include "oauthcore/token_store.hpp"

namespace oauthcore {

// The authenticated client: views into the store's record.
struct memory_client {
    std::string_view id;
    std::string_view grant_types;  // space-separated, e.g. "password refresh_token"
    std::string_view scopes;       // space-separated scope tokens it may ask for; empty: any
    std::string_view method;       // the authentication method it is registered for; empty: any with a secret

    [[nodiscard]] constexpr bool allows_grant(std::string_view grant_type) const noexcept {
        return scope_has_token(grant_types, grant_type);
    }
    [[nodiscard]] constexpr bool allows_scope(std::string_view scope_token) const noexcept {
        return scopes.empty() || scope_has_token(scopes, scope_token);
    }
    [[nodiscard]] constexpr std::string_view authentication_method() const noexcept { return method; }
};

class memory_client_store {
public:
    using client_type = memory_client;

    // grant_types and scopes are space-separated lists (scope syntax, RFC 6749 3.3);
    // `method` pins the client to one authentication method (RFC 7591 name): "none" for a
    // public client, which has no secret; empty for any method that carries the secret. A
    // client that is not public with an empty secret never authenticates: an empty secret
    // is a missing one (RFC 6749 2.3.1), not a password anyone may send.
    void add(std::string id, std::string secret, std::string grant_types = "password refresh_token",
             std::string scopes = {}, std::string method = {}) {
        records_.push_back(
            {std::move(id), std::move(secret), std::move(grant_types), std::move(scopes), std::move(method)});
    }

    // The secret is compared in constant time, and an unknown id costs one comparison
    // too, against a secret of the same length, so timing tells nothing. "none" finds
    // only a client registered as public.
    [[nodiscard]] outcome<client_type> authenticate_client(const client_authentication& presented) const {
        const record* found = nullptr;
        for (const record& r : records_)
            if (detail::bytes_equal(r.id, presented.id)) found = &r;
        const bool is_public = detail::bytes_equal(presented.method, public_method);
        if (found == nullptr) {
            (void)constant_time_equal(presented.secret, secret_of_same_length(presented.secret));
            return outcome<client_type>::reject();
        }
        if (is_public != detail::bytes_equal(found->method, public_method)) return outcome<client_type>::reject();
        if (!is_public && (found->secret.empty() || !constant_time_equal(presented.secret, found->secret)))
            return outcome<client_type>::reject();
        return outcome<client_type>::accept({found->id, found->grant_types, found->scopes, found->method});
    }

private:
    static constexpr std::string_view public_method = "none";

    struct record {
        std::string id;
        std::string secret;
        std::string grant_types;
        std::string scopes;
        std::string method;
    };

    static std::string_view secret_of_same_length(std::string_view secret) noexcept {
        static constexpr char filler[4096] = {};
        return {filler, secret.size() < sizeof filler ? secret.size() : sizeof filler};
    }

    std::vector<record> records_;
};

struct memory_user {
    std::string_view username;
    std::string_view email_address;
};

class memory_user_store {
public:
    using user_type = memory_user;

    // A user may have a username, an email address, or both (empty = none).
    void add(std::string username, std::string email_address, std::string password) {
        records_.push_back({std::move(username), std::move(email_address), std::move(password)});
    }

    // Unknown user and wrong password both reject, after one constant-time comparison.
    [[nodiscard]] outcome<user_type> authenticate_user(user_identifier who, std::string_view password) const {
        const record* found = nullptr;
        for (const record& r : records_) {
            const std::string& key = who.kind == identifier_kind::username ? r.username : r.email_address;
            if (!key.empty() && detail::bytes_equal(key, who.value)) found = &r;
        }
        const bool match =
            constant_time_equal(password, found != nullptr ? std::string_view(found->password) : password);
        if (found == nullptr || !match) return outcome<user_type>::reject();
        return outcome<user_type>::accept({found->username, found->email_address});
    }

private:
    struct record {
        std::string username;
        std::string email_address;
        std::string password;
    };

    std::vector<record> records_;
};

// A token made of views; it models issued_token.
struct token_view {
    std::string_view access;
    std::optional<std::uint64_t> lifetime;
    std::string_view refresh;
    std::string_view granted_scope;

    [[nodiscard]] constexpr std::string_view access_token() const noexcept { return access; }
    [[nodiscard]] constexpr std::optional<std::uint64_t> expires_in() const noexcept { return lifetime; }
    [[nodiscard]] constexpr std::string_view refresh_token() const noexcept { return refresh; }
    [[nodiscard]] constexpr std::string_view scope() const noexcept { return granted_scope; }
};

static_assert(issued_token<token_view>);

// Hands out the same token every time (tests, benchmarks, demos), as an issuer and as a
// maker (it stores nothing either way); it can be told to fail, to exercise the 500 path.
class fixed_token_issuer {
public:
    using token_type = token_view;

    explicit fixed_token_issuer(token_view token) noexcept : token_(token) {}

    template <class Client, class User>
    [[nodiscard]] outcome<token_type> issue_token(const Client& client, const User& user, std::string_view scope) {
        return make_token(client, user, scope);
    }

    template <class Client, class User>
    [[nodiscard]] outcome<token_type> make_token(const Client& /*client*/, const User& /*user*/,
                                                 std::string_view /*scope*/) {
        ++issued_;
        if (failing_) return outcome<token_type>::fail();
        return outcome<token_type>::accept(token_);
    }

    void set_failing(bool failing) noexcept { failing_ = failing; }
    [[nodiscard]] int issued() const noexcept { return issued_; }

private:
    token_view token_;
    int issued_ = 0;
    bool failing_ = false;
};

// Refresh tokens in memory, with rotation. Time is a number the owner advances
// (set_now), so tests can expire tokens without sleeping.
class memory_refresh_token_store {
public:
    struct record_type {
        std::size_t index = 0;
        memory_user owner;
        std::string_view granted_scope;

        [[nodiscard]] memory_user user() const noexcept { return owner; }
        [[nodiscard]] std::string_view scope() const noexcept { return granted_scope; }
    };

    void add(std::string token, std::string client_id, std::string username, std::string email_address,
             std::string scope, std::uint64_t expires_at) {
        records_.push_back({std::move(token), std::move(client_id), std::move(username), std::move(email_address),
                            std::move(scope), expires_at, false});
    }
    void set_now(std::uint64_t now) noexcept { now_ = now; }
    // true: the write of the new refresh token fails, after the old one was revoked in the
    // same replace_refresh_token, which then undoes the revocation and answers failed, as
    // a database rolls back a transaction (the failure-injection tests).
    void set_failing_writes(bool failing) noexcept { failing_writes_ = failing; }
    [[nodiscard]] bool revoked(std::string_view token) const noexcept {
        for (const auto& r : records_)
            if (r.token == token) return r.revoked;
        return false;
    }

    // Unknown, expired, revoked and another client's tokens all reject alike.
    [[nodiscard]] outcome<record_type> find_refresh_token(const memory_client& client, std::string_view token) const {
        for (std::size_t i = 0; i < records_.size(); ++i) {
            const auto& r = records_[i];
            if (!constant_time_equal(r.token, token)) continue;
            if (r.revoked || r.client_id != client.id || now_ >= r.expires_at) return outcome<record_type>::reject();
            return outcome<record_type>::accept({i, {r.username, r.email_address}, r.scope});
        }
        return outcome<record_type>::reject();
    }

    // Revokes the record's token and stores the new refresh token, if the tokens have
    // one, for the same client and user, or does neither. The new token has the old one's
    // scope (RFC 6749 6: "identical to that of the refresh token included by the client",
    // even when the access token's is narrower) and its expiry: replacing a grant does not
    // lengthen it.
    template <issued_token Token>
    [[nodiscard]] outcome_status replace_refresh_token(const record_type& record, const Token& tokens) {
        if (record.index >= records_.size()) return outcome_status::failed;
        stored& old = records_[record.index];
        if (old.revoked) return outcome_status::rejected;
        old.revoked = true;
        if (failing_writes_) {
            old.revoked = false;
            return outcome_status::failed;
        }
        const std::string_view refresh = tokens.refresh_token();
        if (!refresh.empty())
            records_.push_back({std::string(refresh), old.client_id, old.username, old.email_address, old.scope,
                                old.expires_at, false});
        return outcome_status::accepted;
    }

private:
    struct stored {
        std::string token;
        std::string client_id;
        std::string username;
        std::string email_address;
        std::string scope;
        std::uint64_t expires_at;
        bool revoked;
    };

    std::deque<stored> records_;  // a deque: adding never moves the strings records point into
    std::uint64_t now_ = 0;
    bool failing_writes_ = false;
};

// An authorization code as the authorization endpoint recorded it (RFC 6749 4.1.1,
// RFC 7636 4.3).
struct memory_authorization_code {
    std::string code;
    std::string client_id;
    std::string redirect_uri;           // of the authorization request; empty if it had none
    std::string code_challenge;         // empty if none
    std::string code_challenge_method;  // "S256", "plain", or empty (plain when there is a challenge)
    std::string username;
    std::string email_address;
    std::string scope;
    std::uint64_t expires_at = 0;  // in the seconds of the grant's clock
};

// Authorization codes in memory. Redeeming one marks it spent and keeps it, with the
// tokens it was redeemed for, so that a second use is told apart from an unknown code and
// the host can find the tokens to revoke (RFC 6749 4.1.2).
class memory_authorization_code_store {
public:
    struct record_type {
        std::string_view client;
        std::string_view redirect;
        std::string_view challenge;
        std::string_view method;
        std::string_view granted_scope;
        memory_user owner;
        std::uint64_t expiry = 0;
        bool spent_before = false;
        std::size_t index = 0;  // in the store

        [[nodiscard]] std::string_view client_id() const noexcept { return client; }
        [[nodiscard]] std::string_view redirect_uri() const noexcept { return redirect; }
        [[nodiscard]] std::string_view code_challenge() const noexcept { return challenge; }
        [[nodiscard]] std::string_view code_challenge_method() const noexcept { return method; }
        [[nodiscard]] std::string_view scope() const noexcept { return granted_scope; }
        [[nodiscard]] memory_user user() const noexcept { return owner; }
        [[nodiscard]] std::uint64_t expires_at() const noexcept { return expiry; }
        [[nodiscard]] bool used_before() const noexcept { return spent_before; }
    };

    void add(memory_authorization_code code) { records_.push_back({std::move(code), false, {}}); }
    // true: the write of the tokens fails, after the code was marked spent in the same
    // redeem_authorization_code, which then undoes that and answers failed, as a database
    // rolls back a transaction (the failure-injection tests).
    void set_failing_writes(bool failing) noexcept { failing_writes_ = failing; }
    [[nodiscard]] bool spent(std::string_view code) const noexcept {
        const stored* r = find(code);
        return r != nullptr && r->spent;
    }
    // The tokens a code was redeemed for (views into the store); nullopt for a code not
    // redeemed, or unknown.
    [[nodiscard]] std::optional<token_view> tokens_of(std::string_view code) const noexcept {
        const stored* r = find(code);
        if (r == nullptr || !r->spent) return std::nullopt;
        return token_view{r->tokens.access, r->tokens.lifetime, r->tokens.refresh, r->tokens.scope};
    }

    // The code is compared in constant time, with every record's. Nothing changes.
    [[nodiscard]] outcome<record_type> find_authorization_code(std::string_view code) const {
        const stored* found = nullptr;
        std::size_t index = 0;
        for (std::size_t i = 0; i < records_.size(); ++i)
            if (constant_time_equal(records_[i].code.code, code)) {
                found = &records_[i];
                index = i;
            }
        if (found == nullptr) return outcome<record_type>::reject();
        const memory_authorization_code& c = found->code;
        return outcome<record_type>::accept({c.client_id,
                                             c.redirect_uri,
                                             c.code_challenge,
                                             c.code_challenge_method,
                                             c.scope,
                                             {c.username, c.email_address},
                                             c.expires_at,
                                             found->spent,
                                             index});
    }

    // Marks the code spent and keeps the tokens with it, unless it is spent already.
    template <issued_token Token>
    [[nodiscard]] outcome_status redeem_authorization_code(const record_type& record, const Token& tokens) {
        if (record.index >= records_.size()) return outcome_status::failed;
        stored& r = records_[record.index];
        if (r.spent) return outcome_status::rejected;
        r.spent = true;
        if (failing_writes_) {
            r.spent = false;
            return outcome_status::failed;
        }
        r.tokens = {std::string(tokens.access_token()), tokens.expires_in(), std::string(tokens.refresh_token()),
                    std::string(tokens.scope())};
        return outcome_status::accepted;
    }

private:
    struct issued {
        std::string access;
        std::optional<std::uint64_t> lifetime;
        std::string refresh;
        std::string scope;
    };
    struct stored {
        memory_authorization_code code;
        bool spent;
        issued tokens;
    };

    [[nodiscard]] const stored* find(std::string_view code) const noexcept {
        for (const auto& r : records_)
            if (r.code.code == code) return &r;
        return nullptr;
    }

    std::deque<stored> records_;  // a deque: adding never moves the strings records point into
    bool failing_writes_ = false;
};

// A device authorization request as the device authorization endpoint recorded it
// (RFC 8628 3.1, 3.2).
struct memory_device_authorization {
    std::string device_code;
    std::string client_id;
    std::string scope;
    std::uint64_t expires_at = 0;  // in the seconds of the grant's clock
    std::uint64_t interval = 5;    // RFC 8628 3.2: 5 seconds when the response gives none
};

// Device codes in memory, with the user's decision and the time of the last poll.
class memory_device_code_store {
public:
    struct record_type {
        std::string_view client;
        device_authorization_state decision = device_authorization_state::pending;
        memory_user approver;
        std::string_view granted_scope;
        std::uint64_t expiry = 0;
        std::optional<std::uint64_t> last_poll;
        std::uint64_t poll_interval = 5;
        std::size_t index = 0;  // in the store

        [[nodiscard]] std::string_view client_id() const noexcept { return client; }
        [[nodiscard]] device_authorization_state state() const noexcept { return decision; }
        [[nodiscard]] memory_user user() const noexcept { return approver; }
        [[nodiscard]] std::string_view scope() const noexcept { return granted_scope; }
        [[nodiscard]] std::uint64_t expires_at() const noexcept { return expiry; }
        [[nodiscard]] std::optional<std::uint64_t> last_polled_at() const noexcept { return last_poll; }
        [[nodiscard]] std::uint64_t interval() const noexcept { return poll_interval; }
    };

    void add(memory_device_authorization request) {
        records_.push_back({std::move(request), device_authorization_state::pending, {}, {}, std::nullopt, false, {}});
    }
    // true: redeem_device_code answers failed and changes nothing, as a database that
    // rolls back the transaction (the failure-injection tests).
    void set_failing_writes(bool failing) noexcept { failing_writes_ = failing; }
    // The user's decision, as the verification page records it (RFC 8628 3.3); false for
    // an unknown device code.
    bool approve(std::string_view device_code, std::string username, std::string email_address) {
        stored* r = find(device_code);
        if (r == nullptr) return false;
        r->state = device_authorization_state::approved;
        r->username = std::move(username);
        r->email_address = std::move(email_address);
        return true;
    }
    bool deny(std::string_view device_code) {
        stored* r = find(device_code);
        if (r == nullptr) return false;
        r->state = device_authorization_state::denied;
        return true;
    }
    [[nodiscard]] bool spent(std::string_view device_code) const noexcept {
        for (const auto& r : records_)
            if (r.request.device_code == device_code) return r.spent;
        return false;
    }
    // The access token a device code was redeemed for; empty for one not redeemed.
    [[nodiscard]] std::string_view access_token_of(std::string_view device_code) const noexcept {
        for (const auto& r : records_)
            if (r.request.device_code == device_code) return r.access_token;
        return {};
    }

    // The device code is compared in constant time, with every record's. Records the poll
    // and spends nothing.
    [[nodiscard]] outcome<record_type> poll_device_code(std::string_view device_code, std::uint64_t now) {
        stored* found = nullptr;
        std::size_t index = 0;
        for (std::size_t i = 0; i < records_.size(); ++i)
            if (constant_time_equal(records_[i].request.device_code, device_code)) {
                found = &records_[i];
                index = i;
            }
        if (found == nullptr || found->spent) return outcome<record_type>::reject();
        const record_type before{found->request.client_id,
                                 found->state,
                                 {found->username, found->email_address},
                                 found->request.scope,
                                 found->request.expires_at,
                                 found->last_poll,
                                 found->request.interval,
                                 index};
        found->last_poll = now;
        return outcome<record_type>::accept(before);
    }

    template <class Token>
    [[nodiscard]] outcome_status redeem_device_code(const record_type& record, const Token& tokens) {
        if (record.index >= records_.size()) return outcome_status::failed;
        stored& r = records_[record.index];
        if (r.spent) return outcome_status::rejected;
        if (failing_writes_) return outcome_status::failed;
        r.spent = true;
        r.access_token = std::string(tokens.access_token());
        return outcome_status::accepted;
    }

private:
    struct stored {
        memory_device_authorization request;
        device_authorization_state state;
        std::string username;
        std::string email_address;
        std::optional<std::uint64_t> last_poll;
        bool spent;
        std::string access_token;
    };

    stored* find(std::string_view device_code) noexcept {
        for (auto& r : records_)
            if (r.request.device_code == device_code) return &r;
        return nullptr;
    }

    std::deque<stored> records_;  // a deque: adding never moves the strings records point into
    bool failing_writes_ = false;
};

static_assert(client_store<memory_client_store>);
static_assert(refresh_token_store<memory_refresh_token_store, memory_client, token_view>);
static_assert(user_store<memory_user_store>);
static_assert(token_issuer<fixed_token_issuer, memory_client, memory_user>);
static_assert(token_issuer<fixed_token_issuer, memory_client, no_user>);
static_assert(token_maker<fixed_token_issuer, memory_client, memory_user>);
static_assert(authorization_code_store<memory_authorization_code_store, token_view>);
static_assert(device_code_store<memory_device_code_store, token_view>);

// A client as the authorization endpoint finds it (authorization_request.hpp): views into
// the registry's record.
struct memory_registered_client {
    std::string_view id;
    const std::vector<std::string>* uris = nullptr;
    std::string_view grant_types;  // space-separated
    std::string_view scopes;       // space-separated scope tokens it may ask for; empty: any
    bool public_client = false;

    [[nodiscard]] const std::vector<std::string>& redirect_uris() const noexcept { return *uris; }
    [[nodiscard]] bool is_public() const noexcept { return public_client; }
    [[nodiscard]] constexpr bool allows_grant(std::string_view grant_type) const noexcept {
        return scope_has_token(grant_types, grant_type);
    }
    [[nodiscard]] constexpr bool allows_scope(std::string_view scope_token) const noexcept {
        return scopes.empty() || scope_has_token(scopes, scope_token);
    }
};

// Registered clients in memory, found by id: the client_registry of the authorization
// endpoint (the token endpoint's memory_client_store authenticates the same clients).
class memory_client_registry {
public:
    using client_type = memory_registered_client;

    // redirect_uris: the client's registered redirect URIs (RFC 6749 3.1.2.2), compared
    // exactly; grant_types and scopes: space-separated lists; is_public: RFC 6749 2.1.
    void add(std::string id, std::vector<std::string> redirect_uris, std::string grant_types = "authorization_code",
             std::string scopes = {}, bool is_public = false) {
        records_.push_back(
            {std::move(id), std::move(redirect_uris), std::move(grant_types), std::move(scopes), is_public});
    }

    [[nodiscard]] outcome<client_type> find_client(std::string_view client_id) const {
        for (const record& r : records_)
            if (detail::bytes_equal(r.id, client_id))
                return outcome<client_type>::accept({r.id, &r.redirect_uris, r.grant_types, r.scopes, r.is_public});
        return outcome<client_type>::reject();
    }

private:
    struct record {
        std::string id;
        std::vector<std::string> redirect_uris;
        std::string grant_types;
        std::string scopes;
        bool is_public;
    };

    std::deque<record> records_;  // a deque: adding never moves the records clients point into
};

static_assert(client_registry<memory_client_registry>);

// An issued token as revocation and introspection find it (token_store.hpp).
struct memory_token {
    token_kind kind = token_kind::access_token;
    std::string token;
    std::string client_id;
    std::string scope;
    std::string username;  // empty when the token has no user (client_credentials)
    std::string subject;   // RFC 7662 2.2 sub; empty when none
    std::uint64_t issued_at = 0;
    std::optional<std::uint64_t> expires_at;  // in the seconds of the clock; nullopt: never
    std::string refresh_token;                // for an access token: the refresh token it was issued with, if any
};

// Issued tokens in memory. Revoking a refresh token revokes the access tokens issued with
// it (RFC 7009 2.1); a revoked token is not found any more.
class memory_token_store {
public:
    struct record_type {
        std::size_t index = 0;
        token_kind kind = token_kind::access_token;
        std::string_view client;
        std::string_view granted_scope;
        std::string_view user;
        std::string_view sub;
        std::uint64_t issued = 0;
        std::optional<std::uint64_t> expiry;

        [[nodiscard]] std::string_view client_id() const noexcept { return client; }
        [[nodiscard]] std::string_view scope() const noexcept { return granted_scope; }
        [[nodiscard]] std::string_view username() const noexcept { return user; }
        [[nodiscard]] std::string_view subject() const noexcept { return sub; }
        // RFC 7662 2.2 token_type, as the token response named it (RFC 6749 5.1); refresh
        // tokens have none.
        [[nodiscard]] std::string_view token_type() const noexcept {
            return kind == token_kind::access_token ? "bearer" : "";
        }
        [[nodiscard]] std::optional<std::uint64_t> issued_at() const noexcept { return issued; }
        [[nodiscard]] std::optional<std::uint64_t> expires_at() const noexcept { return expiry; }
    };

    void add(memory_token token) { records_.push_back({std::move(token), false}); }
    [[nodiscard]] bool revoked(std::string_view token) const noexcept {
        for (const auto& r : records_)
            if (r.token.token == token) return r.revoked;
        return false;
    }

    // The token is compared in constant time, with every record's of that kind.
    [[nodiscard]] outcome<record_type> find_token(std::string_view token, token_kind kind) const {
        const stored* found = nullptr;
        std::size_t index = 0;
        for (std::size_t i = 0; i < records_.size(); ++i) {
            const stored& r = records_[i];
            if (r.token.kind == kind && constant_time_equal(r.token.token, token)) {
                found = &r;
                index = i;
            }
        }
        if (found == nullptr || found->revoked) return outcome<record_type>::reject();
        const memory_token& t = found->token;
        return outcome<record_type>::accept(
            {index, t.kind, t.client_id, t.scope, t.username, t.subject, t.issued_at, t.expires_at});
    }

    [[nodiscard]] outcome_status revoke_token(const record_type& record) {
        if (record.index >= records_.size()) return outcome_status::failed;
        stored& r = records_[record.index];
        r.revoked = true;
        if (r.token.kind == token_kind::refresh_token)
            for (stored& other : records_)
                if (other.token.kind == token_kind::access_token && other.token.refresh_token == r.token.token)
                    other.revoked = true;
        return outcome_status::accepted;
    }

private:
    struct stored {
        memory_token token;
        bool revoked;
    };

    std::deque<stored> records_;  // a deque: adding never moves the strings records point into
};

static_assert(revocable_token_store<memory_token_store>);
static_assert(introspection_record<memory_token_store::record_type>);

// Starts device authorization requests (device_authorization.hpp) and records them in a
// memory_device_code_store, where the device_code grant finds them: a device code of 32
// random bytes (base64url), a user code of the format from random bytes
// (write_user_code), both from the random source the owner passes (its CSPRNG: e.g.
// libsodium's randombytes_buf). Time is a number the owner advances (set_now).
class memory_device_authorization_issuer {
public:
    struct codes_type {
        std::string_view device;
        std::string_view user;
        std::uint64_t lifetime = 0;
        std::uint64_t poll_interval = 0;

        [[nodiscard]] std::string_view device_code() const noexcept { return device; }
        [[nodiscard]] std::string_view user_code() const noexcept { return user; }
        [[nodiscard]] std::uint64_t expires_in() const noexcept { return lifetime; }
        [[nodiscard]] std::uint64_t interval() const noexcept { return poll_interval; }
    };
    // Fills `size` bytes at `dest` with random bytes.
    using random_source = std::function<void(unsigned char* dest, std::size_t size)>;

    memory_device_authorization_issuer(memory_device_code_store& devices, random_source random,
                                       user_code_format format = {}, std::uint64_t lifetime = 600,
                                       std::uint64_t interval = 5)
        : devices_(devices), random_(std::move(random)), format_(format), lifetime_(lifetime), interval_(interval) {}

    void set_now(std::uint64_t now) noexcept { now_ = now; }

    // The device code a user code names, as the verification page looks it up from what
    // the user typed (normalize_user_code: any case, dashes or not); empty when none.
    [[nodiscard]] std::string_view device_code_for(std::string_view typed) const {
        std::array<char, max_user_code_length> compact{};
        const std::size_t size = normalize_user_code(typed, format_, compact.data(), compact.size());
        if (size != format_.length) return {};
        const std::string_view wanted(compact.data(), size);
        for (const auto& r : records_)
            if (constant_time_equal(r.compact_user_code, wanted)) return r.device_code;
        return {};
    }

    template <class Client>
    [[nodiscard]] outcome<codes_type> start_device_authorization(const Client& client, std::string_view scope) {
        std::array<unsigned char, 32> device_bytes{};
        random_(device_bytes.data(), device_bytes.size());
        std::string device(base64url_encoded_size(device_bytes.size()), '\0');
        encode_base64url(std::string_view(reinterpret_cast<const char*>(device_bytes.data()), device_bytes.size()),
                         device.data());
        std::string user(user_code_size(format_), '\0');
        std::array<unsigned char, 4 * max_user_code_length> user_bytes{};
        random_(user_bytes.data(), user_bytes.size());
        const auto written = write_user_code(
            format_, std::string_view(reinterpret_cast<const char*>(user_bytes.data()), user_bytes.size()),
            user.data());
        if (!written) return outcome<codes_type>::fail();
        std::string compact(format_.length, '\0');
        (void)normalize_user_code(user, format_, compact.data(), compact.size());
        // An interval of 0 is not sent, and the client then waits 5 seconds (RFC 8628 3.2):
        // the record holds the 5 that polls are held to (slow_down), not 0.
        devices_.add(
            {device, std::string(client.id), std::string(scope), now_ + lifetime_, interval_ == 0 ? 5 : interval_});
        records_.push_back({std::move(device), std::move(user), std::move(compact)});
        const record& r = records_.back();
        return outcome<codes_type>::accept({r.device_code, r.user_code, lifetime_, interval_});
    }

private:
    struct record {
        std::string device_code;
        std::string user_code;
        std::string compact_user_code;
    };

    memory_device_code_store& devices_;
    random_source random_;
    user_code_format format_;
    std::uint64_t lifetime_;
    std::uint64_t interval_;
    std::uint64_t now_ = 0;
    std::deque<record> records_;  // a deque: adding never moves the strings codes point into
};

static_assert(device_authorization_issuer<memory_device_authorization_issuer, memory_client>);

}  // namespace oauthcore
