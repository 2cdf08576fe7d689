#pragma once
// URIs as the authorization endpoint reads and writes them: the redirect URI a client
// registered, compared with the one a request names, and the redirect built on it.
//
//   URI         = scheme ":" hier-part [ "?" query ] [ "#" fragment ]     ; RFC 3986 3
//   scheme      = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )              ; RFC 3986 3.1
//   query       = *( pchar / "/" / "?" )                                  ; RFC 3986 3.4
//   pct-encoded = "%" HEXDIG HEXDIG                                        ; RFC 3986 2.1
//
// What we accept and why:
//  - A redirect URI (RFC 6749 3.1.2) is an absolute URI: a scheme, then anything written
//    with RFC 3986 characters ("%" always followed by two hex digits), and no fragment
//    ("The endpoint URI MUST NOT include a fragment component"). No byte outside those:
//    so a redirect built on it can never carry a space, a quote, a CR or LF into a
//    Location header.
//  - Redirect URIs are compared as strings, byte for byte (RFC 9700 2.1 and 4.1.3: "exact
//    string matching"; RFC 6749 3.1.2.3 compares as RFC 3986 6.2.1 simple string
//    comparison). No normalisation: "https://a.example/cb" and "https://A.example/cb"
//    differ. The one exception RFC 9700 2.1 makes, the port of a loopback redirect URI of a
//    native app (RFC 8252 7.3), is off unless asked for.
//  - The parameters a redirect adds go into the query component (RFC 6749 4.1.2: "adding
//    the following parameters to the query component of the redirection URI using the
//    application/x-www-form-urlencoded format, per Appendix B"), written as the WHATWG URL
//    standard's application/x-www-form-urlencoded serializer writes them: ALPHA, DIGIT,
//    "*", "-", ".", "_" as they are, a space as "+", every other byte as "%" and two
//    upper-case hex digits. A query the registered URI already has is kept (RFC 6749
//    3.1.2: "MUST retain" it); the parameters follow it after "&".

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "oauthcore/char_class.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/result.hpp"

namespace oauthcore {

// The five components of a URI reference, split as RFC 3986 Appendix B does. A component
// that is absent is empty and its has_* flag false (an empty query after "?" is present).
struct uri_parts {
    std::string_view scheme;
    std::string_view authority;
    std::string_view path;
    std::string_view query;
    std::string_view fragment;
    bool has_scheme = false;
    bool has_authority = false;
    bool has_query = false;
    bool has_fragment = false;
};

// RFC 3986 Appendix B: ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?
// Every input splits; whether the parts are well formed is for the checks below.
[[nodiscard]] constexpr uri_parts split_uri(std::string_view uri) noexcept {
    uri_parts parts;
    std::size_t at = 0;
    const std::size_t scheme_end = uri.find_first_of(":/?#");
    if (scheme_end != std::string_view::npos && scheme_end > 0 && uri[scheme_end] == ':') {
        parts.scheme = uri.substr(0, scheme_end);
        parts.has_scheme = true;
        at = scheme_end + 1;
    }
    if (uri.substr(at, 2) == "//") {
        const std::size_t end = uri.find_first_of("/?#", at + 2);
        const std::size_t stop = end == std::string_view::npos ? uri.size() : end;
        parts.authority = uri.substr(at + 2, stop - at - 2);
        parts.has_authority = true;
        at = stop;
    }
    const std::size_t path_end = uri.find_first_of("?#", at);
    const std::size_t path_stop = path_end == std::string_view::npos ? uri.size() : path_end;
    parts.path = uri.substr(at, path_stop - at);
    at = path_stop;
    if (at < uri.size() && uri[at] == '?') {
        const std::size_t end = uri.find('#', at);
        const std::size_t stop = end == std::string_view::npos ? uri.size() : end;
        parts.query = uri.substr(at + 1, stop - at - 1);
        parts.has_query = true;
        at = stop;
    }
    if (at < uri.size() && uri[at] == '#') {
        parts.fragment = uri.substr(at + 1);
        parts.has_fragment = true;
    }
    return parts;
}

// RFC 3986 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
[[nodiscard]] constexpr bool is_uri_scheme(std::string_view scheme) noexcept {
    if (scheme.empty()) return false;
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(scheme.front())) return false;
    for (const char c : scheme)
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
    return true;
}

