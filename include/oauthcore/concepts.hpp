#pragma once
// The plug-in interfaces: what a host provides so that oauthcore can finish a token
// request. Each is a C++20 concept with one requirement per member, so that a type
// that does not model it gets a compiler error naming the missing member.
//
// Stores answer with an outcome<T>: accepted (with a value), rejected (the credentials
// do not match; the client is told), or failed (the store itself could not answer:
// the client gets 500 server_error and nothing more).

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "oauthcore/grant.hpp"

namespace oauthcore {

enum class outcome_status : unsigned char { accepted, rejected, failed };

template <class T>
class outcome {
public:
    // Copied or moved once, from the argument into the outcome (a by-value parameter
    // would be one more copy of a token on every request).
    [[nodiscard]] static constexpr outcome accept(const T& value) { return outcome(std::in_place, value); }
    [[nodiscard]] static constexpr outcome accept(T&& value) { return outcome(std::in_place, std::move(value)); }
    [[nodiscard]] static constexpr outcome reject() noexcept { return outcome(outcome_status::rejected); }
    [[nodiscard]] static constexpr outcome fail() noexcept { return outcome(outcome_status::failed); }

    [[nodiscard]] constexpr outcome_status status() const noexcept { return status_; }
    [[nodiscard]] constexpr bool accepted() const noexcept { return status_ == outcome_status::accepted; }
    [[nodiscard]] constexpr const T& value() const noexcept {
        if (!value_) detail::contract_violation();
        return *value_;
    }

private:
    template <class U>
    constexpr outcome(std::in_place_t, U&& value)
        : value_(std::in_place, std::forward<U>(value)), status_(outcome_status::accepted) {}
    constexpr explicit outcome(outcome_status status) noexcept : status_(status) {}

    std::optional<T> value_;
    outcome_status status_;
};

// What a transport adapter provides. Example model:
//   struct my_request {
//       std::string_view method() const;                       // "POST"
//       std::string_view target() const;                       // "/v2/marketing/oauth/token"
//       std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive name
//       std::string_view body() const;
//   };
template <class R>
concept request_source = requires(const R& request, std::string_view name) {
    { request.method() } -> std::convertible_to<std::string_view>;
    { request.target() } -> std::convertible_to<std::string_view>;
    { request.header(name) } -> std::convertible_to<std::optional<std::string_view>>;
    { request.body() } -> std::convertible_to<std::string_view>;
};

// An authenticated client says which grant types it may use (OWASP ASVS: enable the
// password grant per client). Example: `bool allows_grant(std::string_view) const;`
template <class C>
concept authenticated_client = requires(const C& client, std::string_view grant_type) {
    { client.allows_grant(grant_type) } -> std::convertible_to<bool>;
};

// Example model: memory_client_store in memory_stores.hpp.
//   using client_type = ...;  // models authenticated_client
//   outcome<client_type> authenticate_client(std::string_view id, std::string_view secret);
// Compare the secret in constant time (constant_time_equal) and spend the same time on
// an unknown id as on a wrong secret.
template <class S>
concept client_store = requires(S& store, std::string_view id, std::string_view secret) {
    typename S::client_type;
    requires authenticated_client<typename S::client_type>;
    { store.authenticate_client(id, secret) } -> std::same_as<outcome<typename S::client_type>>;
};

// Example model: memory_user_store in memory_stores.hpp.
//   using user_type = ...;
//   outcome<user_type> authenticate_user(user_identifier who, std::string_view password);
// An unknown user and a wrong password must be indistinguishable: both reject().
template <class S>
concept user_store = requires(S& store, user_identifier who, std::string_view password) {
    typename S::user_type;
    { store.authenticate_user(who, password) } -> std::same_as<outcome<typename S::user_type>>;
};

// A token the issuer made (RFC 6749 5.1). Tokens must be VSCHAR (%x20-7E, RFC 6749
// Appendix A); an empty refresh_token or scope is left out of the response.
template <class T>
concept issued_token = requires(const T& token) {
    { token.access_token() } -> std::convertible_to<std::string_view>;
    { token.expires_in() } -> std::convertible_to<std::optional<std::uint64_t>>;
    { token.refresh_token() } -> std::convertible_to<std::string_view>;
    { token.scope() } -> std::convertible_to<std::string_view>;
};

// Example model: fixed_token_issuer in memory_stores.hpp.
//   using token_type = ...;  // models issued_token
//   outcome<token_type> issue_token(const Client&, const User&, std::string_view requested_scope);
template <class I, class Client, class User>
concept token_issuer = requires(I& issuer, const Client& client, const User& user, std::string_view scope) {
    typename I::token_type;
    requires issued_token<typename I::token_type>;
    { issuer.issue_token(client, user, scope) } -> std::same_as<outcome<typename I::token_type>>;
};

// Told of every failed client and user authentication, so that the host can count and
// lock out (RFC 6749 4.3.2 requires protection against brute force; the counting is
// the host's). The password and secret are never passed on.
template <class O>
concept authentication_observer = requires(O& observer, std::string_view client_id, user_identifier who) {
    observer.client_authentication_failed(client_id);
    observer.user_authentication_failed(client_id, who);
};

struct null_observer {
    constexpr void client_authentication_failed(std::string_view /*client_id*/) noexcept {}
    constexpr void user_authentication_failed(std::string_view /*client_id*/, user_identifier /*who*/) noexcept {}
};

static_assert(authentication_observer<null_observer>);

}  // namespace oauthcore
