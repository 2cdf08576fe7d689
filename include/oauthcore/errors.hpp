#pragma once
// Error codes (RFC 6749 5.2 and 4.1.2.1, RFC 7009 2.2.1, RFC 8628 3.5, plus server_error),
// the reasons behind them,
// fixed descriptions, HTTP status mapping and the two profiles.
//
// Every failure inside oauthcore is an `error`: a small `reason` plus, where the
// description names one, the `parameter` concerned. One constexpr table per profile
// maps a reason to its code, HTTP status and description. Descriptions are fixed
// strings chosen here: they may name a parameter, never echo a value the client sent.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "oauthcore/char_class.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/result.hpp"

namespace oauthcore {

// RFC 6749 5.2 error codes, the authorization endpoint's (RFC 6749 4.1.2.1), revocation's
// (RFC 7009 2.2.1), the device flow's (RFC 8628 3.5), plus server_error for the vendor's
// 500 (and RFC 6749 4.1.2.1's).
enum class error_code : std::uint8_t {
    invalid_request,
    invalid_client,
    invalid_grant,
    unauthorized_client,
    unsupported_grant_type,
    invalid_scope,
    authorization_pending,
    slow_down,
    access_denied,
    expired_token,
    unsupported_response_type,
    unsupported_token_type,
    server_error,
};

[[nodiscard]] constexpr std::string_view to_string(error_code code) noexcept {
    switch (code) {
        case error_code::invalid_request: return "invalid_request";
        case error_code::invalid_client: return "invalid_client";
        case error_code::invalid_grant: return "invalid_grant";
        case error_code::unauthorized_client: return "unauthorized_client";
        case error_code::unsupported_grant_type: return "unsupported_grant_type";
        case error_code::invalid_scope: return "invalid_scope";
        case error_code::authorization_pending: return "authorization_pending";
        case error_code::slow_down: return "slow_down";
        case error_code::access_denied: return "access_denied";
        case error_code::expired_token: return "expired_token";
        case error_code::unsupported_response_type: return "unsupported_response_type";
        case error_code::unsupported_token_type: return "unsupported_token_type";
        case error_code::server_error: return "server_error";
    }
    return "server_error";
}

// How failed resource-owner credentials are reported.
//  - social_id (default): as the vendor document says, 401 invalid_client
//    ("combination do not match").
//  - rfc6749: as RFC 6749 5.2 says, 400 invalid_grant.
enum class profile : std::uint8_t { social_id, rfc6749 };

// Why a request failed. The host may log it; the client sees only the code and the
// fixed description of the profile in force.
enum class reason : std::uint8_t {
    // transport checks
    method_not_allowed,
    query_in_target,
    unsupported_content_type,
    // form parsing
    body_too_large,
    too_many_parameters,
    parameter_too_large,
    duplicate_parameter,
    // client authentication
    authorization_too_large,
    unsupported_authorization_scheme,
    malformed_basic_credentials,
    empty_client_id,
    client_authentication_missing,
    body_client_authentication_disabled,
    multiple_client_authentication_methods,
    client_id_mismatch,
    public_client_not_allowed,
    client_rejected,
    client_authentication_method_mismatch,
    unauthorized_client,
    // grant validation
    missing_parameter,
    invalid_parameter,
    unsupported_grant_type,
    missing_identifier,
    conflicting_identifiers,
    invalid_scope_syntax,
    user_rejected,
    scope_not_allowed,
    scope_exceeds_grant,
    refresh_token_rejected,
    // authorization_code (authorization_code_grant.hpp): one answer for the client, a
    // reason each for the host's logs
    code_rejected,
    code_reused,
    code_issued_to_another_client,
    code_expired,
    redirect_uri_mismatch,
    pkce_missing,
    pkce_downgrade,
    code_verifier_mismatch,
    // device_code (device_code_grant.hpp)
    device_code_rejected,
    device_code_issued_to_another_client,
    authorization_pending,
    slow_down,
    access_denied,
    expired_token,
    // the authorization endpoint (authorization_request.hpp)
    authorization_method_not_allowed,
    unknown_client,
    unregistered_redirect_uri,
    unsupported_response_type,
    code_challenge_method_not_supported,
    // the endpoints beside the token endpoint (revocation.hpp, introspection.hpp,
    // device_authorization.hpp)
    post_required,
    client_authentication_required,
    unsupported_token_type,
    token_issued_to_another_client,
    // failures of the host's stores or of oauthcore's own resources
    client_store_failure,
    user_store_failure,
    refresh_store_failure,
    code_store_failure,
    device_store_failure,
    issuer_failure,
    invalid_issued_token,
    token_store_failure,
    device_authorization_failure,
    user_code_outside_format,
    weak_user_code_format,
    invalid_verification_uri,
    invalid_metadata,
    out_of_memory,
};

inline constexpr std::size_t reason_count = static_cast<std::size_t>(reason::out_of_memory) + 1;  // the last reason

namespace detail {
inline constexpr std::array<std::string_view, reason_count> reason_names{{
    "method_not_allowed",
    "query_in_target",
    "unsupported_content_type",
    "body_too_large",
    "too_many_parameters",
    "parameter_too_large",
    "duplicate_parameter",
    "authorization_too_large",
    "unsupported_authorization_scheme",
    "malformed_basic_credentials",
    "empty_client_id",
    "client_authentication_missing",
    "body_client_authentication_disabled",
    "multiple_client_authentication_methods",
    "client_id_mismatch",
    "public_client_not_allowed",
    "client_rejected",
    "client_authentication_method_mismatch",
    "unauthorized_client",
    "missing_parameter",
    "invalid_parameter",
    "unsupported_grant_type",
    "missing_identifier",
    "conflicting_identifiers",
    "invalid_scope_syntax",
    "user_rejected",
    "scope_not_allowed",
    "scope_exceeds_grant",
    "refresh_token_rejected",
    "code_rejected",
    "code_reused",
    "code_issued_to_another_client",
    "code_expired",
    "redirect_uri_mismatch",
    "pkce_missing",
    "pkce_downgrade",
    "code_verifier_mismatch",
    "device_code_rejected",
    "device_code_issued_to_another_client",
    "authorization_pending",
    "slow_down",
    "access_denied",
    "expired_token",
    "authorization_method_not_allowed",
    "unknown_client",
    "unregistered_redirect_uri",
    "unsupported_response_type",
    "code_challenge_method_not_supported",
    "post_required",
    "client_authentication_required",
    "unsupported_token_type",
    "token_issued_to_another_client",
    "client_store_failure",
    "user_store_failure",
    "refresh_store_failure",
    "code_store_failure",
    "device_store_failure",
    "issuer_failure",
    "invalid_issued_token",
    "token_store_failure",
    "device_authorization_failure",
    "user_code_outside_format",
    "weak_user_code_format",
    "invalid_verification_uri",
    "invalid_metadata",
    "out_of_memory",
}};
}  // namespace detail

// The reason's name, for the host's logs ("client_rejected", "user_rejected", ...).
[[nodiscard]] constexpr std::string_view to_string(reason r) noexcept {
    const auto index = static_cast<std::size_t>(r);
    return index < reason_count ? detail::reason_names[index] : "unknown";
}

// A failure: why, and the parameter concerned where the description names one (a
// parameter_name is always a name written in the program, never client input).
struct error {
    oauthcore::reason reason = reason::client_store_failure;
    parameter_name parameter{};

