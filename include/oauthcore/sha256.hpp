#pragma once
// SHA-256 (FIPS 180-4), which PKCE's S256 method needs (RFC 7636 4.2:
// BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))), carried here so that oauthcore keeps no
// dependency beyond the standard library.
//
// What it accepts: any bytes (a string_view may hold NUL and 0x80-0xFF), in one call or
// in pieces; the digest is the same however the message is cut. FIPS 180-4 defines
// SHA-256 for messages shorter than 2^64 bits (5.1.1); the length is counted in 64 bits,
// so only a message of 2^61 bytes or more (which no request holds) would wrap.
//
// constexpr and noexcept, no allocation; a hasher is 104 bytes (the state, one block, the
// length) on the stack. The costly parts, the compression of whole blocks and the padded
// last ones, are in detail/sha256_blocks.hpp: portable code, or the x86 SHA extensions
// where the CPU has them (chosen at run time).
//
// SHA-256 is a hash, not a password hash nor a MAC: it is what RFC 7636 asks for, and a
// way to store codes and tokens as digests of high-entropy values.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "oauthcore/detail/sha256_blocks.hpp"

namespace oauthcore {

inline constexpr std::size_t sha256_size = 32;

// H(N) as bytes, H0 first, each word big-endian (FIPS 180-4 6.2.2).
using sha256_digest = std::array<unsigned char, sha256_size>;

namespace detail {

// H(0) (FIPS 180-4 5.3.3): the first 32 bits of the fractional parts of the square roots
// of the first eight primes.
inline constexpr sha256_state sha256_initial_state = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// The digest of a message of `message_bytes` bytes, given the state after its whole blocks
// and its last `tail` bytes (fewer than 64). Padding (FIPS 180-4 5.1.1): a 1 bit, zeros up
// to 56 bytes modulo 64, then the length in bits as a big-endian 64-bit integer; so one
// more block when the tail leaves room for the nine bytes, two otherwise. The digest is
// H0..H7, each word most significant byte first (6.2.2). The plain steps, which constant
// evaluation and CPUs without the SHA extensions run, and the tests hold the fast path to.
[[nodiscard]] constexpr sha256_digest sha256_final_portable(sha256_state state, std::string_view tail,
                                                            std::uint64_t message_bytes) noexcept {
    std::array<char, 2 * sha256_block_size> last;
    const std::size_t used = tail.size();
    const std::size_t blocks = used < sha256_block_size - 8 ? 1 : 2;
    const std::size_t end = blocks * sha256_block_size;
    std::char_traits<char>::copy(last.data(), tail.data(), used);
    last[used] = static_cast<char>(0x80);
    std::char_traits<char>::assign(last.data() + used + 1, end - 8 - used - 1, '\0');
    store_big_endian(last.data() + end - 8, std::uint64_t{message_bytes * 8});
    sha256_blocks_portable(state, last.data(), blocks);

    sha256_digest digest;
    for (std::size_t i = 0; i < state.size(); ++i) store_big_endian(digest.data() + 4 * i, state[i]);
    return digest;
}

// sha256_final_portable, or the same with the SHA extensions where the CPU has them.
[[nodiscard]] constexpr sha256_digest sha256_final(const sha256_state& state, std::string_view tail,
                                                   std::uint64_t message_bytes) noexcept {
#if OAUTHCORE_HAVE_SHA_NI
    if (!std::is_constant_evaluated() && cpu_has_sha_ni()) return sha256_final_sha_ni(state, tail, message_bytes);
#endif
    return sha256_final_portable(state, tail, message_bytes);
}

}  // namespace detail

// The SHA-256 digest of `bytes`.
[[nodiscard]] constexpr sha256_digest sha256(std::string_view bytes) noexcept {
    detail::sha256_state state = detail::sha256_initial_state;
    const std::size_t whole = bytes.size() / detail::sha256_block_size;
    if (whole > 0) detail::sha256_blocks(state, bytes.data(), whole);
    return detail::sha256_final(state, bytes.substr(whole * detail::sha256_block_size), bytes.size());
}

// SHA-256 of a message given in pieces: update() with each piece in order, then finish().
//
//   oauthcore::sha256_hasher hasher;
//   hasher.update(client_id).update(":").update(code);
//   const oauthcore::sha256_digest digest = hasher.finish();
class sha256_hasher {
public:
    constexpr sha256_hasher() noexcept = default;

    // Appends `bytes` to the message.
    constexpr sha256_hasher& update(std::string_view bytes) noexcept {
        std::size_t buffered = static_cast<std::size_t>(length_ % detail::sha256_block_size);
        length_ += bytes.size();
        if (buffered > 0) {
            const std::size_t room = detail::sha256_block_size - buffered;
            const std::size_t taken = bytes.size() < room ? bytes.size() : room;
            std::char_traits<char>::copy(buffer_.data() + buffered, bytes.data(), taken);
            bytes.remove_prefix(taken);
            buffered += taken;
            if (buffered < detail::sha256_block_size) return *this;
            detail::sha256_blocks(state_, buffer_.data(), 1);
        }
        // Whole blocks straight from the caller's bytes, without a copy.
        const std::size_t whole = bytes.size() / detail::sha256_block_size;
        if (whole > 0) detail::sha256_blocks(state_, bytes.data(), whole);
        bytes.remove_prefix(whole * detail::sha256_block_size);
        std::char_traits<char>::copy(buffer_.data(), bytes.data(), bytes.size());
        return *this;
    }

    // The digest of the bytes given so far. The hasher is left as it was: more bytes may
    // follow, and a later finish() gives the digest of the longer message.
    [[nodiscard]] constexpr sha256_digest finish() const noexcept {
        const auto buffered = static_cast<std::size_t>(length_ % detail::sha256_block_size);
        return detail::sha256_final(state_, std::string_view(buffer_.data(), buffered), length_);
    }

private:
    detail::sha256_state state_ = detail::sha256_initial_state;
    std::array<char, detail::sha256_block_size> buffer_{};
    std::uint64_t length_ = 0;  // bytes so far
};

}  // namespace oauthcore
