#pragma once
// Composition: the order of checks, the staged API for asynchronous hosts, and the
// one-call handle_token_request for synchronous stores.
//
// The order of checks. Every request runs down this list and stops at the first
// failure, so the same input always yields the same error:
//   1. method is POST                                   405 invalid_request
//   2. no query in the request target                   400 invalid_request
//   3. Content-Type is application/x-www-form-urlencoded 400 invalid_request
//   4. body within max_body_bytes                       400 invalid_request
//   5. form, left to right: parameter count, name/value  400 invalid_request
//      size, a recognised parameter repeated
//   6. client credentials (grant.hpp, select_client_credentials):
//      Basic header and body credentials together        400 invalid_request
//      Authorization header too large, not Basic,        401 invalid_client
//      malformed, or with an empty client id
//      body credentials while not allowed                401 invalid_client
//      no client authentication                          401 invalid_client
//   7. grant_type given                                 400 invalid_request
//   8. grant_type is "password"                         400 unsupported_grant_type
//   9. exactly one of username, email_address           400 invalid_request
//  10. password given                                   400 invalid_request
//  --- validate_token_request ends here: no store has been asked anything yet ---
//  11. client store: rejected                           401 invalid_client
//                    failed                             500 server_error
//  12. client may use the password grant                400 unauthorized_client
//  13. user store: rejected                             401 invalid_client (social_id)
//                                                       400 invalid_grant (rfc6749)
//                  failed                               500 server_error
//  14. token issuer: failed, or a token outside VSCHAR   500 server_error
//  15. 200 with the token
// Syntax is checked before any store is asked (steps 1-10), so malformed requests cost
// no database work, and client authentication comes before the user's password
// (RFC 6749 4.3.2 asks for client authentication first).

#include <optional>
#include <string_view>

#include "oauthcore/basic_auth.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/grant.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/storage.hpp"
#include "oauthcore/transport.hpp"

namespace oauthcore {

struct endpoint_options {
    oauthcore::profile profile = profile::social_id;
    form_limits limits{};
    basic_auth_options basic{};
    // RFC 6749 2.3.1 allows client_id/client_secret in the body but says it is NOT
    // RECOMMENDED; the vendor requires Basic. Off by default.
    bool allow_body_client_auth = false;
    std::string_view realm = "oauthcore";

    [[nodiscard]] constexpr response_options responses() const noexcept { return {profile, realm}; }
};

// Everything one request needs besides the request itself. Reuse one per thread, or
// make one per request; it is about 3 KiB.
struct exchange_storage {
    request_storage request;
    response_storage response;

    void reset() noexcept {
        request.reset();
        response.reset();
    }
};

// Steps 1-10. The result's views point into the request and into `storage`.
template <class Storage>
[[nodiscard]] constexpr result<password_grant_request> validate_token_request(
    const request_view& request, Storage& storage, const endpoint_options& options = {}) noexcept {
    if (const auto transport = check_transport(request); !transport) return unexpected<error>(transport.error());
    const auto fields = parse_form(request.body, storage, options.limits);
    if (!fields) return unexpected<error>(fields.error());
    const auto client = select_client_credentials(request.authorization, *fields, options.allow_body_client_auth,
                                                  storage, options.basic);
    if (!client) return unexpected<error>(client.error());
    return validate_password_grant(*fields, *client);
}

// Builds the request_view of a request_source.
template <request_source R>
[[nodiscard]] constexpr request_view view_of(const R& request) {
    return request_view{request.method(), request.target(), request.header("Content-Type"),
                        request.header("Authorization"), request.body()};
}

// Step 11-12, for a host that asked its client store itself.
template <authenticated_client Client, authentication_observer Observer = null_observer>
[[nodiscard]] constexpr result<void> check_client_outcome(const outcome<Client>& client,
                                                          const password_grant_request& request,
                                                          Observer&& observer = {}) {
    switch (client.status()) {
        case outcome_status::failed: return fail(reason::client_store_failure);
        case outcome_status::rejected:
            observer.client_authentication_failed(request.client.credentials.id);
            return fail(reason::client_rejected);
        case outcome_status::accepted: break;
    }
    if (!client.value().allows_grant(password_grant_type)) return fail(reason::unauthorized_client);
    return {};
}

// Step 13, for a host that asked its user store itself.
template <class User, authentication_observer Observer = null_observer>
[[nodiscard]] constexpr result<void> check_user_outcome(const outcome<User>& user,
                                                        const password_grant_request& request,
                                                        Observer&& observer = {}) {
    switch (user.status()) {
        case outcome_status::failed: return fail(reason::user_store_failure);
        case outcome_status::rejected:
            observer.user_authentication_failed(request.client.credentials.id, request.identifier);
            return fail(reason::user_rejected);
        case outcome_status::accepted: break;
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

// Steps 14-15: the response for the issuer's outcome.
template <issued_token Token, class Storage>
[[nodiscard]] constexpr response make_issuer_response(const outcome<Token>& token, Storage& storage,
                                                      const endpoint_options& options = {}) {
    if (!token.accepted()) return make_error_response(error{reason::issuer_failure}, storage, options.responses());
    return make_token_response(fields_of(token.value()), storage, options.responses());
}

// The whole exchange with synchronous stores: request in, response out. The response's
// views point into `storage` (and static strings), valid until its next reset().
template <request_source R, client_store Clients, user_store Users, class Issuer,
          authentication_observer Observer = null_observer>
    requires token_issuer<Issuer, typename Clients::client_type, typename Users::user_type>
[[nodiscard]] response handle_token_request(const R& request, Clients& clients, Users& users, Issuer& issuer,
                                            exchange_storage& storage, const endpoint_options& options = {},
                                            Observer&& observer = {}) {
    storage.reset();
    const auto fail_with = [&](error e) { return make_error_response(e, storage.response, options.responses()); };
    const auto validated = validate_token_request(view_of(request), storage.request, options);
    if (!validated) return fail_with(validated.error());
    const password_grant_request& grant = *validated;

    const auto client = clients.authenticate_client(grant.client.credentials.id, grant.client.credentials.secret);
    if (const auto checked = check_client_outcome(client, grant, observer); !checked) return fail_with(checked.error());
    const auto user = users.authenticate_user(grant.identifier, grant.password);
    if (const auto checked = check_user_outcome(user, grant, observer); !checked) return fail_with(checked.error());

    return make_issuer_response(issuer.issue_token(client.value(), user.value(), grant.scope), storage.response,
                                options);
}

}  // namespace oauthcore
