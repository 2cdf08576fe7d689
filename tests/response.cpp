#include "oauthcore/response.hpp"

#include <string>

#include "catch.hpp"
#include "oauthcore/storage.hpp"
#include "support.hpp"

using namespace oauthcore;

static_assert(is_scope_syntax("read write"));
static_assert(is_scope_syntax("!#[]~"));
static_assert(!is_scope_syntax("read  write"));
static_assert(!is_scope_syntax(" read"));
static_assert(!is_scope_syntax("a\"b"));
static_assert(!is_scope_syntax("a\\b"));

namespace {

void check_common_headers(const response& r) {
    CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
    CHECK(r.header("cache-control") == "no-store");
    CHECK(r.header("Pragma") == "no-cache");
}

}  // namespace

TEST_CASE("response: success carries no-store and no-cache (RFC 6749 5.1)", "[response][rfc6749]") {
    response_storage storage;
    const auto r = make_token_response(
        {oauthcore_test::vendor_access_token, 604800, "bearer", oauthcore_test::vendor_refresh_token, {}}, storage);
    CHECK(r.status == 200);
    CHECK(r.reason_phrase == "OK");
    CHECK_FALSE(r.error);
    check_common_headers(r);
    CHECK(r.headers().size() == 3);
    CHECK(r.body == oauthcore_test::vendor_success_json);
}

TEST_CASE("response: every 401 carries a Basic challenge (RFC 7235 3.1, RFC 6749 5.2)", "[response][rfc7235]") {
    for (const auto why :
         {reason::unsupported_authorization_scheme, reason::malformed_basic_credentials,
          reason::client_authentication_missing, reason::client_rejected, reason::user_rejected,
          reason::empty_client_id, reason::authorization_too_large, reason::body_client_authentication_disabled}) {
        response_storage storage;
        const auto r = make_error_response(error{why}, storage);
        CHECK(r.status == 401);
        CHECK(r.reason_phrase == "Unauthorized");
        CHECK(r.header("WWW-Authenticate") == R"(Basic realm="oauthcore")");
        check_common_headers(r);
    }
}

TEST_CASE("response: 400 carries no challenge, 405 carries Allow: POST (RFC 9110 15.5.6)", "[response]") {
    response_storage storage;
    const auto bad = make_error_response(error{reason::missing_parameter, param<"password">}, storage);
    CHECK(bad.status == 400);
    CHECK_FALSE(bad.header("WWW-Authenticate"));
    CHECK(bad.body == R"({"error":"invalid_request","error_description":"The password parameter is required."})");
    const auto method = make_error_response(error{reason::method_not_allowed}, storage);
    CHECK(method.status == 405);
    CHECK(method.reason_phrase == "Method Not Allowed");
    CHECK(method.header("Allow") == "POST");
    check_common_headers(method);
}

TEST_CASE("response: the realm is an option, quoted-string escaped (RFC 9110 5.6.4)", "[response]") {
    response_storage storage;
    response_options options;
    options.realm = "Social \"ID\"\\\n";
    const auto r = make_error_response(error{reason::client_rejected}, storage, options);
    CHECK(r.header("WWW-Authenticate") == R"(Basic realm="Social \"ID\"\\")");
}

TEST_CASE("response: rfc6749 profile answers wrong user credentials with 400 invalid_grant", "[response]") {
    response_storage storage;
    const auto r = make_error_response(error{reason::user_rejected}, storage, {profile::rfc6749, "x"});
    CHECK(r.status == 400);
    CHECK_FALSE(r.header("WWW-Authenticate"));
    CHECK(r.body == R"({"error":"invalid_grant","error_description":"The resource owner credentials are invalid."})");
}

