#pragma once
// RFC 8259 serialization of the token endpoint's bodies into a caller's buffer: *_size
// gives the exact bytes and write_* writes them; write_token_json(token, dest, capacity)
// does both in one pass.
//
//   success (RFC 6749 5.1, the vendor's field order, without its trailing comma):
//     {"access_token":"…","expires_in":604800,"token_type":"bearer","refresh_token":"…","scope":"…"}
//     expires_in, refresh_token and scope only when present; never "scope":"".
//   error (RFC 6749 5.2):
//     {"error":"invalid_request","error_description":"…"}
//
// Strings: '"' and '\' are escaped, control characters as \b \f \n \r \t or \u00XX
// (RFC 8259 7), valid UTF-8 is written as it is. Each byte that is not part of valid
// UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) becomes
// \ufffd, so the output is always valid JSON in valid UTF-8. The token endpoint never
// relies on that replacement: it refuses tokens outside RFC 6749 Appendix A before
// serializing (see response.hpp).

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

#include "oauthcore/char_class.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"

namespace oauthcore {

namespace detail {

// The length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not
// start one (RFC 3629 4).
[[nodiscard]] constexpr std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;   // no overlong forms
        if (lead == 0xED) high = 0x9F;  // no surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;   // no overlong forms
        if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (i + length > s.size()) return 0;
    if (byte(i + 1) < low || byte(i + 1) > high) return 0;
    for (std::size_t k = 2; k < length; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return length;
}

// Whether all of `s` is valid UTF-8 (RFC 3629 4).
[[nodiscard]] constexpr bool is_utf8(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t length = utf8_sequence_length(s, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

inline constexpr std::string_view replacement_escape = "\\ufffd";

[[nodiscard]] constexpr char short_escape(unsigned char c) noexcept {
    switch (c) {
        case '"': return '"';
        case '\\': return '\\';
        case '\b': return 'b';
        case '\f': return 'f';
        case '\n': return 'n';
        case '\r': return 'r';
        case '\t': return 't';
        default: return 0;
    }
}

constexpr std::size_t write_raw(std::string_view s, char* dest) noexcept {
    if (!std::is_constant_evaluated()) {
        if (!s.empty()) std::memcpy(dest, s.data(), s.size());
        return s.size();
    }
    for (std::size_t i = 0; i < s.size(); ++i) dest[i] = s[i];
    return s.size();
}

// Non-zero when a byte of `w` is one JSON does not write as it is: exact on words, for
// swar_any.
[[nodiscard]] constexpr std::uint64_t swar_has_json_special(std::uint64_t w) noexcept {
    return swar_has_below_or_high(w, 0x20) | swar_has_byte(w, '"') | swar_has_byte(w, '\\');
}

// The length of the run of bytes at the start of `s` that JSON writes as they are
// (0x20-0x7F other than quote and backslash, RFC 8259 7): tokens are made of nothing else, so the
// strings are measured and copied a word at a time, not byte by byte.
[[nodiscard]] constexpr std::size_t plain_json_run(std::string_view s) noexcept {
    const auto byte = [](unsigned char c) { return !is_in(char_class::json_plain, static_cast<char>(c)); };
    return swar_find(s, swar_has_json_special, byte);
}

// True when JSON writes every byte of `s` as it is (0x20-0x7F other than quote and
// backslash), as it does every token: then the string is its bytes between quotes.
[[nodiscard]] constexpr bool is_plain_json_text(std::string_view s) noexcept {
    return swar_any(s, swar_has_json_special) == 0;
}

constexpr std::size_t write_plain_json_string(std::string_view text, char* dest) noexcept {
    dest[0] = '"';
    write_raw(text, dest + 1);
    dest[text.size() + 1] = '"';
    return text.size() + 2;
}

// 10^0 to 10^19: every power of ten a std::uint64_t holds.
inline constexpr auto powers_of_ten = [] {
    std::array<std::uint64_t, 20> powers{};
    std::uint64_t power = 1;
    for (std::uint64_t& p : powers) {
        p = power;
        power *= 10;  // wraps after the last one, which is never used
    }
    return powers;
}();

// Without a division: 1233 / 4096 is just below log10(2) (0.3010254 < 0.3010300), close
// enough that for 64-bit values the bit width gives the digit count or one more, and one comparison with a power of ten
// settles it.
[[nodiscard]] constexpr std::size_t decimal_digits(std::uint64_t n) noexcept {
    const std::uint64_t m = n | 1;
    const auto estimate = static_cast<std::size_t>((std::bit_width(m) * 1233) >> 12);
    return estimate + 1 - (m < powers_of_ten[estimate] ? 1 : 0);
}

inline constexpr std::string_view decimal_pairs =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the `digits` (decimal_digits(n)) digits of n, two per step from the right.
constexpr std::size_t write_decimal(std::uint64_t n, std::size_t digits, char* dest) noexcept {
    std::size_t at = digits;
    while (n >= 100) {
        const std::size_t pair = static_cast<std::size_t>(n % 100) * 2;
        n /= 100;
        dest[--at] = decimal_pairs[pair + 1];
        dest[--at] = decimal_pairs[pair];
    }
    if (n >= 10) {
        dest[1] = decimal_pairs[n * 2 + 1];
        dest[0] = decimal_pairs[n * 2];
    } else {
        dest[0] = static_cast<char>('0' + n);
    }
    return digits;
}

constexpr std::size_t write_decimal(std::uint64_t n, char* dest) noexcept {
    return write_decimal(n, decimal_digits(n), dest);
}

}  // namespace detail

namespace detail {

// The bytes of `text` inside a JSON string, without the quotes: what json_string_size and
// write_json_string add two quotes to.
[[nodiscard]] constexpr std::size_t json_contents_size(std::string_view text) noexcept {
    if (is_plain_json_text(text)) return text.size();
    std::size_t size = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t plain = plain_json_run(text.substr(i));
        size += plain;
        i += plain;
        if (i == text.size()) break;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            size += short_escape(c) != 0 ? 2 : (c < 0x20 ? 6 : 1);
            ++i;
            continue;
        }
        const std::size_t length = utf8_sequence_length(text, i);
        size += length == 0 ? replacement_escape.size() : length;
        i += length == 0 ? 1 : length;
    }
    return size;
}

constexpr std::size_t write_json_contents(std::string_view text, char* dest) noexcept {
    if (is_plain_json_text(text)) return write_raw(text, dest);
    constexpr std::string_view hex = "0123456789abcdef";
    std::size_t out = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t plain = plain_json_run(text.substr(i));
        out += write_raw(text.substr(i, plain), dest + out);
        i += plain;
        if (i == text.size()) break;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (const char e = short_escape(c); e != 0) {
                dest[out++] = '\\';
                dest[out++] = e;
            } else if (c < 0x20) {
                out += write_raw("\\u00", dest + out);
                dest[out++] = hex[c >> 4];
                dest[out++] = hex[c & 0xF];
            } else {
                dest[out++] = static_cast<char>(c);
            }
            ++i;
            continue;
        }
        const std::size_t length = utf8_sequence_length(text, i);
        if (length == 0) {
            out += write_raw(replacement_escape, dest + out);
            ++i;
        } else {
            out += write_raw(text.substr(i, length), dest + out);
            i += length;
        }
    }
    return out;
}

}  // namespace detail

