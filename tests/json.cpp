#include "oauthcore/json.hpp"

#include <cstdint>
#include <string>

#include "catch.hpp"
#include "support.hpp"

using namespace oauthcore;

namespace {

std::string json_string(std::string_view text) {
    std::string out(json_string_size(text), '\0');
    REQUIRE(write_json_string(text, out.data()) == out.size());
    return out;
}

std::string token_json(const token_fields& token) {
    std::string out(token_json_size(token), '\0');
    REQUIRE(write_token_json(token, out.data()) == out.size());
    return out;
}

constexpr bool writes_at_compile_time() {
    std::array<char, 64> out{};
    const auto n = write_error_json(error_code::invalid_request, "x", out.data());
    return std::string_view(out.data(), n) == R"({"error":"invalid_request","error_description":"x"})";
}
static_assert(writes_at_compile_time());

}  // namespace

TEST_CASE("json: the vendor's success body, minus its trailing comma (vendor Response Body, RFC 6749 5.1)",
          "[json][vendor]") {
    const token_fields token{
        oauthcore_test::vendor_access_token, 604800, "bearer", oauthcore_test::vendor_refresh_token, {}};
    CHECK(token_json(token) == oauthcore_test::vendor_success_json);
    CHECK(token_json_size(token) == 208);
}

TEST_CASE("json: optional members are left out, never \"scope\":\"\" (RFC 6749 5.1)", "[json][rfc6749]") {
    CHECK(token_json({"a", std::nullopt, "bearer", {}, {}}) == R"({"access_token":"a","token_type":"bearer"})");
    CHECK(token_json({"a", 0, "bearer", {}, "read write"}) ==
          R"({"access_token":"a","expires_in":0,"token_type":"bearer","scope":"read write"})");
    CHECK(token_json({"a", 18446744073709551615u, "bearer", {}, {}}) ==
          R"({"access_token":"a","expires_in":18446744073709551615,"token_type":"bearer"})");
}

TEST_CASE("json: quotes, backslash and control characters are escaped (RFC 8259 7)", "[json][rfc8259]") {
    CHECK(json_string("") == R"("")");
    CHECK(json_string("a\"b") == R"("a\"b")");
    CHECK(json_string("a\\b") == R"("a\\b")");
    CHECK(json_string("\b\f\n\r\t") == R"("\b\f\n\r\t")");
    CHECK(json_string(std::string_view("\0\x01\x1f", 3)) == R"("\u0000\u0001\u001f")");
    CHECK(json_string("/\x7f") == "\"/\x7f\"");  // neither needs escaping
}

TEST_CASE("json: valid UTF-8 is kept as is (RFC 8259 8.1)", "[json][rfc8259]") {
    CHECK(json_string("w\xc3\xb6rd") == "\"w\xc3\xb6rd\"");
    CHECK(json_string("\xe2\x82\xac") == "\"\xe2\x82\xac\"");
    CHECK(json_string("\xf0\x9f\x98\x80") == "\"\xf0\x9f\x98\x80\"");
    CHECK(json_string("\xf4\x8f\xbf\xbf") == "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF
}

TEST_CASE("json: each byte outside valid UTF-8 becomes \\ufffd (RFC 3629)", "[json][rfc3629]") {
    CHECK(json_string("\xff") == R"("\ufffd")");
    CHECK(json_string("a\x80z") == R"("a\ufffdz")");
    CHECK(json_string("\xc0\xaf") == R"("\ufffd\ufffd")");                      // overlong '/'
    CHECK(json_string("\xe0\x80\xaf") == R"("\ufffd\ufffd\ufffd")");            // overlong
    CHECK(json_string("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");            // surrogate D800
    CHECK(json_string("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // above U+10FFFF
    CHECK(json_string("\xc3") == R"("\ufffd")");                                // truncated
    CHECK(json_string("\xe2\x82") == R"("\ufffd\ufffd")");
}

TEST_CASE("json: error bodies (RFC 6749 5.2)", "[json][rfc6749]") {
    std::string out(error_json_size(error_code::invalid_client, "Client authentication failed."), '\0');
    write_error_json(error_code::invalid_client, "Client authentication failed.", out.data());
    CHECK(out == R"({"error":"invalid_client","error_description":"Client authentication failed."})");
}

TEST_CASE("json: the size pass matches the write pass for every single byte", "[json]") {
    for (int b = 0; b < 256; ++b) {
        const std::string text = "x" + std::string(1, static_cast<char>(b)) + "y";
        std::string out(json_string_size(text) + 8, '#');
        CHECK(write_json_string(text, out.data()) == json_string_size(text));
    }
}

TEST_CASE("json: second and later bytes of a sequence are checked against their ranges (RFC 3629 4)",
          "[json][rfc3629]") {
    // ED A0: above ED's second-byte range (surrogates); F4 90: above U+10FFFF;
    // E0 9F: below E0's range (overlong); F0 8F: below F0's range (overlong).
    CHECK(json_string("\xed\xa0\x80") == R"("\ufffd\ufffd\ufffd")");
    CHECK(json_string("\xf4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");
    CHECK(json_string("\xe0\x9f\xbf") == R"("\ufffd\ufffd\ufffd")");
    CHECK(json_string("\xf0\x8f\xbf\xbf") == R"("\ufffd\ufffd\ufffd\ufffd")");
    // A third or fourth byte that is not a continuation byte, below or above 80-BF.
    CHECK(json_string("\xe2\x82\x41") == "\"\\ufffd\\ufffdA\"");
    CHECK(json_string("\xe2\x82\xc0") == R"("\ufffd\ufffd\ufffd")");
    CHECK(json_string("\xf0\x9f\x98\x7f") == "\"\\ufffd\\ufffd\\ufffd\x7f\"");
    // The last code points of each length are kept.
    CHECK(json_string("\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf") == "\"\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf\"");
}

TEST_CASE("json: expires_in of any size is written in decimal (RFC 6749 5.1)", "[json][rfc6749]") {
    for (const std::uint64_t n :
         {std::uint64_t{0}, std::uint64_t{9}, std::uint64_t{10}, std::uint64_t{604800}, UINT64_MAX}) {
        token_fields token;
        token.access_token = "a";
        token.expires_in = n;
        CHECK(token_json(token) ==
              R"({"access_token":"a","expires_in":)" + std::to_string(n) + R"(,"token_type":"bearer"})");
    }
}
