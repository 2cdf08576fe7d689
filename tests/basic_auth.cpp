#include "oauthcore/basic_auth.hpp"

#include <optional>
#include <string>

#include "catch.hpp"
#include "oauthcore/storage.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;

namespace {

constexpr bool parses_rfc7617_example() {
    fixed_storage<64> storage;
    const auto c = parse_basic_authorization("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", storage);
    return c && c->id == "Aladdin" && c->secret == "open sesame";
}
static_assert(parses_rfc7617_example());

constexpr bool refuses_bearer() {
    fixed_storage<64> storage;
    const auto c = parse_basic_authorization("Bearer abc", storage);
    return !c && c.error().reason == reason::unsupported_authorization_scheme;
}
static_assert(refuses_bearer());

result<client_credentials> parse(std::string_view header, request_storage& storage,
                                 credential_decoding decoding = credential_decoding::form_urlencoded) {
    basic_auth_options options;
    options.decoding = decoding;
    return parse_basic_authorization(header, storage, options);
}

reason failure(std::string_view header) {
    request_storage storage;
    const auto c = parse(header, storage);
    REQUIRE_FALSE(c);
    return c.error().reason;
}

}  // namespace

TEST_CASE("basic: the vendor's --user 138:e8b9... decodes (vendor examples)", "[basic][vendor]") {
    request_storage storage;
    const auto c = parse(oauthcore_test::vendor_authorization, storage);
    REQUIRE(c);
    CHECK(c->id == "138");
    CHECK(c->secret == oauthcore_test::vendor_client_secret);
}

TEST_CASE("basic: RFC 7617 section 2 example, Aladdin:open sesame", "[basic][rfc7617]") {
    request_storage storage;
    const auto c = parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", storage);
    REQUIRE(c);
    CHECK(c->id == "Aladdin");
    CHECK(c->secret == "open sesame");
}

TEST_CASE("basic: the scheme name is case-insensitive (RFC 7235 2.1)", "[basic][rfc7235]") {
    for (const char* scheme : {"basic", "BASIC", "bAsIc"}) {
        request_storage storage;
        const auto c = parse(std::string(scheme) + " QWxhZGRpbjpvcGVuIHNlc2FtZQ==", storage);
        REQUIRE(c);
        CHECK(c->id == "Aladdin");
    }
}

TEST_CASE("basic: other schemes are invalid_client (RFC 7617, RFC 6749 2.3.1)", "[basic]") {
    CHECK(failure("Bearer QWxhZGRpbjpvcGVuIHNlc2FtZQ==") == reason::unsupported_authorization_scheme);
    CHECK(failure("Digest username=\"a\"") == reason::unsupported_authorization_scheme);
    CHECK(failure("BasicQWxhZGRpbjpvcGVuIHNlc2FtZQ==") == reason::unsupported_authorization_scheme);
    CHECK(failure("") == reason::unsupported_authorization_scheme);
}

TEST_CASE("basic: whitespace: OWS around the value is ignored, 1*SP after the scheme", "[basic][rfc7235]") {
    request_storage storage;
    CHECK(parse("  Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\t ", storage));
    CHECK(parse("Basic    QWxhZGRpbjpvcGVuIHNlc2FtZQ==", storage));
    // The Basic scheme with a tab for its separator: malformed credentials, not another scheme.
    CHECK(failure("Basic\tQWxhZGRpbjpvcGVuIHNlc2FtZQ==") == reason::malformed_basic_credentials);
    CHECK(failure("Basic QWxhZGRp bjpvcGVuIHNlc2FtZQ==") == reason::malformed_basic_credentials);
    CHECK(failure("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n") == reason::malformed_basic_credentials);
}

TEST_CASE("basic: malformed credentials are invalid_client", "[basic]") {
    CHECK(failure("Basic") == reason::malformed_basic_credentials);
    CHECK(failure("Basic ") == reason::malformed_basic_credentials);
    CHECK(failure("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ") == reason::malformed_basic_credentials);    // no padding
    CHECK(failure("Basic QWxhZGRpbjpvcGVuIHNlc2FtZR==") == reason::malformed_basic_credentials);  // pad bits
    CHECK(failure("Basic QWxh$GRpbjpvcGVuIHNlc2FtZQ==") == reason::malformed_basic_credentials);
    CHECK(failure(basic("no-colon-here")) == reason::malformed_basic_credentials);
}

