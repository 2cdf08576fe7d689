#pragma once
// Strict base64 (RFC 4648 section 4, the standard alphabet), as RFC 7617 Basic
// credentials use it; and base64url encoding without padding (RFC 4648 section 5), as
// PKCE's S256 code challenge uses it (RFC 7636 4.2, Appendix A). Strict means:
//  - only A-Z a-z 0-9 + / and '=' padding; no whitespace, no URL-safe alphabet;
//  - the length is a multiple of 4 and padding is present (RFC 4648 3.2);
//  - '=' appears only as the last one or two characters;
//  - the bits that padding leaves over are zero (RFC 4648 3.5: a decoder MAY reject
//    otherwise; we do, so every byte string has exactly one accepted encoding).

#include "oauthcore/language.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <tmmintrin.h>
#define OAUTHCORE_HAVE_SSSE3_BASE64 1
#else
#define OAUTHCORE_HAVE_SSSE3_BASE64 0
#endif

namespace oauthcore {

namespace detail {

inline constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of each byte in the alphabet, -1 for the others: one load per character
// instead of five range tests.
inline constexpr auto base64_values = [] {
    std::array<signed char, 256> values{};
    for (auto& v : values) v = -1;
    for (std::size_t i = 0; i < base64_alphabet.size(); ++i)
        values[static_cast<unsigned char>(base64_alphabet[i])] = static_cast<signed char>(i);
    return values;
}();

[[nodiscard]] constexpr int base64_value(char c) noexcept { return base64_values[static_cast<unsigned char>(c)]; }

// For the groups without padding, on little-endian targets: the bits of a character
// already placed where they land in the group's three bytes, stored in memory order
// (so a group is four loads and three ORs, and its bytes are the low three of the
// word as it stands), or base64_invalid for a byte outside the alphabet. Invalid bits
// are ORed together over all groups and tested once at the end.
inline constexpr std::uint32_t base64_invalid = 0x80000000u;
inline constexpr auto base64_lane_values = [] {
    std::array<std::array<std::uint32_t, 256>, 4> lanes{};
    for (std::size_t c = 0; c < 256; ++c) {
        if (base64_values[c] < 0) {
            for (auto& position : lanes) position[c] = base64_invalid;
            continue;
        }
        const auto v = static_cast<std::uint32_t>(base64_values[c]);
        // Big-endian group bits: v0 << 18 | v1 << 12 | v2 << 6 | v3; byte k of the
        // group is bits 23-16, 15-8, 7-0, and goes to bits 8k..8k+7 here.
        lanes[0][c] = v << 2;
        lanes[1][c] = v >> 4 | (v & 0xFu) << 12;
        lanes[2][c] = (v >> 2) << 8 | (v & 0x3u) << 22;
        lanes[3][c] = v << 16;
    }
    return lanes;
}();

[[nodiscard]] inline std::uint32_t base64_group_lanes(const char* group) noexcept {
    const auto at = [group](std::size_t position) {
        return base64_lane_values[position][static_cast<unsigned char>(group[position])];
    };
    return at(0) | at(1) | at(2) | at(3);
}

// Decodes groups [first, last) of `in` (groups of four characters, none holding
// padding) into `dest`, at three bytes per group; false when one holds a byte outside
// the alphabet. Two groups make six bytes, written as one eight-byte store while at
// least eight bytes of `dest` (size `dest_size`) remain, so the two bytes too many are
// overwritten by the next store.
[[nodiscard]] inline bool decode_base64_groups_scalar(const char* in, std::size_t first, std::size_t last, char* dest,
                                                      std::size_t dest_size) noexcept {
    std::uint32_t invalid = 0;
    std::size_t group = first;
    for (; group + 2 <= last && group * 3 + 8 <= dest_size; group += 2) {
        const std::uint32_t first_three = base64_group_lanes(in + group * 4);
        const std::uint32_t second_three = base64_group_lanes(in + group * 4 + 4);
        invalid |= first_three | second_three;
        const std::uint64_t six = first_three | std::uint64_t{second_three} << 24;
        std::memcpy(dest + group * 3, &six, 8);
    }
    for (; group < last; ++group) {
        const std::uint32_t three = base64_group_lanes(in + group * 4);
        invalid |= three;
        std::memcpy(dest + group * 3, &three, 3);
    }
    return (invalid & base64_invalid) == 0;
}

#if OAUTHCORE_HAVE_SSSE3_BASE64
// Sixteen characters (four groups, twelve bytes) per step with SSSE3, which x86-64
// without -march does not assume: the scalar groups above cost about five instructions
// per character, SSE2 alone no fewer (it has no byte shuffle to pack the bytes), and
// SSSE3 about one. So it is chosen at run time: every x86-64 CPU since 2006 has it, and
// __builtin_cpu_supports reads a flag the runtime sets at startup.
[[nodiscard]] inline bool cpu_has_ssse3() noexcept {
#if defined(__SSSE3__)
    return true;
#else
    return __builtin_cpu_supports("ssse3");
#endif
}

// Decodes `blocks` blocks of sixteen characters from `in` into `dest`, twelve bytes per
// block, each written with a sixteen-byte store (so `dest` needs 12 * blocks + 4 bytes;
// the four too many are overwritten by the next store or left for the caller's next
// write). False when a character is outside the alphabet.
//  - Classification: a character is valid exactly when the classes its high nibble
//    belongs to and the classes for which its low nibble is invalid share no bit. The
//    classes: 0x01 high nibble 2 (valid low nibbles B '+' and F '/'), 0x02 high 3 (0-9),
//    0x04 high 4 and 6 (1-F: 'A'-'O', 'a'-'o'), 0x08 high 5 and 7 (0-A: 'P'-'Z',
//    'p'-'z'), 0x10 every other high nibble (no valid low nibble).
//  - Value: the character plus an offset chosen by its high nibble, '/' (the one
//    character whose high nibble it shares with '+' but not its offset) moved to index 1.
//  - Packing: pairs of six-bit values into twelve bits (v0 * 64 + v1), pairs of those
//    into the group's 24 bits, then each group's three bytes in memory order.
__attribute__((target("ssse3"))) inline bool decode_base64_blocks_ssse3(const char* in, std::size_t blocks,
                                                                        char* dest) noexcept {
    const __m128i invalid_low_classes =
        _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
    const __m128i high_classes =
        _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m128i offsets =
        _mm_setr_epi8(0, 63 - '/', 62 - '+', 52 - '0', 0 - 'A', 0 - 'A', 26 - 'a', 26 - 'a', 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i nibble = _mm_set1_epi8(0x0F);
    const __m128i slash = _mm_set1_epi8('/');
    const __m128i pair_weights = _mm_set1_epi32(0x01400140);   // bytes 64, 1
    const __m128i group_weights = _mm_set1_epi32(0x00011000);  // halves 4096, 1
    const __m128i group_bytes = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    __m128i invalid = _mm_setzero_si128();
    for (std::size_t block = 0; block < blocks; ++block) {
        const __m128i chars = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + block * 16));
        const __m128i high = _mm_and_si128(_mm_srli_epi32(chars, 4), nibble);
        const __m128i low = _mm_and_si128(chars, nibble);
        invalid = _mm_or_si128(
            invalid, _mm_and_si128(_mm_shuffle_epi8(invalid_low_classes, low), _mm_shuffle_epi8(high_classes, high)));
        const __m128i offset_index = _mm_add_epi8(high, _mm_cmpeq_epi8(chars, slash));
        const __m128i values = _mm_add_epi8(chars, _mm_shuffle_epi8(offsets, offset_index));
        const __m128i pairs = _mm_maddubs_epi16(values, pair_weights);
        const __m128i groups = _mm_madd_epi16(pairs, group_weights);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(dest + block * 12), _mm_shuffle_epi8(groups, group_bytes));
    }
    return _mm_movemask_epi8(_mm_cmpeq_epi8(invalid, _mm_setzero_si128())) == 0xFFFF;
}
#endif

