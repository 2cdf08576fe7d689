#include "oauthcore/scope.hpp"

#include <string>
#include <vector>

#include "catch.hpp"
#include "oauthcore/storage.hpp"

using namespace oauthcore;

// RFC 6749 3.3 grammar at compile time, including the NQCHAR boundaries:
// NQCHAR = %x21 / %x23-5B / %x5D-7E, so '"' (%x22), '\' (%x5C), space and DEL are out.
static_assert(is_scope_syntax("read"));
static_assert(is_scope_syntax("read write"));
static_assert(is_scope_syntax("\x21"));
static_assert(is_scope_syntax("\x23\x5b\x5d\x7e"));
static_assert(!is_scope_syntax("\x22"));
static_assert(!is_scope_syntax("\x5c"));
static_assert(!is_scope_syntax("\x7f"));
static_assert(!is_scope_syntax("\x20"));
static_assert(!is_scope_syntax("a\tb"));
static_assert(!is_scope_syntax(""));
static_assert(scope_includes("read write admin", "write read"));
static_assert(!scope_includes("read write", "read admin"));
static_assert(!scope_includes("read", "Read"));  // case-sensitive (RFC 6749 3.3)
static_assert(scope_has_token("password refresh_token", "refresh_token"));
static_assert(scope_has_token("password refresh_token", "password"));
static_assert(!scope_has_token("password refresh_token", "refresh"));  // whole tokens only
static_assert(!scope_has_token("password", "password refresh_token"));
static_assert(!scope_has_token("", "password"));

namespace {

result<std::string_view> normalize(std::string_view scope) {
    static request_storage storage;
    storage.reset();
    return normalize_scope(scope, storage);
}

}  // namespace

TEST_CASE("scope: every NQCHAR is accepted, every other byte refused (RFC 6749 3.3)", "[scope][rfc6749]") {
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        const bool nqchar = b == 0x21 || (b >= 0x23 && b <= 0x5B) || (b >= 0x5D && b <= 0x7E);
        INFO("byte " << b);
        CHECK(is_scope_syntax(std::string(1, c)) == nqchar);
        CHECK(is_scope_syntax("read" + std::string(1, c) + "write") == (nqchar || b == 0x20));
    }
}

TEST_CASE("scope: one space between tokens, none at the ends (RFC 6749 3.3)", "[scope][rfc6749]") {
    CHECK(normalize("read write"));
    for (const char* bad : {"read  write", " read", "read ", " ", "  "}) {
        const auto r = normalize(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error() == error{reason::invalid_scope_syntax, param<"scope">});
    }
}

TEST_CASE("scope: duplicates collapse into the first occurrence", "[scope]") {
    CHECK(*normalize("read write read") == "read write");
    CHECK(*normalize("a a a") == "a");
    CHECK(*normalize("b a b c a") == "b a c");
    CHECK(*normalize("read readonly") == "read readonly");  // a prefix is not a duplicate
}

TEST_CASE("scope: a scope with nothing to collapse is returned as the same view", "[scope]") {
    const std::string_view scope = "read write";
    const auto r = normalize(scope);
    REQUIRE(r);
    CHECK(r->data() == scope.data());
    CHECK(normalize("")->empty());
}

TEST_CASE("scope: at most max_scope_tokens tokens", "[scope][limits]") {
    std::string scope;
    for (std::size_t i = 0; i < max_scope_tokens; ++i) scope += (i ? " s" : "s") + std::to_string(i);
    CHECK(normalize(scope));
    CHECK_FALSE(normalize(scope + " one-more"));
}

TEST_CASE("scope: for_each_scope_token visits tokens in order", "[scope]") {
    std::vector<std::string> tokens;
    for_each_scope_token("a bb ccc", [&](std::string_view t) { tokens.emplace_back(t); });
    CHECK(tokens == std::vector<std::string>{"a", "bb", "ccc"});
}
