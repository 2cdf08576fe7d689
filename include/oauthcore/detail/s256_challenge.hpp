#pragma once
// Whether a code verifier meets an S256 code challenge (RFC 7636 4.6):
// BASE64URL-ENCODE(SHA256(ASCII(verifier))) == challenge, compared in constant time (its
// time depends on the lengths alone). Bytes in, answer out; pkce.hpp's
// verify_code_verifier calls it for S256.
//  - s256_challenge_matches_portable: the definition as written, the digest, then its
//    43 characters, then constant_time_equal. CPUs without the SHA extensions (and
//    valgrind, whose CPU has none) run it, and the tests hold the fast path to it.
//  - s256_challenge_matches_sha_ni: the same answer with the digest kept in the rounds'
//    registers and the challenge decoded instead of the digest encoded, so that almost
//    nothing waits for the rounds (below). Measured in the token endpoint's
//    authorization_code request (docs/PERFORMANCE.md, "The grants of issue 14"): the
//    definition's digest, stored and encoded a character at a time (about 330
//    instructions, all waiting for the last round) and compared as words, cost the
//    request 69 ns; this costs it 43, about the latency of the rounds themselves.
//  - s256_challenge_matches: the second where cpu_has_sha_ni(), the first elsewhere.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "oauthcore/base64.hpp"
#include "oauthcore/constant_time.hpp"
#include "oauthcore/detail/sha256_blocks.hpp"
#include "oauthcore/sha256.hpp"

namespace oauthcore::detail {

// BASE64URL-ENCODE of a SHA-256 digest, without padding (RFC 7636 4.2, Appendix A).
inline constexpr std::size_t s256_challenge_chars = 43;

[[nodiscard]] inline bool s256_challenge_matches_portable(std::string_view verifier,
                                                          std::string_view challenge) noexcept {
    std::array<char, s256_challenge_chars> expected;
    encode_base64url(sha256(verifier), expected.data());
    return constant_time_equal(std::string_view(expected.data(), expected.size()), challenge);
}

#if OAUTHCORE_HAVE_SHA_NI && OAUTHCORE_HAVE_SSSE3_BASE64
#define OAUTHCORE_S256_TARGET __attribute__((target("sha,ssse3")))
#define OAUTHCORE_S256_INLINE __attribute__((target("sha,ssse3"), always_inline))

// The six-bit values of sixteen base64url characters (RFC 4648 5), and in `invalid` a
// nonzero lane for each character outside that alphabet. The classification is
// decode_base64_blocks_ssse3's (base64.hpp) for the other alphabet: a character is valid
// exactly when the classes its high nibble belongs to and the classes for which its low
// nibble is invalid share no bit. The classes: 0x01 high nibble 2 (valid low nibble D,
// '-'), 0x02 high 3 (0-9), 0x04 high 4 and 6 (1-F: 'A'-'O', 'a'-'o'), 0x08 high 5 and 7
// (0-A: 'P'-'Z', 'p'-'z'; and F, '_', for high 5 alone), 0x20 high 7 (F is invalid),
// 0x10 every other high nibble (no valid low nibble). The value: the character plus an
// offset chosen by its high nibble, corrected for '_' (which shares its high nibble with
// 'P'-'Z' but not their offset).
OAUTHCORE_S256_INLINE inline __m128i base64url_values_ssse3(__m128i chars, __m128i& invalid) noexcept {
    const __m128i invalid_low_classes =
        _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1B, 0x1B, 0x1A, 0x1B, 0x33);
    const __m128i high_classes =
        _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x28, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    const __m128i offsets =
        _mm_setr_epi8(0, 0, 62 - '-', 52 - '0', 0 - 'A', 0 - 'A', 26 - 'a', 26 - 'a', 0, 0, 0, 0, 0, 0, 0, 0);
    const __m128i nibble = _mm_set1_epi8(0x0F);
    const __m128i high = _mm_and_si128(_mm_srli_epi32(chars, 4), nibble);
    const __m128i low = _mm_and_si128(chars, nibble);
    invalid = _mm_and_si128(_mm_shuffle_epi8(invalid_low_classes, low), _mm_shuffle_epi8(high_classes, high));
    const __m128i underscore_correction =
        _mm_and_si128(_mm_cmpeq_epi8(chars, _mm_set1_epi8('_')), _mm_set1_epi8((63 - '_') - (0 - 'A')));
    return _mm_add_epi8(_mm_add_epi8(chars, _mm_shuffle_epi8(offsets, high)), underscore_correction);
}

// Sixteen six-bit values (four groups) into the twelve bytes they encode, in lanes 0-11;
// lanes 12-15 are zero (RFC 4648 4: a group's 24 bits, most significant first).
OAUTHCORE_S256_INLINE inline __m128i base64_group_bytes_ssse3(__m128i values) noexcept {
    const __m128i pairs = _mm_maddubs_epi16(values, _mm_set1_epi32(0x01400140));  // v0 * 64 + v1
    const __m128i groups = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00011000));     // p0 * 4096 + p1
    return _mm_shuffle_epi8(groups, _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1));
}

