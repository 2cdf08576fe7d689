#pragma once
// Composition: the order of checks, the token endpoint over a compile-time set of grant
// handlers, the one-call handle_token_request for the vendor's password endpoint, and
// the staged API for asynchronous hosts.
//
// The order of checks. Every request runs down this list and stops at the first
// failure, so the same input always yields the same error:
//   1. method is POST                                    405 invalid_request
//   2. no query in the request target                    400 invalid_request
//   3. Content-Type is application/x-www-form-urlencoded 400 invalid_request
//   4. body within max_body_bytes                        400 invalid_request
//   5. form, left to right: parameter count, name/value  400 invalid_request
//      size, a recognised parameter repeated
//   6. client credentials (grant.hpp, select_client_credentials):
//      Basic header and body credentials together        400 invalid_request
//      Authorization header too large, not Basic,        401 invalid_client
//      malformed, or with an empty client id
//      body credentials while not allowed                401 invalid_client
//      no client authentication                          401 invalid_client
//   7. grant_type given                                  400 invalid_request
//   8. grant_type is one of the endpoint's grants        400 unsupported_grant_type
//   9. the grant's parameters; for password:
//      exactly one of username, email_address            400 invalid_request
//      password given                                    400 invalid_request
//      scope syntax (RFC 6749 3.3)                       400 invalid_scope
//  --- no store has been asked anything yet (validate_token_request ends here) ---
//  10. client store: rejected                            401 invalid_client
//                    failed                              500 server_error
//  11. client may use the grant type                     400 unauthorized_client
//  12. the grant's own steps; for password:
//      the client's scope hook                           400 invalid_scope
//      user store: rejected                              401 invalid_client (social_id)
//                                                        400 invalid_grant (rfc6749)
//                  failed                                500 server_error
//      (refresh_token: see refresh_grant.hpp)
//  13. token issuer: failed, or a token outside VSCHAR    500 server_error
//  14. 200 with the token
// Syntax is checked before any store is asked, so malformed requests cost no database
// work, and the client is authenticated before the user's password is looked at.

#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

#include "oauthcore/basic_auth.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/grant.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/storage.hpp"
#include "oauthcore/transport.hpp"

