#pragma once
// The plug-in interfaces: what a host provides so that oauthcore can finish a request,
// and the values it is handed. Each is a C++20 concept; the README has a table of every
// member. Grants and the endpoint check their stores member by member (check_* below), so
// that a store that lacks a member, or returns the wrong type, is a compile error that
// names the concept and the member.
//
// Stores answer with an outcome<T>: accepted (with a value), rejected (the credentials do
// not match; the client is told), or failed (the store itself could not answer: the
// client gets 500 server_error and nothing more).
//
// A store answers now or later. Now: the member returns the outcome. Later: the member
// takes one more argument, a continuation, and calls it exactly once with the outcome,
// from whatever thread or event loop the host chooses; oauthcore then goes on from there
// (endpoint.hpp, token_endpoint::handle_async). The same order of checks runs either way.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/errors.hpp"
#include "oauthcore/result.hpp"

namespace oauthcore {

enum class outcome_status : unsigned char { accepted, rejected, failed };

template <class T>
class outcome {
public:
    using value_type = T;

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

// How the client authenticated, as the client store is asked about it (RFC 6749 2.3).
// `method` is the RFC 7591 name of the method ("client_secret_basic",
// "client_secret_post", "none", or a method the host adds); `secret` is what the method
// carried: the secret, an assertion, or nothing for "none".
struct client_authentication {
    std::string_view method;
    std::string_view id;
    std::string_view secret;
};

// How the vendor's endpoint names a user: exactly one of username or email_address.
enum class identifier_kind : unsigned char { username, email_address };

struct user_identifier {
    identifier_kind kind = identifier_kind::username;
    std::string_view value;
};

// What a transport adapter provides. Example model:
//   struct my_request {
//       std::string_view method() const;                       // "POST"
//       std::string_view target() const;                       // "/v2/marketing/oauth/token"
//       std::optional<std::string_view> header(std::string_view name) const;  // case-insensitive name
//       std::string_view body() const;
//   };
// A header sent more than once is reported once, its values joined with ", " (RFC 9110
// 5.3), which makes a doubled Authorization header malformed, as it should be.
// The endpoints keep views of what these members return, so each returns a view, or a
// reference to text the request holds; one that returns text it owns (a std::string, or
// a std::optional<std::string>, copied out of a header map) does not model the concept:
// that text would be destroyed before it is read.
namespace detail {
// Returned by reference, or a value that owns nothing (a view is trivially copyable; a
// std::string is not).
template <class T>
concept not_owned_text = std::is_reference_v<T> || std::is_trivially_copyable_v<T>;
template <class T>
concept viewed_text = std::convertible_to<T, std::string_view> && not_owned_text<T>;
template <class T>
concept viewed_optional_text = std::convertible_to<T, std::optional<std::string_view>> && not_owned_text<T>;
}  // namespace detail

template <class R>
concept request_source = requires(const R& request, std::string_view name) {
    { request.method() } -> detail::viewed_text;
    { request.target() } -> detail::viewed_text;
    { request.header(name) } -> detail::viewed_optional_text;
    { request.body() } -> detail::viewed_text;
};

// An authenticated client says which grant types it may use (OWASP ASVS: enable the
// password grant per client). Example: `bool allows_grant(std::string_view) const;`
// Optional members: `bool allows_scope(std::string_view token) const` (grant_handler.hpp)
// and `std::string_view authentication_method() const`, the method the client is
// registered for (RFC 7591 token_endpoint_auth_method): when it is not empty, a request
// authenticated by another method is 401 invalid_client.
template <class C>
concept authenticated_client = requires(const C& client, std::string_view grant_type) {
    { client.allows_grant(grant_type) } -> std::convertible_to<bool>;
};

namespace detail {

// A continuation that takes an outcome<T>: what the concepts hand an asynchronous
// store's member to see that it takes one.
template <class Answer>
struct answer_probe {
    void operator()(Answer) const noexcept {}
};

template <class>
inline constexpr bool always_false = false;

// Asks a store a question and calls `then` with its answer: now, with what question()
// returns, or later, when the store calls the continuation question(then) handed it.
// `question` is a generic lambda that passes its arguments on to the store's member (none
// for a store that answers now, the continuation for one that answers later). Later is
// whether the exchange can wait (token_endpoint::handle_async): when it cannot, a store
// that answers later is a compile error rather than a dangling continuation.
template <bool Later>
struct store_asker {
    template <class Question, class Then>
    constexpr void ask(Question&& question, Then&& then) const {
        constexpr bool answers_later = std::is_invocable_v<Question&, Then>;
        static_assert(Later || !answers_later,
                      "oauthcore: a store takes a continuation (it answers later): run the exchange with "
                      "token_endpoint::handle_async, not handle");
        if constexpr (answers_later)
            question(std::forward<Then>(then));
        else
            then(question());
    }
};

}  // namespace detail

// Example model: memory_client_store in memory_stores.hpp.
//   using client_type = ...;  // models authenticated_client
//   outcome<client_type> authenticate_client(const client_authentication& presented);
// Compare the secret in constant time (constant_time_equal) and spend the same time on an
// unknown id as on a wrong secret. For method "none", accept only a client registered as
// public. Asynchronous form: void authenticate_client(const client_authentication&, K then).
template <class S>
concept client_store = requires {
    typename S::client_type;
}
&&authenticated_client<typename S::client_type> &&
    (
        requires(S & store, const client_authentication& presented) {
            { store.authenticate_client(presented) } -> std::same_as<outcome<typename S::client_type>>;
        } ||
        requires(S & store, const client_authentication& presented,
                 detail::answer_probe<outcome<typename S::client_type>> then) {
            store.authenticate_client(presented, then);
        });

// Example model: memory_user_store in memory_stores.hpp.
//   using user_type = ...;
//   outcome<user_type> authenticate_user(user_identifier who, std::string_view password);
// An unknown user and a wrong password must be indistinguishable: both reject().
// Asynchronous form: void authenticate_user(user_identifier, std::string_view, K then).
template <class S>
concept user_store = requires {
    typename S::user_type;
}
&&(
    requires(S& store, user_identifier who, std::string_view password) {
        { store.authenticate_user(who, password) } -> std::same_as<outcome<typename S::user_type>>;
    } ||
    requires(S & store, user_identifier who, std::string_view password,
             detail::answer_probe<outcome<typename S::user_type>> then) {
        store.authenticate_user(who, password, then);
    });

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
//   outcome<token_type> issue_token(const Client&, const User&, std::string_view granted_scope);
// Asynchronous form: void issue_token(const Client&, const User&, std::string_view, K then).
template <class I, class Client, class User>
concept token_issuer = requires {
    typename I::token_type;
}
&&issued_token<typename I::token_type> &&
    (
        requires(I & issuer, const Client& client, const User& user, std::string_view scope) {
            { issuer.issue_token(client, user, scope) } -> std::same_as<outcome<typename I::token_type>>;
        } ||
        requires(I & issuer, const Client& client, const User& user, std::string_view scope,
                 detail::answer_probe<outcome<typename I::token_type>> then) {
            issuer.issue_token(client, user, scope, then);
        });

// Example model: fixed_token_issuer in memory_stores.hpp.
//   using token_type = ...;  // models issued_token
//   outcome<token_type> make_token(const Client&, const User&, std::string_view granted_scope);
//       accept: the new tokens' values (random strings, a signed JWT), stored nowhere yet;
//       reject or fail: 500, and nothing has changed.
// The grants that replace a grant with new tokens (refresh_token, authorization_code,
// device_code) make the tokens first and hand them to their store, which ends the old
// grant and stores them in one operation (ARCHITECTURE.md, "Replacing a grant"). The
// token_issuer, which makes and stores in one call, serves the grants that start a grant
// (password, client_credentials). A host's issuer is usually both: its issue_token is
// make_token and an insert.
// Asynchronous form: void make_token(const Client&, const User&, std::string_view, K then).
template <class M, class Client, class User>
concept token_maker = requires {
    typename M::token_type;
}
&&issued_token<typename M::token_type> &&
    (
        requires(M & maker, const Client& client, const User& user, std::string_view scope) {
            { maker.make_token(client, user, scope) } -> std::same_as<outcome<typename M::token_type>>;
        } ||
        requires(M & maker, const Client& client, const User& user, std::string_view scope,
                 detail::answer_probe<outcome<typename M::token_type>> then) {
            maker.make_token(client, user, scope, then);
        });

// The time, as the grants that compare times read it (the expiry of authorization codes
// and device codes, the device flow's polling interval): a callable returning the
// current time in seconds, in the epoch of the times the host's stores record (Unix
// time, say). oauthcore reads no clock of its own: the host hands one to the grant, and
// a test hands one it sets. Example: `[] { return std::uint64_t(std::time(nullptr)); }`.
template <class C>
concept seconds_clock = std::invocable<C&> && std::convertible_to<std::invoke_result_t<C&>, std::uint64_t>;

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

// Asking the stores: each call goes to the store's member that answers now, or to the one
// that takes a continuation, and `then` gets the outcome either way. `asker` is the grant's
// context (grant_handler.hpp), or the endpoint's own detail::store_asker.
template <class Asker, class Clients, class Then>
constexpr void ask_client_store(const Asker& asker, Clients& clients, const client_authentication& presented,
                                Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(clients.authenticate_client(presented,
                                                                      std::forward<decltype(answer)>(answer)...)) {
            return clients.authenticate_client(presented, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

template <class Asker, class Users, class Then>
constexpr void ask_user_store(const Asker& asker, Users& users, const user_identifier& who, std::string_view password,
                              Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(users.authenticate_user(who, password,
                                                                  std::forward<decltype(answer)>(answer)...)) {
            return users.authenticate_user(who, password, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

template <class Asker, class Issuer, class Client, class User, class Then>
constexpr void ask_issuer(const Asker& asker, Issuer& issuer, const Client& client, const User& user,
                          std::string_view scope, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(issuer.issue_token(client, user, scope,
                                                             std::forward<decltype(answer)>(answer)...)) {
            return issuer.issue_token(client, user, scope, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

template <class Asker, class Maker, class Client, class User, class Then>
constexpr void ask_make_token(const Asker& asker, Maker& maker, const Client& client, const User& user,
                              std::string_view scope, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(maker.make_token(client, user, scope,
                                                           std::forward<decltype(answer)>(answer)...)) {
            return maker.make_token(client, user, scope, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

namespace detail {

// Member by member, with a message that names the concept and the member, so that a
// store that does not model its concept is one clear error. Each returns true, or
// fails a static_assert.
template <class S>
constexpr bool check_client_store() {
    if constexpr (!requires { typename S::client_type; }) {
        static_assert(always_false<S>, "oauthcore: client_store: the store needs a member type client_type");
        return false;
    } else if constexpr (!authenticated_client<typename S::client_type>) {
        static_assert(
            always_false<S>,
            "oauthcore: client_store: client_type needs the member bool allows_grant(std::string_view) const");
        return false;
    } else if constexpr (!client_store<S>) {
        static_assert(always_false<S>,
                      "oauthcore: client_store: the store needs the member authenticate_client(const "
                      "client_authentication&) returning outcome<client_type>, or taking a continuation as a second "
                      "argument and calling it with one");
        return false;
    } else {
        return true;
    }
}

template <class S>
constexpr bool check_user_store() {
    if constexpr (!requires { typename S::user_type; }) {
        static_assert(always_false<S>, "oauthcore: user_store: the store needs a member type user_type");
        return false;
    } else if constexpr (!user_store<S>) {
        static_assert(always_false<S>,
                      "oauthcore: user_store: the store needs the member authenticate_user(user_identifier, "
                      "std::string_view password) returning outcome<user_type>, or taking a continuation as a third "
                      "argument and calling it with one");
        return false;
    } else {
        return true;
    }
}

template <class C>
constexpr bool check_seconds_clock() {
    static_assert(seconds_clock<C>,
                  "oauthcore: seconds_clock: the clock must be callable with no arguments and return the time in "
                  "seconds as std::uint64_t");
    return seconds_clock<C>;
}

template <class I, class Client, class User>
constexpr bool check_token_issuer() {
    if constexpr (!requires { typename I::token_type; }) {
        static_assert(always_false<I>, "oauthcore: token_issuer: the issuer needs a member type token_type");
        return false;
    } else if constexpr (!issued_token<typename I::token_type>) {
        static_assert(always_false<I>,
                      "oauthcore: token_issuer: token_type needs the members access_token(), expires_in(), "
                      "refresh_token() and scope() (issued_token)");
        return false;
    } else if constexpr (!token_issuer<I, Client, User>) {
        static_assert(always_false<I>,
                      "oauthcore: token_issuer: the issuer needs the member issue_token(const Client&, const User&, "
                      "std::string_view scope) returning outcome<token_type>, or taking a continuation as a fourth "
                      "argument and calling it with one");
        return false;
    } else {
        return true;
    }
}

template <class M, class Client, class User>
constexpr bool check_token_maker() {
    if constexpr (!requires { typename M::token_type; }) {
        static_assert(always_false<M>, "oauthcore: token_maker: the maker needs a member type token_type");
        return false;
    } else if constexpr (!issued_token<typename M::token_type>) {
        static_assert(always_false<M>,
                      "oauthcore: token_maker: token_type needs the members access_token(), expires_in(), "
                      "refresh_token() and scope() (issued_token)");
        return false;
    } else if constexpr (!token_maker<M, Client, User>) {
        static_assert(always_false<M>,
                      "oauthcore: token_maker: the maker needs the member make_token(const Client&, const User&, "
                      "std::string_view scope) returning outcome<token_type>, or taking a continuation as a fourth "
                      "argument and calling it with one");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

}  // namespace oauthcore
