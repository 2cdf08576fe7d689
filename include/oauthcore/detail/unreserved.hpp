#pragma once
// The unreserved characters of RFC 3986 2.3, which are all a PKCE code verifier may hold
// (RFC 7636 4.1): ALPHA / DIGIT / "-" / "." / "_" / "~", as char_class.hpp's table
// defines them, and a scan that says whether every byte of a string is in it: the table a
// byte at a time, and sixteen bytes a step with the compilers' generic vectors (as
// detail/swar.hpp does) for strings of sixteen bytes or more, which every valid verifier
// is. The tests hold the vector scan to the table for every byte value at every position.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "oauthcore/char_class.hpp"

namespace oauthcore::detail {

[[nodiscard]] constexpr bool is_unreserved(char c) noexcept { return is_in(char_class::unreserved, c); }

// True when every byte of `s` is unreserved, one byte at a time.
[[nodiscard]] constexpr bool all_unreserved_bytewise(std::string_view s) noexcept {
    for (const char c : s)
        if (!is_unreserved(c)) return false;
    return true;
}

#if defined(__GNUC__) || defined(__clang__)
using unreserved_byte_lanes = unsigned char __attribute__((vector_size(16)));

// All ones in each lane of `v` that holds an unreserved byte, zero in the others. As
// unsigned bytes, x - low < count is the range test low <= x < low + count (smaller x wrap
// to large values); ORing 0x20 folds 'A'-'Z' onto 'a'-'z' and nothing else onto them.
[[nodiscard]] inline unreserved_byte_lanes unreserved_lanes(unreserved_byte_lanes v) noexcept {
    const auto letter = ((v | 0x20) - 'a') < 26;
    const auto digit = (v - '0') < 10;
    const auto hyphen_or_dot = (v - '-') < 2;
    return reinterpret_cast<unreserved_byte_lanes>(letter | digit | hyphen_or_dot | (v == '_') | (v == '~'));
}

// all_unreserved_bytewise(s) for s.size() >= 16, sixteen bytes a step (the last step
// overlaps the one before it).
[[nodiscard]] inline bool all_unreserved_vector(std::string_view s) noexcept {
    unreserved_byte_lanes all = ~unreserved_byte_lanes{};
    unreserved_byte_lanes v;
    for (std::size_t i = 0; i + 16 < s.size(); i += 16) {
        std::memcpy(&v, s.data() + i, sizeof v);
        all &= unreserved_lanes(v);
    }
    std::memcpy(&v, s.data() + s.size() - 16, sizeof v);
    all &= unreserved_lanes(v);
    std::uint64_t halves[2];
    std::memcpy(halves, &all, sizeof halves);
    return (halves[0] & halves[1]) == ~std::uint64_t{0};
}
#define OAUTHCORE_HAVE_UNRESERVED_VECTORS 1
#else
#define OAUTHCORE_HAVE_UNRESERVED_VECTORS 0
#endif

// True when every byte of `s` is unreserved (RFC 3986 2.3).
[[nodiscard]] constexpr bool all_unreserved(std::string_view s) noexcept {
#if OAUTHCORE_HAVE_UNRESERVED_VECTORS
    if (!std::is_constant_evaluated() && s.size() >= 16) return all_unreserved_vector(s);
#endif
    return all_unreserved_bytewise(s);
}

}  // namespace oauthcore::detail
