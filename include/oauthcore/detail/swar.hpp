#pragma once
// Word-at-a-time scanning: eight bytes per step instead of one, for the scans that
// run over every byte of a request or a response (is there a '+' or '%' to decode, a
// control character, a byte that JSON must escape). Plain C++ on 64-bit words, no
// alignment requirement; in constant evaluation a byte loop gives the same answers. The
// word tests only say whether a word holds a matching byte; which byte it is, the byte
// loop finds, so byte order never matters. The longer scans also have a 16-byte form on
// GCC and Clang generic vectors, with the word form as the fallback elsewhere. Also here,
// for the same reason (no call per search on every request): the first occurrence of a
// byte (find_byte, find_first) and the equality of short strings (bytes_equal).

#include "oauthcore/language.hpp"

#include <bit>
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
// else (words may overlap): non-zero when a byte of `s` matches. When Copy, `s` is also
// copied to `dest` (s.size() bytes, nothing past them) from the words tested, so the
// check and the copy read each byte once. `word_test` must be exact on words (non-zero
// only when one of its bytes matches), as the tests above are; then a word of one byte
// repeated answers for that byte, which is what the constant evaluation uses. No early
// exit: for the short strings this serves, one branch at the end is cheaper than one
// per word.
template <bool Copy, class WordTest>
constexpr std::uint64_t swar_scan(std::string_view s, char* dest, WordTest word_test) noexcept {
    std::uint64_t found = 0;
    const std::size_t n = s.size();
    if (std::is_constant_evaluated()) {
        for (std::size_t i = 0; i < n; ++i) {
            if constexpr (Copy) dest[i] = s[i];
            found |= word_test(swar_ones * static_cast<unsigned char>(s[i]));
        }
        return found;
    }
    const auto load = [&](auto& word, std::size_t at) {
        std::memcpy(&word, s.data() + at, sizeof word);
        if constexpr (Copy) std::memcpy(dest + at, &word, sizeof word);
    };
    if (n >= 8) {
        std::uint64_t w;
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            load(w, i);
            found |= word_test(w);
        }
        load(w, n - 8);
        return found | word_test(w);
    }
    if (n >= 4) {
        std::uint32_t low;
        std::uint32_t high;
        load(low, 0);
        load(high, n - 4);
        return word_test(low | (std::uint64_t{high} << 32));
    }
    if (n == 0) return 0;
    // One to three bytes: the first, middle and last are all of them.
    if constexpr (Copy) {
        dest[0] = s[0];
        dest[n / 2] = s[n / 2];
        dest[n - 1] = s[n - 1];
    }
    const auto byte = [&](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(s[i])}; };
    const std::uint64_t w = byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16 | byte(n - 1) << 24;
    return word_test(w | w << 32);
}

template <class WordTest>
[[nodiscard]] constexpr std::uint64_t swar_any(std::string_view s, WordTest word_test) noexcept {
    return swar_scan<false>(s, nullptr, word_test);
}

#if defined(__GNUC__) || defined(__clang__)
// Sixteen bytes per step with the compilers' generic vectors (SSE2 on x86-64, NEON on
// AArch64, pairs of words elsewhere); the one builtin is SSE2's byte mask, to gather a
// comparison's lanes into bits (byte_vector_bits). As signed bytes, 0x80-0xFF are
// negative. A vector test sets, in each byte lane that matches, at least the bits the
// word test of the same rule sets in that byte, so a caller reads either answer the same way.
using signed_byte_vector = signed char __attribute__((vector_size(16)));
#define OAUTHCORE_HAVE_BYTE_VECTORS 1

// swar_scan sixteen bytes at a time, for s.size() >= 16 (the last step overlaps).
template <bool Copy, class VectorTest>
[[nodiscard]] inline std::uint64_t vector_scan(std::string_view s, char* dest, VectorTest vector_test) noexcept {
    const std::size_t n = s.size();
    signed_byte_vector found{};
    signed_byte_vector v;
    const auto load = [&](std::size_t at) {
        std::memcpy(&v, s.data() + at, 16);
        if constexpr (Copy) std::memcpy(dest + at, &v, 16);
    };
    for (std::size_t i = 0; i + 16 < n; i += 16) {
        load(i);
        found |= vector_test(v);
    }
    load(n - 16);
    found |= vector_test(v);
    std::uint64_t halves[2];
    std::memcpy(halves, &found, 16);
    return halves[0] | halves[1];
}