namespace detail {

[[nodiscard]] constexpr bool is_hex_digit(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace detail

// True when every byte of `text` is one a URI is written with (RFC 3986 2: unreserved,
// gen-delims, sub-delims), and each "%" starts a pct-encoded triplet (RFC 3986 2.1).
[[nodiscard]] constexpr bool is_uri_text(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_in(char_class::uri, text[i])) return false;
        if (text[i] == '%' &&
            (i + 2 >= text.size() || !detail::is_hex_digit(text[i + 1]) || !detail::is_hex_digit(text[i + 2])))
            return false;
    }
    return true;
}

// The longest redirect URI oauthcore reads or builds on (a registered one, or one a
// request names, which the form limits bound as well).
inline constexpr std::size_t max_redirect_uri_bytes = 4096;

// RFC 6749 3.1.2: an absolute URI (RFC 3986 4.3) without a fragment, written with URI
// characters, at most max_redirect_uri_bytes long.
[[nodiscard]] constexpr bool is_redirect_uri(std::string_view uri) noexcept {
    if (uri.empty() || uri.size() > max_redirect_uri_bytes || !is_uri_text(uri)) return false;
    const uri_parts parts = split_uri(uri);
    return parts.has_scheme && is_uri_scheme(parts.scheme) && !parts.has_fragment;
}

namespace detail {

// RFC 3986 3.2.2: IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet, a
// dec-octet 0-255 without a leading zero.
[[nodiscard]] constexpr bool is_ipv4_address(std::string_view s) noexcept {
    std::size_t octets = 0;
    std::size_t at = 0;
    while (true) {
        const std::size_t start = at;
        unsigned value = 0;
        while (at < s.size() && at - start < 3 && s[at] >= '0' && s[at] <= '9')
            value = value * 10 + static_cast<unsigned>(s[at++] - '0');
        const std::size_t digits = at - start;
        if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) return false;
        if (++octets == 4) return at == s.size();
        if (at == s.size() || s[at] != '.') return false;
        ++at;
    }
}

// RFC 3986 3.2.2 (RFC 4291 2.2): IPv6address, eight groups of one to four hex digits
// separated by ':', fewer with one "::" standing for one or more groups of zeros, the last
// two groups perhaps an IPv4address.
[[nodiscard]] constexpr bool is_ipv6_address(std::string_view s) noexcept {
    std::size_t groups = 0;
    bool compressed = false;
    std::size_t at = 0;
    if (s.starts_with("::")) {
        compressed = true;
        at = 2;
    }
    while (at < s.size()) {
        const std::size_t start = at;
        while (at < s.size() && is_hex_digit(s[at])) ++at;
        if (at < s.size() && s[at] == '.') {
            if (!is_ipv4_address(s.substr(start))) return false;
            groups += 2;
            break;
        }
        if (at == start || at - start > 4) return false;
        ++groups;
        if (at == s.size()) break;
        if (s[at] != ':' || ++at == s.size()) return false;  // not a separator, or one that ends it
        if (s[at] == ':') {
            if (compressed) return false;
            compressed = true;
            ++at;
        }
    }
    return compressed ? groups <= 7 : groups == 8;
}

// RFC 3986 3.2.2: IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
[[nodiscard]] constexpr bool is_ipv_future(std::string_view s) noexcept {
    if (s.size() < 4 || (s[0] != 'v' && s[0] != 'V')) return false;
    std::size_t at = 1;
    while (at < s.size() && is_hex_digit(s[at])) ++at;
    if (at == 1 || at + 1 >= s.size() || s[at] != '.') return false;
    const std::string_view rest = s.substr(at + 1);
    return is_uri_text(rest) && rest.find_first_of("/?#[]@%") == std::string_view::npos;
}

// RFC 3986 3.2.2: host = IP-literal / IPv4address / reg-name. An IP-literal is "[" and "]"
// around an IPv6address or an IPvFuture (no zone identifier: RFC 3986 has none, and a
// zone means nothing to another host); a reg-name (an IPv4address is one by its
// characters) is written with unreserved characters, sub-delims and pct-encoded triplets
// (RFC 3986 2.1), so no gen-delim and no bracket.
[[nodiscard]] constexpr bool is_host_syntax(std::string_view host) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        const std::string_view inside = host.substr(1, host.size() - 2);
        return is_ipv6_address(inside) || is_ipv_future(inside);
    }
    return !host.empty() && is_uri_text(host) && host.find_first_of(":/?#[]@") == std::string_view::npos;
}

