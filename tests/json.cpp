#include "oauthcore/json.hpp"

#include <array>
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

constexpr bool escapes_error_at_compile_time() {
    std::array<char, 64> out{};
    const auto n = write_error_json(error_code::invalid_grant, "a\\b", out.data());
    return n == error_json_size(error_code::invalid_grant, "a\\b") &&
           std::string_view(out.data(), n) == R"({"error":"invalid_grant","error_description":"a\\b"})";
}
static_assert(escapes_error_at_compile_time());

// The plain path (strings copied as they are) and the careful one (a string that needs
// escaping) both run in constant evaluation.
constexpr bool writes_token_at_compile_time() {
    std::array<char, 192> out{};
    const token_fields plain{"ab\x21~", 60, "bearer", "r", "read"};
    const auto n = write_token_json(plain, out.data());
    const auto m = write_token_json({"a\"b", {}, "bearer", {}, {}}, out.data() + n, out.size() - n);
    return token_json_size(plain) == n &&
           std::string_view(out.data(), n) ==
               R"({"access_token":"ab!~","expires_in":60,"token_type":"bearer","refresh_token":"r","scope":"read"})" &&
           std::string_view(out.data() + n, m) == R"({"access_token":"a\"b","token_type":"bearer"})";
}
static_assert(writes_token_at_compile_time());

// The body built from write_json_string, member by member: what the plain path must match.
std::string reference_token_json(const token_fields& token) {
    std::string out = R"({"access_token":)" + json_string(token.access_token);
    if (token.expires_in) out += R"(,"expires_in":)" + std::to_string(*token.expires_in);
    out += R"(,"token_type":)" + json_string(token.token_type);
    if (!token.refresh_token.empty()) out += R"(,"refresh_token":)" + json_string(token.refresh_token);
    if (!token.scope.empty()) out += R"(,"scope":)" + json_string(token.scope);
    return out + "}";
}

// The body from the one-pass write into a buffer exactly as large as it reports.
std::string token_json_in_one_pass(const token_fields& token) {
    const std::size_t size = write_token_json(token, nullptr, 0);
    std::string out(size, '\0');
    REQUIRE(write_token_json(token, out.data(), out.size()) == size);
    return out;
}

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

TEST_CASE("json: each byte outside valid UTF-8 becomes U+FFFD (RFC 3629)", "[json][rfc3629]") {
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

TEST_CASE("json: expires_in at every digit count is written in decimal (RFC 6749 5.1)", "[json][rfc6749]") {
    std::uint64_t power = 1;
    for (int digits = 1; digits <= 20; ++digits) {
        // The largest number of `digits` digits, or UINT64_MAX for 20.
        const std::uint64_t largest = digits < 20 ? power * 10 - 1 : UINT64_MAX;
        for (const std::uint64_t n : {power, power - 1, largest}) {
            token_fields token;
            token.access_token = "a";
            token.expires_in = n;
            CHECK(token_json(token) ==
                  R"({"access_token":"a","expires_in":)" + std::to_string(n) + R"(,"token_type":"bearer"})");
        }
        if (digits < 20) power *= 10;
    }
}

TEST_CASE("json: a byte that needs escaping is found at every place in an 8- or 16-byte step (RFC 8259 7)",
          "[json][rfc8259][swar]") {
    // Lengths up to 40 exercise the 1-3 and 4-7 byte copies, the 8-byte words and the
    // 16-byte vectors, each with its overlapping last step.
    for (const char special : {'"', '\\', '\n', '\x1f', '\x7f', '\x80', '\xff', '\0'}) {
        for (std::size_t length = 1; length <= 40; ++length) {
            for (std::size_t at = 0; at < length; ++at) {
                std::string text(length, 'x');
                text[at] = special;
                for (int member = 0; member < 4; ++member) {
                    token_fields token{"access", 3600, "bearer", "refresh", "read"};
                    if (member == 0) token.access_token = text;
                    if (member == 1) token.token_type = text;
                    if (member == 2) token.refresh_token = text;
                    if (member == 3) token.scope = text;
                    const std::string expected = reference_token_json(token);
                    CHECK(token_json(token) == expected);
                    CHECK(token_json_in_one_pass(token) == expected);
                }
            }
        }
    }
}

TEST_CASE("json: plain strings of every length up to three vectors are copied whole", "[json][swar]") {
    const std::string alphabet =
        "0123456789abcdefghijklmnopqrstuvwxyz!#$%&'()*+,-./ :;<=>?@[]^_`{|}~ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (std::size_t length = 1; length <= 48; ++length) {
        const std::string text = alphabet.substr(length % 40, length);
        const token_fields token{text, {}, text, text, text};
        CHECK(token_json(token) == reference_token_json(token));
        CHECK(token_json_in_one_pass(token) == reference_token_json(token));
    }
}

