#pragma once
// The response value: status, reason phrase, headers and JSON body, ready for the
// host to write. Headers (RFC 6749 5.1 and 5.2):
//   Content-Type: application/json;charset=UTF-8
//   Cache-Control: no-store
//   Pragma: no-cache
//   WWW-Authenticate: Basic realm="…"   on every 401 (RFC 7235 3.1, RFC 6749 5.2)
//   Allow: POST                         on 405 (RFC 9110 15.5.6)

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "oauthcore/detail/ascii.hpp"
#include "oauthcore/detail/clear.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/scope.hpp"

namespace oauthcore {

struct header_field {
    std::string_view name;
    std::string_view value;
};

class response {
public:
    // The headers are cleared as form_fields' views are (detail::clear_array).
    constexpr response() noexcept {
        if (!std::is_constant_evaluated()) detail::clear_array(headers_);
    }

    int status = 500;
    std::string_view reason_phrase = "Internal Server Error";
    // The error, for the host's logs; nullopt on success.
    std::optional<oauthcore::error> error;
    std::string_view body;

    [[nodiscard]] std::span<const header_field> headers() const noexcept { return {headers_.data(), header_count_}; }

    // The value of the header named `name` (case-insensitive), if present.
    [[nodiscard]] constexpr std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (std::size_t i = 0; i < header_count_; ++i)
            if (detail::iequals(headers_[i].name, name)) return headers_[i].value;
        return std::nullopt;
    }

    constexpr void add_header(std::string_view name, std::string_view value) noexcept {
        if (header_count_ < headers_.size()) headers_[header_count_++] = {name, value};
    }

private:
    std::array<header_field, 4> headers_;
    std::size_t header_count_ = 0;
};

struct response_options {
    oauthcore::profile profile = profile::social_id;
    // The realm of the WWW-Authenticate challenge on 401. A '"' or '\' is escaped; a
    // control character is dropped (it cannot appear in a quoted-string, RFC 9110 5.6.4).
    std::string_view realm = "oauthcore";
};

namespace detail {

inline constexpr std::string_view json_content_type = "application/json;charset=UTF-8";

// RFC 6749 Appendix A: VSCHAR = %x20-7E.
[[nodiscard]] constexpr bool is_vschar_text(std::string_view s) noexcept {
    return swar_any(s, swar_has_non_vschar) == 0;
}

[[nodiscard]] constexpr bool is_valid_token(const token_fields& token) noexcept {
    return !token.access_token.empty() && !token.token_type.empty() && is_vschar_text(token.access_token) &&
           is_vschar_text(token.refresh_token) && is_vschar_text(token.token_type) &&
           (token.scope.empty() || is_scope_syntax(token.scope));
}

constexpr void add_common_headers(response& r) noexcept {
    r.add_header("Content-Type", json_content_type);
    r.add_header("Cache-Control", "no-store");
    r.add_header("Pragma", "no-cache");
}

[[nodiscard]] constexpr bool is_realm_byte(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u != 0x7F);
}

template <class Storage>
[[nodiscard]] constexpr std::string_view write_challenge(std::string_view realm, Storage& storage) noexcept {
    constexpr std::string_view prefix = "Basic realm=\"";
    std::size_t size = prefix.size() + 1;
    for (const char c : realm) size += !is_realm_byte(c) ? 0 : (c == '"' || c == '\\') ? 2 : 1;
    storage.expect_more(size);
    char* dest = storage.take(size);
    if (dest == nullptr) return "Basic realm=\"oauthcore\"";
    std::size_t out = write_raw(prefix, dest);
    for (const char c : realm) {
        if (!is_realm_byte(c)) continue;
        if (c == '"' || c == '\\') dest[out++] = '\\';
        dest[out++] = c;
    }
    dest[out++] = '"';
    return {dest, out};
}

// The body answered when even the response storage is exhausted: built at compile time.
inline constexpr auto out_of_memory_body = [] {
    constexpr auto details = describe(error{reason::out_of_memory});
    std::array<char, error_json_size(details.code, details.description)> body{};
    write_error_json(details.code, details.description, body.data());
    return body;
}();

}  // namespace detail

// The error response for `e` under the options' profile.
template <class Storage>
[[nodiscard]] constexpr response make_error_response(error e, Storage& storage,
                                                     const response_options& options = {}) noexcept {
    const error_details details = describe(e, options.profile);
    response r;
    r.status = details.status;
    r.reason_phrase = oauthcore::reason_phrase(details.status);
    r.error = e;
    detail::add_common_headers(r);
    if (details.status == 401) r.add_header("WWW-Authenticate", detail::write_challenge(options.realm, storage));
    if (details.status == 405) r.add_header("Allow", "POST");
    const std::size_t size = error_json_size(details.code, details.description);
    storage.expect_more(size);
    char* dest = storage.take(size);
    if (dest == nullptr) {
        r.body = {detail::out_of_memory_body.data(), detail::out_of_memory_body.size()};
        return r;
    }
    r.body = {dest, write_error_json(details.code, details.description, dest)};
    return r;
}

namespace detail {

// The success body of `token` in `storage`; on an error, a null view and `failure` set
// (a body is never empty). A view and an out-parameter rather than a result: the view
// comes back in two registers, while the caller's copy of a result just written to
// memory field by field stalled on store forwarding.
// The usual token's strings are VSCHAR and none holds a '"' or '\' (a valid scope is
// NQCHAR tokens, never one of those): then the body is its parts, sized from the lengths,
// and each string is checked in the pass that copies it. When one is not plain, the
// block is given back and the token checked precisely: invalid, it is reported as such
// (whatever storage is left); valid, it is written with escapes into a block of its
// escaped size. So storage holds exactly one body either way.
template <class Storage>
[[nodiscard]] constexpr std::string_view write_token_body(const token_fields& token, Storage& storage,
                                                          reason& failure) noexcept {
    if (!token.access_token.empty() && !token.token_type.empty() &&
        (token.scope.empty() || is_scope_syntax(token.scope))) {
        const std::size_t size = plain_token_json_size(token);
        storage.expect_more(size);
        if (char* const dest = storage.take(size)) {
            const plain_write written = write_plain_token_json<true>(token, dest);
            if (written.non_plain == 0) return {dest, written.size};
            storage.give_back(dest, size);
        }
    }
    if (!is_valid_token(token)) {
        failure = reason::invalid_issued_token;
        return {};
    }
    const std::size_t size = token_json(token, nullptr);
    storage.expect_more(size);
    char* const dest = storage.take(size);
    if (dest == nullptr) {
        failure = reason::out_of_memory;
        return {};
    }
    return {dest, token_json(token, dest)};
}

}  // namespace detail

// The 200 response for `token`. A token outside RFC 6749 Appendix A (an access or
// refresh token that is not VSCHAR, a scope that is not NQCHAR tokens) is an issuer bug:
// it is answered with 500 server_error (reason::invalid_issued_token) and never sent.
template <class Storage>
[[nodiscard]] constexpr response make_token_response(const token_fields& token, Storage& storage,
                                                     const response_options& options = {}) noexcept {
    // Every return returns `r`, so that it is built in the caller's slot (NRVO): a copy
    // of this struct, just written field by field, costs more than the body itself.
    response r;
    reason failure{};
    const std::string_view body = detail::write_token_body(token, storage, failure);
    if (body.data() == nullptr) {
        r = make_error_response(error{failure}, storage, options);
        return r;
    }
    r.status = 200;
    r.reason_phrase = oauthcore::reason_phrase(200);
    r.body = body;
    detail::add_common_headers(r);
    return r;
}

}  // namespace oauthcore