// The host of `authority` when it names a host (is_host_syntax), with or without a
// numeric port, and no userinfo (RFC 3986 3.2): "as.example.com" of "as.example.com:8443",
// "[::1]" of "[::1]:80"; empty for "", ":443", "user@as.example.com", "as.example.com:x",
// "a[b]", "as example.com". The one reading of an authority that is_host_authority,
// is_loopback_authority and redirect_uri_matches share.
[[nodiscard]] constexpr std::string_view host_of_authority(std::string_view authority) noexcept {
    if (authority.find('@') != std::string_view::npos) return {};
    std::size_t host_end = 0;
    if (!authority.empty() && authority.front() == '[') {
        host_end = authority.find(']');
        if (host_end == std::string_view::npos || host_end == 1) return {};
        ++host_end;
    } else {
        host_end = authority.find(':');
        if (host_end == std::string_view::npos) host_end = authority.size();
    }
    const std::string_view port = authority.substr(host_end);
    if (!port.empty()) {
        if (port.front() != ':') return {};
        for (const char c : port.substr(1))
            if (c < '0' || c > '9') return {};
    }
    const std::string_view host = authority.substr(0, host_end);
    return is_host_syntax(host) ? host : std::string_view{};
}

// The loopback IP literals, where a native app's redirect URI may name any port (RFC 8252
// 7.3; "localhost" is not one of them, 8.3).
[[nodiscard]] constexpr bool is_loopback_ip_literal(std::string_view host) noexcept {
    return host == "127.0.0.1" || host == "[::1]";
}

}  // namespace detail

// Whether a URI's authority names a host, with or without a numeric port, and no
// userinfo (RFC 3986 3.2): "as.example.com", "as.example.com:8443", "[::1]:80"; not "",
// ":443", "user@as.example.com", "as.example.com:x", "a[b]", "as example.com".
[[nodiscard]] constexpr bool is_host_authority(std::string_view authority) noexcept {
    return !detail::host_of_authority(authority).empty();
}

// Whether it names a loopback host, 127.0.0.1, [::1] or localhost, with or without a
// numeric port (RFC 8252 7.3, 8.3): where http may stand in for https in development.
[[nodiscard]] constexpr bool is_loopback_authority(std::string_view authority) noexcept {
    const std::string_view host = detail::host_of_authority(authority);
    return detail::is_loopback_ip_literal(host) || host == "localhost";
}

// How redirect URIs are compared.
enum class redirect_uri_matching : unsigned char {
    // Byte for byte (RFC 9700 2.1, 4.1.3). The default.
    exact,
    // Byte for byte, except that an "http" loopback IP literal (127.0.0.1 or [::1]) may
    // name any port, as a native app's ephemeral one (RFC 8252 7.3, the exception RFC 9700
    // 2.1 makes): "http://127.0.0.1/cb" registered matches "http://127.0.0.1:51004/cb".
    loopback_port_may_vary,
};

// True when `presented` names the redirect URI `registered` (RFC 9700 2.1, 4.1.3; RFC 6749
// 3.1.2.3). Not a secret: compared as configuration is.
[[nodiscard]] constexpr bool redirect_uri_matches(
    std::string_view registered, std::string_view presented,
    redirect_uri_matching matching = redirect_uri_matching::exact) noexcept {
    if (detail::bytes_equal(registered, presented)) return true;
    if (matching != redirect_uri_matching::loopback_port_may_vary) return false;
    const uri_parts a = split_uri(registered);
    const uri_parts b = split_uri(presented);
    if (a.scheme != "http" || b.scheme != "http" || !a.has_authority || !b.has_authority) return false;
    const std::string_view host = detail::host_of_authority(a.authority);
    return detail::is_loopback_ip_literal(host) && host == detail::host_of_authority(b.authority) && a.path == b.path &&
           a.has_query == b.has_query && a.query == b.query && !a.has_fragment && !b.has_fragment;
}

