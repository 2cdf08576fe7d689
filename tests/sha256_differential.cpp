// oauthcore's SHA-256 against libsodium's crypto_hash_sha256, an implementation written
// independently: every length around the block boundaries and random inputs. A test-only
// dependency, in its own executable (oauthcore_sha256_differential), built where
// pkg-config finds libsodium.
#include <sodium.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>

#include "catch.hpp"
#include "oauthcore/pkce.hpp"
#include "oauthcore/sha256.hpp"

using namespace oauthcore;

namespace {

sha256_digest sodium_sha256(std::string_view bytes) {
    sha256_digest digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return digest;
}

std::string random_bytes(std::mt19937_64& random, std::size_t size) {
    std::string bytes(size, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xFFu);
    return bytes;
}

}  // namespace

TEST_CASE("sha256 differential: libsodium agrees on every length from 0 to 300 (FIPS 180-4 5.1.1 padding)",
          "[sha256][differential]") {
    REQUIRE(crypto_hash_sha256_BYTES == sha256_size);
    // Every padding case: lengths 55 and 56 (one block of padding or two), 63, 64 and 65,
    // 119 and 120, 127, 128 and 129, and all between.
    std::mt19937_64 random(1804);
    for (std::size_t size = 0; size <= 300; ++size) {
        const std::string message = random_bytes(random, size);
        INFO("length " << size);
        CHECK(sha256(message) == sodium_sha256(message));
    }
}

TEST_CASE("sha256 differential: libsodium agrees on random inputs, one-shot and split at a random point",
          "[sha256][differential]") {
    std::mt19937_64 random(6234);
    for (int trial = 0; trial < 2000; ++trial) {
        const std::size_t size = static_cast<std::size_t>(random() % (trial < 1000 ? 300 : 5000));
        const std::string message = random_bytes(random, size);
        const sha256_digest expected = sodium_sha256(message);
        const std::size_t cut = size == 0 ? 0 : static_cast<std::size_t>(random() % (size + 1));
        INFO("trial " << trial << ", length " << size << ", cut at " << cut);
        CHECK(sha256(message) == expected);
        const std::string_view view(message);
        CHECK(sha256_hasher().update(view.substr(0, cut)).update(view.substr(cut)).finish() == expected);
    }
}

TEST_CASE(
    "sha256 differential: S256 challenges of random verifiers are libsodium's digest in base64url "
    "(RFC 7636 4.2)",
    "[sha256][differential][pkce][rfc7636]") {
    static constexpr std::string_view unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    std::mt19937_64 random(7636);
    for (int trial = 0; trial < 500; ++trial) {
        std::string verifier(code_verifier_min_size + random() % (code_verifier_max_size - code_verifier_min_size + 1),
                             '\0');
        for (char& c : verifier) c = unreserved[random() % unreserved.size()];
        const sha256_digest digest = sodium_sha256(verifier);
        std::string expected(sodium_base64_ENCODED_LEN(digest.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
        sodium_bin2base64(expected.data(), expected.size(), digest.data(), digest.size(),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        expected.resize(expected.size() - 1);  // its terminating NUL
        const auto challenge = s256_code_challenge(verifier);
        INFO(verifier);
        CHECK(std::string_view(challenge.data(), challenge.size()) == expected);
        CHECK(verify_code_verifier(verifier, expected, code_challenge_method::s256));
    }
}
