#pragma once
// Comparison of secrets whose running time does not depend on where they differ
// (RFC 6749 10.10 and 10.3: credentials must resist guessing; a comparison that
// stops at the first difference tells an attacker, byte by byte, how much of a guess
// was right).

#include "oauthcore/language.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace oauthcore {

namespace detail {

// Hides a value from the optimizer, so that it cannot turn the accumulation below
// back into an early exit.
template <class T>
inline T opaque(T value) noexcept {
#if defined(__GNUC__) || defined(__clang__)
    __asm__ volatile("" : "+r"(value));
#endif
    return value;
}

}  // namespace detail

namespace detail {

// The usual case of the comparison below: two strings of the same length, eight bytes or
// more. Sixteen bytes a step, one barrier per step, and the last bytes as the eight that
// end the strings (re-reading some already compared): no byte loop, still no early exit,
// and the work depends on the length alone.
[[nodiscard]] inline bool constant_time_equal_words(const char* a, const char* b, std::size_t length) noexcept {
    const auto difference = [&](std::size_t at) {
        std::uint64_t x;
        std::uint64_t y;
        std::memcpy(&x, a + at, 8);
        std::memcpy(&y, b + at, 8);
        return x ^ y;
    };
    std::uint64_t word_difference = 0;
    std::size_t i = 0;
    for (; i + 16 <= length; i += 16) word_difference = opaque(word_difference | difference(i) | difference(i + 8));
    if (i + 8 <= length) word_difference |= difference(i);
    word_difference = opaque(word_difference | difference(length - 8));
    return word_difference == 0;
}

}  // namespace detail

// True when `a` and `b` hold the same bytes. It reads max(a.size(), b.size()) bytes
// whatever they hold: it does not return early on a difference, nor on a length
// mismatch (only the lengths, never the contents, decide how long it runs).
[[nodiscard]] inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() == b.size() && a.size() >= 8) return detail::constant_time_equal_words(a.data(), b.data(), a.size());
    const std::size_t length = a.size() > b.size() ? a.size() : b.size();
    const std::size_t common = a.size() < b.size() ? a.size() : b.size();
    // Eight bytes at a time over the bytes both hold, then byte by byte: still no early
    // exit, and which path runs depends on the lengths alone.
    std::uint64_t word_difference = 0;
    std::size_t i = 0;
    for (; i + 8 <= common; i += 8) {
        std::uint64_t x;
        std::uint64_t y;
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        word_difference = detail::opaque(word_difference | (x ^ y));
    }
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    difference = static_cast<unsigned char>(difference | ((word_difference | (0 - word_difference)) >> 63));
    for (; i < length; ++i) {
        const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
        const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
        difference = detail::opaque(static_cast<unsigned char>(difference | (x ^ y)));
    }
    return difference == 0;
}

}  // namespace oauthcore
