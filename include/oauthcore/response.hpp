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
#include <string_view>
#include <type_traits>

#include "oauthcore/char_class.hpp"
#include "oauthcore/detail/ascii.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/scope.hpp"

namespace oauthcore {

struct header_field {
    std::string_view name;
    std::string_view value;
};

// The most headers one response holds. oauthcore's own responses carry at most five
// (Content-Type, Cache-Control, Pragma, and WWW-Authenticate or Allow); the rest is
// room for a host's own. add_header says when it is full, and adds nothing then.
inline constexpr std::size_t max_response_headers = 8;

class response;
namespace detail {
constexpr void add_own_header(response& r, std::string_view name, std::string_view value) noexcept;
constexpr void add_common_headers(response& r) noexcept;
}  // namespace detail

class response {
    // A header without constructors, so that the array is not cleared when a response is
    // made (docs/PERFORMANCE.md, "Shapes the code keeps"): only the first header_count_
    // entries are ever read.
    struct stored_header {
        const char* name;
        std::size_t name_size;
        const char* value;
        std::size_t value_size;
    };

public:
    // The headers, in the order they were added: a range of header_field values.
    class header_list {
    public:
        class iterator {
        public:
            using value_type = header_field;
            using difference_type = std::ptrdiff_t;

            constexpr iterator() = default;
            constexpr header_field operator*() const noexcept {
                return {{at_->name, at_->name_size}, {at_->value, at_->value_size}};
            }
            constexpr iterator& operator++() noexcept {
                ++at_;
                return *this;
            }
            constexpr iterator operator++(int) noexcept {
                iterator before = *this;
                ++at_;
                return before;
            }
            friend constexpr bool operator==(iterator a, iterator b) noexcept { return a.at_ == b.at_; }

        private:
            friend class header_list;
            constexpr explicit iterator(const stored_header* at) noexcept : at_(at) {}
            const stored_header* at_ = nullptr;
        };

