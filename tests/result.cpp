#include "oauthcore/result.hpp"

#include "catch.hpp"
#include "oauthcore/errors.hpp"

using namespace oauthcore;

namespace {
constexpr result<int> half(int n) {
    if (n % 2 != 0) return fail(reason::missing_identifier);
    return n / 2;
}
static_assert(half(4).value() == 2);
static_assert(!half(3).has_value());
static_assert(half(3).error().reason == reason::missing_identifier);
static_assert(half(3).value_or(-1) == -1);
}  // namespace

TEST_CASE("result: operator bool is true on a value, like std::expected", "[result]") {
    const auto ok = half(8);
    REQUIRE(ok);
    CHECK(*ok == 4);
    const auto bad = half(1);
    CHECK_FALSE(bad);
    CHECK(bad.error() == error{reason::missing_identifier, parameter_name{}});
    const result<void> done;
    CHECK(done.has_value());
    const result<void> failed = fail(reason::body_too_large);
    CHECK(failed.error().reason == reason::body_too_large);
}
