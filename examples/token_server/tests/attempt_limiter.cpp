// The brute-force limiter (attempt_limiter.hpp): a lockout holds however many other
// names fail after it (RFC 6749 4.3.2), the kinds do not crowd each other out, and the
// tables stay bounded.
#include "../attempt_limiter.hpp"

#include <chrono>
#include <cstddef>
#include <string>

#include "catch.hpp"

namespace {

using token_server::attempt_kind;
using token_server::attempt_limiter;
using token_server::attempt_limits;
using namespace std::chrono_literals;

attempt_limits three_failures() {
    attempt_limits limits;
    limits.max_failures = 3;
    limits.max_address_failures = 3;
    limits.lockout = 600s;
    return limits;
}

void fail(attempt_limiter& limiter, attempt_kind kind, const std::string& name, attempt_limiter::clock::time_point at,
          int times = 1) {
    for (int i = 0; i < times; ++i) limiter.record_failure(kind, name, at);
}

}  // namespace

TEST_CASE("attempt_limiter: the limit's failure locks a name out, for its back-off, doubling after (RFC 6749 4.3.2)",
          "[attempt_limiter]") {
    attempt_limiter limiter(three_failures(), 64);
    const auto t0 = attempt_limiter::clock::now();
    fail(limiter, attempt_kind::user, "username:john_doe", t0, 2);
    CHECK_FALSE(limiter.refused(attempt_kind::user, "username:john_doe", t0));
    fail(limiter, attempt_kind::user, "username:john_doe", t0);
    CHECK(limiter.refused(attempt_kind::user, "username:john_doe", t0) == 600s);
    CHECK_FALSE(limiter.refused(attempt_kind::client, "username:john_doe", t0));  // another kind, another name
    CHECK_FALSE(limiter.refused(attempt_kind::user, "username:john_doe", t0 + 601s));
    fail(limiter, attempt_kind::user, "username:john_doe", t0 + 601s);
    CHECK(limiter.refused(attempt_kind::user, "username:john_doe", t0 + 601s) == 1200s);
}

TEST_CASE("attempt_limiter: a flood of other names does not lift a lockout, and the table stays bounded",
          "[attempt_limiter]") {
    constexpr std::size_t max_entries = 64;
    attempt_limiter limiter(three_failures(), max_entries);
    const auto t0 = attempt_limiter::clock::now();
    fail(limiter, attempt_kind::client, "138", t0, 3);
    REQUIRE(limiter.refused(attempt_kind::client, "138", t0));
    // Ten tables' worth of made-up client ids, one failure each, within the window.
    for (std::size_t i = 0; i < 10 * max_entries; ++i)
        fail(limiter, attempt_kind::client, "made-up-" + std::to_string(i), t0 + std::chrono::seconds(1 + i / 100));
    CHECK(limiter.refused(attempt_kind::client, "138", t0 + 10s) == 600s);
    CHECK(limiter.size(attempt_kind::client) <= max_entries);
}

TEST_CASE("attempt_limiter: client ids never push users out (each kind has its own table)", "[attempt_limiter]") {
    constexpr std::size_t max_entries = 16;
    attempt_limiter limiter(three_failures(), max_entries);
    const auto t0 = attempt_limiter::clock::now();
    fail(limiter, attempt_kind::user, "username:john_doe", t0, 2);  // two of three tries used
    for (std::size_t i = 0; i < 10 * max_entries; ++i)
        fail(limiter, attempt_kind::client, "made-up-" + std::to_string(i), t0 + 1s);
    fail(limiter, attempt_kind::user, "username:john_doe", t0 + 2s);  // the third: counted with the two
    CHECK(limiter.refused(attempt_kind::user, "username:john_doe", t0 + 2s));
    CHECK(limiter.size(attempt_kind::user) == 1);
}

TEST_CASE("attempt_limiter: a table of names all under back-off still takes a new name, dropping the soonest to end",
          "[attempt_limiter]") {
    constexpr std::size_t max_entries = 16;
    attempt_limiter limiter(three_failures(), max_entries);
    const auto t0 = attempt_limiter::clock::now();
    for (std::size_t i = 0; i < max_entries; ++i)
        fail(limiter, attempt_kind::address, "10.0.0." + std::to_string(i), t0 + std::chrono::seconds(i), 3);
    fail(limiter, attempt_kind::address, "10.0.1.1", t0 + 20s, 3);
    CHECK(limiter.refused(attempt_kind::address, "10.0.1.1", t0 + 20s));
    CHECK(limiter.size(attempt_kind::address) <= max_entries);
    // The latest lockouts are kept; the two that end first made room.
    CHECK(limiter.refused(attempt_kind::address, "10.0.0.15", t0 + 20s));
    CHECK_FALSE(limiter.refused(attempt_kind::address, "10.0.0.0", t0 + 20s));
}

TEST_CASE("attempt_limiter: a success forgets the name's failures", "[attempt_limiter]") {
    attempt_limiter limiter(three_failures(), 64);
    const auto t0 = attempt_limiter::clock::now();
    fail(limiter, attempt_kind::user, "email:a@example.com", t0, 2);
    limiter.forget(attempt_kind::user, "email:a@example.com");
    fail(limiter, attempt_kind::user, "email:a@example.com", t0, 2);
    CHECK_FALSE(limiter.refused(attempt_kind::user, "email:a@example.com", t0));
}
