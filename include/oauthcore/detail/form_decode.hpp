#pragma once
// WHATWG application/x-www-form-urlencoded parsing, step 3 (form.hpp): in a name or a
// value, '+' becomes a space, then each '%' followed by two hex digits (either case)
// becomes that byte; a '%' not followed by two hex digits stays. Bytes in, bytes out.
//  - decode_form_bytes: the step as written, a byte at a time; it also counts the bytes
//    without writing them, so the size and the bytes come from one definition. Constant
//    evaluation runs it, and the tests hold the fast path to it.
//  - decode_form_bytes_in_blocks: the same bytes, sixteen at a step between the '+' and
//    '%' it finds, for a destination with room for the raw bytes (as the form parser's
//    storage gives it). Redirect URIs and URN grant types are long and percent-encoded:
//    the byte loop cost about ten instructions a byte on them.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "oauthcore/detail/swar.hpp"

namespace oauthcore::detail {

// The value of each hex digit (either case) shifted left by Shift, 0x100 for the other
// bytes: the byte of "%XY" is one load for X, one for Y and an OR, and it is above 0xFF
// exactly when X or Y is not a hex digit.
template <unsigned Shift>
inline constexpr auto hex_digit_values = [] {
    std::array<std::uint16_t, 256> values{};
    for (auto& v : values) v = 0x100;
    for (unsigned i = 0; i < 10; ++i) values['0' + i] = static_cast<std::uint16_t>(i << Shift);
    for (unsigned i = 0; i < 6; ++i) {
        values['a' + i] = static_cast<std::uint16_t>((10 + i) << Shift);
        values['A' + i] = static_cast<std::uint16_t>((10 + i) << Shift);
    }
    return values;
}();

// The byte that "%" `high` `low` encodes, or a value above 0xFF when they are not two
// hex digits.
[[nodiscard]] constexpr unsigned percent_decoded(char high, char low) noexcept {
    return hex_digit_values<4>[static_cast<unsigned char>(high)] | hex_digit_values<0>[static_cast<unsigned char>(low)];
}

// WHATWG step 3 over `raw`: writes the decoded bytes to `dest` when Write, and returns
// their number either way, so the size and the bytes come from one definition.
template <bool Write>
constexpr std::size_t decode_form_bytes(std::string_view raw, char* dest) noexcept {
    const char* in = raw.data();
    const char* const end = in + raw.size();
    std::size_t out = 0;
    const auto put = [&](char c) {
        if constexpr (Write) dest[out] = c;
        ++out;
    };
    // A '%' in the last two bytes has no two bytes after it, so only the loop up to there
    // looks for triplets, and it needs no bounds test.
    if (raw.size() > 2) {
        const char* const last_triplet = end - 2;
        while (in < last_triplet) {
            const char c = *in;
            if (c == '%') {
                if (const unsigned byte = percent_decoded(in[1], in[2]); byte <= 0xFF) {
                    put(static_cast<char>(byte));
                    in += 3;
                    continue;
                }
            }
            put(c == '+' ? ' ' : c);
            ++in;
        }
    }
    for (; in != end; ++in) put(*in == '+' ? ' ' : *in);
    return out;
}

#if OAUTHCORE_HAVE_BYTE_VECTORS
// decode_form_bytes<true>(raw, dest) where `dest` has room for raw.size() bytes, not only
// for the decoded ones: each step copies the sixteen bytes at the cursor before it knows
// where the first '+' or '%' among them is, then moves past the bytes before it and
// decodes that one. Decoding never lengthens, so a step's sixteen bytes stay within the
// room. The last bytes (fewer than sixteen) go through decode_form_bytes. Kept out of
// the form parser's loop (noinline): inlined there, it cost every request, decoded or
// not, about forty instructions of spilled registers.
[[nodiscard]] __attribute__((noinline)) inline std::size_t decode_form_bytes_in_blocks(std::string_view raw,
                                                                                       char* dest) noexcept {
    const char* in = raw.data();
    const char* const end = in + raw.size();
    char* out = dest;
    while (end - in >= 16) {
        signed_byte_vector v;
        std::memcpy(&v, in, 16);
        std::memcpy(out, &v, 16);
        const unsigned special = byte_vector_bits((v == '+') | (v == '%'));
        if (special == 0) {
            in += 16;
            out += 16;
            continue;
        }
        const auto plain = std::countr_zero(special);
        in += plain;
        out += plain;
        if (*in == '%') {
            // At least sixteen bytes from the cursor: both digits are there.
            if (const unsigned byte = percent_decoded(in[1], in[2]); byte <= 0xFF) {
                *out++ = static_cast<char>(byte);
                in += 3;
                continue;
            }
        }
        *out++ = *in == '+' ? ' ' : '%';
        ++in;
    }
    const auto written = static_cast<std::size_t>(out - dest);
    return written + decode_form_bytes<true>(std::string_view(in, static_cast<std::size_t>(end - in)), out);
}
#endif

}  // namespace oauthcore::detail