// Bytes write_json_string needs for `text`, quotes included.
[[nodiscard]] constexpr std::size_t json_string_size(std::string_view text) noexcept {
    return detail::json_contents_size(text) + 2;
}

// Writes `text` as a JSON string, quotes included; returns the bytes written.
constexpr std::size_t write_json_string(std::string_view text, char* dest) noexcept {
    if (detail::is_plain_json_text(text)) return detail::write_plain_json_string(text, dest);
    dest[0] = '"';
    const std::size_t out = 1 + detail::write_json_contents(text, dest + 1);
    dest[out] = '"';
    return out + 1;
}

// The members of a successful token response (RFC 6749 5.1). Empty refresh_token and
// scope are left out; so is expires_in when nullopt.
struct token_fields {
    std::string_view access_token;
    std::optional<std::uint64_t> expires_in;
    std::string_view token_type = "bearer";
    std::string_view refresh_token;
    std::string_view scope;
};

namespace detail {

// Counts bytes when dest is nullptr, writes them otherwise, so that the size pass and
// the write pass are one piece of code and cannot disagree.
class json_writer {
public:
    constexpr explicit json_writer(char* dest) noexcept : dest_(dest) {}

    constexpr void raw(std::string_view s) noexcept {
        if (dest_ != nullptr) write_raw(s, dest_ + out_);
        out_ += s.size();
    }
    constexpr void string(std::string_view s) noexcept {
        out_ += dest_ != nullptr ? write_json_string(s, dest_ + out_) : json_string_size(s);
    }
    constexpr void contents(std::string_view s) noexcept {
        out_ += dest_ != nullptr ? write_json_contents(s, dest_ + out_) : json_contents_size(s);
    }
    constexpr void number(std::uint64_t n) noexcept {
        out_ += dest_ != nullptr ? write_decimal(n, dest_ + out_) : decimal_digits(n);
    }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return out_; }

private:
    char* dest_;
    std::size_t out_ = 0;
};

