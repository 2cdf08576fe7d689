#pragma once
// The refresh_token grant (RFC 6749 6) as a grant handler:
//
//   grant_type=refresh_token&refresh_token=...[&scope=...]
//
// Checks after the client is authenticated and allowed the grant, in this order:
//  1. the store finds the refresh token, issued to this client, not expired, not
//     revoked (else 400 invalid_grant, in both profiles: RFC 6749 5.2);
//  2. a requested scope does not exceed the scope originally granted (400 invalid_scope;
//     when omitted, the original scope is requested, RFC 6749 6);
//  3. the client's scope hook accepts it (400 invalid_scope);
//  4. the maker makes the new access token and, normally, a new refresh token, and
//     stores nothing (500 when it fails, or makes a token the response could not carry:
//     a token that cannot be sent is never stored);
//  5. the store replaces the refresh token with the new tokens in one atomic operation:
//     the old one revoked and the new ones stored, or neither, so that a refresh token is
//     good for exactly one refresh (rotation, RFC 9700 4.14.2) and a failure loses
//     nothing. A concurrent or later reuse finds it revoked: 400 invalid_grant; a store
//     failure is 500 with the old refresh token still good.
// Whatever fails before step 5 leaves the refresh token as it was. A store that does not
// rotate (RFC 9700 4.14.2 allows it for confidential clients) stores the new tokens and
// leaves the old refresh token live; oauthcore does not tell the two apart.
//
// An observer that also has `void refresh_token_rejected(std::string_view client_id)` is
// told of every refresh token refused in steps 1 and 5. A rotated token presented again
// is the sign of a stolen token that RFC 9700 4.14.2 describes: the host may then revoke
// the user's other tokens, and count guesses as it counts failed passwords. Observers
// without the member are not asked for it; a member of that name with another signature
// does not compile (static_assert), rather than being silently skipped.

#include <concepts>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/concepts.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/scope.hpp"

