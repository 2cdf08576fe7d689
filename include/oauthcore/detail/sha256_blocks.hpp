#pragma once
// The SHA-256 compression function (FIPS 180-4 6.2.2) over whole 64-byte blocks: a
// state and blocks in, the state after them out. sha256.hpp pads the message and writes
// the digest; this is the part that costs.
//  - sha256_blocks_portable: the standard's steps as written (the schedule of 6.2.2 step
//    1, the 64 rounds of step 3), words read big-endian with shifts, so the byte order of
//    the target never matters. Constant evaluation and every target run it, and the tests
//    hold the fast path to it.
//  - sha256_blocks_sha_ni: the same with the x86 SHA extensions (sha256rnds2 does two
//    rounds, sha256msg1/msg2 the schedule), eight times faster. x86-64 without -march
//    does not assume them, so they are chosen at run time from CPUID (Intel since
//    Goldmont and Ice Lake, AMD since Zen). And sha256_final_sha_ni: the padded last
//    block or two built in registers and the digest written from them, for the same
//    answer as sha256.hpp's portable final step (state, last bytes, length in; digest
//    out) without a block written in pieces and read back. Written with the compilers'
//    builtins on generic vectors, like detail/swar.hpp, rather than <immintrin.h>, which
//    would add half a second to every translation unit that includes the library.

#include "oauthcore/language.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define OAUTHCORE_HAVE_SHA_NI 1
#else
#define OAUTHCORE_HAVE_SHA_NI 0
#endif

namespace oauthcore::detail {

// H0..H7, or A..H while a block is processed (FIPS 180-4 6.2).
using sha256_state = std::array<std::uint32_t, 8>;

inline constexpr std::size_t sha256_block_size = 64;

// K0..K63 (FIPS 180-4 4.2.2): the first 32 bits of the fractional parts of the cube roots
// of the first 64 primes (tests/sha256.cpp derives them again).
inline constexpr std::array<std::uint32_t, 64> sha256_round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// The word at `bytes`, most significant byte first (FIPS 180-4 3.1: big-endian words).
[[nodiscard]] constexpr std::uint32_t load_big_endian_32(const char* bytes) noexcept {
    const auto byte = [bytes](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(bytes[i])}; };
    return byte(0) << 24 | byte(1) << 16 | byte(2) << 8 | byte(3);
}

// Writes `word` at `dest`, most significant byte first. At run time on a little- or
// big-endian target, as one (byte-swapped) store of the whole word: g++ 12 builds the
// shifted bytes of a digest in registers otherwise, which cost a third of the time of
// hashing a code verifier. The order is always the big-endian one, whatever the target's.
template <class Byte, class Word>
constexpr void store_big_endian(Byte* dest, Word word) noexcept {
    static_assert(sizeof(Byte) == 1 && (std::is_same_v<Word, std::uint32_t> || std::is_same_v<Word, std::uint64_t>));
    if constexpr (std::endian::native == std::endian::little || std::endian::native == std::endian::big) {
        if (!std::is_constant_evaluated()) {
            if constexpr (std::endian::native == std::endian::little) {
                if constexpr (sizeof(Word) == 4) {
                    word = __builtin_bswap32(word);
                } else {
                    word = __builtin_bswap64(word);
                }
            }
            std::memcpy(dest, &word, sizeof word);
            return;
        }
    }
    for (std::size_t i = 0; i < sizeof word; ++i)
        dest[i] = static_cast<Byte>(word >> (8 * (sizeof word - 1 - i)) & 0xFFu);
}