// The digest is computed in registers and never written out. The challenge is decoded
// rather than the digest encoded: a challenge holds exactly one digest's encoding when it
// is 43 base64url characters whose last carries no bit beyond the digest's 256 (RFC 4648
// 3.5), and then equals the digest's encoding exactly when its decoding equals the
// digest. The decoding and its checks depend on the challenge alone, so the CPU does them
// while the digest's rounds (a chain of 32 dependent instructions) are still running; what
// waits for the digest is two XORs, an OR and a test. Instructions that wait for the
// digest take room the CPU would otherwise use to run ahead into the rest of the request.
OAUTHCORE_S256_TARGET inline bool s256_challenge_matches_sha_ni(std::string_view verifier,
                                                                std::string_view challenge) noexcept {
    if (challenge.size() != s256_challenge_chars) return false;

    // The digest first, so that its rounds start as early as they can.
    sha256_lanes abef;
    sha256_lanes cdgh;
    sha256_lanes_of(sha256_initial_state, abef, cdgh);
    const std::size_t whole = verifier.size() / sha256_block_size;
    sha256_blocks_in_lanes(abef, cdgh, verifier.data(), whole);
    const std::size_t before_tail = whole * sha256_block_size;
    sha256_final_in_lanes(abef, cdgh, std::string_view(verifier.data() + before_tail, verifier.size() - before_tail),
                          verifier.size());

    // The challenge's characters 0-15, 16-31 and 27-42 (the last sixteen); the values of
    // 32-42 moved to lanes 0-10 of the third, zeros after them.
    __m128i invalid_0_15;
    __m128i invalid_16_31;
    __m128i invalid_27_42;
    const auto load = [&challenge](std::size_t at) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(challenge.data() + at));
    };
    const __m128i bytes_0_11 = base64_group_bytes_ssse3(base64url_values_ssse3(load(0), invalid_0_15));
    const __m128i bytes_12_23 = base64_group_bytes_ssse3(base64url_values_ssse3(load(16), invalid_16_31));
    // Groups 8-10 and a zero group: bytes 24-31 in lanes 0-7, and in lane 8 the bits the
    // last character carries beyond the digest's 256 (zero in a valid challenge).
    const __m128i bytes_24_32 =
        base64_group_bytes_ssse3(_mm_srli_si128(base64url_values_ssse3(load(27), invalid_27_42), 5));
    const __m128i beyond_the_digest = _mm_and_si128(bytes_24_32, _mm_setr_epi32(0, 0, -1, -1));
    const __m128i bad =
        _mm_or_si128(_mm_or_si128(invalid_0_15, invalid_16_31), _mm_or_si128(invalid_27_42, beyond_the_digest));

    // The decoded digest as the state the rounds end with: H0..H7 read as big-endian
    // words, in sha256rnds2's lanes (sha256_lanes_of).
    const auto low = reinterpret_cast<sha256_byte_lanes>(_mm_or_si128(bytes_0_11, _mm_slli_si128(bytes_12_23, 12)));
    const auto high = reinterpret_cast<sha256_byte_lanes>(
        _mm_or_si128(_mm_srli_si128(bytes_12_23, 4), _mm_slli_si128(bytes_24_32, 8)));
    const sha256_lanes expected_abcd = sha256_words_of(low);
    const sha256_lanes expected_efgh = sha256_words_of(high);
    const sha256_lanes expected_abef = __builtin_shufflevector(expected_efgh, expected_abcd, 1, 0, 5, 4);
    const sha256_lanes expected_cdgh = __builtin_shufflevector(expected_efgh, expected_abcd, 3, 2, 7, 6);

    const __m128i difference = _mm_or_si128(
        _mm_or_si128(reinterpret_cast<__m128i>(abef ^ expected_abef), reinterpret_cast<__m128i>(cdgh ^ expected_cdgh)),
        bad);
    return _mm_movemask_epi8(_mm_cmpeq_epi8(difference, _mm_setzero_si128())) == 0xFFFF;
}

#undef OAUTHCORE_S256_TARGET
#undef OAUTHCORE_S256_INLINE
#endif

[[nodiscard]] inline bool s256_challenge_matches(std::string_view verifier, std::string_view challenge) noexcept {
#if OAUTHCORE_HAVE_SHA_NI && OAUTHCORE_HAVE_SSSE3_BASE64
    if (cpu_has_sha_ni()) return s256_challenge_matches_sha_ni(verifier, challenge);
#endif
    return s256_challenge_matches_portable(verifier, challenge);
}

}  // namespace oauthcore::detail
