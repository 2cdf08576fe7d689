#include "oauthcore/storage.hpp"

#include <cstring>

#include "catch.hpp"

using namespace oauthcore;

TEST_CASE("storage: inline bytes first, then one heap block of the announced size", "[storage]") {
    basic_storage<16> storage;
    storage.expect_more(100);
    char* a = storage.take(10);
    REQUIRE(a != nullptr);
    std::memset(a, 'a', 10);
    CHECK_FALSE(storage.uses_heap());
    char* b = storage.take(20);
    REQUIRE(b != nullptr);
    CHECK(storage.uses_heap());
    char* c = storage.take(70);
    REQUIRE(c != nullptr);
    CHECK(c == b + 20);                  // the same block: views into b stay valid
    CHECK(storage.take(11) == nullptr);  // neither the inline rest (6) nor the heap rest (10) fits
    CHECK(std::string_view(a, 10) == "aaaaaaaaaa");
}

TEST_CASE("storage: a take past the announced bound fails cleanly instead of moving bytes", "[storage]") {
    basic_storage<4> storage;
    storage.expect_more(8);
    char* first = storage.take(8);
    REQUIRE(first != nullptr);
    CHECK(storage.take(8) == nullptr);
    storage.reset();
    CHECK_FALSE(storage.uses_heap());
    CHECK(storage.take(4) != nullptr);
}

TEST_CASE(
    "storage: a block kept from a smaller request is not reused for a larger one (regression: the second take of a "
    "reused storage failed, a valid request became 500)",
    "[storage][regression]") {
    basic_storage<16> storage;
    storage.expect_more(50);
    REQUIRE(storage.take(40) != nullptr);  // the heap block: 50 bytes
    storage.reset();
    storage.expect_more(300);
    char* a = storage.take(30);  // fits the kept block, which cannot hold what was announced
    REQUIRE(a != nullptr);
    char* b = storage.take(100);
    REQUIRE(b != nullptr);
    CHECK(b == a + 30);  // one block: views into a stay valid
    char* c = storage.take(150);
    REQUIRE(c != nullptr);
    CHECK(c == b + 100);
    // A block at least as large as announced is kept and reused.
    storage.reset();
    storage.expect_more(200);
    CHECK(storage.take(200) == a);
}

TEST_CASE("storage: fixed_storage never allocates and reports exhaustion", "[storage]") {
    fixed_storage<8> storage;
    CHECK(storage.take(8) != nullptr);
    CHECK(storage.take(1) == nullptr);
    storage.reset();
    CHECK(storage.take(1) != nullptr);
}

TEST_CASE("storage: the last block taken can be given back, inline or on the heap", "[storage]") {
    basic_storage<16> storage;
    storage.expect_more(64);
    char* inline_block = storage.take(10);
    REQUIRE(inline_block != nullptr);
    storage.give_back(inline_block, 10);
    CHECK(storage.used() == 0);
    CHECK(storage.take(16) == inline_block);  // the same bytes again
    char* heap_block = storage.take(40);
    REQUIRE(heap_block != nullptr);
    CHECK(storage.uses_heap());
    storage.give_back(heap_block, 40);
    CHECK_FALSE(storage.uses_heap());
    CHECK(storage.used() == 16);
    // With nothing left in the block, a larger take may replace it.
    storage.expect_more(100);
    CHECK(storage.take(100) != nullptr);

    fixed_storage<8> fixed;
    char* whole = fixed.take(8);
    REQUIRE(whole != nullptr);
    fixed.give_back(whole, 8);
    CHECK(fixed.take(8) == whole);
}
