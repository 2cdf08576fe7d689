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
