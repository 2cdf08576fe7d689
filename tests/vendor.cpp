// The vendor document's two curl examples, byte for byte: what curl puts on the wire
// for `-d ... --user 138:e8b9...` and what oauthcore answers.

#include <string>

#include "catch.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::str;

namespace {

// curl --user ID:SECRET sends "Basic " + base64("ID:SECRET") (RFC 7617 2).
std::string curl_user(std::string_view user) { return oauthcore_test::basic(user); }

// curl -d sends the data as is, with this Content-Type.
oauthcore_test::test_request curl_post(std::string_view data, std::string_view user) {
    oauthcore_test::test_request request;
    request.with_header("Content-Type", "application/x-www-form-urlencoded");
    request.with_header("Authorization", curl_user(user));
    request.with_body(str(data));
    return request;
}

}  // namespace

TEST_CASE("vendor: --user 138:e8b9... is the Authorization header the tests use (vendor Examples)", "[vendor]") {
    CHECK(curl_user("138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf") ==
          oauthcore_test::vendor_authorization);
}

TEST_CASE("vendor: 'Using username and password' example, whole response", "[vendor]") {
    oauthcore_test::vendor_endpoint endpoint;
    const auto r = endpoint.handle(curl_post("grant_type=password&username=john_doe&password=john_doe_secret",
                                             "138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88",)"
                    R"("expires_in":604800,"token_type":"bearer",)"
                    R"("refresh_token":"17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef"})");
    REQUIRE(r.headers().size() == 3);
    CHECK(r.headers()[0].name == "Content-Type");
    CHECK(r.headers()[0].value == "application/json;charset=UTF-8");
    CHECK(r.headers()[1].name == "Cache-Control");
    CHECK(r.headers()[1].value == "no-store");
    CHECK(r.headers()[2].name == "Pragma");
    CHECK(r.headers()[2].value == "no-cache");
}

TEST_CASE("vendor: 'Using email_address and password' example, whole response", "[vendor]") {
    oauthcore_test::vendor_endpoint endpoint;
    const auto r =
        endpoint.handle(curl_post("grant_type=password&email_address=john_doe@domain.com&password=john_doe_secret",
                                  "138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"));
    CHECK(r.status == 200);
    CHECK(r.body == oauthcore_test::vendor_success_json);
    CHECK(r.headers().size() == 3);
}

TEST_CASE("vendor: the example's '@' in email_address needs no encoding (WHATWG: only '&', '=', '+', '%' matter)",
          "[vendor][whatwg]") {
    oauthcore_test::vendor_endpoint endpoint;
    const auto encoded =
        endpoint.handle(curl_post("grant_type=password&email_address=john_doe%40domain.com&password=john_doe_secret",
                                  "138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"));
    CHECK(encoded.status == 200);
}
