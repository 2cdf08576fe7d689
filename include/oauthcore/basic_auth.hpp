#pragma once
// HTTP Basic client credentials: RFC 7617 with RFC 6749 2.3.1.
//
//   credentials = auth-scheme 1*SP token68        (RFC 7235 2.1, RFC 7617 2)
//   user-pass   = user-id ":" password            (RFC 7617 2)
//
// What oauthcore accepts, and why:
//  - The header value may carry leading and trailing spaces or tabs (a field value's
//    OWS, RFC 9110 5.5); they are ignored. One or more spaces separate the scheme from
//    the credentials; nothing else may (no tab, no other whitespace inside).
//  - The scheme name is case-insensitive ("basic", "BASIC"; RFC 7235 2.1).
//  - The credentials are strict base64 (see base64.hpp): no whitespace, padding
//    required, no stray bits.
//  - The decoded user-pass must hold a ':' and no control character (RFC 7617 2: the
//    user-id and password MUST NOT contain control characters); it splits at the first
//    ':', so the secret may contain ':' and the id may not (before id decoding).
//  - Then the decoding policy (credential_decoding) applies to id and secret, and what it
//    decodes must hold no control character either ("%00", "%0A" are refused).
//  - An empty client id is rejected; an empty secret is passed on (the store decides).
//  - Bytes >= 0x80 are passed through unchanged under both policies: a secret is
//    compared as bytes, UTF-8 or not.
// Every failure here is invalid_client (401) with a WWW-Authenticate challenge.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oauthcore/base64.hpp"
#include "oauthcore/detail/ascii.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"