// The functions of FIPS 180-4 4.1.2.
[[nodiscard]] constexpr std::uint32_t sha256_ch(std::uint32_t x, std::uint32_t y, std::uint32_t z) noexcept {
    return (x & y) ^ (~x & z);
}
[[nodiscard]] constexpr std::uint32_t sha256_maj(std::uint32_t x, std::uint32_t y, std::uint32_t z) noexcept {
    return (x & y) ^ (x & z) ^ (y & z);
}
[[nodiscard]] constexpr std::uint32_t sha256_big_sigma0(std::uint32_t x) noexcept {
    return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
[[nodiscard]] constexpr std::uint32_t sha256_big_sigma1(std::uint32_t x) noexcept {
    return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}
[[nodiscard]] constexpr std::uint32_t sha256_small_sigma0(std::uint32_t x) noexcept {
    return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
[[nodiscard]] constexpr std::uint32_t sha256_small_sigma1(std::uint32_t x) noexcept {
    return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}

// FIPS 180-4 6.2.2 for each of the `count` blocks at `blocks`.
constexpr void sha256_blocks_portable(sha256_state& state, const char* blocks, std::size_t count) noexcept {
    for (std::size_t block = 0; block < count; ++block) {
        const char* const message = blocks + block * sha256_block_size;
        // Step 1: the message schedule W0..W63.
        std::array<std::uint32_t, 64> w;
        for (std::size_t t = 0; t < 16; ++t) w[t] = load_big_endian_32(message + 4 * t);
        for (std::size_t t = 16; t < 64; ++t)
            w[t] = sha256_small_sigma1(w[t - 2]) + w[t - 7] + sha256_small_sigma0(w[t - 15]) + w[t - 16];
        // Step 2: the working variables.
        std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        // Step 3: the rounds.
        for (std::size_t t = 0; t < 64; ++t) {
            const std::uint32_t t1 = h + sha256_big_sigma1(e) + sha256_ch(e, f, g) + sha256_round_constants[t] + w[t];
            const std::uint32_t t2 = sha256_big_sigma0(a) + sha256_maj(a, b, c);
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        // Step 4: the intermediate hash value.
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

#if OAUTHCORE_HAVE_SHA_NI
// True when the CPU has the SHA extensions and SSSE3 (for the byte shuffle that reads the
// words big-endian). CPUID is slow, and under a hypervisor slower still (it traps), so it
// is asked once.
[[nodiscard]] inline bool cpu_has_sha_ni() noexcept {
    static const bool has = [] {
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        if (__get_cpuid_count(1, 0, &eax, &ebx, &ecx, &edx) == 0 || (ecx & bit_SSSE3) == 0) return false;
        if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) == 0) return false;
        return (ebx & bit_SHA) != 0;
    }();
    return has;
}

// Four 32-bit lanes, lane 0 at the lowest address; `int` lanes are what the builtins take,
// unsigned ones are for the additions (which wrap, as FIPS 180-4 addition is modulo 2^32).
using sha256_lanes = std::uint32_t __attribute__((vector_size(16)));
using sha256_builtin_lanes = int __attribute__((vector_size(16)));
using sha256_byte_lanes = unsigned char __attribute__((vector_size(16)));
using sha256_builtin_byte_lanes = char __attribute__((vector_size(16)));
using sha256_signed_byte_lanes = signed char __attribute__((vector_size(16)));
using sha256_half_lanes = std::uint64_t __attribute__((vector_size(16)));

// The K vectors of sha256_four_rounds, four constants each.
inline constexpr auto sha256_round_constant_lanes = [] {
    std::array<sha256_lanes, 16> lanes{};
    for (std::size_t quad = 0; quad < lanes.size(); ++quad)
        lanes[quad] = sha256_lanes{sha256_round_constants[4 * quad], sha256_round_constants[4 * quad + 1],
                                   sha256_round_constants[4 * quad + 2], sha256_round_constants[4 * quad + 3]};
    return lanes;
}();

// Each helper carries the target of its callers and is always inlined into them: the
// entry points below (sha256_blocks_sha_ni, sha256_final_sha_ni, and
// detail/s256_challenge.hpp's) are then straight-line code with the state in registers.
// Left to itself, g++ 12 kept the final step's chunk builder out of line in a binary with
// every grant, and the calls delayed the first round's words.
#define OAUTHCORE_SHA_NI_TARGET __attribute__((target("sha,ssse3")))
#define OAUTHCORE_SHA_NI_INLINE __attribute__((target("sha,ssse3"), always_inline))

// Two rounds: `abef` holds A, B, E, F in lanes 3 to 0, `cdgh` C, D, G, H; `wk` holds
// W[t] + K[t] in lane 0 and W[t+1] + K[t+1] in lane 1. The answer is the new A, B, E, F;
// the new C, D, G, H are the old A, B, E, F.
OAUTHCORE_SHA_NI_INLINE inline sha256_lanes sha256_two_rounds(sha256_lanes cdgh, sha256_lanes abef,
                                                              sha256_lanes wk) noexcept {
    return reinterpret_cast<sha256_lanes>(__builtin_ia32_sha256rnds2(reinterpret_cast<sha256_builtin_lanes>(cdgh),
                                                                     reinterpret_cast<sha256_builtin_lanes>(abef),
                                                                     reinterpret_cast<sha256_builtin_lanes>(wk)));
}

// Four rounds with the words `w` (W[t] to W[t+3] in lanes 0 to 3) from round t = 4 * quad.
OAUTHCORE_SHA_NI_INLINE inline void sha256_four_rounds(sha256_lanes& abef, sha256_lanes& cdgh, sha256_lanes w,
                                                       std::size_t quad) noexcept {
    const sha256_lanes wk = w + sha256_round_constant_lanes[quad];
    cdgh = sha256_two_rounds(cdgh, abef, wk);
    abef = sha256_two_rounds(abef, cdgh, __builtin_shufflevector(wk, wk, 2, 3, 0, 1));
}

// W[t] to W[t+3] from the sixteen words before them, given as `w0` (W[t-16] to W[t-13])
// to `w3` (W[t-4] to W[t-1]): sha256msg1 adds sigma0 of the next word to each of `w0`,
// then W[t-7] to W[t-4] are added, and sha256msg2 adds sigma1 of W[t-2] (6.2.2 step 1).
OAUTHCORE_SHA_NI_INLINE inline sha256_lanes sha256_next_words(sha256_lanes w0, sha256_lanes w1, sha256_lanes w2,
                                                              sha256_lanes w3) noexcept {
    const auto partial = reinterpret_cast<sha256_lanes>(__builtin_ia32_sha256msg1(
        reinterpret_cast<sha256_builtin_lanes>(w0), reinterpret_cast<sha256_builtin_lanes>(w1)));
    const sha256_lanes with_w7 = partial + __builtin_shufflevector(w2, w3, 1, 2, 3, 4);
    return reinterpret_cast<sha256_lanes>(__builtin_ia32_sha256msg2(reinterpret_cast<sha256_builtin_lanes>(with_w7),
                                                                    reinterpret_cast<sha256_builtin_lanes>(w3)));
}

// One block, given as its sixteen words W[0] to W[15] in `w0` to `w3` (6.2.2 steps 1 to 4).
OAUTHCORE_SHA_NI_INLINE inline void sha256_block_sha_ni(sha256_lanes& abef, sha256_lanes& cdgh, sha256_lanes w0,
                                                        sha256_lanes w1, sha256_lanes w2, sha256_lanes w3) noexcept {
    const sha256_lanes abef_before = abef;
    const sha256_lanes cdgh_before = cdgh;
#pragma GCC unroll 4
    for (std::size_t quad = 0; quad < 16; quad += 4) {
        if (quad > 0) w0 = sha256_next_words(w0, w1, w2, w3);
        sha256_four_rounds(abef, cdgh, w0, quad);
        if (quad > 0) w1 = sha256_next_words(w1, w2, w3, w0);
        sha256_four_rounds(abef, cdgh, w1, quad + 1);
        if (quad > 0) w2 = sha256_next_words(w2, w3, w0, w1);
        sha256_four_rounds(abef, cdgh, w2, quad + 2);
        if (quad > 0) w3 = sha256_next_words(w3, w0, w1, w2);
        sha256_four_rounds(abef, cdgh, w3, quad + 3);
    }
    abef += abef_before;
    cdgh += cdgh_before;
}

// Four message words from sixteen bytes, each read big-endian.
OAUTHCORE_SHA_NI_INLINE inline sha256_lanes sha256_words_of(sha256_byte_lanes bytes) noexcept {
    return reinterpret_cast<sha256_lanes>(
        __builtin_shufflevector(bytes, bytes, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12));
}

OAUTHCORE_SHA_NI_INLINE inline sha256_lanes sha256_load_words(const char* bytes) noexcept {
    sha256_byte_lanes raw;
    std::memcpy(&raw, bytes, sizeof raw);
    return sha256_words_of(raw);
}

// A state from H0..H7 into lanes 0 to 3 as sha256rnds2 holds it: F E B A and H G D C.
OAUTHCORE_SHA_NI_INLINE inline void sha256_lanes_of(const sha256_state& state, sha256_lanes& abef,
                                                    sha256_lanes& cdgh) noexcept {
    sha256_lanes abcd;
    sha256_lanes efgh;
    std::memcpy(&abcd, state.data(), sizeof abcd);
    std::memcpy(&efgh, state.data() + 4, sizeof efgh);
    abef = __builtin_shufflevector(efgh, abcd, 1, 0, 5, 4);
    cdgh = __builtin_shufflevector(efgh, abcd, 3, 2, 7, 6);
}

// The `count` blocks at `blocks` into a state held in lanes (sha256_lanes_of).
OAUTHCORE_SHA_NI_INLINE inline void sha256_blocks_in_lanes(sha256_lanes& abef, sha256_lanes& cdgh, const char* blocks,
                                                           std::size_t count) noexcept {
    for (std::size_t block = 0; block < count; ++block) {
        const char* const message = blocks + block * sha256_block_size;
        sha256_block_sha_ni(abef, cdgh, sha256_load_words(message), sha256_load_words(message + 16),
                            sha256_load_words(message + 32), sha256_load_words(message + 48));
    }
}

// sha256_blocks_portable with the SHA extensions; only where cpu_has_sha_ni().
OAUTHCORE_SHA_NI_TARGET inline void sha256_blocks_sha_ni(sha256_state& state, const char* blocks,
                                                         std::size_t count) noexcept {
    sha256_lanes abef;
    sha256_lanes cdgh;
    sha256_lanes_of(state, abef, cdgh);
    sha256_blocks_in_lanes(abef, cdgh, blocks, count);
    const sha256_lanes abcd = __builtin_shufflevector(abef, cdgh, 3, 2, 7, 6);
    const sha256_lanes efgh = __builtin_shufflevector(abef, cdgh, 1, 0, 5, 4);
    std::memcpy(state.data(), &abcd, sizeof abcd);
    std::memcpy(state.data() + 4, &efgh, sizeof efgh);
}

// Bytes 16 * chunk to 16 * chunk + 15 of the padded last block or blocks (FIPS 180-4
// 5.1.1) of a message whose last `tail.size()` bytes (fewer than 64) are `tail`: the
// tail's bytes, the 0x80 that follows them, zeros; the length is the caller's. Built in a
// register and never stored: a sixteen-byte load of a block just written in pieces (a
// copy, a byte, a length) waits for every piece to reach the cache, which cost more than
// half the time of hashing a code verifier. When the chunk ends inside the tail and the
// tail holds sixteen bytes or more, its bytes come from the tail's last sixteen, moved
// into place with pshufb; a shorter tail goes through a small buffer.
OAUTHCORE_SHA_NI_INLINE inline sha256_byte_lanes sha256_padded_chunk(std::string_view tail,
                                                                     std::size_t chunk) noexcept {
    const std::size_t size = tail.size();
    const std::size_t first = 16 * chunk;
    sha256_byte_lanes bytes{};
    if (first + 16 <= size) {
        std::memcpy(&bytes, tail.data() + first, sizeof bytes);
        return bytes;
    }
    const sha256_byte_lanes lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    if (first < size && size >= 16) {
        sha256_byte_lanes last16;
        std::memcpy(&last16, tail.data() + size - 16, sizeof last16);
        // Lane j takes lane j + first + 16 - size of the last sixteen (at most 127 here);
        // lanes past the tail's end take zero (pshufb zeroes a lane whose index has its
        // high bit set).
        const sha256_byte_lanes index = lane + static_cast<unsigned char>(first + 16 - size);
        const auto past_end = reinterpret_cast<sha256_byte_lanes>(index > 15);
        bytes = reinterpret_cast<sha256_byte_lanes>(
            __builtin_ia32_pshufb128(reinterpret_cast<sha256_builtin_byte_lanes>(last16),
                                     reinterpret_cast<sha256_builtin_byte_lanes>(index | past_end)));
    } else if (first < size) {
        unsigned char buffer[16] = {};
        std::memcpy(buffer, tail.data() + first, size - first);
        std::memcpy(&bytes, buffer, sizeof bytes);
    }
    if (first <= size && size < first + 16) {
        const auto marker = reinterpret_cast<sha256_byte_lanes>(lane == static_cast<unsigned char>(size - first));
        bytes |= marker & static_cast<unsigned char>(0x80);
    }
    return bytes;
}

// The padded last block or two of a message of `message_bytes` bytes, whose last bytes
// `tail` (fewer than 64) follow the whole blocks already in the state held in lanes; the
// blocks built in registers (sha256_padded_chunk).
OAUTHCORE_SHA_NI_INLINE inline void sha256_final_in_lanes(sha256_lanes& abef, sha256_lanes& cdgh, std::string_view tail,
                                                          std::uint64_t message_bytes) noexcept {
    const std::size_t blocks = tail.size() < sha256_block_size - 8 ? 1 : 2;
    for (std::size_t block = 0; block < blocks; ++block) {
        sha256_byte_lanes last = sha256_padded_chunk(tail, 4 * block + 3);
        if (block + 1 == blocks) {
            // The length in bits, big-endian, in the block's last eight bytes.
            last |= reinterpret_cast<sha256_byte_lanes>(sha256_half_lanes{0, __builtin_bswap64(message_bytes * 8)});
        }
        sha256_block_sha_ni(abef, cdgh, sha256_words_of(sha256_padded_chunk(tail, 4 * block)),
                            sha256_words_of(sha256_padded_chunk(tail, 4 * block + 1)),
                            sha256_words_of(sha256_padded_chunk(tail, 4 * block + 2)), sha256_words_of(last));
    }
}

// The digest's bytes from the final state held in lanes: H0..H3 in `first`, H4..H7 in
// `second`, each word's bytes most significant first (FIPS 180-4 6.2.2).
OAUTHCORE_SHA_NI_INLINE inline void sha256_digest_lanes(sha256_lanes abef, sha256_lanes cdgh, sha256_byte_lanes& first,
                                                        sha256_byte_lanes& second) noexcept {
    first = reinterpret_cast<sha256_byte_lanes>(
        sha256_words_of(reinterpret_cast<sha256_byte_lanes>(__builtin_shufflevector(abef, cdgh, 3, 2, 7, 6))));
    second = reinterpret_cast<sha256_byte_lanes>(
        sha256_words_of(reinterpret_cast<sha256_byte_lanes>(__builtin_shufflevector(abef, cdgh, 1, 0, 5, 4))));
}

// The digest of a message of `message_bytes` bytes from the state after its whole blocks
// and its last bytes `tail` (fewer than 64), as sha256.hpp's portable final step gives it,
// with the padded blocks built in registers and the digest written from them; only where
// cpu_has_sha_ni().
OAUTHCORE_SHA_NI_TARGET inline std::array<unsigned char, 32> sha256_final_sha_ni(const sha256_state& state,
                                                                                 std::string_view tail,
                                                                                 std::uint64_t message_bytes) noexcept {
    sha256_lanes abef;
    sha256_lanes cdgh;
    sha256_lanes_of(state, abef, cdgh);
    sha256_final_in_lanes(abef, cdgh, tail, message_bytes);
    sha256_byte_lanes first;
    sha256_byte_lanes second;
    sha256_digest_lanes(abef, cdgh, first, second);
    std::array<unsigned char, 32> digest;
    std::memcpy(digest.data(), &first, sizeof first);
    std::memcpy(digest.data() + 16, &second, sizeof second);
    return digest;
}

#undef OAUTHCORE_SHA_NI_TARGET
#undef OAUTHCORE_SHA_NI_INLINE
#endif

// The `count` blocks at `blocks` into `state`: with the SHA extensions where the CPU has
// them, otherwise (and in constant evaluation) the portable code.
constexpr void sha256_blocks(sha256_state& state, const char* blocks, std::size_t count) noexcept {
#if OAUTHCORE_HAVE_SHA_NI
    if (!std::is_constant_evaluated() && cpu_has_sha_ni()) {
        sha256_blocks_sha_ni(state, blocks, count);
        return;
    }
#endif
    sha256_blocks_portable(state, blocks, count);
}

}  // namespace oauthcore::detail