namespace oauthcore {

inline constexpr std::string_view refresh_token_grant_type = "refresh_token";

// What a refresh token was issued for: the user it stands for and the scope granted.
template <class R>
concept refresh_token_record = requires(const R& record) {
    record.user();
    { record.scope() } -> std::convertible_to<std::string_view>;
};

// Example model: memory_refresh_token_store in memory_stores.hpp. `Token` is the token
// maker's token_type.
//   using record_type = ...;  // models refresh_token_record
//   outcome<record_type> find_refresh_token(const Client&, std::string_view token);
//       rejected: unknown, expired, revoked, or issued to another client
//   outcome_status replace_refresh_token(const record_type& old, const Token& new_tokens);
//       in one transaction: revoke the old refresh token (and what the host ties to it,
//       its access token say) unless it is revoked already, and store the new tokens.
//       accepted: both done; rejected: somebody revoked it first (a concurrent refresh),
//       nothing stored; failed: the store could not, nothing changed (500).
// Asynchronous forms take a continuation as the last argument and call it with the
// outcome (with the outcome_status for replace_refresh_token).
template <class S, class Client, class Token>
concept refresh_token_store = requires {
    typename S::record_type;
}
&&refresh_token_record<typename S::record_type> &&
    (
        requires(S & store, const Client& client, std::string_view token) {
            { store.find_refresh_token(client, token) } -> std::same_as<outcome<typename S::record_type>>;
        } ||
        requires(S & store, const Client& client, std::string_view token,
                 detail::answer_probe<outcome<typename S::record_type>> then) {
            store.find_refresh_token(client, token, then);
        }) &&
    (
        requires(S & store, const typename S::record_type& record, const Token& tokens) {
            { store.replace_refresh_token(record, tokens) } -> std::same_as<outcome_status>;
        } ||
        requires(S & store, const typename S::record_type& record, const Token& tokens,
                 detail::answer_probe<outcome_status> then) { store.replace_refresh_token(record, tokens, then); });

namespace detail {

template <class S>
using refresh_user_t = std::remove_cvref_t<decltype(std::declval<const typename S::record_type&>().user())>;

// The store, then the maker of the tokens it is handed (for the record's user), then the
// store's replace_refresh_token for the maker's token_type.
template <class S, class Client, class Maker>
constexpr bool check_refresh_token_store() {
    if constexpr (!requires { typename S::record_type; }) {
        static_assert(always_false<S>, "oauthcore: refresh_token_store: the store needs a member type record_type");
        return false;
    } else if constexpr (!refresh_token_record<typename S::record_type>) {
        static_assert(always_false<S>,
                      "oauthcore: refresh_token_store: record_type needs the members user() and scope() "
                      "(refresh_token_record)");
        return false;
    } else if constexpr (!(
                             requires(S & store, const Client& client, std::string_view token) {
                                 {
                                     store.find_refresh_token(client, token)
                                     } -> std::same_as<outcome<typename S::record_type>>;
                             } ||
                             requires(S & store, const Client& client, std::string_view token,
                                      answer_probe<outcome<typename S::record_type>> then) {
                                 store.find_refresh_token(client, token, then);
                             })) {
        static_assert(always_false<S>,
                      "oauthcore: refresh_token_store: the store needs the member find_refresh_token(const Client&, "
                      "std::string_view) returning outcome<record_type>, or taking a continuation as a third "
                      "argument and calling it with one");
        return false;
    } else if constexpr (!check_token_maker<Maker, Client, refresh_user_t<S>>()) {
        return false;
    } else if constexpr (!refresh_token_store<S, Client, typename Maker::token_type>) {
        static_assert(always_false<S>,
                      "oauthcore: refresh_token_store: the store needs the member replace_refresh_token(const "
                      "record_type&, const Token&) returning outcome_status, or taking a continuation as a third "
                      "argument and calling it with one (Token: the token maker's token_type)");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

template <class Asker, class Store, class Client, class Then>
constexpr void ask_find_refresh_token(const Asker& asker, Store& store, const Client& client, std::string_view token,
                                      Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.find_refresh_token(client, token,
                                                                   std::forward<decltype(answer)>(answer)...)) {
            return store.find_refresh_token(client, token, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

template <class Asker, class Store, class Record, class Token, class Then>
constexpr void ask_replace_refresh_token(const Asker& asker, Store& store, const Record& record, const Token& tokens,
                                         Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.replace_refresh_token(record, tokens,
                                                                      std::forward<decltype(answer)>(answer)...)) {
            return store.replace_refresh_token(record, tokens, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

struct refresh_parameters {
    std::string_view refresh_token;
    std::string_view scope;  // normalized; empty when not requested
};

// refresh_token given (400 invalid_request), then scope syntax (400 invalid_scope).
template <class Form, class Storage>
[[nodiscard]] constexpr result<refresh_parameters> validate_refresh_parameters(const Form& form,
                                                                               Storage& storage) noexcept {
    if (!form.given(param<"refresh_token">)) return fail(reason::missing_parameter, param<"refresh_token">);
    const auto scope = normalize_scope(form[param<"scope">], storage);
    if (!scope) return unexpected<error>(scope.error());
    return refresh_parameters{form[param<"refresh_token">], *scope};
}

namespace detail {

// True when Observer declares anything named refresh_token_rejected (see
// declares_allows_scope in grant_handler.hpp for how).
struct refresh_token_rejected_probe {
    int refresh_token_rejected;
};
template <class Observer>
struct refresh_token_rejected_lookup : Observer, refresh_token_rejected_probe {};
template <class Observer>
[[nodiscard]] constexpr bool declares_refresh_token_rejected() noexcept {
    if constexpr (std::is_final_v<Observer>) return requires {
            &Observer::refresh_token_rejected;
        };
    else
        return !requires { &refresh_token_rejected_lookup<Observer>::refresh_token_rejected; };
}

}  // namespace detail

template <class Observer>
constexpr void notify_refresh_token_rejected(Observer& observer, std::string_view client_id) {
    constexpr bool callable = requires { observer.refresh_token_rejected(client_id); };
    // A member of that name that cannot take the client id is a mistake, not an opt-out.
    static_assert(callable || !detail::declares_refresh_token_rejected<std::remove_cv_t<Observer>>(),
                  "oauthcore: an observer's refresh_token_rejected must be callable on the observer as passed "
                  "(a const observer needs a const member) with (std::string_view client_id)");
    if constexpr (callable) observer.refresh_token_rejected(client_id);
}

template <class Store, class Maker>
class refresh_token_grant {
public:
    static constexpr std::string_view grant_type = refresh_token_grant_type;
    using parameters = parameter_list<"refresh_token", "scope">;
    // RFC 6749 6 asks a confidential client to authenticate; a public client refreshes
    // with its client_id (the store finds only its own tokens), and rotation is what
    // RFC 9700 4.14.2 asks for public clients' refresh tokens.
    static constexpr bool allows_public_clients = true;
    using request_type = refresh_parameters;

    refresh_token_grant(Store& store, Maker& maker) noexcept : store_(store), maker_(maker) {}

    template <class Form>
    [[nodiscard]] result<request_type> validate(const Form& form, request_storage& storage) const noexcept {
        return validate_refresh_parameters(form, storage);
    }

    template <class Context>
    void respond(const Context& context) {
        using client_type = std::remove_cvref_t<decltype(context.client())>;
        static_assert(detail::check_refresh_token_store<Store, client_type, Maker>());
        using record_type = typename Store::record_type;
        ask_find_refresh_token(context, store_, context.client(), context.request().refresh_token,
                               [this, context](const outcome<record_type>& record) {
                                   switch (record.status()) {
                                       case outcome_status::failed:
                                           return context.fail(error{reason::refresh_store_failure});
                                       case outcome_status::rejected: return rejected(context);
                                       case outcome_status::accepted: break;
                                   }
                                   found(record.value(), context);
                               });
    }

private:
    // Steps 2-5, with the record the store found.
    template <class Record, class Context>
    void found(const Record& record, const Context& context) {
        using token_type = typename Maker::token_type;
        const std::string_view requested = context.request().scope;
        const std::string_view original = record.scope();
        if (!requested.empty() && (original.empty() || !scope_includes(original, requested)))
            return context.fail(error{reason::scope_exceeds_grant, param<"scope">});
        if (const auto allowed = check_scope_allowed(context.client(), requested.empty() ? original : requested);
            !allowed)
            return context.fail(allowed.error());
        // Without a requested scope, the original one is granted (RFC 6749 6).
        ask_make_token(
            context, maker_, context.client(), record.user(), requested.empty() ? original : requested,
            [this, context, old = context.keep(record)](const outcome<token_type>& made) {
                if (!made.accepted()) return context.fail(error{reason::issuer_failure});
                if (const auto written = context.write_response(made.value(), context.request().scope); !written)
                    return context.fail(written.error());
                ask_replace_refresh_token(context, store_, old.get(), made.value(), [context](outcome_status replaced) {
                    switch (replaced) {
                        case outcome_status::failed: return context.fail(error{reason::refresh_store_failure});
                        case outcome_status::rejected: return rejected(context);
                        case outcome_status::accepted: break;
                    }
                    context.send_written();
                });
            });
    }

    template <class Context>
    static void rejected(const Context& context) {
        notify_refresh_token_rejected(context.observer(), context.authentication().id);
        context.fail(error{reason::refresh_token_rejected});
    }

    Store& store_;
    Maker& maker_;
};

}  // namespace oauthcore
