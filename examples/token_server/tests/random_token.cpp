// Access and refresh tokens and what the database keeps of them (random_token.hpp): the
// time of issue first, so that their digests, the keys of the tokens' unique indexes,
// come in time order.
#include "../random_token.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "catch.hpp"

namespace {

using namespace token_server;

std::uint64_t micros_now() {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

}  // namespace

TEST_CASE("make_ordered_token: 64 lowercase hex digits, the first 16 the time of issue in microseconds",
          "[random_token]") {
    REQUIRE(sodium_init() >= 0);
    const std::uint64_t before = micros_now();
    const token made = make_ordered_token();
    const std::uint64_t after = micros_now();
    const std::string text(made.view());
    REQUIRE(text.size() == 64);
    CHECK(
        std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }));
    const std::uint64_t issued = std::stoull(text.substr(0, 16), nullptr, 16);
    CHECK(issued >= before);
    CHECK(issued <= after);
}

TEST_CASE("make_ordered_token: tokens made one after another differ and sort in the order they were made",
          "[random_token]") {
    REQUIRE(sodium_init() >= 0);
    std::set<std::string> seen;
    std::uint64_t previous = 0;
    int backwards = 0;
    for (int i = 0; i < 1000; ++i) {
        const std::string text(make_ordered_token().view());
        CHECK(seen.insert(text).second);
        // Within one microsecond the random part decides; the time part goes back only if
        // the system clock is stepped back (NTP) during the loop: once at most.
        const std::uint64_t issued = std::stoull(text.substr(0, 16), nullptr, 16);
        if (issued < previous) ++backwards;
        previous = issued;
    }
    CHECK(backwards <= 1);
}

TEST_CASE("ordered_digest_of: the token's first 8 bytes, then the first 24 bytes of its SHA-256 (FIPS 180-4)",
          "[random_token]") {
    REQUIRE(sodium_init() >= 0);
    const std::string text = "0005f1a2b3c4d5e6" + std::string(48, '7');
    const auto ordered = ordered_digest_of(text);
    REQUIRE(ordered);
    const token_digest expected_prefix_bytes{0x00, 0x05, 0xf1, 0xa2, 0xb3, 0xc4, 0xd5, 0xe6};
    CHECK(std::equal(ordered->begin(), ordered->begin() + 8, expected_prefix_bytes.begin()));
    unsigned char sha256[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(sha256, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    CHECK(std::equal(ordered->begin() + 8, ordered->end(), sha256));
    // The legacy digest of the same text is the whole SHA-256.
    const token_digest legacy = digest_of(text);
    CHECK(std::equal(legacy.begin(), legacy.end(), sha256));
}

TEST_CASE("ordered_digest_of: the digests of tokens made in order are in order (the index's last pages)",
          "[random_token]") {
    REQUIRE(sodium_init() >= 0);
    token_digest previous{};
    std::uint64_t previous_time = 0;
    for (int i = 0; i < 1000; ++i) {
        const token made = make_ordered_token();
        const auto digest = ordered_digest_of(made.view());
        REQUIRE(digest);
        const std::uint64_t time = std::stoull(std::string(made.view().substr(0, 16)), nullptr, 16);
        if (time > previous_time)
            CHECK(std::lexicographical_compare(previous.begin(), previous.end(), digest->begin(), digest->end()));
        previous = *digest;
        previous_time = time;
    }
}

TEST_CASE("ordered_digest_of: nothing for a text that is not 64 lowercase hex digits", "[random_token]") {
    const std::string good(64, 'a');
    CHECK(ordered_digest_of(good));
    CHECK_FALSE(ordered_digest_of(good.substr(0, 63)));
    CHECK_FALSE(ordered_digest_of(good + "a"));
    CHECK_FALSE(ordered_digest_of(""));
    CHECK_FALSE(ordered_digest_of("A" + good.substr(1)));  // upper case: not a token of ours
    CHECK_FALSE(ordered_digest_of(good.substr(0, 63) + "g"));
    CHECK_FALSE(ordered_digest_of(good.substr(0, 20) + std::string(1, '\0') + good.substr(21)));
}