TEST_CASE("basic: control characters in user-pass are refused (RFC 7617 2)", "[basic][rfc7617]") {
    CHECK(failure(basic("id:sec\nret")) == reason::malformed_basic_credentials);
    CHECK(failure(basic(std::string("id:a\0b", 6))) == reason::malformed_basic_credentials);
    CHECK(failure(basic("id:\x7f")) == reason::malformed_basic_credentials);
    CHECK(failure(basic("i\td:x")) == reason::malformed_basic_credentials);
}

TEST_CASE(
    "basic: control characters that form decoding makes are refused too (RFC 7617 2 after RFC 6749 2.3.1, "
    "regression: a CR LF reached the store and the observer)",
    "[basic][rfc7617][regression]") {
    CHECK(failure(basic("138%0D%0A2024-01-01 admin login OK%00:x")) == reason::malformed_basic_credentials);
    CHECK(failure(basic("138:sec%0Aret")) == reason::malformed_basic_credentials);
    CHECK(failure(basic("138:%7F")) == reason::malformed_basic_credentials);
    CHECK(failure(basic("1%09:x")) == reason::malformed_basic_credentials);
    // What decodes to printable bytes still passes, and under the raw policy "%0A" is
    // three printable bytes.
    request_storage storage;
    const auto c = parse(basic("a%20b:c%3Ad"), storage);
    REQUIRE(c);
    CHECK(c->id == "a b");
    CHECK(c->secret == "c:d");
    request_storage raw_storage;
    const auto raw = parse_basic_authorization(basic("138:sec%0Aret"), raw_storage, {credential_decoding::raw});
    REQUIRE(raw);
    CHECK(raw->secret == "sec%0Aret");
}

TEST_CASE("basic: each byte class at every position of user-pass, short and long (RFC 7617 2, RFC 6749 2.3.1)",
          "[basic][rfc7617]") {
    // The scan over user-pass goes 16, 8, 4 or 1 bytes at a time by length: every byte
    // value must be seen at every position of each.
    for (std::size_t length = 1; length <= 40; ++length) {
        for (std::size_t position = 0; position < length; ++position) {
            for (unsigned value = 0; value <= 0xFF; ++value) {
                const auto byte = static_cast<unsigned char>(value);
                std::string secret(length, 's');
                secret[position] = static_cast<char>(byte);
                request_storage storage;
                const auto c = parse(basic("id:" + secret), storage);
                if (byte < 0x20 || byte == 0x7F) {
                    if (c || c.error().reason != reason::malformed_basic_credentials)
                        FAIL_CHECK("control byte " << int(byte) << " at " << position << " of " << length);
                    continue;
                }
                std::string expected = secret;  // '+' is a space; this '%' is never a triplet
                for (char& ch : expected) ch = ch == '+' ? ' ' : ch;
                if (!c || c->id != "id" || c->secret != expected)
                    FAIL_CHECK("byte " << int(byte) << " at " << position << " of " << length);
            }
        }
    }
}

TEST_CASE("basic: an empty client id is invalid_client, an empty secret is passed on", "[basic]") {
    CHECK(failure(basic(":secret")) == reason::empty_client_id);
    request_storage storage;
    const auto c = parse(basic("138:"), storage);
    REQUIRE(c);
    CHECK(c->id == "138");
    CHECK(c->secret.empty());
}

TEST_CASE("basic: splits at the first ':', the secret may hold more (RFC 7617 2)", "[basic][rfc7617]") {
    request_storage storage;
    const auto c = parse(basic("id:a:b:c"), storage, credential_decoding::raw);
    REQUIRE(c);
    CHECK(c->id == "id");
    CHECK(c->secret == "a:b:c");
}

TEST_CASE("basic: form_urlencoded policy decodes %3A, %25 and '+' (RFC 6749 2.3.1)", "[basic][rfc6749]") {
    request_storage storage;
    const auto c = parse(basic("my%3Aclient:s%3Ae%25c+r%2Bet"), storage);
    REQUIRE(c);
    CHECK(c->id == "my:client");
    CHECK(c->secret == "s:e%c r+et");
}

TEST_CASE("basic: form_urlencoded policy keeps a stray '%' literal (WHATWG, unlike fosite)", "[basic][whatwg]") {
    request_storage storage;
    const auto c = parse(basic("id:100%pure%"), storage);
    REQUIRE(c);
    CHECK(c->secret == "100%pure%");
}

TEST_CASE("basic: raw policy keeps '+', '%' and encoded ':' as sent (RFC 7617, curl --user)", "[basic][rfc7617]") {
    request_storage storage;
    const auto c = parse(basic("my%3Aclient:a+b%25c%zz"), storage, credential_decoding::raw);
    REQUIRE(c);
    CHECK(c->id == "my%3Aclient");
    CHECK(c->secret == "a+b%25c%zz");
}