namespace oauthcore {

// A request after steps 1-6: its recognised parameters and its client credentials.
struct client_request {
    form_fields fields;
    client_authentication client;
};

namespace detail {

// parse_client_request's work, into `out` (as constructed); false with `failure` set on
// an error (see filled).
template <class Storage>
[[nodiscard]] constexpr bool parse_client_request_into(const request_view& request, Storage& storage,
                                                       const endpoint_options& options, client_request& out,
                                                       error& failure) noexcept {
    if (const auto transport = check_transport(request); !transport) {
        failure = transport.error();
        return false;
    }
    // The form's values and the Basic credentials share `storage`, whose heap block, once
    // made, cannot grow: so both bounds are announced before the first byte is taken (the
    // form's raw body; at most twice the header for the credentials and their decoded id
    // and secret), each within its limit. The parsers announce theirs again, which only
    // makes a needed heap block larger.
    const auto at_most = [](std::size_t n, std::size_t limit) { return n < limit ? n : limit; };
    const std::size_t header_bound =
        request.authorization ? at_most(request.authorization->size(), options.basic.max_header_bytes) : 0;
    storage.expect_more(at_most(request.body.size(), options.limits.max_body_bytes) + 2 * header_bound);
    if (!parse_form_into(request.body, storage, options.limits, out.fields, failure)) return false;
    return select_client_credentials_into(request.authorization, out.fields, options.allow_body_client_auth, storage,
                                          options.basic, out.client, failure);
}

}  // namespace detail

// Steps 1-6. The result's views point into the request and into `storage`.
template <class Storage>
[[nodiscard]] constexpr result<client_request> parse_client_request(const request_view& request, Storage& storage,
                                                                    const endpoint_options& options = {}) noexcept {
    return detail::filled<client_request>([&](client_request& out, error& failure) {
        return detail::parse_client_request_into(request, storage, options, out, failure);
    });
}

// Builds the request_view of a request_source.
template <request_source R>
[[nodiscard]] constexpr request_view view_of(const R& request) {
    return request_view{request.method(), request.target(), request.header("Content-Type"),
                        request.header("Authorization"), request.body()};
}

// A token endpoint over a set of grant handlers fixed at compile time. It reads
// grant_type once and dispatches to the handler of that name; a grant type outside the
// set is unsupported_grant_type. Example:
//   oauthcore::password_grant password{users, issuer};
//   oauthcore::refresh_token_grant refresh{refresh_tokens, issuer};
//   oauthcore::token_endpoint endpoint{clients, options, password, refresh};
//   oauthcore::response r = endpoint.handle(request, storage);
template <client_store Clients, class... Grants>
requires(sizeof...(Grants) > 0 &&
         (grant_handler_for<Grants, typename Clients::client_type> && ...)) class token_endpoint {
public:
    token_endpoint(Clients& clients, const endpoint_options& options, Grants&... grants) noexcept
        : clients_(clients), options_(options), grants_(grants...) {}

    [[nodiscard]] const endpoint_options& options() const noexcept { return options_; }

    // The whole exchange: request in, response out. The response's views point into
    // `storage` (and static strings), valid until its next reset().
    template <request_source R, authentication_observer Observer = null_observer>
    [[nodiscard]] response handle(const R& request, exchange_storage& storage, Observer&& observer = {}) {
        storage.reset();
        const auto parsed = parse_client_request(view_of(request), storage.request, options_);
        if (!parsed) return fail_with(parsed.error(), storage);
        if (!parsed->fields.given(parameter::grant_type)) return fail_with(error{reason::missing_grant_type}, storage);

        return dispatch<0>(parsed->fields.value(parameter::grant_type), *parsed, storage, observer);
    }

private:
    response fail_with(error e, exchange_storage& storage) const {
        return make_error_response(e, storage.response, options_.responses());
    }

    // grant_type is compared with each handler's name in the order the handlers were
    // given; the response is built in place by the one that matches (no copy of it).
    template <std::size_t I, class Observer>
    response dispatch(std::string_view grant_type, const client_request& parsed, exchange_storage& storage,
                      Observer& observer) {
        if constexpr (I == sizeof...(Grants)) {
            return fail_with(error{reason::unsupported_grant_type}, storage);
        } else {
            using Grant = std::tuple_element_t<I, std::tuple<Grants...>>;
            if (detail::bytes_equal(grant_type, Grant::grant_type))
                return run_grant(std::get<I>(grants_), parsed, storage, observer);
            return dispatch<I + 1>(grant_type, parsed, storage, observer);
        }
    }

    template <class Grant, class Observer>
    response run_grant(Grant& grant, const client_request& parsed, exchange_storage& storage, Observer& observer) {
        const auto request = grant.validate(parsed.fields, storage.request);
        if (!request) return fail_with(request.error(), storage);
        const auto& credentials = parsed.client.credentials;
        const auto client = clients_.authenticate_client(credentials.id, credentials.secret);
        if (const auto checked = check_client_outcome(client, parsed.client, Grant::grant_type, observer); !checked)
            return fail_with(checked.error(), storage);
        const grant_context<typename Clients::client_type, Observer> context{parsed.client, client.value(),
                                                                             storage.response, options_, observer};
        return grant.respond(*request, context);
    }

    Clients& clients_;
    endpoint_options options_;
    std::tuple<Grants&...> grants_;
};

// The vendor's endpoint in one call: the password grant alone, with synchronous stores.
template <request_source R, client_store Clients, user_store Users, class Issuer,
          authentication_observer Observer = null_observer>
requires token_issuer<Issuer, typename Clients::client_type, typename Users::user_type>
[[nodiscard]] response handle_token_request(const R& request, Clients& clients, Users& users, Issuer& issuer,
                                            exchange_storage& storage, const endpoint_options& options = {},
                                            Observer&& observer = {}) {
    password_grant<Users, Issuer> password{users, issuer};
    token_endpoint<Clients, password_grant<Users, Issuer>> endpoint{clients, options, password};
    return endpoint.handle(request, storage, observer);
}

// The staged API of the password grant, for hosts whose stores answer asynchronously:
//   validate_token_request (steps 1-9, no I/O) -> ask the client store ->
//   check_client_outcome -> check_scope_allowed -> ask the user store ->
//   check_user_outcome -> ask the issuer -> make_issuer_response;
// on any error, make_error_response. The same order as handle_token_request.
template <class Storage>
[[nodiscard]] constexpr result<password_grant_request> validate_token_request(
    const request_view& request, Storage& storage, const endpoint_options& options = {}) noexcept {
    const auto parsed = parse_client_request(request, storage, options);
    if (!parsed) return unexpected<error>(parsed.error());
    return validate_password_grant(parsed->fields, parsed->client, storage);
}

template <authenticated_client Client, authentication_observer Observer = null_observer>
[[nodiscard]] constexpr result<void> check_client_outcome(const outcome<Client>& client,
                                                          const password_grant_request& request,
                                                          Observer&& observer = {}) {
    return check_client_outcome(client, request.client, password_grant_type, observer);
}

template <class User, authentication_observer Observer = null_observer>
[[nodiscard]] constexpr result<void> check_user_outcome(const outcome<User>& user,
                                                        const password_grant_request& request,
                                                        Observer&& observer = {}) {
    return check_user_outcome(user, request.client.credentials.id, request.identifier, observer);
}

}  // namespace oauthcore