TEST_CASE("json: the one-pass write reports the size it needs and writes only when it fits", "[json]") {
    const token_fields vendor{
        oauthcore_test::vendor_access_token, 604800, "bearer", oauthcore_test::vendor_refresh_token, {}};
    std::array<char, 512> out{};
    CHECK(write_token_json(vendor, out.data(), out.size()) == 208);
    CHECK(std::string_view(out.data(), 208) == oauthcore_test::vendor_success_json);

    std::array<char, 208> exact{};
    CHECK(write_token_json(vendor, exact.data(), exact.size()) == 208);
    CHECK(std::string_view(exact.data(), exact.size()) == oauthcore_test::vendor_success_json);

    std::string short_buffer(207, '#');
    CHECK(write_token_json(vendor, short_buffer.data(), short_buffer.size()) == 208);
    CHECK(write_token_json(vendor, nullptr, 0) == 208);

    // Escaped: more than the plain size, so a buffer of the plain size is too small.
    const token_fields quoted{R"(a"b\c)", {}, "bearer", {}, {}};
    const std::string expected = R"({"access_token":"a\"b\\c","token_type":"bearer"})";
    std::string plain_sized(expected.size() - 2, '#');
    CHECK(write_token_json(quoted, plain_sized.data(), plain_sized.size()) == expected.size());
    std::string fits(expected.size(), '#');
    CHECK(write_token_json(quoted, fits.data(), fits.size()) == expected.size());
    CHECK(fits == expected);
}

TEST_CASE("json: the word test flags exactly the bytes outside VSCHAR and the quotation mark and the backslash",
          "[json][swar]") {
    const auto flagged = [](unsigned char c) { return c < 0x20 || c > 0x7E || c == '"' || c == '\\'; };
    for (unsigned lane = 0; lane < 8; ++lane) {
        for (unsigned b = 0; b < 256; ++b) {
            // Every other lane holds a neighbour that is plain, below or above b, so a borrow
            // or carry between lanes would show.
            for (const unsigned char neighbour : {'a', ' ', '~', '#', '[', ']'}) {
                std::uint64_t w = detail::swar_ones * neighbour;
                w &= ~(std::uint64_t{0xFF} << (8 * lane));
                w |= std::uint64_t{b} << (8 * lane);
                CHECK((detail::swar_has_non_plain_token_byte(w) != 0) == flagged(static_cast<unsigned char>(b)));
            }
        }
    }
}

TEST_CASE("json: an error description that needs escaping is escaped at every place in a word (RFC 8259 7)",
          "[json][rfc8259][swar]") {
    for (const char special : {'"', '\\', '\t', '\x01', '\x7f', '\xc3', '\xff'}) {
        for (std::size_t length = 1; length <= 25; ++length) {
            for (std::size_t at = 0; at < length; ++at) {
                std::string description(length, 'd');
                description[at] = special;
                const std::string expected =
                    R"({"error":"invalid_scope","error_description":)" + json_string(description) + "}";
                std::string out(error_json_size(error_code::invalid_scope, description), '#');
                CHECK(write_error_json(error_code::invalid_scope, description, out.data()) == out.size());
                CHECK(out == expected);
            }
        }
    }
}

TEST_CASE("json: every byte value is classified alike at every place in a vector step", "[json][swar]") {
    for (unsigned b = 0; b < 256; ++b) {
        for (const std::size_t at : {0, 7, 8, 15, 16, 17, 31, 32}) {
            std::string text(33, 'x');
            text[at] = static_cast<char>(b);
            const token_fields token{text, {}, "bearer", {}, {}};
            CHECK(token_json_in_one_pass(token) == reference_token_json(token));
            CHECK(token_json_size(token) == reference_token_json(token).size());
        }
    }
}

TEST_CASE("json: an error body's description in parts, plain or escaped (RFC 6749 5.2, RFC 8259 7)", "[json]") {
    const oauthcore::error_details named{oauthcore::error_code::invalid_request, 400, "The ",
                                         oauthcore::param<"code_verifier">, " parameter is malformed."};
    std::string body(oauthcore::error_json_size(named), '\0');
    CHECK(oauthcore::write_error_json(named, body.data()) == body.size());
    CHECK(body == R"({"error":"invalid_request","error_description":"The code_verifier parameter is malformed."})");
    // Parts a host made itself, with bytes JSON escapes: escaped part by part, one string.
    const oauthcore::error_details odd{oauthcore::error_code::invalid_request, 400, "a\"b", {}, "\n\\"};
    std::string escaped(oauthcore::error_json_size(odd), '\0');
    CHECK(oauthcore::write_error_json(odd, escaped.data()) == escaped.size());
    CHECK(escaped == R"({"error":"invalid_request","error_description":"a\"b\n\\"})");
}
