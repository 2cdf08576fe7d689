#include "oauthcore/sha256.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "catch.hpp"

using namespace oauthcore;

namespace {

constexpr int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

// The digest written as 64 lowercase hex digits, as FIPS 180-4's examples print it.
constexpr sha256_digest from_hex(std::string_view hex) {
    sha256_digest digest{};
    for (std::size_t i = 0; i < digest.size(); ++i)
        digest[i] = static_cast<unsigned char>(hex_value(hex[2 * i]) * 16 + hex_value(hex[2 * i + 1]));
    return digest;
}

std::string to_hex(const sha256_digest& digest) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (const unsigned char byte : digest) {
        out += digits[byte >> 4];
        out += digits[byte & 15];
    }
    return out;
}

// The NIST examples for SHA-256 (FIPS 180-4 references them from the CSRC example
// values: one block, two blocks, the 896-bit message, a million 'a').
constexpr std::string_view abc_digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr std::string_view two_block_message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
constexpr std::string_view two_block_digest = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr std::string_view long_message =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
constexpr std::string_view long_digest = "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1";
constexpr std::string_view million_a_digest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
constexpr std::string_view empty_digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// In constant evaluation: one block, two blocks, the empty message, and the hasher fed in
// pieces that cross a block boundary.
static_assert(sha256("abc") == from_hex(abc_digest));
static_assert(sha256(two_block_message) == from_hex(two_block_digest));
static_assert(sha256("") == from_hex(empty_digest));
static_assert(sha256_hasher().update(long_message.substr(0, 61)).update(long_message.substr(61)).finish() ==
              from_hex(long_digest));

std::string random_bytes(std::mt19937_64& random, std::size_t size) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xFFu);
    return bytes;
}

}  // namespace

TEST_CASE("sha256: the NIST example 'abc', one block (FIPS 180-4)", "[sha256][fips180-4]") {
    CHECK(to_hex(sha256("abc")) == abc_digest);
}

TEST_CASE("sha256: the NIST 448-bit example, two blocks (FIPS 180-4 5.1.1 padding)", "[sha256][fips180-4]") {
    REQUIRE(two_block_message.size() * 8 == 448);
    CHECK(to_hex(sha256(two_block_message)) == two_block_digest);
}

TEST_CASE("sha256: the NIST 896-bit example (FIPS 180-4)", "[sha256][fips180-4]") {
    REQUIRE(long_message.size() * 8 == 896);
    CHECK(to_hex(sha256(long_message)) == long_digest);
}

TEST_CASE("sha256: the NIST example of one million 'a' (FIPS 180-4)", "[sha256][fips180-4]") {
    const std::string million(1000000, 'a');
    CHECK(to_hex(sha256(million)) == million_a_digest);
    // Through the hasher in pieces of 1000, and of 997 (no piece a whole block).
    for (const std::size_t piece : {std::size_t{1000}, std::size_t{997}}) {
        sha256_hasher hasher;
        for (std::size_t at = 0; at < million.size(); at += piece)
            hasher.update(std::string_view(million).substr(at, piece));
        INFO("pieces of " << piece);
        CHECK(to_hex(hasher.finish()) == million_a_digest);
    }
}

TEST_CASE("sha256: the empty message (FIPS 180-4 5.1.1: one block of padding alone)", "[sha256][fips180-4]") {
    CHECK(to_hex(sha256("")) == empty_digest);
    CHECK(to_hex(sha256_hasher().finish()) == empty_digest);
    CHECK(to_hex(sha256_hasher().update("").update("").finish()) == empty_digest);
}