// One bit per lane of `lanes` (each 0 or -1), lane 0 in bit 0.
[[nodiscard]] inline unsigned byte_vector_bits(signed_byte_vector lanes) noexcept {
#if defined(__SSE2__)
    using char_vector = char __attribute__((vector_size(16)));  // what the builtin takes
    return static_cast<unsigned>(__builtin_ia32_pmovmskb128(reinterpret_cast<char_vector>(lanes)));
#else
    std::uint64_t halves[2];
    std::memcpy(halves, &lanes, 16);
    // The multiply moves the high bit of byte k to bit 56 + k, for every k at once.
    const auto gather = [](std::uint64_t h) {
        return static_cast<unsigned>(((h & swar_highs) * 0x0002040810204081u) >> 56);
    };
    return gather(halves[0]) | gather(halves[1]) << 8;
#endif
}
#else
#define OAUTHCORE_HAVE_BYTE_VECTORS 0
#endif

// One byte-class rule, as a word test and (where the compiler has byte vectors) a vector
// test giving the same bits: scan_any takes sixteen bytes a step for strings of sixteen
// bytes or more, eight below.
template <bool Copy, class WordTest, class VectorTest>
constexpr std::uint64_t scan_any(std::string_view s, char* dest, WordTest word_test,
                                 [[maybe_unused]] VectorTest vector_test) noexcept {
#if OAUTHCORE_HAVE_BYTE_VECTORS
    if (!std::is_constant_evaluated() && s.size() >= 16) return vector_scan<Copy>(s, dest, vector_test);
#endif
    return swar_scan<Copy>(s, dest, word_test);
}

#if OAUTHCORE_HAVE_BYTE_VECTORS
inline constexpr auto vector_has_non_plain_token_byte = [](signed_byte_vector v) {
    return (v < 0x20) | (v == 0x7F) | (v == '"') | (v == '\\');
};
#else
inline constexpr auto vector_has_non_plain_token_byte = [](auto) { return 0; };
#endif

#if OAUTHCORE_HAVE_BYTE_VECTORS
// swar_has_non_vschar's rule: below 0x20 (0x80-0xFF are negative) or 0x7F.
inline constexpr auto vector_has_non_vschar = [](signed_byte_vector v) { return (v < 0x20) | (v == 0x7F); };
#else
inline constexpr auto vector_has_non_vschar = [](auto) { return 0; };
#endif

// Non-zero when a byte of `s` is not a plain token byte (swar_has_non_plain_token_byte).
[[nodiscard]] constexpr std::uint64_t non_plain_token_bytes(std::string_view s) noexcept {
    return scan_any<false>(s, nullptr, swar_has_non_plain_token_byte, vector_has_non_plain_token_byte);
}

// Copies `s` to `dest` (s.size() bytes) and returns non_plain_token_bytes(s), reading each
// byte once.
constexpr std::uint64_t copy_non_plain_token_bytes(std::string_view s, char* dest) noexcept {
    return scan_any<true>(s, dest, swar_has_non_plain_token_byte, vector_has_non_plain_token_byte);
}

// The first `c` in [from, to), or `to`; bytes from `readable` (at or before `from`) may
// be read. Inline, sixteen bytes a step: the form's delimiters are a few bytes apart, so
// a call to memchr per delimiter (its setup and its return) costs more than the search.
// The last step reads the sixteen bytes that end at `to`, overlapping those before.
[[nodiscard]] constexpr const char* find_byte([[maybe_unused]] const char* readable, const char* from, const char* to,
                                              char c) noexcept {
#if OAUTHCORE_HAVE_BYTE_VECTORS
    if (!std::is_constant_evaluated() && to - readable >= 16) {
        const auto matches = [c](const char* at) {
            signed_byte_vector v;
            std::memcpy(&v, at, 16);
            return byte_vector_bits(v == static_cast<signed char>(c));
        };
        for (; to - from >= 16; from += 16)
            if (const unsigned bits = matches(from); bits != 0) return from + std::countr_zero(bits);
        if (from == to) return to;
        // The lanes before `from` are bytes already searched: shifted out.
        const auto before = static_cast<unsigned>(16 - (to - from));
        const unsigned bits = matches(to - 16) >> before;
        return bits != 0 ? from + std::countr_zero(bits) : to;
    }
#endif
    const char* found = std::char_traits<char>::find(from, static_cast<std::size_t>(to - from), c);
    return found == nullptr ? to : found;
}