// The careful serializer: any string, escaped as needed. The usual token takes the plain
// path below instead, and comes here only when one of its strings holds a byte that path
// does not write as it is.
constexpr std::size_t token_json(const token_fields& token, char* dest) noexcept {
    json_writer json(dest);
    json.raw("{\"access_token\":");
    json.string(token.access_token);
    if (token.expires_in) {
        json.raw(",\"expires_in\":");
        json.number(*token.expires_in);
    }
    json.raw(",\"token_type\":");
    json.string(token.token_type);
    if (!token.refresh_token.empty()) {
        json.raw(",\"refresh_token\":");
        json.string(token.refresh_token);
    }
    if (!token.scope.empty()) {
        json.raw(",\"scope\":");
        json.string(token.scope);
    }
    json.raw("}");
    return json.size();
}

// The fixed parts of the success body around plain strings, quotes included, so that each
// is one copy of a known size.
inline constexpr std::string_view plain_access_token_open = "{\"access_token\":\"";
inline constexpr std::string_view plain_expires_in_open = "\",\"expires_in\":";
inline constexpr std::string_view plain_token_type_after_number = ",\"token_type\":\"";
inline constexpr std::string_view plain_token_type_after_string = "\",\"token_type\":\"";
inline constexpr std::string_view plain_refresh_token_open = "\",\"refresh_token\":\"";
inline constexpr std::string_view plain_scope_open = "\",\"scope\":\"";
inline constexpr std::string_view plain_close = "\"}";

// The size of the success body when every string is written as it is (holds only bytes
// swar_has_non_plain_token_byte accepts): known from the lengths, without a scan.
[[nodiscard]] constexpr std::size_t plain_token_json_size(const token_fields& token) noexcept {
    std::size_t size = plain_access_token_open.size() + token.access_token.size() +
                       plain_token_type_after_string.size() + token.token_type.size() + plain_close.size();
    if (token.expires_in)
        size += plain_expires_in_open.size() + decimal_digits(*token.expires_in) +
                plain_token_type_after_number.size() - plain_token_type_after_string.size();
    if (!token.refresh_token.empty()) size += plain_refresh_token_open.size() + token.refresh_token.size();
    if (!token.scope.empty()) size += plain_scope_open.size() + token.scope.size();
    return size;
}

// Non-zero when a string of the token holds a byte outside VSCHAR or one JSON escapes.
[[nodiscard]] constexpr std::uint64_t token_non_plain_bytes(const token_fields& token) noexcept {
    return non_plain_token_bytes(token.access_token) | non_plain_token_bytes(token.token_type) |
           non_plain_token_bytes(token.refresh_token) | non_plain_token_bytes(token.scope);
}

struct plain_write {
    std::size_t size;
    // Non-zero when a string was not plain: then the bytes written are not the body.
    std::uint64_t non_plain;
};

// Writes the success body as plain_token_json_size counts it (dest has room for that).
// When Check, each string is checked in the same pass that copies it; otherwise the
// strings are known to be plain and are only copied.
template <bool Check>
constexpr plain_write write_plain_token_json(const token_fields& token, char* dest) noexcept {
    const auto copy = [](std::string_view s, char* to) -> std::uint64_t {
        if constexpr (Check) return copy_non_plain_token_bytes(s, to);
        write_raw(s, to);
        return 0;
    };
    std::size_t out = write_raw(plain_access_token_open, dest);
    std::uint64_t non_plain = copy(token.access_token, dest + out);
    out += token.access_token.size();
    if (token.expires_in) {
        out += write_raw(plain_expires_in_open, dest + out);
        out += write_decimal(*token.expires_in, dest + out);
        out += write_raw(plain_token_type_after_number, dest + out);
    } else {
        out += write_raw(plain_token_type_after_string, dest + out);
    }
    non_plain |= copy(token.token_type, dest + out);
    out += token.token_type.size();
    if (!token.refresh_token.empty()) {
        out += write_raw(plain_refresh_token_open, dest + out);
        non_plain |= copy(token.refresh_token, dest + out);
        out += token.refresh_token.size();
    }
    if (!token.scope.empty()) {
        out += write_raw(plain_scope_open, dest + out);
        non_plain |= copy(token.scope, dest + out);
        out += token.scope.size();
    }
    out += write_raw(plain_close, dest + out);
    return {out, non_plain};
}

inline constexpr std::string_view plain_error_open = "{\"error\":\"";
inline constexpr std::string_view plain_error_description_open = "\",\"error_description\":\"";