    friend constexpr bool operator==(const error&, const error&) = default;
};

template <class T>
using result = basic_result<T, error>;

[[nodiscard]] constexpr unexpected<error> fail(reason why, parameter_name p = {}) noexcept {
    return unexpected<error>(error{why, p});
}

namespace detail {

// The result of `fill(value, failure)`, a parser's work on a default T that reports an
// error by returning false with `failure` set: the one private shape of oauthcore's
// parsers (X_into(..., T& out, error& failure), wrapped by the public X returning
// result<T>). The value is filled in the result that is returned by name, so it is never
// copied (docs/PERFORMANCE.md, "Shapes the code keeps").
template <class T, class Fill>
[[nodiscard]] constexpr result<T> filled(Fill&& fill) noexcept {
    result<T> out(std::in_place);
    if (error failure; !fill(*out, failure)) out = unexpected<error>(failure);
    return out;
}

}  // namespace detail

// What the client is sent for an error. The description is `description` alone, or, for
// an error that names its parameter, `description` + the parameter's name +
// `description_end` ("The " "scope" " parameter is included more than once.").
struct error_details {
    error_code code;
    int status;
    std::string_view description;
    parameter_name parameter{};
    std::string_view description_end{};

    [[nodiscard]] constexpr std::size_t description_size() const noexcept {
        return description.size() + parameter.text().size() + description_end.size();
    }
};

namespace detail {

inline constexpr std::string_view unknown_error_description = "An unknown error happened.";
// One text for every refused authorization code (RFC 6749 5.2 invalid_grant, RFC 7636
// 4.6), and one for every refused device code: the client cannot tell which check failed.
inline constexpr std::string_view code_rejected_description =
    "The authorization code is invalid, expired or already used, or does not match the client, the redirect_uri "
    "or the code_verifier.";
inline constexpr std::string_view device_code_rejected_description =
    "The device code is invalid or already used, or was issued to another client.";

// How a reason that names its parameter says so: around the name, before and after.
struct parameter_text {
    std::string_view before;
    std::string_view after;
};

struct table_entry {
    oauthcore::reason reason;
    error_code code;
    int status;
    std::string_view description;  // when no parameter is named
    parameter_text named{};        // when one is, for reasons whose description names it
};

// Indexed by reason, for the social_id profile; user_rejected differs in rfc6749.
inline constexpr std::array<table_entry, reason_count> social_id_table{{
    {reason::method_not_allowed, error_code::invalid_request, 405, "The token endpoint accepts only the POST method."},
    {reason::query_in_target, error_code::invalid_request, 400,
     "Parameters must be sent in the request body, not in the request URI."},
    {reason::unsupported_content_type, error_code::invalid_request, 400,
     "The Content-Type must be application/x-www-form-urlencoded."},
    {reason::body_too_large, error_code::invalid_request, 400, "The request body exceeds the size limit."},
    {reason::too_many_parameters, error_code::invalid_request, 400, "The request has more parameters than the limit."},
    {reason::parameter_too_large, error_code::invalid_request, 400, "A parameter exceeds the size limit."},
    {reason::duplicate_parameter,
     error_code::invalid_request,
     400,
     "A parameter is included more than once.",
     {"The ", " parameter is included more than once."}},
    {reason::authorization_too_large, error_code::invalid_client, 401,
     "The Authorization header exceeds the size limit."},
    {reason::unsupported_authorization_scheme, error_code::invalid_client, 401,
     "The Authorization header must use the Basic scheme."},
    {reason::malformed_basic_credentials, error_code::invalid_client, 401, "The Basic credentials are malformed."},
    {reason::empty_client_id, error_code::invalid_client, 401, "The client identifier is empty."},
    {reason::client_authentication_missing, error_code::invalid_client, 401,
     "Client authentication is required (HTTP Basic)."},
    {reason::body_client_authentication_disabled, error_code::invalid_client, 401,
     "Client credentials in the request body are not accepted; use HTTP Basic authentication."},
    {reason::multiple_client_authentication_methods, error_code::invalid_request, 400,
     "The client must use only one authentication method."},
    {reason::client_id_mismatch, error_code::invalid_request, 400,
     "The client_id parameter does not match the authenticated client."},
    {reason::public_client_not_allowed, error_code::invalid_client, 401,
     "This grant type requires client authentication."},
    {reason::client_rejected, error_code::invalid_client, 401, "Client authentication failed."},
    {reason::client_authentication_method_mismatch, error_code::invalid_client, 401, "Client authentication failed."},
    {reason::unauthorized_client, error_code::unauthorized_client, 400,
     "The client is not authorized to use this grant type."},
    {reason::missing_parameter,
     error_code::invalid_request,
     400,
     "A required parameter is missing.",
     {"The ", " parameter is required."}},
    {reason::invalid_parameter,
     error_code::invalid_request,
     400,
     "A parameter is malformed.",
     {"The ", " parameter is malformed."}},
    {reason::unsupported_grant_type, error_code::unsupported_grant_type, 400, "The grant type is not supported."},
    {reason::missing_identifier, error_code::invalid_request, 400,
     "Exactly one of username or email_address is required; neither was given."},
    {reason::conflicting_identifiers, error_code::invalid_request, 400,
     "Exactly one of username or email_address is required; both were given."},
    {reason::invalid_scope_syntax, error_code::invalid_scope, 400, "The scope is malformed."},
    {reason::user_rejected, error_code::invalid_client, 401, "The user credentials combination does not match."},
    {reason::scope_not_allowed, error_code::invalid_scope, 400, "The requested scope is not allowed for this client."},
    {reason::scope_exceeds_grant, error_code::invalid_scope, 400,
     "The requested scope exceeds the scope originally granted."},
    {reason::refresh_token_rejected, error_code::invalid_grant, 400,
     "The refresh token is invalid, expired, revoked, or was issued to another client."},
    {reason::code_rejected, error_code::invalid_grant, 400, code_rejected_description},
    {reason::code_reused, error_code::invalid_grant, 400, code_rejected_description},
    {reason::code_issued_to_another_client, error_code::invalid_grant, 400, code_rejected_description},
    {reason::code_expired, error_code::invalid_grant, 400, code_rejected_description},
    {reason::redirect_uri_mismatch, error_code::invalid_grant, 400, code_rejected_description},
    {reason::pkce_missing, error_code::invalid_grant, 400, code_rejected_description},
    {reason::pkce_downgrade, error_code::invalid_grant, 400, code_rejected_description},
    {reason::code_verifier_mismatch, error_code::invalid_grant, 400, code_rejected_description},
    {reason::device_code_rejected, error_code::invalid_grant, 400, device_code_rejected_description},
    {reason::device_code_issued_to_another_client, error_code::invalid_grant, 400, device_code_rejected_description},
    {reason::authorization_pending, error_code::authorization_pending, 400,
     "The user has not yet completed the authorization; keep polling."},
    {reason::slow_down, error_code::slow_down, 400,
     "The authorization is still pending and polling is too frequent; add 5 seconds to the interval."},
    {reason::access_denied, error_code::access_denied, 400, "The user denied the authorization request."},
    {reason::expired_token, error_code::expired_token, 400,
     "The device code has expired; start a new device authorization request."},
    {reason::authorization_method_not_allowed, error_code::invalid_request, 405,
     "The authorization endpoint accepts only the GET and POST methods."},
    {reason::unknown_client, error_code::invalid_request, 400, "The client is not registered."},
    {reason::unregistered_redirect_uri, error_code::invalid_request, 400,
     "The redirect_uri is not one the client registered."},
    {reason::unsupported_response_type, error_code::unsupported_response_type, 400,
     "The response type is not supported."},
    {reason::code_challenge_method_not_supported, error_code::invalid_request, 400,
     "The code_challenge_method is not supported; use S256."},
    {reason::post_required, error_code::invalid_request, 405, "This endpoint accepts only the POST method."},
    {reason::client_authentication_required, error_code::invalid_client, 401,
     "This endpoint requires client authentication."},
    {reason::unsupported_token_type, error_code::unsupported_token_type, 400, "The token_type_hint is not supported."},
    {reason::token_issued_to_another_client, error_code::unauthorized_client, 400,
     "The token was not issued to this client."},
    {reason::client_store_failure, error_code::server_error, 500, unknown_error_description},
    {reason::user_store_failure, error_code::server_error, 500, unknown_error_description},
    {reason::refresh_store_failure, error_code::server_error, 500, unknown_error_description},
    {reason::code_store_failure, error_code::server_error, 500, unknown_error_description},
    {reason::device_store_failure, error_code::server_error, 500, unknown_error_description},
    {reason::issuer_failure, error_code::server_error, 500, unknown_error_description},
    {reason::invalid_issued_token, error_code::server_error, 500, unknown_error_description},
    {reason::token_store_failure, error_code::server_error, 500, unknown_error_description},
    {reason::device_authorization_failure, error_code::server_error, 500, unknown_error_description},
    {reason::user_code_outside_format, error_code::server_error, 500, unknown_error_description},
    {reason::weak_user_code_format, error_code::server_error, 500, unknown_error_description},
    {reason::invalid_verification_uri, error_code::server_error, 500, unknown_error_description},
    {reason::invalid_metadata, error_code::server_error, 500, unknown_error_description},
    {reason::out_of_memory, error_code::server_error, 500, unknown_error_description},
}};

[[nodiscard]] constexpr bool table_is_indexed_by_reason() noexcept {
    for (std::size_t i = 0; i < social_id_table.size(); ++i)
        if (static_cast<std::size_t>(social_id_table[i].reason) != i) return false;
    return true;
}

static_assert(table_is_indexed_by_reason(), "social_id_table must list every reason in enum order");

inline constexpr error_details rfc6749_user_rejected{error_code::invalid_grant, 400,
                                                     "The resource owner credentials are invalid."};

// RFC 6749 5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E ). A parameter name
// (RFC 6749 8.2, parameters.hpp) is always inside it, so a description that names one is.
[[nodiscard]] constexpr bool is_description_text(std::string_view text) noexcept {
    return !text.empty() && all_in(char_class::description, text);
}

[[nodiscard]] constexpr bool every_description_is_valid() noexcept {
    for (const auto& entry : social_id_table) {
        if (!is_description_text(entry.description)) return false;
        // The parts around a name may be empty; the name itself is never (RFC 6749 8.2).
        for (const std::string_view part : {entry.named.before, entry.named.after})
            if (!part.empty() && !is_description_text(part)) return false;
    }
    return is_description_text(rfc6749_user_rejected.description);
}

static_assert(every_description_is_valid(), "an error_description leaves the RFC 6749 5.2 character set");

// The reasons a code, or a device code, is refused for: the client gets one answer for
// all of a group (code, status, description), so that no answer says which check failed
// and a client probing a code learns nothing from the difference; the host's logs see
// which one it was.
inline constexpr std::array code_rejection_reasons{
    reason::code_rejected,  reason::code_reused,           reason::code_issued_to_another_client,
    reason::code_expired,   reason::redirect_uri_mismatch, reason::pkce_missing,
    reason::pkce_downgrade, reason::code_verifier_mismatch};
inline constexpr std::array device_code_rejection_reasons{reason::device_code_rejected,
                                                          reason::device_code_issued_to_another_client};

template <std::size_t N>
[[nodiscard]] constexpr bool one_answer_for(const std::array<oauthcore::reason, N>& reasons) noexcept {
    const table_entry& first = social_id_table[static_cast<std::size_t>(reasons[0])];
    for (const oauthcore::reason r : reasons) {
        const table_entry& entry = social_id_table[static_cast<std::size_t>(r)];
        if (entry.code != first.code || entry.status != first.status || entry.description != first.description ||
            !entry.named.before.empty())
            return false;
    }
    return true;
}

static_assert(one_answer_for(code_rejection_reasons) && one_answer_for(device_code_rejection_reasons),
              "every refused authorization code gets one answer, and every refused device code one answer");

}  // namespace detail

// The code, HTTP status and fixed description the client is sent for `e`.
[[nodiscard]] constexpr error_details describe(error e, profile p = profile::social_id) noexcept {
    const auto index = static_cast<std::size_t>(e.reason);
    if (index >= reason_count) return {error_code::server_error, 500, detail::unknown_error_description};
    if (e.reason == reason::user_rejected && p == profile::rfc6749) return detail::rfc6749_user_rejected;
    const auto& entry = detail::social_id_table[index];
    const bool names_parameter = !e.parameter.empty() && !entry.named.before.empty();
    if (!names_parameter) return {entry.code, entry.status, entry.description};
    return {entry.code, entry.status, entry.named.before, e.parameter, entry.named.after};
}

// Writes the whole description of `details` into `dest` (description_size() bytes).
constexpr std::size_t write_description(const error_details& details, char* dest) noexcept {
    std::size_t out = 0;
    for (const std::string_view part : {details.description, details.parameter.text(), details.description_end}) {
        std::char_traits<char>::copy(dest + out, part.data(), part.size());
        out += part.size();
    }
    return out;
}

// RFC 9110 15 reason phrases for the statuses oauthcore produces.
[[nodiscard]] constexpr std::string_view reason_phrase(int status) noexcept {
    switch (status) {
        case 200: return "OK";
        case 302: return "Found";
        case 303: return "See Other";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 405: return "Method Not Allowed";
        default: return "Internal Server Error";
    }
}

}  // namespace oauthcore
