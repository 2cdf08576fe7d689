#pragma once
// Strict framing of a request's header block, checked on the raw bytes before Beast's
// parser sees them. Beast's parser is lenient where a lenient server can be made to
// read a request differently from a proxy in front of it (request smuggling): it
// unfolds obs-fold, keeps a Content-Length sent twice with the same value, reads a body
// without length when Transfer-Encoding names a coding other than chunked, and accepts
// Transfer-Encoding: gzip with a Content-Length after it. Here each of these is refused,
// as RFC 9112 allows or requires, and the connection is then closed:
//   - every line ends in CRLF; a bare LF or CR is refused (RFC 9112 2.2)
//   - no obs-fold: a field line starting with SP or HTAB (RFC 9112 5.2)
//   - at most max_fields field lines (RFC 6585 5: 431)
//   - Content-Length: one field, 1*DIGIT (RFC 9112 6.3 (5), RFC 9110 8.6)
//   - Transfer-Encoding: one field whose value is "chunked" alone, never with a
//     Content-Length, never in HTTP/1.0 (RFC 9112 6.1, 6.3 (3) and (4))
//   - Host: exactly one in HTTP/1.1 (and later HTTP/1 minor versions), at most one in
//     HTTP/1.0, its value uri-host [":" port] by its characters (RFC 9112 3.2, RFC 9110 7.2)
//   - the version's major number is 1 (RFC 9110 15.6.6: 505 otherwise)
// The rest of the syntax (request line, field names and values) is Beast's to check.

#include <cstddef>
#include <optional>
#include <string_view>

#include "transport_errors.hpp"

namespace token_server {

struct header_scan {
    enum class state : unsigned char { incomplete, complete, refused };
    state outcome = state::incomplete;
    std::size_t size = 0;  // complete: the bytes of the block, its empty line included
};

// Looks for the end of the header block (the first empty line) in `bytes`, the start of
// a request. Stops early, as refused, at the first line ending that is not CRLF, so that
// a request with bare LFs is answered at once rather than when the limit is reached.
[[nodiscard]] header_scan scan_header_block(std::string_view bytes) noexcept;

// Checks a complete header block (as scan_header_block delimited it). A version whose
// major number is not 1 ("HTTP/2.0", the HTTP/2 preface "PRI * HTTP/2.0") is refused as
// http_version_not_supported (505, RFC 9110 15.6.6); HTTP/1.x above 1.1 is checked as
// HTTP/1.1, which it is read as (RFC 9110 2.5, later_minor_version_at).
[[nodiscard]] std::optional<transport_error> check_header_block(std::string_view block,
                                                                std::size_t max_fields) noexcept;

// RFC 9110 2.5: a message of a later minor version of HTTP/1 ("HTTP/1.2") is processed as
// the highest minor version the recipient implements, HTTP/1.1. The position of the minor
// digit in a checked header block that Beast must be given as "HTTP/1.1" (its parser
// takes 1.0 and 1.1 only: the caller writes '1' there), or nullopt when the block can be
// given as it is.
[[nodiscard]] std::optional<std::size_t> later_minor_version_at(std::string_view block) noexcept;

// The origin-form (path and query, RFC 9112 3.2.1) of an absolute-form request target
// ("http://as.example/oauth/token?x", RFC 9112 3.2.2, which a server MUST accept; "/" when
// it has no path), or nullopt for a target in any other form. The server routes and
// checks the origin-form whichever form the client sent.
[[nodiscard]] std::optional<std::string_view> origin_form_of(std::string_view target) noexcept;

}  // namespace token_server