        [[nodiscard]] constexpr iterator begin() const noexcept { return iterator(first_); }
        [[nodiscard]] constexpr iterator end() const noexcept { return iterator(first_ + size_); }
        [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
        [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
        [[nodiscard]] constexpr header_field operator[](std::size_t i) const noexcept { return *iterator(first_ + i); }

    private:
        friend class response;
        constexpr header_list(const stored_header* first, std::size_t size) noexcept : first_(first), size_(size) {}
        const stored_header* first_;
        std::size_t size_;
    };

    constexpr response() noexcept {
        if (std::is_constant_evaluated())
            for (auto& h : headers_) h = {};
    }

    int status = 500;
    std::string_view reason_phrase = "Internal Server Error";
    // The error, for the host's logs; nullopt on success.
    std::optional<oauthcore::error> error;
    std::string_view body;

    [[nodiscard]] constexpr header_list headers() const noexcept { return {headers_.data(), header_count_}; }

    // The value of the header named `name` (case-insensitive), if present.
    [[nodiscard]] constexpr std::optional<std::string_view> header(std::string_view name) const noexcept {
        for (const header_field field : headers())
            if (detail::iequals(field.name, name)) return field.value;
        return std::nullopt;
    }

    // Adds a header; false, and nothing added, when max_response_headers are there already.
    [[nodiscard]] constexpr bool add_header(std::string_view name, std::string_view value) noexcept {
        if (header_count_ == headers_.size()) return false;
        headers_[header_count_++] = {name.data(), name.size(), value.data(), value.size()};
        return true;
    }

private:
    friend constexpr void detail::add_own_header(response& r, std::string_view name, std::string_view value) noexcept;
    friend constexpr void detail::add_common_headers(response& r) noexcept;

    std::array<stored_header, max_response_headers> headers_;
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

// RFC 6749 Appendix A: VSCHAR = %x20-7E. Sixteen bytes a step from sixteen bytes on (a
// token that is not plain, and check_made_token).
[[nodiscard]] constexpr bool is_vschar_text(std::string_view s) noexcept {
    return scan_any<false>(s, nullptr, swar_has_non_vschar, vector_has_non_vschar) == 0;
}

[[nodiscard]] constexpr bool is_valid_token(const token_fields& token) noexcept {
    return !token.access_token.empty() && !token.token_type.empty() && is_vschar_text(token.access_token) &&
           is_vschar_text(token.refresh_token) && is_vschar_text(token.token_type) &&
           (token.scope.empty() || is_scope_syntax(token.scope));
}

// For the headers oauthcore adds to the responses it builds: at most five, into a
// response as constructed, so there is always room.
constexpr void add_own_header(response& r, std::string_view name, std::string_view value) noexcept {
    r.headers_[r.header_count_++] = {name.data(), name.size(), value.data(), value.size()};
}

// The three headers of every response (RFC 6749 5.1), into a response as constructed.
constexpr void add_common_headers(response& r) noexcept {
    constexpr std::string_view content_type = "Content-Type";
    constexpr std::string_view cache_control = "Cache-Control";
    constexpr std::string_view pragma = "Pragma";
    constexpr std::string_view no_store = "no-store";
    constexpr std::string_view no_cache = "no-cache";
    r.headers_[0] = {content_type.data(), content_type.size(), json_content_type.data(), json_content_type.size()};
    r.headers_[1] = {cache_control.data(), cache_control.size(), no_store.data(), no_store.size()};
    r.headers_[2] = {pragma.data(), pragma.size(), no_cache.data(), no_cache.size()};
    r.header_count_ = 3;
}

// RFC 9110 5.6.4: a quoted-string holds HTAB, SP and visible or obs-text bytes.
[[nodiscard]] constexpr bool is_realm_byte(char c) noexcept { return c == '\t' || !is_in(char_class::control, c); }

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

namespace detail {

// The status line and headers of the error response for `e`, into `r` as constructed or
// as grant_context::write_response left it (the header count starts again at three).
// `allowed_methods`: the Allow header of a 405 (RFC 9110 15.5.6), the endpoint's methods.
template <class Storage>
constexpr void fill_error_head(response& r, error e, int status, Storage& storage, const response_options& options,
                               std::string_view allowed_methods) noexcept {
    r.status = status;
    r.reason_phrase = oauthcore::reason_phrase(status);
    r.error = e;
    add_common_headers(r);
    if (status == 401) add_own_header(r, "WWW-Authenticate", write_challenge(options.realm, storage));
    if (status == 405) add_own_header(r, "Allow", allowed_methods);
}

// make_error_response's work, into `r` as constructed or as write_response left it; for
// an endpoint that takes `allowed_methods` (POST, as the token, revocation, introspection
// and device authorization endpoints do; the authorization endpoint takes GET and POST).
template <class Storage>
constexpr void fill_error_response(response& r, error e, Storage& storage, const response_options& options,
                                   std::string_view allowed_methods = "POST") noexcept {
    const error_details details = describe(e, options.profile);
    // describe()'s details are plain by construction (json.hpp, write_plain_error_json):
    // sized from the lengths and copied, with no scan.
    const std::string_view code = to_string(details.code);
    const std::size_t size = plain_error_json_size(code, details);
    storage.expect_more(size);
    char* const dest = storage.take(size);
    if (dest == nullptr) {
        // No room for the body: the whole response is out_of_memory's (500 and its body),
        // never the status of `e` over a server_error body.
        fill_error_head(r, error{reason::out_of_memory}, 500, storage, options, allowed_methods);
        r.body = {out_of_memory_body.data(), out_of_memory_body.size()};
        return;
    }
    fill_error_head(r, e, details.status, storage, options, allowed_methods);
    r.body = {dest, write_plain_error_json<false>(code, details, dest).size};
}

}  // namespace detail

// The error response for `e` under the options' profile.
template <class Storage>
[[nodiscard]] constexpr response make_error_response(error e, Storage& storage,
                                                     const response_options& options = {}) noexcept {
    response r;
    detail::fill_error_response(r, e, storage, options);
    return r;
}

namespace detail {

// The success body of `token` in `storage`; on an error, a null view and `failure` set
// (a body is never empty: docs/PERFORMANCE.md, "Shapes the code keeps", says why not a
// result).
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

namespace detail {

// The 200 response around a body write_token_body wrote, into `r` as constructed.
constexpr void fill_success_response(response& r, std::string_view body) noexcept {
    r.status = 200;
    r.reason_phrase = oauthcore::reason_phrase(200);
    r.body = body;
    add_common_headers(r);
}

// make_token_response's work, into `r` as constructed.
template <class Storage>
constexpr void fill_token_response(response& r, const token_fields& token, Storage& storage,
                                   const response_options& options) noexcept {
    reason failure{};
    const std::string_view body = write_token_body(token, storage, failure);
    if (body.data() == nullptr) {
        fill_error_response(r, error{failure}, storage, options);
        return;
    }
    fill_success_response(r, body);
}

}  // namespace detail

// The 200 response for `token`. A token outside RFC 6749 Appendix A (an access or
// refresh token that is not VSCHAR, a scope that is not NQCHAR tokens) is an issuer bug:
// it is answered with 500 server_error (reason::invalid_issued_token) and never sent.
template <class Storage>
[[nodiscard]] constexpr response make_token_response(const token_fields& token, Storage& storage,
                                                     const response_options& options = {}) noexcept {
    response r;
    detail::fill_token_response(r, token, storage, options);
    return r;
}

}  // namespace oauthcore
