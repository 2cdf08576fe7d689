#include "http_framing.hpp"

#include "oauthcore/uri.hpp"

namespace token_server {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// OWS = *( SP / HTAB ) around a field value (RFC 9110 5.5).
std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool is_digits(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (const char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// RFC 9110 7.2: Host = uri-host [ ":" port ], uri-host a reg-name (unreserved, sub-delims
// and pct-encoded characters), an IPv4 address or an IP-literal in brackets (RFC 3986
// 3.2.2), port = *DIGIT: oauthcore's reading of an authority (is_host_authority), which
// takes no space, '/', '@', control or non-ASCII byte, and brackets only around an IP
// literal. Empty is allowed (RFC 9112 3.2: a target without an authority).
bool is_host_value(std::string_view value) noexcept { return value.empty() || oauthcore::is_host_authority(value); }

// The length of an "http://" or "https://" at the start of `target` (either case), or 0.
std::size_t http_scheme_length(std::string_view target) noexcept {
    if (target.size() >= 7 && iequals(target.substr(0, 7), "http://")) return 7;
    if (target.size() >= 8 && iequals(target.substr(0, 8), "https://")) return 8;
    return 0;
}

// RFC 9112 3.2: request-target = origin-form / absolute-form / authority-form /
// asterisk-form. Taken: origin-form ("/..."), absolute-form with the http or https
// scheme and no userinfo (RFC 9110 4.2.4: a sender MUST NOT generate one, a recipient
// SHOULD treat it as an error: it is how credentials end up in logs), and "*". Every byte
// visible ASCII and no '#' (a fragment is never sent, RFC 9110 7.1). Anything else, an
// authority-form (CONNECT) or another scheme included, names nothing this server serves.
bool is_request_target(std::string_view target) noexcept {
    for (const char c : target)
        if (c <= ' ' || c >= 0x7F || c == '#') return false;
    if (target == "*" || target.starts_with('/')) return true;
    const std::size_t scheme = http_scheme_length(target);
    if (scheme == 0) return false;
    const std::string_view authority = target.substr(scheme, target.find_first_of("/?", scheme) - scheme);
    return authority.find('@') == std::string_view::npos;
}

// The HTTP version that ends a request line, when it has the shape of one (RFC 9112 3:
// method SP request-target SP HTTP-version; 2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT,
// the name case-sensitive); nullopt otherwise, which Beast's parser refuses as malformed.
struct http_version {
    char major_digit;
    char minor_digit;
};

std::optional<http_version> version_of_request_line(std::string_view request_line) noexcept {
    constexpr std::size_t size = 8;  // "HTTP/" DIGIT "." DIGIT
    if (request_line.size() < size + 1 || request_line[request_line.size() - size - 1] != ' ') return std::nullopt;
    const std::string_view version = request_line.substr(request_line.size() - size);
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (!version.starts_with("HTTP/") || !digit(version[5]) || version[6] != '.' || !digit(version[7]))
        return std::nullopt;
    return http_version{version[5], version[7]};
}

}  // namespace

header_scan scan_header_block(std::string_view bytes) noexcept {
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n') {
            if (i == 0 || bytes[i - 1] != '\r') return {header_scan::state::refused, i + 1};
            // "\r\n\r\n": the empty line that ends the block (a request line comes first).
            if (i >= 3 && bytes[i - 2] == '\n' && bytes[i - 3] == '\r') return {header_scan::state::complete, i + 1};
        } else if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] != '\n') {
            return {header_scan::state::refused, i + 1};
        }
    }
    return {};
}

std::optional<std::size_t> later_minor_version_at(std::string_view block) noexcept {
    const std::size_t line_end = block.find("\r\n");
    if (line_end == std::string_view::npos) return std::nullopt;
    const auto version = version_of_request_line(block.substr(0, line_end));
    if (!version || version->major_digit != '1' || version->minor_digit <= '1') return std::nullopt;
    return line_end - 1;
}

std::optional<transport_error> check_header_block(std::string_view block, std::size_t max_fields) noexcept {
    std::size_t content_lengths = 0, transfer_encodings = 0, hosts = 0, fields = 0;
    std::string_view content_length, transfer_encoding, host, request_line;
    bool first = true;
    while (!block.empty()) {
        const std::size_t lf = block.find('\n');
        if (lf == std::string_view::npos || lf == 0 || block[lf - 1] != '\r') return transport_error::bare_line_ending;
        const std::string_view line = block.substr(0, lf - 1);
        block.remove_prefix(lf + 1);
        if (line.find('\r') != std::string_view::npos) return transport_error::bare_line_ending;
        if (first) {
            request_line = line;
            first = false;
            continue;
        }
        if (line.empty()) break;  // the end of the block
        if (line.front() == ' ' || line.front() == '\t') return transport_error::obsolete_line_folding;
        if (++fields > max_fields) return transport_error::too_many_header_fields;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return transport_error::malformed_request;
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim_ows(line.substr(colon + 1));
        if (iequals(name, "Content-Length")) {
            ++content_lengths;
            content_length = value;
        } else if (iequals(name, "Transfer-Encoding")) {
            ++transfer_encodings;
            transfer_encoding = value;
        } else if (iequals(name, "Host")) {
            ++hosts;
            host = value;
        }
    }
    // The version is the request line's last 8 bytes (RFC 9112 3); Beast checks the rest,
    // but for the target's bytes and form. A later HTTP/1 is read as HTTP/1.1 (RFC 9110 2.5).
    const auto version = version_of_request_line(request_line);
    if (version && version->major_digit != '1') return transport_error::http_version_not_supported;
    const bool http_1_1 = version && version->minor_digit >= '1';
    const std::size_t target_start = request_line.find(' ');
    if (target_start != std::string_view::npos) {
        const std::size_t target_end = request_line.find(' ', target_start + 1);
        if (target_end != std::string_view::npos &&
            !is_request_target(request_line.substr(target_start + 1, target_end - target_start - 1)))
            return transport_error::invalid_request_target;
    }
    if (hosts > 1 || (http_1_1 && hosts == 0)) return transport_error::missing_or_duplicate_host;
    if (!is_host_value(host)) return transport_error::invalid_host;
    if (transfer_encodings > 0) {
        if (!http_1_1) return transport_error::transfer_encoding_in_http_1_0;
        if (content_lengths > 0) return transport_error::content_length_with_transfer_encoding;
        if (transfer_encodings > 1 || !iequals(transfer_encoding, "chunked"))
            return transport_error::unsupported_transfer_coding;
    }
    if (content_lengths > 1) return transport_error::duplicate_content_length;
    if (content_lengths == 1 && !is_digits(content_length)) return transport_error::invalid_content_length;
    return std::nullopt;
}

std::optional<std::string_view> origin_form_of(std::string_view target) noexcept {
    const std::size_t scheme_end = http_scheme_length(target);
    if (scheme_end == 0) return std::nullopt;
    const std::size_t path = target.find_first_of("/?", scheme_end);
    if (path == std::string_view::npos) return std::string_view("/");
    // "http://host?x" has an empty path: its origin-form is "/?x" (RFC 9112 3.2.1), which
    // is not a view of the target; such a target names no endpoint of ours, so "/" serves.
    if (target[path] == '?') return std::string_view("/");
    return target.substr(path);
}

}  // namespace token_server