// The error body when the code and the description's parts are written as they are, as
// the fixed descriptions and declared parameter names always are: sized from the lengths,
// and each string copied and checked in one pass.
[[nodiscard]] constexpr std::size_t plain_error_json_size(std::string_view code, const error_details& d) noexcept {
    return plain_error_open.size() + code.size() + plain_error_description_open.size() + d.description_size() +
           plain_close.size();
}

// When Check, each string is checked in the pass that copies it; otherwise the strings
// are known to be plain (describe()'s details always are: the table's texts are checked
// while compiling, and a parameter_name is RFC 6749 8.2 characters) and are only copied.
template <bool Check>
constexpr plain_write write_plain_error_json(std::string_view code, const error_details& d, char* dest) noexcept {
    const auto copy = [](std::string_view s, char* to) -> std::uint64_t {
        if constexpr (Check) return copy_non_plain_token_bytes(s, to);
        write_raw(s, to);
        return 0;
    };
    std::size_t out = write_raw(plain_error_open, dest);
    std::uint64_t non_plain = copy(code, dest + out);
    out += code.size();
    out += write_raw(plain_error_description_open, dest + out);
    for (const std::string_view part : {d.description, d.parameter.text(), d.description_end}) {
        non_plain |= copy(part, dest + out);
        out += part.size();
    }
    out += write_raw(plain_close, dest + out);
    return {out, non_plain};
}

// The careful serializer of an error body: the description's parts escaped as needed, as
// one JSON string.
constexpr std::size_t error_json(const error_details& d, char* dest) noexcept {
    json_writer json(dest);
    json.raw("{\"error\":");
    json.string(to_string(d.code));
    json.raw(",\"error_description\":\"");
    for (const std::string_view part : {d.description, d.parameter.text(), d.description_end}) json.contents(part);
    json.raw("\"}");
    return json.size();
}

}  // namespace detail

[[nodiscard]] constexpr std::size_t token_json_size(const token_fields& token) noexcept {
    if (detail::token_non_plain_bytes(token) == 0) return detail::plain_token_json_size(token);
    return detail::token_json(token, nullptr);
}

// Writes the success body into `dest` (room for token_json_size bytes); returns the
// bytes written.
constexpr std::size_t write_token_json(const token_fields& token, char* dest) noexcept {
    // The plain body is never longer than the escaped one, so it fits where that does.
    const detail::plain_write plain = detail::write_plain_token_json<true>(token, dest);
    if (plain.non_plain == 0) return plain.size;
    return detail::token_json(token, dest);
}

// Writes the success body into `dest` when it fits in `capacity` bytes, and returns its
// size either way (like fmt::format_to_n): one pass over the strings for the usual token.
// A result above `capacity` means `dest` holds no body (its first `capacity` bytes may
// have been written): call again with at least that many bytes.
constexpr std::size_t write_token_json(const token_fields& token, char* dest, std::size_t capacity) noexcept {
    // Escaping only lengthens a string, so a body whose plain size does not fit never does.
    if (detail::plain_token_json_size(token) <= capacity) {
        const detail::plain_write plain = detail::write_plain_token_json<true>(token, dest);
        if (plain.non_plain == 0) return plain.size;
    }
    const std::size_t size = detail::token_json(token, nullptr);
    if (size <= capacity) detail::token_json(token, dest);
    return size;
}

// The error body of `details` (RFC 6749 5.2): its code and its whole description.
[[nodiscard]] constexpr std::size_t error_json_size(const error_details& details) noexcept {
    const std::string_view code = to_string(details.code);
    std::uint64_t non_plain = detail::non_plain_token_bytes(code);
    for (const std::string_view part : {details.description, details.parameter.text(), details.description_end})
        non_plain |= detail::non_plain_token_bytes(part);
    if (non_plain == 0) return detail::plain_error_json_size(code, details);
    return detail::error_json(details, nullptr);
}

// Writes the error body into `dest` (room for error_json_size bytes); returns the bytes
// written.
constexpr std::size_t write_error_json(const error_details& details, char* dest) noexcept {
    // As for the token: the plain body fits wherever the escaped one does.
    const detail::plain_write plain = detail::write_plain_error_json<true>(to_string(details.code), details, dest);
    if (plain.non_plain == 0) return plain.size;
    return detail::error_json(details, dest);
}

// The same for a code and a description of one piece.
[[nodiscard]] constexpr std::size_t error_json_size(error_code code, std::string_view description) noexcept {
    return error_json_size(error_details{code, 0, description});
}
constexpr std::size_t write_error_json(error_code code, std::string_view description, char* dest) noexcept {
    return write_error_json(error_details{code, 0, description}, dest);
}

}  // namespace oauthcore
