#pragma once
// The byte classes of the grammars oauthcore reads and writes, each defined once, here, as
// a table over all 256 byte values. The scalar checks read the table; the word-at-a-time
// and vector tests in detail/ (swar.hpp, json.hpp, basic_auth.hpp) are checked against it
// for every byte value in every position (tests/char_class.cpp).

#include "oauthcore/language.hpp"

#include <array>
#include <cstdint>
#include <string_view>

namespace oauthcore {

enum class char_class : std::uint16_t {
    vschar = 1u << 0,       // RFC 6749 Appendix A: VSCHAR = %x20-7E (tokens)
    nqchar = 1u << 1,       // RFC 6749 Appendix A: NQCHAR = %x21 / %x23-5B / %x5D-7E (scope tokens)
    token_plain = 1u << 2,  // VSCHAR that JSON writes as it is (not '"' or '\'): a token copied verbatim
    json_plain = 1u << 3,   // %x20-7F but '"' and '\': RFC 8259 7, ASCII written as it is
    control = 1u << 4,      // RFC 5234 CTL = %x00-1F / %x7F (RFC 7617 2: not in user-id or password)
    description = 1u << 5,  // RFC 6749 5.2: error_description = 1*( %x20-21 / %x23-5B / %x5D-7E )
    param_name = 1u << 6,   // RFC 6749 8.2: name-char = "-" / "." / "_" / DIGIT / ALPHA
    unreserved = 1u << 7,   // RFC 3986 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 7636 4.1)
    uri = 1u << 8,          // RFC 3986 2: unreserved / gen-delims / sub-delims / "%" (what a URI is written with)
    form_plain =
        1u << 9,  // WHATWG application/x-www-form-urlencoded serializing: ALPHA / DIGIT / "*" / "-" / "." / "_"
};

namespace detail {

[[nodiscard]] constexpr std::uint16_t classes_of(unsigned c) noexcept {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    const bool digit = c >= '0' && c <= '9';
    const bool quote_or_backslash = c == '"' || c == '\\';
    std::uint16_t bits = 0;
    const auto add = [&bits](bool in, char_class k) {
        if (in) bits = static_cast<std::uint16_t>(bits | static_cast<std::uint16_t>(k));
    };
    add(c >= 0x20 && c <= 0x7E, char_class::vschar);
    add(c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E), char_class::nqchar);
    add(c >= 0x20 && c <= 0x7E && !quote_or_backslash, char_class::token_plain);
    add(c >= 0x20 && c <= 0x7F && !quote_or_backslash, char_class::json_plain);
    add(c < 0x20 || c == 0x7F, char_class::control);
    add(c == 0x20 || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E), char_class::description);
    add(alpha || digit || c == '-' || c == '.' || c == '_', char_class::param_name);
    add(alpha || digit || c == '-' || c == '.' || c == '_' || c == '~', char_class::unreserved);
    constexpr std::string_view gen_delims = ":/?#[]@";
    constexpr std::string_view sub_delims = "!$&'()*+,;=";
    const bool delimiter = c < 0x80 && (gen_delims.find(static_cast<char>(c)) != std::string_view::npos ||
                                        sub_delims.find(static_cast<char>(c)) != std::string_view::npos);
    add(alpha || digit || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || delimiter, char_class::uri);
    add(alpha || digit || c == '*' || c == '-' || c == '.' || c == '_', char_class::form_plain);
    return bits;
}

inline constexpr std::array<std::uint16_t, 256> char_classes = [] {
    std::array<std::uint16_t, 256> table{};
    for (unsigned c = 0; c < 256; ++c) table[c] = classes_of(c);
    return table;
}();

}  // namespace detail

// True when byte `c` belongs to class `k`.
[[nodiscard]] constexpr bool is_in(char_class k, char c) noexcept {
    return (detail::char_classes[static_cast<unsigned char>(c)] & static_cast<std::uint16_t>(k)) != 0;
}

// True when every byte of `text` belongs to class `k` (an empty text does).
[[nodiscard]] constexpr bool all_in(char_class k, std::string_view text) noexcept {
    for (const char c : text)
        if (!is_in(k, c)) return false;
    return true;
}

// True when some byte of `text` belongs to class `k`.
[[nodiscard]] constexpr bool any_in(char_class k, std::string_view text) noexcept {
    for (const char c : text)
        if (is_in(k, c)) return true;
    return false;
}

}  // namespace oauthcore
