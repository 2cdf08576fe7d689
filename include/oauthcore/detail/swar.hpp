#pragma once
// Word-at-a-time scanning: eight bytes per step instead of one, for the scans that
// run over every byte of a request or a response (is there a '+' or '%' to decode, a
// control character, a byte that JSON must escape). Plain C++ on 64-bit words, no
// intrinsics, no alignment requirement; in constant evaluation a byte loop gives the
// same answers. The word tests only say whether a word holds a matching byte; which
// byte it is, the byte loop finds, so byte order never matters. The token text scan (the
// longest one, over the response's strings) also has a 16-byte form on GCC and Clang
// generic vectors, with the word form as the fallback elsewhere.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace oauthcore::detail {

inline constexpr std::uint64_t swar_ones = 0x0101010101010101u;
inline constexpr std::uint64_t swar_highs = 0x8080808080808080u;

// Non-zero when a byte of `w` equals `c`.
[[nodiscard]] constexpr std::uint64_t swar_has_byte(std::uint64_t w, unsigned char c) noexcept {
    const std::uint64_t x = w ^ (swar_ones * c);
    return (x - swar_ones) & ~x & swar_highs;
}

// Non-zero when a byte of `w` is below `n` (n <= 0x80).
[[nodiscard]] constexpr std::uint64_t swar_has_below(std::uint64_t w, unsigned char n) noexcept {
    return (w - swar_ones * n) & ~w & swar_highs;
}

// Non-zero when a byte of `w` is 0x80 or above.
[[nodiscard]] constexpr std::uint64_t swar_has_high(std::uint64_t w) noexcept { return w & swar_highs; }

// The index of the first byte of `s` that `byte_matches`, or s.size(). `word_matches`
// must be non-zero for every word holding such a byte; it is how whole words are
// skipped.
template <class WordTest, class ByteTest>
[[nodiscard]] constexpr std::size_t swar_find(std::string_view s, WordTest word_matches,
                                              ByteTest byte_matches) noexcept {
    std::size_t i = 0;
    if (!std::is_constant_evaluated()) {
        for (; i + 8 <= s.size(); i += 8) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (word_matches(w) != 0) break;
        }
    }
    for (; i < s.size(); ++i)
        if (byte_matches(static_cast<unsigned char>(s[i]))) return i;
    return s.size();
}

// Non-zero when a byte of `w` is below 0x20 or above 0x7E (outside VSCHAR, RFC 6749
// Appendix A). Without such a byte nothing borrows or carries, so it has no false positives.
[[nodiscard]] constexpr std::uint64_t swar_has_non_vschar(std::uint64_t w) noexcept {
    return ((w - swar_ones * 0x20) | (w + swar_ones) | w) & swar_highs;
}

// Non-zero when a byte of `w` is outside VSCHAR (%x20-7E, RFC 6749 Appendix A) or is one
// JSON escapes ('"', '\', RFC 8259 7): zero exactly when a token string is valid and is
// written as it is. With the high bits masked off, every lane stays below 0x80 and each sum
// below 0x100, so nothing borrows or carries across lanes and the test is exact per byte.
[[nodiscard]] constexpr std::uint64_t swar_has_non_plain_token_byte(std::uint64_t w) noexcept {
    constexpr std::uint64_t low7 = swar_ones * 0x7F;
    const std::uint64_t t = w & low7;
    const std::uint64_t at_least_space = t + swar_ones * (0x80 - 0x20);
    const std::uint64_t not_quote = (t ^ (swar_ones * '"')) + low7;
    const std::uint64_t not_backslash = (t ^ (swar_ones * '\\')) + low7;
    const std::uint64_t del = t + swar_ones;
    return (w | del | ~(at_least_space & not_quote & not_backslash)) & swar_highs;
}

// Non-zero when a byte of `w` is below 0x20 or 0x80 and above.
[[nodiscard]] constexpr std::uint64_t swar_has_below_or_high(std::uint64_t w, unsigned char n) noexcept {
    return ((w - swar_ones * n) | w) & swar_highs;
}

