#include "oauthcore/endpoint.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catch.hpp"
#include "support.hpp"

// Robustness of the whole endpoint against what strangers send: huge bodies, huge
// header values, many parameters, NUL bytes, and every single-byte mutation of the
// vendor's two example requests. Every response must have a documented status, the
// headers RFC 6749 5.1/5.2 ask for, and a body that is valid JSON (RFC 8259).

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::str;
using oauthcore_test::test_request;
using oauthcore_test::vendor_endpoint;

namespace {

// RFC 8259, strictly, over bytes; strings must be valid UTF-8 (RFC 8259 8.1, RFC 3629).
// Written here so that the unit tests need nothing but Catch2.
class json_validator {
public:
    explicit json_validator(std::string_view text) : s_(text) {}

    bool valid() {
        whitespace();
        if (!value()) return false;
        whitespace();
        return i_ == s_.size();
    }

private:
    [[nodiscard]] bool at_end() const { return i_ >= s_.size(); }
    [[nodiscard]] unsigned char peek() const { return at_end() ? 0 : static_cast<unsigned char>(s_[i_]); }
    bool eat(char c) {
        if (at_end() || s_[i_] != c) return false;
        ++i_;
        return true;
    }
    void whitespace() {
        while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++i_;
    }
    bool literal(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }
    bool value() {
        if (++depth_ > 64) return false;
        bool ok = false;
        switch (peek()) {
            case '{': ok = object(); break;
            case '[': ok = array(); break;
            case '"': ok = string(); break;
            case 't': ok = literal("true"); break;
            case 'f': ok = literal("false"); break;
            case 'n': ok = literal("null"); break;
            default: ok = number(); break;
        }
        --depth_;
        return ok;
    }
    bool object() {
        eat('{');
        whitespace();
        if (eat('}')) return true;
        do {
            whitespace();
            if (!string()) return false;
            whitespace();
            if (!eat(':')) return false;
            whitespace();
            if (!value()) return false;
            whitespace();
        } while (eat(','));
        return eat('}');
    }
    bool array() {
        eat('[');
        whitespace();
        if (eat(']')) return true;
        do {
            whitespace();
            if (!value()) return false;
            whitespace();
        } while (eat(','));
        return eat(']');
    }
    bool digits() {
        const std::size_t start = i_;
        while (peek() >= '0' && peek() <= '9') ++i_;
        return i_ > start;
    }
    bool number() {
        eat('-');
        if (!eat('0') && !(peek() >= '1' && peek() <= '9' && digits())) return false;
        if (eat('.') && !digits()) return false;
        if (peek() == 'e' || peek() == 'E') {
            ++i_;
            if (!eat('+')) eat('-');
            if (!digits()) return false;
        }
        return true;
    }
    bool hex4() {
        for (int k = 0; k < 4; ++k) {
            const unsigned char c = peek();
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
            ++i_;
        }
        return true;
    }
    bool utf8() {
        const unsigned char lead = peek();
        std::size_t length = 0;
        std::uint32_t cp = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            length = 2;
            cp = lead & 0x1F;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            cp = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            cp = lead & 0x07;
        } else {
            return false;
        }
        if (s_.size() - i_ < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto c = static_cast<unsigned char>(s_[i_ + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        if ((length == 3 && cp < 0x800) || (length == 4 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i_ += length;
        return true;
    }
    bool string() {
        if (!eat('"')) return false;
        while (!at_end()) {
            const unsigned char c = peek();
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                ++i_;
                const unsigned char e = peek();
                ++i_;
                if (e == 'u') {
                    if (!hex4()) return false;
                } else if (std::string_view("\"\\/bfnrt").find(static_cast<char>(e)) == std::string_view::npos ||
                           e == 0) {
                    return false;
                }
            } else if (c < 0x80) {
                ++i_;
            } else if (!utf8()) {
                return false;
            }
        }
        return false;
    }

    std::string_view s_;
    std::size_t i_ = 0;
    int depth_ = 0;
};

bool is_json(std::string_view text) { return json_validator(text).valid(); }

// What every response must satisfy; returns false (and says why through Catch) if not.
bool documented(const response& r, profile p = profile::social_id) {
    const bool known_status =
        r.status == 200 || r.status == 400 || r.status == 401 || r.status == 405 || r.status == 500;
    const bool consistent =
        r.status == 200 ? !r.error.has_value() : r.error.has_value() && describe(*r.error, p).status == r.status;
    return known_status && consistent && r.reason_phrase == reason_phrase(r.status) && is_json(r.body) &&
           r.header("Content-Type") == "application/json;charset=UTF-8" && r.header("Cache-Control") == "no-store" &&
           r.header("Pragma") == "no-cache" && r.header("WWW-Authenticate").has_value() == (r.status == 401) &&
           r.header("Allow").has_value() == (r.status == 405);
}

std::string vendor_body_with(std::string_view extra) {
    return str(oauthcore_test::vendor_username_body) + "&" + str(extra);
}

}  // namespace

TEST_CASE("robustness: the JSON validator used below accepts RFC 8259 and refuses the rest", "[robustness]") {
    CHECK(is_json(R"({"a":[1,-2.5e+3,true,false,null,"\u00e9\n"],"b":{}})"));
    CHECK(is_json("\"\xc3\xa9\xf0\x9d\x84\x9e\""));
    CHECK_FALSE(is_json(""));
    CHECK_FALSE(is_json("{\"a\":1,}"));
    CHECK_FALSE(is_json("\"\x01\""));
    CHECK_FALSE(is_json("\"\xff\""));
    CHECK_FALSE(is_json("\"\xed\xa0\x80\""));
    CHECK_FALSE(is_json("\"\\x\""));
    CHECK_FALSE(is_json("01"));
    CHECK_FALSE(is_json("{\"a\":1}x"));
}

TEST_CASE("robustness: 1 MiB and 16 MiB bodies are refused by default and parsed when allowed (RFC 6749 3.2)",
          "[robustness][limits]") {
    for (const std::size_t size : {std::size_t{1} << 20, std::size_t{16} << 20}) {
        INFO("body bytes: " << size);
        // An unknown parameter as padding: WHATWG parsing skips it (RFC 6749 3.2: ignore).
        std::string body = vendor_body_with("padding=");
        body.resize(size, 'a');
        {
            vendor_endpoint endpoint;
            const auto r = endpoint.handle(test_request{}.with_body(body));
            CHECK(documented(r));
            CHECK(r.status == 400);
            CHECK(r.error == error{reason::body_too_large});
        }
        {
            vendor_endpoint endpoint;
            endpoint.options.limits = {size, 32, size};
            const auto r = endpoint.handle(test_request{}.with_body(body));
            CHECK(documented(r));
            CHECK(r.status == 200);
        }
        {
            // A recognised parameter that must be decoded: the decoded bytes go to one
            // heap block of request storage, sized by the body.
            std::string encoded = vendor_body_with("scope=");
            while (encoded.size() + 3 <= size) encoded += "%41";
            vendor_endpoint endpoint;
            endpoint.options.limits = {size, 32, size};
            const auto r = endpoint.handle(test_request{}.with_body(encoded));
            CHECK(documented(r));
            CHECK(r.status == 200);
            CHECK(endpoint.storage.request.uses_heap());
        }
    }
}

TEST_CASE(
    "robustness: one exchange_storage reused for a smaller, then a larger encoded request answers as a fresh one "
    "(regression: the second got 500 out_of_memory)",
    "[robustness][limits][regression]") {
    const auto encoded = [](std::size_t bytes) {
        std::string s;
        while (s.size() + 3 <= bytes) s += "%41";
        return s;
    };
    const std::string small = "grant_type=password&username=john_doe&password=" + encoded(2100);
    const std::string large =
        "grant_type=password&username=" + encoded(2000) + "&password=" + encoded(4000) + "&scope=" + encoded(4000);
    vendor_endpoint fresh;
    const auto expected = fresh.handle(test_request{}.with_body(large));
    REQUIRE(expected.status == 401);  // the decoded user does not exist
    vendor_endpoint reused;
    CHECK(reused.handle(test_request{}.with_body(small)).status == 401);
    const auto r = reused.handle(test_request{}.with_body(large));
    CHECK(r.status == expected.status);
    CHECK(r.body == expected.body);
}

TEST_CASE("robustness: 100 000 parameters are refused by default and parsed when allowed (RFC 6749 3.2)",
          "[robustness][limits]") {
    std::string body(oauthcore_test::vendor_username_body);
    body.reserve(body.size() + 100'000 * 8);
    for (int i = 0; i < 100'000; ++i) body += "&p" + std::to_string(i % 1000) + "=v";
    vendor_endpoint endpoint;
    endpoint.options.limits.max_body_bytes = body.size() + 16;
    const auto refused = endpoint.handle(test_request{}.with_body(body));
    CHECK(documented(refused));
    CHECK(refused.error == error{reason::too_many_parameters});

    endpoint.options.limits.max_parameters = 100'003;
    const auto accepted = endpoint.handle(test_request{}.with_body(body));
    CHECK(documented(accepted));
    CHECK(accepted.status == 200);

    // The last of them repeats a recognised parameter: found after 100 000 others.
    const auto duplicate = endpoint.handle(test_request{}.with_body(body + "&password=x"));
    CHECK(documented(duplicate));
    CHECK(duplicate.error == error{reason::too_many_parameters});
    endpoint.options.limits.max_parameters = 100'004;
    const auto found = endpoint.handle(test_request{}.with_body(body + "&password=x"));
    CHECK(documented(found));
    CHECK(found.error == error{reason::duplicate_parameter, param<"password">});
}

TEST_CASE("robustness: 64 KiB header values (RFC 9110 5.4 leaves limits to the server)", "[robustness][limits]") {
    constexpr std::size_t kib64 = 64 * 1024;
    const std::string long_secret(kib64, 's');
    SECTION("Authorization: refused by its size limit, or parsed when allowed") {
        const std::string authorization = basic("138:" + long_secret);
        REQUIRE(authorization.size() > kib64);
        vendor_endpoint endpoint;
        const auto refused = endpoint.handle(test_request{}.with_header("Authorization", authorization));
        CHECK(documented(refused));
        CHECK(refused.error == error{reason::authorization_too_large});
        endpoint.options.basic.max_header_bytes = authorization.size();
        const auto parsed = endpoint.handle(test_request{}.with_header("Authorization", authorization));
        CHECK(documented(parsed));
        CHECK(parsed.error == error{reason::client_rejected});
        CHECK(parsed.body.find("sss") == std::string_view::npos);
    }
    SECTION("Authorization: 64 KiB of spaces between scheme and credentials, or of OWS around them") {
        vendor_endpoint endpoint;
        endpoint.options.basic.max_header_bytes = 3 * kib64;
        const std::string credentials = str(oauthcore_test::vendor_authorization).substr(6);
        const auto spaced = endpoint.handle(
            test_request{}.with_header("Authorization", "Basic" + std::string(kib64, ' ') + credentials));
        CHECK(documented(spaced));
        CHECK(spaced.status == 200);
        const auto padded = endpoint.handle(test_request{}.with_header(
            "Authorization",
            std::string(kib64, '\t') + str(oauthcore_test::vendor_authorization) + std::string(kib64, ' ')));
        CHECK(documented(padded));
        CHECK(padded.status == 200);
    }
    SECTION("Content-Type with 64 KiB of parameters (RFC 9110 8.3.1)") {
        vendor_endpoint endpoint;
        const auto r = endpoint.handle(test_request{}.with_header(
            "Content-Type", "application/x-www-form-urlencoded; charset=" + std::string(kib64, 'x')));
        CHECK(documented(r));
        CHECK(r.status == 200);
        const auto junk = endpoint.handle(test_request{}.with_header("Content-Type", std::string(kib64, 'x')));
        CHECK(documented(junk));
        CHECK(junk.error == error{reason::unsupported_content_type});
    }
    SECTION("a 64 KiB method and a 64 KiB request target") {
        vendor_endpoint endpoint;
        test_request long_method;
        long_method.method_ = "POST" + std::string(kib64, 'T');
        const auto method = endpoint.handle(long_method);
        CHECK(documented(method));
        CHECK(method.status == 405);
        test_request long_target;
        long_target.target_ += std::string(kib64, '/');
        CHECK(endpoint.handle(long_target).status == 200);
        long_target.target_ += "?" + std::string(kib64, 'q');
        const auto query = endpoint.handle(long_target);
        CHECK(documented(query));
        CHECK(query.error == error{reason::query_in_target});
    }
}

TEST_CASE("robustness: NUL bytes are data, never terminators", "[robustness][nul]") {
    using namespace std::string_literals;
    vendor_endpoint endpoint;
    // The reason of the response's error, or nullopt for a 200.
    const auto reason_of = [&](const test_request& request) -> std::optional<reason> {
        const auto r = endpoint.handle(request);
        CHECK(documented(r));
        if (!r.error) return std::nullopt;
        return r.error->reason;
    };
    test_request method;
    method.method_ = "POST\0"s;
    CHECK(reason_of(method) == reason::method_not_allowed);
    test_request target;
    target.target_ += "\0?a=b"s;
    CHECK(reason_of(target) == reason::query_in_target);
    CHECK(reason_of(test_request{}.with_header("Content-Type", "application/x-www-form-urlencoded\0"s)) ==
          reason::unsupported_content_type);
    CHECK(reason_of(test_request{}.with_header("Authorization", str(oauthcore_test::vendor_authorization) + "\0"s)) ==
          reason::malformed_basic_credentials);
    // RFC 7617 2: no control characters in user-id or password, NUL included.
    CHECK(reason_of(test_request{}.with_header("Authorization", basic("138\0:x"s))) ==
          reason::malformed_basic_credentials);
    // A NUL in a value, raw or percent-encoded, is part of the value: the user is unknown.
    CHECK(reason_of(test_request{}.with_body("grant_type=password&username=john_doe\0&password=john_doe_secret"s)) ==
          reason::user_rejected);
    CHECK(reason_of(test_request{}.with_body("grant_type=password&username=john_doe%00&password=john_doe_secret")) ==
          reason::user_rejected);
    CHECK(reason_of(test_request{}.with_body("grant_type=password&username=john_doe&password=john_doe_secret\0"s)) ==
          reason::user_rejected);
    CHECK(reason_of(test_request{}.with_body("grant_type=password\0&username=john_doe&password=john_doe_secret"s)) ==
          reason::unsupported_grant_type);
    // A NUL before '=' is part of the name: an unknown parameter, ignored.
    CHECK(reason_of(test_request{}.with_body("grant_type\0=x&grant_type=password&username=john_doe&"
                                             "password=john_doe_secret"s)) == std::nullopt);
    CHECK(reason_of(test_request{}.with_body(std::string(1000, '\0'))) == reason::missing_parameter);
}

namespace {

enum class field { method, target, content_type, authorization, body };

std::string& field_of(test_request& request, field f) {
    switch (f) {
        case field::method: return request.method_;
        case field::target: return request.target_;
        case field::content_type: return request.headers_[0].second;
        case field::authorization: return request.headers_[1].second;
        case field::body: return request.body_;
    }
    return request.body_;
}

char lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether replacing original[position] by `byte` must still give 200: the target is not
// checked beyond its query, and the scheme name and media type are case-insensitive
// (RFC 7235 2.1, RFC 9110 8.3.1). Everything else is compared byte for byte.
bool still_accepted(field f, const std::string& original, std::size_t position, char byte) {
    if (original[position] == byte) return true;
    switch (f) {
        case field::target: return byte != '?' || position + 1 == original.size();
        case field::content_type: return lower_ascii(byte) == lower_ascii(original[position]);
        case field::authorization: return position < 5 && lower_ascii(byte) == lower_ascii(original[position]);
        default: return false;
    }
}

}  // namespace

TEST_CASE("robustness: every byte value in every position of both vendor requests gives a documented response",
          "[robustness][mutation]") {
    vendor_endpoint endpoint;
    std::size_t mutations = 0;
    std::array<std::size_t, 600> by_status{};
    for (const auto body : {oauthcore_test::vendor_username_body, oauthcore_test::vendor_email_body}) {
        const test_request original = test_request{}.with_body(str(body));
        // The fixture's header order is Content-Type, Authorization (support.hpp).
        REQUIRE(original.headers_[0].first == "Content-Type");
        REQUIRE(original.headers_[1].first == "Authorization");
        for (const field f : {field::method, field::target, field::content_type, field::authorization, field::body}) {
            test_request request = original;
            std::string& bytes = field_of(request, f);
            const std::string pristine = bytes;
            for (std::size_t position = 0; position < pristine.size(); ++position) {
                for (int value = 0; value < 256; ++value) {
                    const char byte = static_cast<char>(value);
                    bytes[position] = byte;
                    const response r = endpoint.handle(request);
                    ++mutations;
                    ++by_status[static_cast<std::size_t>(r.status) % by_status.size()];
                    if (!documented(r) || (r.status == 200) != still_accepted(f, pristine, position, byte)) {
                        INFO("field " << static_cast<int>(f) << ", position " << position << ", byte " << value << ": "
                                      << r.status << " " << r.body);
                        CHECK(documented(r));
                        CHECK((r.status == 200) == still_accepted(f, pristine, position, byte));
                    }
                }
                bytes[position] = pristine[position];
            }
        }
    }
    INFO("200: " << by_status[200] << ", 400: " << by_status[400] << ", 401: " << by_status[401]
                 << ", 405: " << by_status[405] << ", 500: " << by_status[500]);
    CHECK(mutations ==
          256 * 2 * (4 + 25 + 33 + oauthcore_test::vendor_authorization.size()) +
              256 * (oauthcore_test::vendor_username_body.size() + oauthcore_test::vendor_email_body.size()));
    CHECK(by_status[500] == 0);
    CHECK(by_status[200] + by_status[400] + by_status[401] + by_status[405] == mutations);
}

TEST_CASE("robustness: a token outside RFC 6749 Appendix A from the issuer is never sent (RFC 6749 A.12-A.14, 3.3)",
          "[robustness][response]") {
    const auto answer = [](token_fields token) {
        response_storage storage;
        const response r = make_token_response(token, storage);
        CHECK(documented(r));
        return r.status;
    };
    const token_fields good{"abc", 3600, "bearer", "def", "read write"};
    CHECK(answer(good) == 200);
    const auto with = [&](auto change) {
        token_fields token = good;
        change(token);
        return answer(token);
    };
    CHECK(with([](token_fields& t) { t.access_token = ""; }) == 500);
    CHECK(with([](token_fields& t) { t.access_token = "a\x7f"; }) == 500);
    CHECK(with([](token_fields& t) { t.access_token = "a\n"; }) == 500);
    CHECK(with([](token_fields& t) { t.access_token = "\xc3\xa9"; }) == 500);
    CHECK(with([](token_fields& t) { t.refresh_token = "r\x01"; }) == 500);
    CHECK(with([](token_fields& t) { t.token_type = ""; }) == 500);
    CHECK(with([](token_fields& t) { t.token_type = "bearer\x80"; }) == 500);
    // scope = scope-token *( SP scope-token ), scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    CHECK(with([](token_fields& t) { t.scope = ""; }) == 200);
    CHECK(with([](token_fields& t) { t.scope = "a!#[]~"; }) == 200);
    CHECK(with([](token_fields& t) { t.scope = " read"; }) == 500);
    CHECK(with([](token_fields& t) { t.scope = "read "; }) == 500);
    CHECK(with([](token_fields& t) { t.scope = "read  write"; }) == 500);
    CHECK(with([](token_fields& t) { t.scope = "re\"ad"; }) == 500);
    CHECK(with([](token_fields& t) { t.scope = "re\\ad"; }) == 500);
    CHECK(with([](token_fields& t) { t.scope = "re\tad"; }) == 500);
    CHECK(with([](token_fields& t) {
              t.scope =
                  "re\x7f"
                  "ad";
          }) == 500);
    CHECK(with([](token_fields& t) { t.scope = "r\xc3\xa9"; }) == 500);
}

TEST_CASE(
    "robustness: exhausted response storage still answers with a fixed, valid body (ARCHITECTURE: principles, pure and "
    "total)",
    "[robustness][response]") {
    const token_fields token{"abc", 3600, "bearer", "def", {}};
    fixed_storage<8> tiny;
    const response r = make_token_response(token, tiny);
    CHECK(documented(r));
    CHECK(r.error == error{reason::out_of_memory});
    // No room for an error's body: the whole response is out_of_memory's, never a 401 (or
    // 400) status over a server_error body.
    for (const reason why : {reason::client_rejected, reason::code_rejected, reason::method_not_allowed}) {
        fixed_storage<4> none;
        const response failed = make_error_response(error{why}, none);
        CHECK(documented(failed));
        CHECK(failed.status == 500);
        CHECK(failed.error == error{reason::out_of_memory});
        CHECK_FALSE(failed.header("WWW-Authenticate"));
        CHECK_FALSE(failed.header("Allow"));
        CHECK(failed.body.find("server_error") != std::string_view::npos);
    }
    // Room for the 401's body but not its challenge: the default challenge is used.
    response_storage roomy;
    const std::size_t body_size = make_error_response(error{reason::client_rejected}, roomy).body.size();
    fixed_storage<256> just_the_body;
    REQUIRE(just_the_body.take(256 - body_size) != nullptr);
    const response unauthorized = make_error_response(error{reason::client_rejected}, just_the_body);
    CHECK(documented(unauthorized));
    CHECK(unauthorized.status == 401);
    CHECK(unauthorized.header("WWW-Authenticate") == "Basic realm=\"oauthcore\"");
}

TEST_CASE(
    "robustness: a realm with quotes, backslashes and control characters gives a valid quoted-string "
    "(RFC 9110 5.6.4)",
    "[robustness][response]") {
    response_storage storage;
    response_options options;
    options.realm =
        "a\"b\\c\td\x01"
        "e\x7f"
        "f\xc3\xa9";
    const response r = make_error_response(error{reason::client_rejected}, storage, options);
    CHECK(documented(r));
    CHECK(r.header("WWW-Authenticate") == "Basic realm=\"a\\\"b\\\\c\tdef\xc3\xa9\"");
}

TEST_CASE("robustness: a full response says so when one more header is added, and keeps what it has",
          "[robustness][response]") {
    response r;
    static_assert(max_response_headers == 8);
    for (const std::string_view name : {"A", "B", "C", "D", "E", "F", "G", "H"}) CHECK(r.add_header(name, "v"));
    CHECK(r.headers().size() == max_response_headers);
    CHECK_FALSE(r.add_header("I", "v"));
    CHECK(r.headers().size() == max_response_headers);
    CHECK(r.header("H") == "v");
    CHECK_FALSE(r.header("I"));
    // oauthcore's own responses leave room: a 401 has four headers.
    exchange_storage storage;
    response error_response = make_error_response(error{reason::client_rejected}, storage.response);
    CHECK(error_response.headers().size() == 4);
    CHECK(error_response.add_header("Retry-After", "1"));
}
