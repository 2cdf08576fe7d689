// The open connections' caps (connection_registry.hpp): in all and per address, each
// refusal saying which, a closed connection making room again, nothing counted for a
// refused one, and stop_all reaching every open connection and refusing new ones.
#include "../connection_registry.hpp"

#include <cstdint>
#include <memory>
#include <vector>

#include "catch.hpp"

namespace {

using token_server::connection_registry;
using token_server::stoppable;

struct counting_connection final : stoppable {
    int stops = 0;
    void stop() override { ++stops; }
};

}  // namespace

TEST_CASE("connection registry: the cap per address, apart from the cap in all", "[token_server][connections]") {
    connection_registry registry(5, 2);
    auto c = std::make_shared<counting_connection>();
    const auto a1 = registry.try_add(c, "192.0.2.1");
    const auto a2 = registry.try_add(c, "192.0.2.1");
    REQUIRE(a1.id != 0);
    REQUIRE(a2.id != 0);
    CHECK(a1.id != a2.id);
    const auto a3 = registry.try_add(c, "192.0.2.1");
    CHECK(a3.id == 0);
    CHECK(a3.address_full);
    // Another address has room; a refusal took none.
    const auto b1 = registry.try_add(c, "2001:db8::/64");
    CHECK(b1.id != 0);
    // One closed makes room for its address again.
    registry.remove(a1.id);
    const auto a4 = registry.try_add(c, "192.0.2.1");
    CHECK(a4.id != 0);
    CHECK(registry.try_add(c, "192.0.2.1").address_full);
    // Removing an id twice, or one never given, changes nothing.
    registry.remove(a1.id);
    registry.remove(987654);
    CHECK(registry.try_add(c, "192.0.2.1").id == 0);
}

TEST_CASE("connection registry: the cap in all refuses without blaming an address", "[token_server][connections]") {
    connection_registry registry(3, 2);
    auto c = std::make_shared<counting_connection>();
    CHECK(registry.try_add(c, "a").id != 0);
    CHECK(registry.try_add(c, "b").id != 0);
    CHECK(registry.try_add(c, "c").id != 0);
    const auto full = registry.try_add(c, "d");
    CHECK(full.id == 0);
    CHECK_FALSE(full.address_full);
}

TEST_CASE("connection registry: cap 0 per address is no cap", "[token_server][connections]") {
    connection_registry registry(100, 0);
    auto c = std::make_shared<counting_connection>();
    for (int i = 0; i < 100; ++i) CHECK(registry.try_add(c, "192.0.2.1").id != 0);
    const auto full = registry.try_add(c, "192.0.2.1");
    CHECK(full.id == 0);
    CHECK_FALSE(full.address_full);
}

TEST_CASE("connection registry: stop_all stops every open connection and refuses new ones",
          "[token_server][connections]") {
    connection_registry registry(10, 10);
    std::vector<std::shared_ptr<counting_connection>> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(std::make_shared<counting_connection>());
        REQUIRE(registry.try_add(open.back(), "192.0.2.1").id != 0);
    }
    // One already gone (its owner released it): skipped, not stopped.
    auto gone = std::make_shared<counting_connection>();
    REQUIRE(registry.try_add(gone, "192.0.2.1").id != 0);
    gone.reset();
    registry.stop_all();
    for (const auto& c : open) CHECK(c->stops == 1);
    const auto after = registry.try_add(open.front(), "192.0.2.2");
    CHECK(after.id == 0);
    CHECK_FALSE(after.address_full);
}
