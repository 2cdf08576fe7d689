#pragma once
// The token request model of the Resource Owner Password Credentials grant
// (RFC 6749 4.3.2 and the vendor document): which client credentials the request
// carries, and the grant parameters.

#include <optional>
#include <string_view>

#include "oauthcore/basic_auth.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/scope.hpp"

namespace oauthcore {

// How the vendor's endpoint names a user: exactly one of username or email_address.
enum class identifier_kind : unsigned char { username, email_address };

struct user_identifier {
    identifier_kind kind = identifier_kind::username;
    std::string_view value;
};

// RFC 6749 2.3.1: HTTP Basic, or client_id/client_secret in the body.
enum class client_auth_method : unsigned char { basic, request_body };

struct client_authentication {
    client_credentials credentials;
    client_auth_method method = client_auth_method::basic;
};

inline constexpr std::string_view password_grant_type = "password";

// The password grant's own parameters (RFC 6749 4.3.2), checked.
struct password_parameters {
    user_identifier identifier;
    std::string_view password;
    std::string_view scope;  // normalized (scope.hpp); empty when not requested
};

// A password grant request that passed every check that needs no store: plain values,
// views into the request body or its request_storage.
struct password_grant_request {
    client_authentication client;
    user_identifier identifier;
    std::string_view password;
    std::string_view scope;  // normalized (scope.hpp); empty when not requested
};

namespace detail {

// select_client_credentials' work, into `out`; false with `failure` set on an error
// (see filled).
template <class Storage>
[[nodiscard]] constexpr bool select_client_credentials_into(std::optional<std::string_view> authorization,
                                                            const form_fields& fields, bool allow_body,
                                                            Storage& storage, const basic_auth_options& basic,
                                                            client_authentication& out, error& failure) noexcept {
    const auto fail_with = [&failure](reason why) {
        failure = error{why};
        return false;
    };
    const bool body_credentials = fields.given(parameter::client_id) || fields.given(parameter::client_secret);
    if (authorization && body_credentials) return fail_with(reason::multiple_client_authentication_methods);
    if (authorization) {
        out.method = client_auth_method::basic;
        return parse_basic_authorization_into(*authorization, storage, basic, out.credentials, failure);
    }
    if (body_credentials && !allow_body) return fail_with(reason::body_client_authentication_disabled);
    if (body_credentials) {
        if (!fields.given(parameter::client_id)) return fail_with(reason::empty_client_id);
        out = {{fields.value(parameter::client_id), fields.value(parameter::client_secret)},
               client_auth_method::request_body};
        return true;
    }
    return fail_with(reason::client_authentication_missing);
}

}  // namespace detail

// Chooses the client credentials (RFC 6749 2.3): the Basic header, or the body's
// client_id/client_secret when `allow_body` is set. Checks, in this order:
//  1. body credentials next to an Authorization header: two methods (400);
//  2. an Authorization header: parsed as Basic (401 on anything wrong);
//  3. body credentials while they are not allowed (401, saying to use Basic);
//  4. body credentials: client_id must be given (client_secret may be omitted when it
//     is empty, RFC 6749 2.3.1);
//  5. no credentials at all (401).
template <class Storage>
[[nodiscard]] constexpr result<client_authentication> select_client_credentials(
    std::optional<std::string_view> authorization, const form_fields& fields, bool allow_body, Storage& storage,
    const basic_auth_options& basic = {}) noexcept {
    return detail::filled<client_authentication>([&](client_authentication& out, error& failure) {
        return detail::select_client_credentials_into(authorization, fields, allow_body, storage, basic, out, failure);
    });
}

// Checks the grant parameters, in this order:
//  1. grant_type given (400 invalid_request);
//  2. grant_type is exactly "password" (400 unsupported_grant_type; RFC 6749 4.3.2:
//     "Value MUST be set to password", compared case-sensitively);
//  3. exactly one of username and email_address (400 invalid_request, saying whether
//     neither or both were given);
//  4. password given (400 invalid_request);
//  5. scope, when given, is RFC 6749 3.3 syntax (400 invalid_scope).
[[nodiscard]] constexpr result<void> check_grant_type(const form_fields& fields,
                                                      std::string_view expected = password_grant_type) noexcept {
    if (!fields.given(parameter::grant_type)) return fail(reason::missing_grant_type);
    if (fields.value(parameter::grant_type) != expected) return fail(reason::unsupported_grant_type);
    return {};
}

[[nodiscard]] constexpr result<user_identifier> validate_user_identifier(const form_fields& fields) noexcept {
    const bool username = fields.given(parameter::username);
    const bool email = fields.given(parameter::email_address);
    if (username && email) return fail(reason::conflicting_identifiers);
    if (username) return user_identifier{identifier_kind::username, fields.value(parameter::username)};
    if (email) return user_identifier{identifier_kind::email_address, fields.value(parameter::email_address)};
    return fail(reason::missing_identifier);
}

// Steps 3-5 above: the parameters that follow a grant_type of "password".
template <class Storage>
[[nodiscard]] constexpr result<password_parameters> validate_password_parameters(const form_fields& fields,
                                                                                 Storage& storage) noexcept {
    const auto identifier = validate_user_identifier(fields);
    if (!identifier) return unexpected<error>(identifier.error());
    if (!fields.given(parameter::password)) return fail(reason::missing_password);
    if (!fields.given(parameter::scope)) return password_parameters{*identifier, fields.value(parameter::password), {}};
    const auto scope = normalize_scope(fields.value(parameter::scope), storage);
    if (!scope) return unexpected<error>(scope.error());
    return password_parameters{*identifier, fields.value(parameter::password), *scope};
}

// Steps 1-5 above.
template <class Storage>
[[nodiscard]] constexpr result<password_grant_request> validate_password_grant(const form_fields& fields,
                                                                               const client_authentication& client,
                                                                               Storage& storage) noexcept {
    if (const auto grant = check_grant_type(fields); !grant) return unexpected<error>(grant.error());
    const auto parameters = validate_password_parameters(fields, storage);
    if (!parameters) return unexpected<error>(parameters.error());
    return password_grant_request{client, parameters->identifier, parameters->password, parameters->scope};
}

}  // namespace oauthcore
