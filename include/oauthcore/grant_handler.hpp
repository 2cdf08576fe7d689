#pragma once
// The building blocks every grant shares after its parameters are valid: checking the
// store outcomes in a fixed way, the scope hook, turning the issuer's token into the
// response, and the concept a grant handler models (see endpoint.hpp for the endpoint
// that dispatches to handlers, and password_grant.hpp / refresh_grant.hpp for two).

#include <concepts>
#include <string_view>
#include <type_traits>

#include "oauthcore/concepts.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/grant.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/scope.hpp"
#include "oauthcore/storage.hpp"

namespace oauthcore {

// The client store's answer: rejected is 401 invalid_client (the observer is told),
// failed is 500, and an accepted client must allow the grant type, else 400
// unauthorized_client.
template <authenticated_client Client, class Observer>
[[nodiscard]] constexpr result<void> check_client_outcome(const outcome<Client>& client,
                                                          const client_authentication& authentication,
                                                          std::string_view grant_type, Observer& observer) {
    switch (client.status()) {
        case outcome_status::failed: return fail(reason::client_store_failure);
        case outcome_status::rejected:
            observer.client_authentication_failed(authentication.credentials.id);
            return fail(reason::client_rejected);
        case outcome_status::accepted: break;
    }
    if (!client.value().allows_grant(grant_type)) return fail(reason::unauthorized_client);
    return {};
}

// The user store's answer: rejected is 401 invalid_client or 400 invalid_grant by
// profile (the observer is told), failed is 500.
template <class User, class Observer>
[[nodiscard]] constexpr result<void> check_user_outcome(const outcome<User>& user, std::string_view client_id,
                                                        const user_identifier& who, Observer& observer) {
    switch (user.status()) {
        case outcome_status::failed: return fail(reason::user_store_failure);
        case outcome_status::rejected:
            observer.user_authentication_failed(client_id, who);
            return fail(reason::user_rejected);
        case outcome_status::accepted: break;
    }
    return {};
}

namespace detail {

// True when Client declares anything named allows_scope: a function, an overload set, a
// template or a data member. A class deriving from Client and from a class that has the
// name finds the name ambiguous exactly then. (A final class cannot be derived from; for
// one, only a single non-template member is seen.)
struct allows_scope_probe {
    int allows_scope;
};
template <class Client>
struct allows_scope_lookup : Client, allows_scope_probe {};
template <class Client>
[[nodiscard]] constexpr bool declares_allows_scope() noexcept {
    if constexpr (std::is_final_v<Client>) return requires {
            &Client::allows_scope;
        };
    else
        return !requires { &allows_scope_lookup<Client>::allows_scope; };
}

}  // namespace detail

// The scope hook (RFC 6749 3.3: the server may fully or partially ignore or refuse the
// requested scope). A client type that has `bool allows_scope(std::string_view token)
// const` is asked about each requested token; a refused one is 400 invalid_scope. A
// client type without it accepts any scope, and the issuer may still narrow it; a member
// of that name with another signature does not compile (static_assert), since silently
// skipping it would accept every scope.
template <class Client>
[[nodiscard]] constexpr result<void> check_scope_allowed(const Client& client, std::string_view scope) {
    constexpr bool callable = requires {
        { client.allows_scope(scope) } -> std::convertible_to<bool>;
    };
    static_assert(callable || !detail::declares_allows_scope<Client>(),
                  "oauthcore: a client's allows_scope must be callable on a const client with (std::string_view) "
                  "and return bool");
    if constexpr (callable) {
        bool allowed = true;
        for_each_scope_token(scope, [&](std::string_view token) { allowed = allowed && client.allows_scope(token); });
        if (!allowed) return fail(reason::scope_not_allowed, parameter::scope);
    }
    return {};
}

template <issued_token Token>
[[nodiscard]] constexpr token_fields fields_of(const Token& token) {
    token_fields fields;
    fields.access_token = token.access_token();
    fields.expires_in = token.expires_in();
    fields.refresh_token = token.refresh_token();
    fields.scope = token.scope();
    return fields;
}

// The response for the issuer's outcome: 200 with the token, or 500. The granted scope
// is sent only when it differs from the one the client requested (RFC 6749 5.1: scope is
// OPTIONAL if identical, REQUIRED otherwise).
template <issued_token Token, class Storage>
[[nodiscard]] constexpr response make_issuer_response(const outcome<Token>& token, Storage& storage,
                                                      const endpoint_options& options = {},
                                                      std::string_view requested_scope = {}) {
    if (!token.accepted()) return make_error_response(error{reason::issuer_failure}, storage, options.responses());
    token_fields fields = fields_of(token.value());
    if (fields.scope == requested_scope) fields.scope = {};
    return make_token_response(fields, storage, options.responses());
}

// What a grant handler works with once the client is authenticated and allowed the grant.
template <class Client, class Observer>
struct grant_context {
    const client_authentication& authentication;
    const Client& client;
    response_storage& storage;
    const endpoint_options& options;
    Observer& observer;

    [[nodiscard]] response fail_with(error e) const { return make_error_response(e, storage, options.responses()); }

    template <issued_token Token>
    [[nodiscard]] response respond_with(const outcome<Token>& token, std::string_view requested_scope) const {
        return make_issuer_response(token, storage, options, requested_scope);
    }
};

// A grant handler for clients of type Client. Example model: password_grant.
//   static constexpr std::string_view grant_type = "password";
//   using request_type = ...;  // the grant's parameters, plain values
//   result<request_type> validate(const form_fields&, request_storage&) const;   // syntax only, no I/O
//   template <class Client, class Observer>
//   response respond(const request_type&, const grant_context<Client, Observer>&);  // stores, issuer
// validate runs before the client store is asked (steps 9-10 of the order of checks);
// respond runs after the client is authenticated and allowed the grant type.
template <class G, class Client>
concept grant_handler_for = requires(G& grant, const G& const_grant, const form_fields& fields,
                                     request_storage& storage, const typename G::request_type& request,
                                     const grant_context<Client, null_observer>& context) {
    { G::grant_type } -> std::convertible_to<std::string_view>;
    { const_grant.validate(fields, storage) } -> std::same_as<result<typename G::request_type>>;
    { grant.respond(request, context) } -> std::same_as<response>;
};

}  // namespace oauthcore
