#include "oauthcore/constant_time.hpp"

#include <string>

#include "catch.hpp"

using oauthcore::constant_time_equal;

TEST_CASE("constant_time_equal: equal and unequal secrets", "[constant_time]") {
    CHECK(constant_time_equal("", ""));
    CHECK(constant_time_equal("e8b9ca24", "e8b9ca24"));
    CHECK_FALSE(constant_time_equal("e8b9ca24", "f8b9ca24"));
    CHECK_FALSE(constant_time_equal("e8b9ca24", "e8b9ca25"));
    CHECK_FALSE(constant_time_equal("abc", "abcd"));
    CHECK_FALSE(constant_time_equal("abcd", "abc"));
    CHECK_FALSE(constant_time_equal("", "a"));
    // A shorter secret padded with what the comparison pads with must still differ.
    CHECK_FALSE(constant_time_equal(std::string_view("a\0", 2), "a"));
    CHECK(constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
}

TEST_CASE("constant_time_equal: a difference in any byte is found, at every length up to 80", "[constant_time]") {
    // Equal lengths of eight bytes or more take sixteen bytes a step and end with the
    // last eight; the others go eight then one at a time: each byte of each must count.
    for (std::size_t length = 0; length <= 80; ++length) {
        std::string secret;
        for (std::size_t i = 0; i < length; ++i) secret += static_cast<char>('a' + i % 26);
        const std::string copy = secret;
        CHECK(constant_time_equal(secret, copy));
        for (std::size_t at = 0; at < length; ++at) {
            std::string guess = secret;
            guess[at] = static_cast<char>(guess[at] ^ 0x01);
            INFO("length " << length << ", differing byte " << at);
            CHECK_FALSE(constant_time_equal(secret, guess));
            CHECK_FALSE(constant_time_equal(guess, secret));
        }
        CHECK_FALSE(constant_time_equal(secret, secret + "x"));
        if (length > 0) CHECK_FALSE(constant_time_equal(secret, std::string_view(secret).substr(1)));
    }
}
