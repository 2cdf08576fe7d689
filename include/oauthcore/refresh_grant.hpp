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
//  4. rotation: the store revokes the refresh token, atomically, so that it is good for
//     exactly one refresh (RFC 9700 4.14.2 recommends rotation; a concurrent or later
//     reuse finds it revoked: 400 invalid_grant);
//  5. the issuer makes the new access token and, normally, a new refresh token.
// Rotation is the default; refresh_options::rotate = false keeps refresh tokens
// reusable until they expire (then the issuer should hand back the same refresh token).
//
// An observer that also has `void refresh_token_rejected(std::string_view client_id)` is
// told of every refresh token refused in steps 1 and 4. A rotated token presented again
// is the sign of a stolen token that RFC 9700 4.14.2 describes: the host may then revoke
// the user's other tokens, and count guesses as it counts failed passwords. Observers
// without the member are not asked for it; a member of that name with another signature
// does not compile (static_assert), rather than being silently skipped.

#include <concepts>
#include <string_view>
#include <type_traits>

#include "oauthcore/concepts.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/scope.hpp"

namespace oauthcore {

inline constexpr std::string_view refresh_token_grant_type = "refresh_token";

// What a refresh token was issued for: the user it stands for and the scope granted.
template <class R>
concept refresh_token_record = requires(const R& record) {
    record.user();
    { record.scope() } -> std::convertible_to<std::string_view>;
};

// Example model: memory_refresh_token_store in memory_stores.hpp.
//   using record_type = ...;  // models refresh_token_record
//   outcome<record_type> find_refresh_token(const Client&, std::string_view token);
//       rejected: unknown, expired, revoked, or issued to another client
//   outcome_status rotate_refresh_token(const record_type&);
//       accepted: revoked now; rejected: somebody revoked it first; failed: store error
template <class S, class Client>
concept refresh_token_store = requires(S& store, const Client& client, std::string_view token,
                                       const typename S::record_type& record) {
    requires refresh_token_record<typename S::record_type>;
    { store.find_refresh_token(client, token) } -> std::same_as<outcome<typename S::record_type>>;
    { store.rotate_refresh_token(record) } -> std::same_as<outcome_status>;
};

struct refresh_parameters {
    std::string_view refresh_token;
    std::string_view scope;  // normalized; empty when not requested
};

// refresh_token given (400 invalid_request), then scope syntax (400 invalid_scope).
template <class Storage>
[[nodiscard]] constexpr result<refresh_parameters> validate_refresh_parameters(const form_fields& fields,
                                                                               Storage& storage) noexcept {
    if (!fields.given(parameter::refresh_token)) return fail(reason::missing_refresh_token);
    const auto scope = normalize_scope(fields.value(parameter::scope), storage);
    if (!scope) return unexpected<error>(scope.error());
    return refresh_parameters{fields.value(parameter::refresh_token), *scope};
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

struct refresh_options {
    bool rotate = true;
};

template <class Store, class Issuer>
class refresh_token_grant {
public:
    static constexpr std::string_view grant_type = refresh_token_grant_type;
    using request_type = refresh_parameters;

    refresh_token_grant(Store& store, Issuer& issuer, refresh_options options = {}) noexcept
        : store_(store), issuer_(issuer), options_(options) {}

    [[nodiscard]] result<request_type> validate(const form_fields& fields, request_storage& storage) const noexcept {
        return validate_refresh_parameters(fields, storage);
    }

    template <class Client, class Observer>
    requires refresh_token_store<Store, Client>
    [[nodiscard]] response respond(const request_type& request, const grant_context<Client, Observer>& context) {
        const auto record = store_.find_refresh_token(context.client, request.refresh_token);
        switch (record.status()) {
            case outcome_status::failed: return context.fail_with(error{reason::refresh_store_failure});
            case outcome_status::rejected: return rejected(context);
            case outcome_status::accepted: break;
        }
        const std::string_view original = record.value().scope();
        if (!request.scope.empty() && (original.empty() || !scope_includes(original, request.scope)))
            return context.fail_with(error{reason::scope_exceeds_grant, parameter::scope});
        const std::string_view scope = request.scope.empty() ? original : request.scope;
        if (const auto allowed = check_scope_allowed(context.client, scope); !allowed)
            return context.fail_with(allowed.error());
        if (options_.rotate) {
            switch (store_.rotate_refresh_token(record.value())) {
                case outcome_status::failed: return context.fail_with(error{reason::refresh_store_failure});
                case outcome_status::rejected: return rejected(context);
                case outcome_status::accepted: break;
            }
        }
        return context.respond_with(issuer_.issue_token(context.client, record.value().user(), scope), request.scope);
    }

private:
    template <class Client, class Observer>
    [[nodiscard]] static response rejected(const grant_context<Client, Observer>& context) {
        notify_refresh_token_rejected(context.observer, context.authentication.credentials.id);
        return context.fail_with(error{reason::refresh_token_rejected});
    }

    Store& store_;
    Issuer& issuer_;
    refresh_options options_;
};

}  // namespace oauthcore
