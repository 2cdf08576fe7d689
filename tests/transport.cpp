#include "oauthcore/transport.hpp"

#include <string>

#include "catch.hpp"

using namespace oauthcore;

static_assert(is_form_content_type("application/x-www-form-urlencoded"));
static_assert(is_form_content_type("Application/X-WWW-Form-URLEncoded; charset=UTF-8"));
static_assert(!is_form_content_type("application/json"));
static_assert(has_query("/token?a=1"));
static_assert(!has_query("/token?"));

namespace {

request_view form_post(std::string_view target = "/v2/marketing/oauth/token") {
    return {"POST", target, "application/x-www-form-urlencoded", std::nullopt, ""};
}

}  // namespace

TEST_CASE("transport: only POST is accepted, case-sensitively (RFC 6749 3.2, RFC 9110 9.1)", "[transport][rfc6749]") {
    CHECK(check_transport(form_post()));
    for (const char* method : {"GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "post", "Post", ""}) {
        auto request = form_post();
        request.method = method;
        const auto checked = check_transport(request);
        REQUIRE_FALSE(checked);
        CHECK(checked.error().reason == reason::method_not_allowed);
    }
}

TEST_CASE("transport: a query in the request target is refused (RFC 6749 3.2, RFC 9700)", "[transport][rfc6749]") {
    CHECK(check_transport(form_post("/oauth/token")));
    CHECK(check_transport(form_post("/oauth/token?")));
    const auto checked = check_transport(form_post("/oauth/token?grant_type=password&password=x"));
    REQUIRE_FALSE(checked);
    CHECK(checked.error().reason == reason::query_in_target);
}

// The exact media type takes a shorter path (the first 32 bytes as words, then the last):
// every one-byte change at every position, in either part, is still refused, and one that
// only changes case is still accepted (RFC 9110 8.3.1: case-insensitive).
TEST_CASE("transport: every byte of the 33-byte form media type is compared (RFC 9110 8.3.1)", "[transport]") {
    const std::string form = "application/x-www-form-urlencoded";
    REQUIRE(form.size() == 33);
    for (std::size_t i = 0; i < form.size(); ++i) {
        std::string changed = form;
        changed[i] = changed[i] == '-' ? '_' : static_cast<char>(changed[i] ^ 0x01);
        CAPTURE(i, changed);
        CHECK_FALSE(is_form_content_type(changed));
        if (form[i] >= 'a' && form[i] <= 'z') {
            std::string upper = form;
            upper[i] = static_cast<char>(form[i] - 'a' + 'A');
            CHECK(is_form_content_type(upper));
        }
    }
}

TEST_CASE("transport: Content-Type must be the form media type, parameters allowed (RFC 9110 8.3.1)", "[transport]") {
    for (const char* accepted :
         {"application/x-www-form-urlencoded", "application/x-www-form-urlencoded;charset=UTF-8",
          "APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencoded ; charset=utf-8",
          " application/x-www-form-urlencoded "}) {
        auto request = form_post();
        request.content_type = accepted;
        CHECK(check_transport(request));
    }
    for (const char* refused : {"application/json", "multipart/form-data; boundary=x", "text/plain", "",
                                "application/x-www-form-urlencodedx", "application/x-www-form"}) {
        auto request = form_post();
        request.content_type = refused;
        const auto checked = check_transport(request);
        REQUIRE_FALSE(checked);
        CHECK(checked.error().reason == reason::unsupported_content_type);
    }
    auto request = form_post();
    request.content_type.reset();
    CHECK(check_transport(request).error().reason == reason::unsupported_content_type);
}

TEST_CASE("transport: the method is checked before the target and the content type", "[transport][order]") {
    const request_view request{"GET", "/t?x=1", "text/plain", std::nullopt, ""};
    CHECK(check_transport(request).error().reason == reason::method_not_allowed);
    const request_view post{"POST", "/t?x=1", "text/plain", std::nullopt, ""};
    CHECK(check_transport(post).error().reason == reason::query_in_target);
}

TEST_CASE("transport: a '?' is found at every position of targets up to 40 bytes (RFC 6749 3.2)", "[transport]") {
    // The search takes sixteen bytes a step, or one under sixteen: each position counts.
    for (std::size_t size = 1; size <= 40; ++size) {
        for (std::size_t at = 0; at < size; ++at) {
            std::string target(size, 'a');
            target[0] = '/';
            target[at] = '?';
            const bool has_query = at + 1 < size;
            INFO("target " << target);
            CHECK(static_cast<bool>(check_transport(form_post(target))) == !has_query);
        }
    }
}
