#pragma once
// Word-at-a-time scanning: eight bytes per step instead of one, for the scans that
// run over every byte of a request or a response (is there a '+' or '%' to decode, a
// control character, a byte that JSON must escape). Plain C++ on 64-bit words, no
// intrinsics, no alignment requirement; in constant evaluation a byte loop gives the
// same answers. The word tests only say whether a word holds a matching byte; which
// byte it is, the byte loop finds, so byte order never matters.

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

}  // namespace oauthcore::detail
