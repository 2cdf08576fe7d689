#pragma once
// Strict base64 (RFC 4648 section 4, the standard alphabet), as RFC 7617 Basic
// credentials use it. Strict means:
//  - only A-Z a-z 0-9 + / and '=' padding; no whitespace, no URL-safe alphabet;
//  - the length is a multiple of 4 and padding is present (RFC 4648 3.2);
//  - '=' appears only as the last one or two characters;
//  - the bits that padding leaves over are zero (RFC 4648 3.5: a decoder MAY reject
//    otherwise; we do, so every byte string has exactly one accepted encoding).

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <type_traits>

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

// Decodes the groups of `encoded` that hold no padding (all but the last) into `dest`;
// false when one holds a byte outside the alphabet. Two groups make six bytes, written
// as one eight-byte store while at least eight bytes of `dest` (size `dest_size`)
// remain, so the two bytes too many are overwritten by the next store.
[[nodiscard]] inline bool decode_base64_full_groups(std::string_view encoded, char* dest,
                                                    std::size_t dest_size) noexcept {
    const std::size_t groups = encoded.size() / 4 - 1;
    const char* in = encoded.data();
    std::uint32_t invalid = 0;
    std::size_t group = 0;
    for (; group + 2 <= groups && group * 3 + 8 <= dest_size; group += 2) {
        const std::uint32_t first = base64_group_lanes(in + group * 4);
        const std::uint32_t second = base64_group_lanes(in + group * 4 + 4);
        invalid |= first | second;
        const std::uint64_t six = first | std::uint64_t{second} << 24;
        std::memcpy(dest + group * 3, &six, 8);
    }
    for (; group < groups; ++group) {
        const std::uint32_t three = base64_group_lanes(in + group * 4);
        invalid |= three;
        std::memcpy(dest + group * 3, &three, 3);
    }
    return (invalid & base64_invalid) == 0;
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

// Decodes strict base64 into `dest` (room for base64_decoded_size bytes); returns the
// bytes written, or nullopt on any violation listed at the top of this header.
constexpr std::optional<std::size_t> decode_base64(std::string_view encoded, char* dest) noexcept {
    const auto size = base64_decoded_size(encoded);
    if (!size) return std::nullopt;
    std::size_t out = 0;
    std::size_t i = 0;
    // Every group but the last holds no padding, so it needs none of the checks below.
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little && encoded.size() > 4) {
        if (!detail::decode_base64_full_groups(encoded, dest, *size)) return std::nullopt;
        i = encoded.size() - 4;
        out = i / 4 * 3;
    }
    for (; i + 4 < encoded.size(); i += 4) {
        const int a = detail::base64_value(encoded[i]);
        const int b = detail::base64_value(encoded[i + 1]);
        const int c = detail::base64_value(encoded[i + 2]);
        const int d = detail::base64_value(encoded[i + 3]);
        if ((a | b | c | d) < 0) return std::nullopt;
        const unsigned group = (unsigned(a) << 18) | (unsigned(b) << 12) | (unsigned(c) << 6) | unsigned(d);
        dest[out] = static_cast<char>((group >> 16) & 0xFFu);
        dest[out + 1] = static_cast<char>((group >> 8) & 0xFFu);
        dest[out + 2] = static_cast<char>(group & 0xFFu);
        out += 3;
    }
    for (; i < encoded.size(); i += 4) {
        const bool last = i + 4 == encoded.size();
        const int a = detail::base64_value(encoded[i]);
        const int b = detail::base64_value(encoded[i + 1]);
        const bool pad_c = last && encoded[i + 2] == '=';
        const bool pad_d = last && encoded[i + 3] == '=';
        const int c = pad_c ? 0 : detail::base64_value(encoded[i + 2]);
        const int d = pad_d ? 0 : detail::base64_value(encoded[i + 3]);
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

[[nodiscard]] constexpr std::size_t base64_encoded_size(std::size_t bytes) noexcept { return (bytes + 2) / 3 * 4; }

// Encodes `bytes` with padding into `dest` (room for base64_encoded_size bytes);
// returns the characters written.
constexpr std::size_t encode_base64(std::string_view bytes, char* dest) noexcept {
    std::size_t out = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t left = bytes.size() - i;
        unsigned group = static_cast<unsigned char>(bytes[i]) << 16;
        if (left > 1) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        if (left > 2) group |= static_cast<unsigned char>(bytes[i + 2]);
        dest[out++] = detail::base64_alphabet[(group >> 18) & 63u];
        dest[out++] = detail::base64_alphabet[(group >> 12) & 63u];
        dest[out++] = left > 1 ? detail::base64_alphabet[(group >> 6) & 63u] : '=';
        dest[out++] = left > 2 ? detail::base64_alphabet[group & 63u] : '=';
    }
    return out;
}

}  // namespace oauthcore
