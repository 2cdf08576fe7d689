#pragma once
// The transport checks: what a token request must look like as HTTP before its body
// is read as a form. RFC 6749 3.2: "The client MUST use the HTTP POST method when
// making access token requests", with parameters in the
// application/x-www-form-urlencoded body (RFC 6749 4.3.2).

#include <optional>
#include <string_view>

#include "oauthcore/detail/ascii.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"

namespace oauthcore {

// What oauthcore needs of an HTTP request. The transport adapter fills it in; the views
// must stay valid while oauthcore works on them. A header the request lacks is
// nullopt; a header sent twice should be reported by the adapter as sent once
// with the values joined, as HTTP does (RFC 9110 5.3), which makes a doubled
// Authorization header malformed here, as it should be.
struct request_view {
    std::string_view method;
    std::string_view target;  // origin-form: path and optional query
    std::optional<std::string_view> content_type;
    std::optional<std::string_view> authorization;
    std::string_view body;
};

// True for the form media type, case-insensitive, with or without parameters such as
// charset (RFC 9110 8.3.1: type/subtype *( OWS ";" OWS parameter )).
[[nodiscard]] constexpr bool is_form_content_type(std::string_view content_type) noexcept {
    constexpr std::string_view form = "application/x-www-form-urlencoded";
    // The header as clients nearly always send it: its 33 bytes compared inline (the first
    // 32 as four words, then the last), with no search for a parameter and no call to
    // memcmp, on every request.
    if (content_type.size() == form.size() &&
        detail::bytes_equal(std::string_view(content_type.data(), 32), form.substr(0, 32)) &&
        content_type.back() == form.back())
        return true;
    const std::size_t semicolon = detail::find_first(content_type, ';');
    const std::string_view media_type = detail::trim_ows(
        semicolon == std::string_view::npos ? content_type : std::string_view(content_type.data(), semicolon));
    return detail::iequals(media_type, form);
}

// True when the request target carries a query with something in it; a bare '?' or
// a query-less target is fine.
[[nodiscard]] constexpr bool has_query(std::string_view target) noexcept {
    const auto question = detail::find_first(target, '?');
    return question != std::string_view::npos && question + 1 < target.size();
}

// Checks, in this order: the method is POST (405 otherwise, with Allow: POST; methods
// are case-sensitive, RFC 9110 9.1); the target has no query (credentials in URLs end
// up in logs, RFC 6749 3.2 and RFC 9700 4.16); the body is a form.
[[nodiscard]] constexpr result<void> check_transport(const request_view& request) noexcept {
    if (request.method != "POST") return fail(reason::method_not_allowed);
    if (has_query(request.target)) return fail(reason::query_in_target);
    if (!request.content_type || !is_form_content_type(*request.content_type))
        return fail(reason::unsupported_content_type);
    return {};
}

}  // namespace oauthcore
