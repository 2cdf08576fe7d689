#pragma once
// The answers the HTTP layer gives itself, before or instead of oauthcore: framing it
// refuses, limits, a busy server, a refused name. Each has a fixed status and a fixed
// JSON body in RFC 6749 5.2's shape (error, error_description); nothing the client sent
// is ever echoed. The log names the entry (log_name), which tells operators what the
// client is not told.

#include <array>
#include <cstddef>
#include <string_view>

namespace token_server {

enum class transport_error : unsigned char {
    malformed_request,                      // what Beast's parser refuses (RFC 9112 2-7 syntax)
    bare_line_ending,                       // LF without CR, or CR without LF (RFC 9112 2.2)
    obsolete_line_folding,                  // a field line starting with SP or HTAB (RFC 9112 5.2)
    duplicate_content_length,               // RFC 9112 6.3 (5)
    invalid_content_length,                 // RFC 9112 6.3 (5): not 1*DIGIT
    content_length_with_transfer_encoding,  // RFC 9112 6.1, 6.3 (3): a smuggling shape
    unsupported_transfer_coding,            // anything but "chunked" alone (RFC 9112 6.3 (4))
    transfer_encoding_in_http_1_0,          // RFC 9112 6.1
    missing_or_duplicate_host,              // RFC 9112 3.2: HTTP/1.1 needs exactly one Host
    invalid_host,                           // RFC 9112 3.2: a Host value that is not uri-host [":" port]
    invalid_request_target,                 // RFC 9112 3.2, RFC 9110 4.2.4: not a target we take
    trailer_fields,              // fields after a chunked body: never merged into the header (RFC 9110 6.5.1)
    header_too_large,            // RFC 6585 5
    too_many_header_fields,      // RFC 6585 5
    length_required,             // a POST with neither Content-Length nor chunked (RFC 9110 15.5.12)
    content_encoding,            // any Content-Encoding: nothing is decompressed (RFC 9110 15.5.16)
    not_found,                   // a path that is not the token endpoint
    busy,                        // the work queue is full (RFC 9110 15.6.4)
    too_many_failures,           // brute-force back-off (RFC 6749 4.3.2, RFC 6585 4)
    http_version_not_supported,  // a major version other than 1 (RFC 9110 15.6.6)
    plain_http_on_tls_port,      // bytes that are not a TLS handshake on a TLS port: answered in plain HTTP
};

struct transport_error_info {
    int status;
    std::string_view reason_phrase;
    std::string_view body;      // fixed JSON; empty for 404
    std::string_view log_code;  // the error code column of the log line
    std::string_view log_name;  // the reason column
    bool closes;                // the connection cannot be trusted to stay in step: close it
};

namespace detail {

inline constexpr std::string_view malformed_body =
    R"({"error":"invalid_request","error_description":"The request is not valid HTTP/1.1."})";
inline constexpr std::string_view framing_body =
    R"({"error":"invalid_request","error_description":"The request's length cannot be determined safely."})";
inline constexpr std::string_view header_too_large_body =
    R"({"error":"invalid_request","error_description":"The request header fields are too large."})";
inline constexpr std::string_view length_required_body =
    R"({"error":"invalid_request","error_description":"The request needs a Content-Length."})";
inline constexpr std::string_view content_encoding_body =
    R"({"error":"invalid_request","error_description":"Content-Encoding is not supported."})";
inline constexpr std::string_view busy_body =
    R"({"error":"temporarily_unavailable","error_description":"The server is busy. Retry later."})";
inline constexpr std::string_view plain_http_body =
    R"({"error":"invalid_request","error_description":"This port serves HTTPS: send the request over TLS."})";
inline constexpr std::string_view version_body =
    R"({"error":"invalid_request","error_description":"This server speaks HTTP/1.1 and HTTP/1.0 only."})";
inline constexpr std::string_view too_many_failures_body =
    R"({"error":"temporarily_unavailable","error_description":"Too many failed attempts. Retry later."})";

inline constexpr std::array<transport_error_info, 21> transport_errors{{
    {400, "Bad Request", malformed_body, "invalid_request", "malformed_request", true},
    {400, "Bad Request", malformed_body, "invalid_request", "bare_line_ending", true},
    {400, "Bad Request", malformed_body, "invalid_request", "obsolete_line_folding", true},
    {400, "Bad Request", framing_body, "invalid_request", "duplicate_content_length", true},
    {400, "Bad Request", framing_body, "invalid_request", "invalid_content_length", true},
    {400, "Bad Request", framing_body, "invalid_request", "content_length_with_transfer_encoding", true},
    {400, "Bad Request", framing_body, "invalid_request", "unsupported_transfer_coding", true},
    {400, "Bad Request", framing_body, "invalid_request", "transfer_encoding_in_http_1_0", true},
    {400, "Bad Request", malformed_body, "invalid_request", "missing_or_duplicate_host", true},
    {400, "Bad Request", malformed_body, "invalid_request", "invalid_host", true},
    {400, "Bad Request", malformed_body, "invalid_request", "invalid_request_target", true},
    {400, "Bad Request", malformed_body, "invalid_request", "trailer_fields", true},
    {431, "Request Header Fields Too Large", header_too_large_body, "invalid_request", "header_too_large", true},
    {431, "Request Header Fields Too Large", header_too_large_body, "invalid_request", "too_many_header_fields", true},
    {411, "Length Required", length_required_body, "invalid_request", "length_required", false},
    // The body was not read: the connection closes rather than skip it.
    {415, "Unsupported Media Type", content_encoding_body, "invalid_request", "content_encoding", true},
    {404, "Not Found", "", "-", "not_found", false},
    {503, "Service Unavailable", busy_body, "temporarily_unavailable", "work_queue_full", false},
    {429, "Too Many Requests", too_many_failures_body, "temporarily_unavailable", "too_many_failures", false},
    {505, "HTTP Version Not Supported", version_body, "invalid_request", "http_version_not_supported", true},
    {400, "Bad Request", plain_http_body, "invalid_request", "plain_http_on_tls_port", true},
}};

}  // namespace detail

[[nodiscard]] constexpr const transport_error_info& describe(transport_error e) noexcept {
    return detail::transport_errors[static_cast<std::size_t>(e)];
}

// One entry per transport_error, in its order.
static_assert(detail::transport_errors.size() == static_cast<std::size_t>(transport_error::plain_http_on_tls_port) + 1);
static_assert(describe(transport_error::missing_or_duplicate_host).log_name == "missing_or_duplicate_host" &&
                  describe(transport_error::invalid_host).log_name == "invalid_host" &&
                  describe(transport_error::header_too_large).status == 431 &&
                  describe(transport_error::too_many_failures).status == 429 &&
                  describe(transport_error::http_version_not_supported).status == 505 &&
                  describe(transport_error::plain_http_on_tls_port).log_name == "plain_http_on_tls_port",
              "transport_errors is in the order of transport_error");

}  // namespace token_server