// Decodes the groups of `encoded` that hold no padding (all but the last) into `dest`
// (size `dest_size`); false when one holds a byte outside the alphabet.
[[nodiscard]] inline bool decode_base64_full_groups(std::string_view encoded, char* dest,
                                                    std::size_t dest_size) noexcept {
    const std::size_t groups = encoded.size() / 4 - 1;
    std::size_t first = 0;
#if OAUTHCORE_HAVE_SSSE3_BASE64
    if (groups >= 4 && cpu_has_ssse3()) {
        // Block k stores sixteen bytes at 12 * k: within dest_size while 12 * k + 16 fits.
        const std::size_t fitting = dest_size < 16 ? 0 : (dest_size - 16) / 12 + 1;
        const std::size_t blocks = groups / 4 < fitting ? groups / 4 : fitting;
        if (!decode_base64_blocks_ssse3(encoded.data(), blocks, dest)) return false;
        first = blocks * 4;
    }
#endif
    return decode_base64_groups_scalar(encoded.data(), first, groups, dest, dest_size);
}

// The final group, which may hold padding, into its `bytes` (1 to 3) bytes: the padding
// characters read as 'A' (zero bits) through the lane table, and the bits they stand for
// must be zero (RFC 4648 3.5). base64_decoded_size has already checked where '=' may be.
[[nodiscard]] inline bool decode_base64_final_group(const char* group, std::size_t bytes, char* dest) noexcept {
    char chars[4];
    std::memcpy(chars, group, 4);
    if (bytes < 3) chars[3] = 'A';
    if (bytes < 2) chars[2] = 'A';
    const std::uint32_t three = base64_group_lanes(chars);
    const std::uint32_t padded_bits = (0xFFFFFFu << (8 * bytes)) & 0xFFFFFFu;
    if ((three & (base64_invalid | padded_bits)) != 0) return false;
    dest[0] = static_cast<char>(three & 0xFFu);
    if (bytes > 1) dest[1] = static_cast<char>(three >> 8 & 0xFFu);
    if (bytes > 2) dest[2] = static_cast<char>(three >> 16 & 0xFFu);
    return true;
}

}  // namespace detail