// The OR of `word_test` over words that together hold every byte of `s` and nothing
// else (words may overlap): non-zero when a byte of `s` matches. `word_test` must be
// exact on words (non-zero only when one of its bytes matches), as the tests above
// are; then a word of one byte repeated answers for that byte, which is what the
// constant evaluation uses. No early exit: for the short strings this serves (tokens),
// one branch at the end is cheaper than one per word.
template <class WordTest>
[[nodiscard]] constexpr std::uint64_t swar_any(std::string_view s, WordTest word_test) noexcept {
    std::uint64_t found = 0;
    const std::size_t n = s.size();
    if (std::is_constant_evaluated()) {
        for (const char c : s) found |= word_test(swar_ones * static_cast<unsigned char>(c));
        return found;
    }
    if (n >= 8) {
        std::uint64_t w;
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            std::memcpy(&w, s.data() + i, 8);
            found |= word_test(w);
        }
        std::memcpy(&w, s.data() + n - 8, 8);
        return found | word_test(w);
    }
    if (n >= 4) {
        std::uint32_t low;
        std::uint32_t high;
        std::memcpy(&low, s.data(), 4);
        std::memcpy(&high, s.data() + n - 4, 4);
        return word_test(low | (std::uint64_t{high} << 32));
    }
    if (n == 0) return 0;
    const auto byte = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(s[i])}; };
    const std::uint64_t w = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16 | byte(n - 1) << 24;
    return word_test(w | w << 32);
}

// swar_any that also copies `s` to `dest` (s.size() bytes, nothing past them) with the
// words it tests: the check and the copy read each byte once.
template <class WordTest>
constexpr std::uint64_t swar_copy_any(std::string_view s, char* dest, WordTest word_test) noexcept {
    std::uint64_t found = 0;
    const std::size_t n = s.size();
    if (std::is_constant_evaluated()) {
        for (std::size_t i = 0; i < n; ++i) {
            dest[i] = s[i];
            found |= word_test(swar_ones * static_cast<unsigned char>(s[i]));
        }
        return found;
    }
    if (n >= 8) {
        std::uint64_t w;
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            std::memcpy(&w, s.data() + i, 8);
            std::memcpy(dest + i, &w, 8);
            found |= word_test(w);
        }
        std::memcpy(&w, s.data() + n - 8, 8);
        std::memcpy(dest + n - 8, &w, 8);
        return found | word_test(w);
    }
    if (n >= 4) {
        std::uint32_t low;
        std::uint32_t high;
        std::memcpy(&low, s.data(), 4);
        std::memcpy(&high, s.data() + n - 4, 4);
        std::memcpy(dest, &low, 4);
        std::memcpy(dest + n - 4, &high, 4);
        return word_test(low | (std::uint64_t{high} << 32));
    }
    if (n == 0) return 0;
    // One to three bytes: the first, middle and last are all of them.
    dest[0] = s[0];
    dest[n / 2] = s[n / 2];
    dest[n - 1] = s[n - 1];
    const auto byte = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(s[i])}; };
    const std::uint64_t w = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16 | byte(n - 1) << 24;
    return word_test(w | w << 32);
}

#if defined(__GNUC__) || defined(__clang__)
// Sixteen bytes per step with the compilers' generic vectors (SSE2 on x86-64, NEON on
// AArch64, pairs of words elsewhere): still no intrinsics. As signed bytes, 0x80-0xFF are
// negative, so "below 0x20" also catches them.
using signed_byte_vector = signed char __attribute__((vector_size(16)));

// The OR of the non-plain token byte test over `s` (s.size() >= 16), copying `s` to `dest`
// on the way when Copy.
template <bool Copy>
[[nodiscard]] inline std::uint64_t vector_non_plain_token_bytes(std::string_view s, char* dest) noexcept {
    const auto non_plain = [](signed_byte_vector v) { return (v < 0x20) | (v == 0x7F) | (v == '"') | (v == '\\'); };
    const std::size_t n = s.size();
    signed_byte_vector found{};
    signed_byte_vector v;
    for (std::size_t i = 0; i + 16 < n; i += 16) {
        std::memcpy(&v, s.data() + i, 16);
        if constexpr (Copy) std::memcpy(dest + i, &v, 16);
        found |= non_plain(v);
    }
    std::memcpy(&v, s.data() + n - 16, 16);
    if constexpr (Copy) std::memcpy(dest + n - 16, &v, 16);
    found |= non_plain(v);
    std::uint64_t halves[2];
    std::memcpy(halves, &found, 16);
    return halves[0] | halves[1];
}
#endif

// Non-zero when a byte of `s` is not a plain token byte (swar_has_non_plain_token_byte).
[[nodiscard]] constexpr std::uint64_t non_plain_token_bytes(std::string_view s) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    if (!std::is_constant_evaluated() && s.size() >= 16) return vector_non_plain_token_bytes<false>(s, nullptr);
#endif
    return swar_any(s, swar_has_non_plain_token_byte);
}

// Copies `s` to `dest` (s.size() bytes) and returns non_plain_token_bytes(s), reading each
// byte once.
constexpr std::uint64_t copy_non_plain_token_bytes(std::string_view s, char* dest) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    if (!std::is_constant_evaluated() && s.size() >= 16) return vector_non_plain_token_bytes<true>(s, dest);
#endif
    return swar_copy_any(s, dest, swar_has_non_plain_token_byte);
}

}  // namespace oauthcore::detail