namespace oauthcore {

// How the id and secret inside Basic credentials are decoded after base64.
//  - form_urlencoded (default): RFC 6749 2.3.1 says the client form-encodes both before
//    Basic, so '+' is a space, "%3A" is ':', "%25" is '%'. A '%' not followed by two hex
//    digits stays a '%', exactly as in a form body (WHATWG), rather than failing as
//    Ory fosite does. What it risks: a client that does not encode (curl --user) and
//    has a '+' or a "%XX" in its secret fails to authenticate.
//  - raw: RFC 7617 alone, what `curl --user id:secret` sends: bytes as they are, '+'
//    and '%' literal. What it risks: a conforming RFC 6749 client whose id or secret
//    holds a character it encodes fails to authenticate.
enum class credential_decoding : unsigned char { form_urlencoded, raw };

struct basic_auth_options {
    credential_decoding decoding = credential_decoding::form_urlencoded;
    std::size_t max_header_bytes = 4 * 1024;
};

struct client_credentials {
    std::string_view id;
    std::string_view secret;
};

namespace detail {

// One scan of the decoded user-pass for both questions asked of all of it: the high bit
// of a byte lane is set when it holds a control character, the low bit when it holds a
// '+' or '%' (so that the id or the secret may need form decoding).
inline constexpr std::uint64_t user_pass_control = swar_highs;
inline constexpr std::uint64_t user_pass_encoded = swar_ones;

[[nodiscard]] constexpr std::uint64_t user_pass_flags(std::string_view s) noexcept {
    const auto word = [](std::uint64_t w) {
        return swar_has_below(w, 0x20) | swar_has_byte(w, 0x7F) | (swar_has_byte(w, '+') | swar_has_byte(w, '%')) >> 7;
    };
#if OAUTHCORE_HAVE_BYTE_VECTORS
    const auto vector = [](signed_byte_vector v) {
        // Below 0x20 as unsigned bytes, in one signed comparison: flipping the high bit
        // maps 0x00-0x1F to -128..-97 and every other byte above them.
        const signed_byte_vector flipped = v ^ static_cast<signed char>(-128);
        const signed_byte_vector control = (flipped < static_cast<signed char>(-96)) | (v == 0x7F);
        const signed_byte_vector encoded = (v == '+') | (v == '%');
        return (control & static_cast<signed char>(user_pass_control & 0xFF)) |
               (encoded & static_cast<signed char>(user_pass_encoded & 0xFF));
    };
#else
    const auto vector = [](auto) { return 0; };
#endif
    return scan_any<false>(s, nullptr, word, vector);
}

template <class Storage>
[[nodiscard]] constexpr result<std::string_view> decode_credential(std::string_view raw, Storage& storage,
                                                                   credential_decoding decoding) noexcept {
    if (decoding == credential_decoding::raw || !needs_decoding(raw)) return raw;
    // The byte loop, not the sixteen-byte steps: an id or a secret that needs decoding is
    // rare and short, and those steps inlined here (twice) made the usual path of this
    // parser slower (docs/PERFORMANCE.md, "Form values decoded sixteen bytes a step").
    return decode_to_storage<false>(raw, storage);
}

}  // namespace detail

namespace detail {

// parse_basic_authorization's work, into the `id` and `secret` members of `out` (a
// client_credentials, or the client_authentication it ends up in); false with `failure`
// set on an error (see filled).
template <class Storage, class Credentials>
[[nodiscard]] constexpr bool parse_basic_authorization_into(std::string_view header_value, Storage& storage,
                                                            const basic_auth_options& options, Credentials& out,
                                                            error& failure) noexcept {
    const auto fail_with = [&failure](reason why) {
        failure = error{why};
        return false;
    };
    if (header_value.size() > options.max_header_bytes) return fail_with(reason::authorization_too_large);
    const std::string_view value = trim_ows(header_value);
    // The scheme is what precedes the first space, and only "Basic" (any case) is
    // accepted: its five bytes and the byte after them decide, without a search.
    constexpr std::string_view basic = "Basic";
    if (value.size() < basic.size() || !iequals(value.substr(0, basic.size()), basic))
        return fail_with(reason::unsupported_authorization_scheme);
    // "Basic" then a tab is the Basic scheme with a separator RFC 7235 2.1 does not allow
    // (1*SP): malformed, so that the message names the credentials, not the scheme.
    if (value.size() > basic.size() && value[basic.size()] != ' ')
        return fail_with(value[basic.size()] == '\t' ? reason::malformed_basic_credentials
                                                     : reason::unsupported_authorization_scheme);
    std::string_view token68 = value.substr(basic.size());
    if (token68.empty()) return fail_with(reason::malformed_basic_credentials);
    while (!token68.empty() && token68.front() == ' ') token68.remove_prefix(1);

    const auto size = base64_decoded_size(token68);
    if (token68.empty() || !size) return fail_with(reason::malformed_basic_credentials);
    // Decoded credentials plus, under form_urlencoded, their decoded id and secret.
    storage.expect_more(2 * *size);
    char* decoded = storage.take(*size);
    if (decoded == nullptr) return fail_with(reason::out_of_memory);
    if (!decode_base64(token68, decoded)) return fail_with(reason::malformed_basic_credentials);
    const std::string_view user_pass(decoded, *size);
    const std::uint64_t flags = user_pass_flags(user_pass);
    if ((flags & user_pass_control) != 0) return fail_with(reason::malformed_basic_credentials);

    const char* const colon_at = find_byte(decoded, decoded, decoded + *size, ':');
    if (colon_at == decoded + *size) return fail_with(reason::malformed_basic_credentials);
    const auto colon = static_cast<std::size_t>(colon_at - decoded);
    // Built from the pointer rather than with substr, whose range check (a throw that
    // cannot happen here) keeps it out of line.
    const std::string_view raw_id(decoded, colon);
    const std::string_view raw_secret(decoded + colon + 1, *size - colon - 1);
    if ((flags & user_pass_encoded) == 0) {
        // Neither the id nor the secret holds a '+' or '%': nothing to decode.
        if (colon == 0) return fail_with(reason::empty_client_id);
        out.id = raw_id;
        out.secret = raw_secret;
        return true;
    }
    const auto id = decode_credential(raw_id, storage, options.decoding);
    if (!id) {
        failure = id.error();
        return false;
    }
    if (id->empty()) return fail_with(reason::empty_client_id);
    const auto secret = decode_credential(raw_secret, storage, options.decoding);
    if (!secret) {
        failure = secret.error();
        return false;
    }
    // RFC 7617 2 forbids control characters in the user-id and password themselves,
    // which form decoding may have made ("%0D%0A", "%00"): checked again after it, so that
    // no store, observer or log line is handed one.
    if (((user_pass_flags(*id) | user_pass_flags(*secret)) & user_pass_control) != 0)
        return fail_with(reason::malformed_basic_credentials);
    out.id = *id;
    out.secret = *secret;
    return true;
}

}  // namespace detail

// Parses the value of an Authorization header holding Basic client credentials. The
// id and secret are views into `storage` (a request_storage, or a fixed_storage in
// constant expressions).
template <class Storage>
[[nodiscard]] constexpr result<client_credentials> parse_basic_authorization(
    std::string_view header_value, Storage& storage, const basic_auth_options& options = {}) noexcept {
    return detail::filled<client_credentials>([&](client_credentials& out, error& failure) {
        return detail::parse_basic_authorization_into(header_value, storage, options, out, failure);
    });
}

}  // namespace oauthcore
