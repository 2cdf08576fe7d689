#pragma once
// Deliberately naive reference decoders for the fuzz harnesses, written from the WHATWG
// URL standard rather than from oauthcore's code: byte by byte into a std::string, no
// tables, no word tricks, so that a bug in the library's fast paths cannot hide here too.

#include <cstddef>
#include <string>
#include <string_view>

namespace fuzz_reference {

// WHATWG URL, "percent-decode a byte sequence": %XX (either case) is the byte XX; a '%'
// not followed by two hex digits stays as it is.
inline std::string percent_decode(std::string_view input) {
    const auto is_hex = [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    };
    const auto value_of = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return c - 'A' + 10;
    };
    std::string output;
    for (std::size_t i = 0; i < input.size(); ++i) {
        const char byte = input[i];
        if (byte != '%' || i + 2 >= input.size() || !is_hex(input[i + 1]) || !is_hex(input[i + 2])) {
            output += byte;
        } else {
            output += static_cast<char>(value_of(input[i + 1]) * 16 + value_of(input[i + 2]));
            i += 2;
        }
    }
    return output;
}

// WHATWG application/x-www-form-urlencoded parser, for one name or value: every '+'
// becomes a space, then percent-decode. RFC 6749 2.3.1 encodes client credentials the
// same way before Basic.
inline std::string form_decode(std::string_view raw) {
    std::string plus_as_space(raw);
    for (char& c : plus_as_space)
        if (c == '+') c = ' ';
    return percent_decode(plus_as_space);
}

}  // namespace fuzz_reference