TEST_CASE("sha256: bytes 0x00 and 0x80-0xFF are message bytes like any other", "[sha256][fips180-4]") {
    // A NUL ends nothing, and a high byte is not sign-extended into the words.
    CHECK(sha256(std::string_view("a\0b", 3)) != sha256("a"));
    CHECK(sha256(std::string_view("a\0b", 3)) != sha256(std::string_view("a\0c", 3)));
    CHECK(sha256("\xff") != sha256("\x7f"));
    CHECK(to_hex(sha256(std::string_view("\0", 1))) ==
          "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    CHECK(to_hex(sha256("\xff")) == "a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89");
}

TEST_CASE("sha256: the hasher gives the one-shot digest however the message is cut", "[sha256]") {
    for (const std::string_view message : {std::string_view("abc"), two_block_message, long_message}) {
        const sha256_digest whole = sha256(message);
        for (std::size_t cut = 0; cut <= message.size(); ++cut) {
            INFO("message of " << message.size() << " bytes cut at " << cut);
            CHECK(sha256_hasher().update(message.substr(0, cut)).update(message.substr(cut)).finish() == whole);
        }
        sha256_hasher byte_by_byte;
        for (const char c : message) byte_by_byte.update(std::string_view(&c, 1));
        CHECK(byte_by_byte.finish() == whole);
    }
}

TEST_CASE("sha256: finish() leaves the hasher as it was, so more bytes may follow", "[sha256]") {
    sha256_hasher hasher;
    hasher.update(two_block_message.substr(0, 20));
    const sha256_digest prefix = hasher.finish();
    CHECK(prefix == sha256(two_block_message.substr(0, 20)));
    CHECK(hasher.finish() == prefix);
    hasher.update(two_block_message.substr(20));
    CHECK(to_hex(hasher.finish()) == two_block_digest);
}

TEST_CASE("sha256: every length from 0 to 200, around each block boundary, one-shot and in pieces",
          "[sha256][fips180-4]") {
    // Lengths 55 and 56 (the last that pads in one block, the first that needs two), 63,
    // 64 and 65, 119 and 120, and so on; the hasher fed in pieces of 1, 7 and 64 must agree.
    std::mt19937_64 random(20240614);
    for (std::size_t size = 0; size <= 200; ++size) {
        const std::string message = random_bytes(random, size);
        const sha256_digest whole = sha256(message);
        for (const std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
            sha256_hasher hasher;
            for (std::size_t at = 0; at < size; at += piece) hasher.update(std::string_view(message).substr(at, piece));
            INFO("length " << size << ", pieces of " << piece);
            CHECK(hasher.finish() == whole);
        }
    }
}

TEST_CASE(
    "sha256: K0..K63 are the cube roots of the first 64 primes, H(0) the square roots of the first 8 "
    "(FIPS 180-4 4.2.2, 5.3.3)",
    "[sha256][fips180-4]") {
    // First 32 bits of the fractional part, in long double (64-bit mantissa on x86, 53
    // bits elsewhere: either leaves more than 32 bits after the point for roots below 18).
    const auto fraction_bits = [](long double root) {
        return static_cast<std::uint32_t>(std::ldexp(root - std::floor(root), 32));
    };
    std::size_t found = 0;
    for (unsigned n = 2; found < 64; ++n) {
        bool prime = true;
        for (unsigned d = 2; d * d <= n; ++d) prime = prime && n % d != 0;
        if (!prime) continue;
        INFO("prime " << n << ", index " << found);
        CHECK(detail::sha256_round_constants[found] == fraction_bits(std::cbrt(static_cast<long double>(n))));
        if (found < 8)
            CHECK(detail::sha256_initial_state[found] == fraction_bits(std::sqrt(static_cast<long double>(n))));
        ++found;
    }
}

TEST_CASE("sha256: the block function's dispatch equals the portable FIPS 180-4 6.2.2 code on random states",
          "[sha256]") {
    // sha256_blocks takes the SHA extensions where the CPU has them: on any state (not only
    // H(0)), any bytes and any number of blocks, it must give what the portable code does.
#if OAUTHCORE_HAVE_SHA_NI
    if (!detail::cpu_has_sha_ni()) WARN("this CPU has no SHA extensions: the dispatch runs the portable code");
#endif
    std::mt19937_64 random(7636);
    for (int trial = 0; trial < 200; ++trial) {
        detail::sha256_state state;
        for (auto& word : state) word = static_cast<std::uint32_t>(random());
        const std::size_t count = static_cast<std::size_t>(trial % 5);
        const std::string blocks = random_bytes(random, count * detail::sha256_block_size);
        detail::sha256_state portable = state;
        detail::sha256_blocks_portable(portable, blocks.data(), count);
        detail::sha256_state dispatched = state;
        detail::sha256_blocks(dispatched, blocks.data(), count);
        INFO("trial " << trial << ", " << count << " blocks");
        CHECK(dispatched == portable);
        if (count > 0) CHECK(portable != state);
    }
}

#if OAUTHCORE_HAVE_SHA_NI
TEST_CASE("sha256: the SHA-extensions block function equals the portable one, bit by bit of the input", "[sha256]") {
    if (!detail::cpu_has_sha_ni()) {
        WARN("this CPU has no SHA extensions: sha256_blocks_sha_ni is not run");
        return;
    }
    // Each bit of a block flipped in turn, so a word read in the wrong lane or byte order,
    // or a schedule step that misses a word, shows.
    std::mt19937_64 random(180);
    const std::string block = random_bytes(random, detail::sha256_block_size);
    for (std::size_t bit = 0; bit < 8 * block.size(); ++bit) {
        std::string flipped = block;
        flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
        detail::sha256_state portable = detail::sha256_initial_state;
        detail::sha256_blocks_portable(portable, flipped.data(), 1);
        detail::sha256_state fast = detail::sha256_initial_state;
        detail::sha256_blocks_sha_ni(fast, flipped.data(), 1);
        INFO("bit " << bit);
        CHECK(fast == portable);
    }
}
#endif

TEST_CASE(
    "sha256: the final step equals the portable FIPS 180-4 5.1.1 padding for every tail length, "
    "each tail in an exact-size block",
    "[sha256][fips180-4]") {
    // sha256_final builds the padded blocks in registers with the SHA extensions (from the
    // tail's last sixteen bytes, or through a buffer below sixteen): every tail length from
    // 0 to 63, so one block of padding or two, after a random state and a length that is
    // not the tail's own (the bytes of the length must come from the argument). The tail
    // sits in a heap block of exactly its size, so a read past either end is caught by
    // ASan or valgrind.
#if OAUTHCORE_HAVE_SHA_NI
    if (!detail::cpu_has_sha_ni()) WARN("this CPU has no SHA extensions: sha256_final runs the portable code");
#endif
    std::mt19937_64 random(5112);
    for (std::size_t size = 0; size < detail::sha256_block_size; ++size) {
        for (int trial = 0; trial < 20; ++trial) {
            detail::sha256_state state;
            for (auto& word : state) word = static_cast<std::uint32_t>(random());
            const std::string bytes = random_bytes(random, size);
            const auto exact = std::make_unique<char[]>(size == 0 ? 1 : size);
            std::copy(bytes.begin(), bytes.end(), exact.get());
            const std::string_view tail(exact.get(), size);
            const std::uint64_t message_bytes = trial == 0 ? size : size + 64 * (random() % 100000);
            INFO("tail of " << size << " bytes, message of " << message_bytes);
            CHECK(detail::sha256_final(state, tail, message_bytes) ==
                  detail::sha256_final_portable(state, tail, message_bytes));
        }
    }
}

#if OAUTHCORE_HAVE_SHA_NI
TEST_CASE("sha256: the SHA-extensions final step equals the portable one, bit by bit of the tail and the length",
          "[sha256][fips180-4]") {
    if (!detail::cpu_has_sha_ni()) {
        WARN("this CPU has no SHA extensions: sha256_final_sha_ni is not run");
        return;
    }
    std::mt19937_64 random(1804);
    for (const std::size_t size :
         {std::size_t{15}, std::size_t{16}, std::size_t{43}, std::size_t{55}, std::size_t{56}, std::size_t{63}}) {
        const std::string bytes = random_bytes(random, size);
        for (std::size_t bit = 0; bit < 8 * size + 64; ++bit) {
            std::string tail = bytes;
            std::uint64_t message_bytes = size + 64 * 12345;
            if (bit < 8 * size) {
                tail[bit / 8] = static_cast<char>(tail[bit / 8] ^ (1 << (bit % 8)));
            } else {
                message_bytes ^= std::uint64_t{1} << (bit - 8 * size);
            }
            INFO("tail of " << size << " bytes, bit " << bit);
            CHECK(detail::sha256_final_sha_ni(detail::sha256_initial_state, tail, message_bytes) ==
                  detail::sha256_final_portable(detail::sha256_initial_state, tail, message_bytes));
        }
    }
}
#endif