TEST_CASE("response: a token outside VSCHAR is never sent, 500 instead (RFC 6749 Appendix A)", "[response]") {
    for (const token_fields& bad : {
             token_fields{"", 1, "bearer", {}, {}},
             token_fields{"tab\there", 1, "bearer", {}, {}},
             token_fields{"caf\xc3\xa9", 1, "bearer", {}, {}},
             token_fields{"ok", 1, "bearer", "new\nline", {}},
             token_fields{"ok", 1, "bearer", {}, "two  spaces"},
             token_fields{"ok", 1, "bearer", {}, "quo\"te"},
         }) {
        response_storage storage;
        const auto r = make_token_response(bad, storage);
        CHECK(r.status == 500);
        CHECK(r.error == error{reason::invalid_issued_token});
        CHECK(r.body == R"({"error":"server_error","error_description":"An unknown error happened."})");
    }
    response_storage storage;
    const auto quoted = make_token_response({R"(a"b\c)", 1, "bearer", {}, {}}, storage);
    CHECK(quoted.status == 200);
    CHECK(quoted.body == R"({"access_token":"a\"b\\c","expires_in":1,"token_type":"bearer"})");
}

TEST_CASE("response: a token with one bad byte anywhere is refused (RFC 6749 Appendix A)", "[response]") {
    // Every position: the scan goes 16 bytes, then 8, then an overlapping last step, and
    // a bad byte must be seen in each of them.
    for (const std::size_t length : {1, 3, 4, 7, 8, 9, 15, 16, 17, 33, 64}) {
        for (std::size_t at = 0; at < length; ++at) {
            for (const char bad : {'\x7f', '\x1f', '\x80', '\0'}) {
                std::string token(length, 'a');
                token[at] = bad;
                for (int member = 0; member < 3; ++member) {
                    token_fields fields{"ok", 1, "bearer", "refresh", {}};
                    if (member == 0) fields.access_token = token;
                    if (member == 1) fields.token_type = token;
                    if (member == 2) fields.refresh_token = token;
                    response_storage storage;
                    const auto r = make_token_response(fields, storage);
                    CHECK(r.status == 500);
                    CHECK(r.error == error{reason::invalid_issued_token});
                }
            }
        }
        // A '"' or '\' last is valid VSCHAR: sent, escaped.
        std::string quoted(length, 'a');
        quoted.back() = '"';
        response_storage storage;
        const auto r = make_token_response({quoted, {}, "bearer", {}, {}}, storage);
        CHECK(r.status == 200);
        CHECK(r.body == R"({"access_token":")" + quoted.substr(0, length - 1) + R"(\"","token_type":"bearer"})");
    }
}

TEST_CASE("response: a long token spills to the heap, and still round-trips", "[response][storage]") {
    response_storage storage;
    const std::string token(5000, 'a');
    const auto r = make_token_response({token, 1, "bearer", {}, {}}, storage);
    CHECK(r.status == 200);
    CHECK(r.body.size() == token.size() + 56);
    CHECK(storage.uses_heap());
}

TEST_CASE("response: an exhausted storage still yields a complete 500", "[response][storage]") {
    fixed_storage<8> tiny;
    const auto r = make_token_response({"abc", 1, "bearer", {}, {}}, tiny);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::out_of_memory});
    CHECK(r.body == R"({"error":"server_error","error_description":"An unknown error happened."})");
}

TEST_CASE("response: a valid token that needs escaping is sent at any length (RFC 6749 Appendix A, RFC 8259 7)",
          "[response][storage]") {
    for (const std::size_t length : {64u, 1000u, 3000u}) {
        std::string token(length, 'a');
        token[length / 2] = '"';
        response_storage storage;
        const auto r = make_token_response({token, 1, "bearer", {}, {}}, storage);
        REQUIRE(r.status == 200);
        std::string escaped = token;
        escaped.insert(length / 2, 1, '\\');
        CHECK(r.body == R"({"access_token":")" + escaped + R"(","expires_in":1,"token_type":"bearer"})");
        // The plain attempt's block was given back: storage holds this body alone.
        CHECK(storage.used() == r.body.size());
    }
}

TEST_CASE("response: an invalid token is reported as such even when storage could not hold it", "[response]") {
    // A token that is not plain is checked before storage is taken for its escaped body:
    // the host's log names the issuer bug, not the storage.
    fixed_storage<150> small;
    const auto r = make_token_response({std::string(200, '\x01'), 1, "bearer", {}, {}}, small);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::invalid_issued_token});
}