// The index of the first `c` in `s`, or std::string_view::npos: s.find(c) without the
// call to memchr (see find_byte).
[[nodiscard]] constexpr std::size_t find_first(std::string_view s, char c) noexcept {
    const char* const end = s.data() + s.size();
    const char* const found = find_byte(s.data(), s.data(), end, c);
    return found == end ? std::string_view::npos : static_cast<std::size_t>(found - s.data());
}

// A string of 1 to max_short_key bytes as the words bytes_equal compares it by: its first
// and last eight bytes (which overlap below sixteen), its first and last four below eight,
// its first, middle and last byte below four. Two strings of one size are equal exactly
// when their keys are. In the target's byte order, as loads from memory give them, in
// constant evaluation too (std::bit_cast), so that a key made while compiling
// (name_lookup's table) compares with one made at run time.
struct short_key {
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
};

inline constexpr std::size_t max_short_key = 16;

template <class Word>
[[nodiscard, gnu::always_inline]] constexpr Word load_word(const char* at) noexcept {
    if (std::is_constant_evaluated()) {
        struct word_bytes {
            char bytes[sizeof(Word)];
        } copy{};
        for (std::size_t i = 0; i < sizeof(Word); ++i) copy.bytes[i] = at[i];
        return std::bit_cast<Word>(copy);
    }
    Word w;
    std::memcpy(&w, at, sizeof w);
    return w;
}

[[nodiscard, gnu::always_inline]] constexpr short_key short_key_of(std::string_view s) noexcept {
    const std::size_t n = s.size();
    const char* const p = s.data();
    if (n >= 8) return {load_word<std::uint64_t>(p), load_word<std::uint64_t>(p + n - 8)};
    if (n >= 4) return {load_word<std::uint32_t>(p) | std::uint64_t{load_word<std::uint32_t>(p + n - 4)} << 32, 0};
    const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
    return {byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16, 0};
}

[[nodiscard, gnu::always_inline]] constexpr bool same_key(short_key a, short_key b) noexcept {
    return ((a.head ^ b.head) | (a.tail ^ b.tail)) == 0;
}

// a == b, inline for the short strings compared on every request (parameter names, ids,
// grant types, redirect URIs: up to 32 bytes, two or four overlapping words from each)
// instead of a call to memcmp; longer ones still go to memcmp. Not for secrets: see
// constant_time_equal. Always inlined: with every grant in one program, g++ 12 made it one
// out-of-line function, whose first branch (are the lengths equal?) then served every
// call site and was mispredicted often enough to cost the authorization_code request 8 ns.
// Its words for up to sixteen bytes are those of short_key_of (a test holds the two to
// the same answers); it compares them as it loads them, with an early answer below four
// bytes, which building two keys first cost the password request 42 instructions.
[[nodiscard, gnu::always_inline]] constexpr bool bytes_equal(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    if (std::is_constant_evaluated()) return a == b;
    const auto difference = [&](auto word, std::size_t at) {
        using Word = decltype(word);
        return load_word<Word>(a.data() + at) ^ load_word<Word>(b.data() + at);
    };
    // The usual lengths first, so that they pay no more tests than before longer ones
    // were compared inline.
    if (n >= 8) {
        if (n <= 16) return (difference(std::uint64_t{}, 0) | difference(std::uint64_t{}, n - 8)) == 0;
        if (n > 32) return a == b;
        // "authorization_code", a redirect URI: the first sixteen bytes and the last sixteen.
        return (difference(std::uint64_t{}, 0) | difference(std::uint64_t{}, 8) | difference(std::uint64_t{}, n - 16) |
                difference(std::uint64_t{}, n - 8)) == 0;
    }
    if (n >= 4) return (difference(std::uint32_t{}, 0) | difference(std::uint32_t{}, n - 4)) == 0;
    // Up to three bytes: the first, middle and last are all of them.
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

}  // namespace oauthcore::detail