// The bytes decode_base64 writes for `encoded`, or nullopt when `encoded` is not
// strict base64 by its length and padding alone (decode_base64 checks the rest).
[[nodiscard]] constexpr std::optional<std::size_t> base64_decoded_size(std::string_view encoded) noexcept {
    if (encoded.size() % 4 != 0) return std::nullopt;
    std::size_t padding = 0;
    if (!encoded.empty() && encoded.back() == '=') ++padding;
    if (encoded.size() >= 2 && encoded[encoded.size() - 2] == '=') ++padding;
    if (padding == 1 && encoded.back() != '=') return std::nullopt;
    return encoded.size() / 4 * 3 - padding;
}

namespace detail {

// decode_base64 one group at a time with the value table alone: what constant evaluation
// and big-endian targets run, and the reference the tests hold the fast paths to.
// `encoded` has a valid length and padding (base64_decoded_size).
constexpr std::optional<std::size_t> decode_base64_portable(std::string_view encoded, char* dest) noexcept {
    std::size_t out = 0;
    std::size_t i = 0;
    for (; i + 4 < encoded.size(); i += 4) {
        const int a = base64_value(encoded[i]);
        const int b = base64_value(encoded[i + 1]);
        const int c = base64_value(encoded[i + 2]);
        const int d = base64_value(encoded[i + 3]);
        if ((a | b | c | d) < 0) return std::nullopt;
        const unsigned group = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6) | unsigned(d);
        dest[out] = static_cast<char>((group >> 16) & 0xFFu);
        dest[out + 1] = static_cast<char>((group >> 8) & 0xFFu);
        dest[out + 2] = static_cast<char>(group & 0xFFu);
        out += 3;
    }
    for (; i < encoded.size(); i += 4) {
        const bool last = i + 4 == encoded.size();
        const int a = base64_value(encoded[i]);
        const int b = base64_value(encoded[i + 1]);
        const bool pad_c = last && encoded[i + 2] == '=';
        const bool pad_d = last && encoded[i + 3] == '=';
        const int c = pad_c ? 0 : base64_value(encoded[i + 2]);
        const int d = pad_d ? 0 : base64_value(encoded[i + 3]);
        if (a < 0 || b < 0 || c < 0 || d < 0) return std::nullopt;
        if (pad_c && !pad_d) return std::nullopt;
        const unsigned group = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6) | unsigned(d);
        if (pad_c && (group & 0xFFFFu) != 0) return std::nullopt;
        if (pad_d && (group & 0xFFu) != 0) return std::nullopt;
        dest[out++] = static_cast<char>((group >> 16) & 0xFFu);
        if (!pad_c) dest[out++] = static_cast<char>((group >> 8) & 0xFFu);
        if (!pad_d) dest[out++] = static_cast<char>(group & 0xFFu);
    }
    return out;
}

}  // namespace detail