// The bytes write_form_encoded writes for `text` (WHATWG application/x-www-form-urlencoded
// serializing: see the top of this header).
[[nodiscard]] constexpr std::size_t form_encoded_size(std::string_view text) noexcept {
    std::size_t size = 0;
    for (const char c : text) size += is_in(char_class::form_plain, c) || c == ' ' ? 1 : 3;
    return size;
}

// Writes `text` form-encoded into `dest` (room for form_encoded_size bytes); returns the
// bytes written.
constexpr std::size_t write_form_encoded(std::string_view text, char* dest) noexcept {
    constexpr std::string_view hex = "0123456789ABCDEF";
    std::size_t out = 0;
    for (const char c : text) {
        if (is_in(char_class::form_plain, c)) {
            dest[out++] = c;
        } else if (c == ' ') {
            dest[out++] = '+';
        } else {
            const auto byte = static_cast<unsigned char>(c);
            dest[out++] = '%';
            dest[out++] = hex[byte >> 4];
            dest[out++] = hex[byte & 0xF];
        }
    }
    return out;
}

// One parameter a redirect adds. Its name is written as it is (a name of RFC 6749 8.2
// needs no encoding); its value is form-encoded. An empty value leaves the parameter out
// (RFC 6749 3.1: a parameter sent without a value is treated as omitted).
struct query_parameter {
    std::string_view name;
    std::string_view value;
};

namespace detail {

// Counts when dest is nullptr, writes otherwise: one definition for both passes.
constexpr std::size_t redirect_bytes(std::string_view base, std::span<const query_parameter> parameters,
                                     char* dest) noexcept {
    std::size_t out = 0;
    const auto raw = [&](std::string_view s) {
        if (dest != nullptr)
            for (std::size_t i = 0; i < s.size(); ++i) dest[out + i] = s[i];
        out += s.size();
    };
    raw(base);
    const uri_parts parts = split_uri(base);
    // The separator before the first parameter: "?" when there is no query, nothing when
    // the query is empty or already ends a parameter, "&" otherwise.
    std::string_view separator = "&";
    if (!parts.has_query)
        separator = "?";
    else if (parts.query.empty() || parts.query.back() == '&')
        separator = "";
    for (const query_parameter& p : parameters) {
        if (p.value.empty()) continue;
        raw(separator);
        separator = "&";
        raw(p.name);
        raw("=");
        if (dest != nullptr)
            out += write_form_encoded(p.value, dest + out);
        else
            out += form_encoded_size(p.value);
    }
    return out;
}

}  // namespace detail

// The exact bytes write_redirect writes, or an error when `base` is not a redirect URI
// (is_redirect_uri: a fragment, a relative URI, a byte no URI holds): invalid_parameter
// naming redirect_uri.
[[nodiscard]] constexpr result<std::size_t> redirect_size(std::string_view base,
                                                          std::span<const query_parameter> parameters) noexcept {
    if (!is_redirect_uri(base)) return fail(reason::invalid_parameter, parameter_name("redirect_uri"));
    return detail::redirect_bytes(base, parameters, nullptr);
}

// Writes `base` with `parameters` added to its query into `dest` (room for redirect_size
// bytes); returns the bytes written. `base` must be a redirect URI (redirect_size says).
constexpr std::size_t write_redirect(std::string_view base, std::span<const query_parameter> parameters,
                                     char* dest) noexcept {
    return detail::redirect_bytes(base, parameters, dest);
}

// The redirect in `storage` (a response_storage, or a fixed_storage): a view valid until
// the storage's next reset(). Errors: invalid_parameter naming redirect_uri (see
// redirect_size), out_of_memory.
template <class Storage>
[[nodiscard]] constexpr result<std::string_view> build_redirect(std::string_view base,
                                                                std::span<const query_parameter> parameters,
                                                                Storage& storage) noexcept {
    const auto size = redirect_size(base, parameters);
    if (!size) return unexpected<error>(size.error());
    storage.expect_more(*size);
    char* const dest = storage.take(*size);
    if (dest == nullptr) return fail(reason::out_of_memory);
    return std::string_view(dest, write_redirect(base, parameters, dest));
}

}  // namespace oauthcore