TEST_CASE("basic: an id that decodes to empty is refused under form_urlencoded only", "[basic]") {
    request_storage storage;
    CHECK(parse(basic("%:x"), storage, credential_decoding::raw));
    // "%" stays "%" under form decoding too, so this id is never empty.
    CHECK(parse(basic("%:x"), storage));
}

TEST_CASE("basic: bytes >= 0x80 pass through under both policies (UTF-8 or not)", "[basic]") {
    for (const auto decoding : {credential_decoding::form_urlencoded, credential_decoding::raw}) {
        request_storage storage;
        const auto c = parse(basic("cli\xc3\xa9nt:\xff\xfe"), storage, decoding);
        REQUIRE(c);
        CHECK(c->id == "cli\xc3\xa9nt");
        CHECK(c->secret == "\xff\xfe");
    }
    request_storage storage;
    const auto c = parse(basic("id:%C3%A9%FF"), storage);
    REQUIRE(c);
    CHECK(c->secret == "\xc3\xa9\xff");
}

TEST_CASE("basic: an Authorization value over the limit is refused before decoding", "[basic][limits]") {
    request_storage storage;
    basic_auth_options options;
    options.max_header_bytes = 64;
    CHECK(parse_basic_authorization(basic("id:" + std::string(30, 'x')), storage, options));
    const auto c = parse_basic_authorization(basic("id:" + std::string(60, 'x')), storage, options);
    REQUIRE_FALSE(c);
    CHECK(c.error().reason == reason::authorization_too_large);
    CHECK(basic_auth_options{}.max_header_bytes == 4096);
}

TEST_CASE("basic: an exhausted storage is out_of_memory at every allocation, never a crash", "[basic][storage]") {
    // "a%41:b%42" base64-decodes to 9 bytes; form decoding then takes the raw size of the
    // id (4) and of the secret (4): exhaustion is reached at each of the three allocations
    // in turn.
    const std::string header = basic("a%41:b%42");
    const auto with_capacity = [&](auto& storage) {
        const auto c = parse_basic_authorization(header, storage);
        return c ? std::optional<reason>{} : std::optional<reason>{c.error().reason};
    };
    fixed_storage<8> none;
    CHECK(with_capacity(none) == reason::out_of_memory);
    fixed_storage<10> no_id;
    CHECK(with_capacity(no_id) == reason::out_of_memory);
    fixed_storage<16> no_secret;
    CHECK(with_capacity(no_secret) == reason::out_of_memory);
    fixed_storage<17> enough;
    CHECK(with_capacity(enough) == std::nullopt);
    // Under the raw policy nothing is decoded after base64.
    fixed_storage<9> raw_storage;
    basic_auth_options raw;
    raw.decoding = credential_decoding::raw;
    const auto c = parse_basic_authorization(header, raw_storage, raw);
    REQUIRE(c);
    CHECK(c->id == "a%41");
    CHECK(c->secret == "b%42");
}

TEST_CASE("basic: scheme names that differ only in a letter or in length are refused (RFC 7235 2.1)",
          "[basic][rfc7235]") {
    CHECK(failure("Basix MTM4OnMzY3JldA==") == reason::unsupported_authorization_scheme);
    CHECK(failure("Basi MTM4OnMzY3JldA==") == reason::unsupported_authorization_scheme);
    CHECK(failure("Basics MTM4OnMzY3JldA==") == reason::unsupported_authorization_scheme);
    CHECK(failure("\t Basic\t") == reason::malformed_basic_credentials);
}

TEST_CASE("basic: user-pass splits at the first ':' wherever it is, at every length up to 48 (RFC 7617 2)",
          "[basic][rfc7617]") {
    // The ':' is searched sixteen bytes a step (the last step overlapping) or byte by
    // byte under sixteen: each position of each length, with a second ':' after it.
    for (std::size_t size = 2; size <= 48; ++size) {
        for (std::size_t colon = 1; colon < size; ++colon) {
            std::string user_pass(size, 'x');
            user_pass[colon] = ':';
            if (colon + 2 < size) user_pass[colon + 2] = ':';
            request_storage storage;
            const auto c = parse(basic(user_pass), storage);
            INFO("user-pass " << user_pass);
            REQUIRE(c);
            CHECK(c->id == user_pass.substr(0, colon));
            CHECK(c->secret == user_pass.substr(colon + 1));
        }
        request_storage storage;
        CHECK_FALSE(parse(basic(std::string(size, 'x')), storage));
    }
}