// Decodes strict base64 into `dest` (room for base64_decoded_size bytes); returns the
// bytes written, or nullopt on any violation listed at the top of this header.
constexpr std::optional<std::size_t> decode_base64(std::string_view encoded, char* dest) noexcept {
    const auto size = base64_decoded_size(encoded);
    if (!size) return std::nullopt;
    // At run time on little-endian targets, whole words through the lane tables (and
    // SSSE3 where the CPU has it): every group but the last holds no padding, so only the
    // last needs the padding checks.
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little && !encoded.empty()) {
        if (encoded.size() > 4 && !detail::decode_base64_full_groups(encoded, dest, *size)) return std::nullopt;
        const std::size_t written = (encoded.size() / 4 - 1) * 3;
        if (!detail::decode_base64_final_group(encoded.data() + encoded.size() - 4, *size - written, dest + written))
            return std::nullopt;
        return size;
    }
    return detail::decode_base64_portable(encoded, dest);
}

namespace detail {

inline constexpr std::string_view base64url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Encodes `bytes` with `alphabet` (RFC 4648 4 or 5) into `dest`; the last group is
// completed with '=' when `pad`, and left short otherwise. Returns the characters written.
template <class Byte>
constexpr std::size_t encode_base64_with(std::span<const Byte> bytes, char* dest, std::string_view alphabet,
                                         bool pad) noexcept {
    static_assert(sizeof(Byte) == 1);
    const auto byte = [bytes](std::size_t at) { return unsigned{static_cast<unsigned char>(bytes[at])}; };
    std::size_t out = 0;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3, out += 4) {
        const unsigned group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        dest[out] = alphabet[group >> 18];
        dest[out + 1] = alphabet[group >> 12 & 63u];
        dest[out + 2] = alphabet[group >> 6 & 63u];
        dest[out + 3] = alphabet[group & 63u];
    }
    const std::size_t left = bytes.size() - i;
    if (left == 0) return out;
    // One or two bytes left: two or three characters, then padding to four if asked.
    const unsigned group = byte(i) << 16 | (left == 2 ? byte(i + 1) << 8 : 0u);
    dest[out++] = alphabet[group >> 18];
    dest[out++] = alphabet[group >> 12 & 63u];
    if (left == 2) dest[out++] = alphabet[group >> 6 & 63u];
    if (pad) {
        if (left == 1) dest[out++] = '=';
        dest[out++] = '=';
    }
    return out;
}

}  // namespace detail

[[nodiscard]] constexpr std::size_t base64_encoded_size(std::size_t bytes) noexcept { return (bytes + 2) / 3 * 4; }

// Encodes `bytes` with padding into `dest` (room for base64_encoded_size bytes);
// returns the characters written.
constexpr std::size_t encode_base64(std::string_view bytes, char* dest) noexcept {
    return detail::encode_base64_with(std::span<const char>(bytes), dest, detail::base64_alphabet, true);
}

// The characters encode_base64url writes for `bytes`: two for a last byte alone, three
// for a last pair, as no padding completes the group (RFC 4648 3.2, 5).
[[nodiscard]] constexpr std::size_t base64url_encoded_size(std::size_t bytes) noexcept {
    return bytes / 3 * 4 + (bytes % 3 == 0 ? 0 : bytes % 3 + 1);
}

// Encodes `bytes` in the URL- and filename-safe alphabet ('-' and '_' for '+' and '/'),
// without padding (RFC 4648 5; RFC 7636 Appendix A), into `dest` (room for
// base64url_encoded_size bytes); returns the characters written.
constexpr std::size_t encode_base64url(std::string_view bytes, char* dest) noexcept {
    return detail::encode_base64_with(std::span<const char>(bytes), dest, detail::base64url_alphabet, false);
}

// The same for bytes held as unsigned char, such as a digest or random bytes.
constexpr std::size_t encode_base64url(std::span<const unsigned char> bytes, char* dest) noexcept {
    return detail::encode_base64_with(bytes, dest, detail::base64url_alphabet, false);
}

}  // namespace oauthcore
