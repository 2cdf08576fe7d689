#include "oauthcore/endpoint.hpp"

#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::str;
using oauthcore_test::test_request;
using oauthcore_test::vendor_endpoint;

// Counts heap allocations made while `counting` is set (the allocation tests below).
// Every replaceable form is replaced, so that all of them pair malloc with free: with
// only the plain forms replaced, AddressSanitizer's own nothrow and array forms (used by
// Catch2 and by basic_storage) met the replaced delete, an alloc-dealloc-mismatch that
// scripts/sanitize.sh reported.
namespace {
bool counting = false;
std::size_t allocations = 0;

void* counted_malloc(std::size_t size) noexcept {
    if (counting) ++allocations;
    return std::malloc(size == 0 ? 1 : size);
}
// Out of line, so that g++ -O1 and above, seeing through an inlined delete, does not
// take the free() of what operator new returned for a mismatch (-Wmismatched-new-delete).
[[gnu::noinline]] void release(void* p) noexcept { std::free(p); }
}  // namespace

void* operator new(std::size_t size) {
    if (void* p = counted_malloc(size)) return p;
    std::abort();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return counted_malloc(size); }
void operator delete(void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }

namespace {

struct expected_error {
    int status;
    std::string_view code;
};

void check_error(const response& r, expected_error e) {
    INFO("body: " << r.body);
    CHECK(r.status == e.status);
    CHECK(r.body.find("\"error\":\"" + str(e.code) + "\"") != std::string_view::npos);
    CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
    CHECK(r.header("Cache-Control") == "no-store");
    CHECK(r.header("Pragma") == "no-cache");
    CHECK(r.header("WWW-Authenticate").has_value() == (e.status == 401));
    CHECK(r.header("Allow").has_value() == (e.status == 405));
}

constexpr expected_error bad_request{400, "invalid_request"};
constexpr expected_error bad_client{401, "invalid_client"};

}  // namespace

TEST_CASE("endpoint: both vendor example requests give 200 and the token JSON (vendor Examples)",
          "[endpoint][vendor]") {
    vendor_endpoint endpoint;
    for (const auto body : {oauthcore_test::vendor_username_body, oauthcore_test::vendor_email_body}) {
        const auto r = endpoint.handle(test_request{}.with_body(str(body)));
        CHECK(r.status == 200);
        CHECK(r.reason_phrase == "OK");
        CHECK(r.body == oauthcore_test::vendor_success_json);
        CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
        CHECK(r.header("Cache-Control") == "no-store");
        CHECK(r.header("Pragma") == "no-cache");
        CHECK(r.headers().size() == 3);
    }
    CHECK(endpoint.issuer.issued() == 2);
}

TEST_CASE("endpoint: each error class of the vendor document and RFC 6749 5.2", "[endpoint][vendor][rfc6749]") {
    vendor_endpoint endpoint;
    const auto body = [](std::string b) { return test_request{}.with_body(std::move(b)); };
    // invalid_request: "A required parameter was not informed (grant_type, username/email_address, password)."
    check_error(endpoint.handle(body("username=john_doe&password=john_doe_secret")), bad_request);
    check_error(endpoint.handle(body("grant_type=password&password=john_doe_secret")), bad_request);
    check_error(endpoint.handle(body("grant_type=password&username=john_doe")), bad_request);
    check_error(endpoint.handle(body("grant_type=password&username=john_doe&email_address=john_doe@domain.com&"
                                     "password=john_doe_secret")),
                bad_request);
    // unsupported_grant_type
    check_error(endpoint.handle(body("grant_type=client_credentials")), {400, "unsupported_grant_type"});
    // invalid_client: authentication not given, or combination does not match
    check_error(endpoint.handle(test_request{}.without_header("Authorization")), bad_client);
    check_error(endpoint.handle(test_request{}.with_header("Authorization", basic("138:wrong"))), bad_client);
    check_error(endpoint.handle(test_request{}.with_header("Authorization", basic("999:x"))), bad_client);
    check_error(endpoint.handle(body("grant_type=password&username=john_doe&password=wrong")), bad_client);
    check_error(endpoint.handle(test_request{}.with_header("Authorization", "Bearer abc")), bad_client);
    check_error(endpoint.handle(test_request{}.with_header("Authorization", "Basic !!!")), bad_client);
    // unauthorized_client
    check_error(endpoint.handle(test_request{}.with_header("Authorization", basic("no-password-grant:other-secret"))),
                {400, "unauthorized_client"});
    // internal_server_error (500): "An unknown error happened."
    endpoint.issuer.set_failing(true);
    const auto failed = endpoint.handle(test_request{});
    check_error(failed, {500, "server_error"});
    CHECK(failed.body == R"({"error":"server_error","error_description":"An unknown error happened."})");
}

TEST_CASE("endpoint: rfc6749 profile answers wrong user credentials with 400 invalid_grant (RFC 6749 5.2)",
          "[endpoint][rfc6749]") {
    vendor_endpoint endpoint;
    endpoint.options.profile = profile::rfc6749;
    check_error(endpoint.handle(test_request{}.with_body("grant_type=password&username=john_doe&password=x")),
                {400, "invalid_grant"});
    // Client failures stay invalid_client 401.
    check_error(endpoint.handle(test_request{}.with_header("Authorization", basic("138:x"))), bad_client);
}

TEST_CASE("endpoint: unknown user and wrong password give byte-identical responses in both profiles",
          "[endpoint][security]") {
    for (const auto p : {profile::social_id, profile::rfc6749}) {
        vendor_endpoint a;
        vendor_endpoint b;
        a.options.profile = b.options.profile = p;
        const auto unknown = a.handle(test_request{}.with_body("grant_type=password&username=nobody&password=x"));
        const auto wrong = b.handle(test_request{}.with_body("grant_type=password&username=john_doe&password=x"));
        CHECK(unknown.status == wrong.status);
        CHECK(unknown.body == wrong.body);
        REQUIRE(unknown.headers().size() == wrong.headers().size());
        for (std::size_t i = 0; i < unknown.headers().size(); ++i) {
            CHECK(unknown.headers()[i].name == wrong.headers()[i].name);
            CHECK(unknown.headers()[i].value == wrong.headers()[i].value);
        }
    }
}

TEST_CASE("endpoint: no response echoes a client-sent value", "[endpoint][security]") {
    vendor_endpoint endpoint;
    const std::string marker = "ECHO-ME-7f3a";
    for (const auto& request : std::vector<test_request>{
             test_request{}.with_body("grant_type=password&username=" + marker + "&password=" + marker),
             test_request{}.with_body("grant_type=" + marker),
             test_request{}.with_body("grant_type=password&" + marker + "=1&" + marker + "=2"),
             test_request{}.with_header("Authorization", basic(marker + ":" + marker)),
             test_request{}.with_header("Authorization", marker + " " + marker),
             test_request{}.with_header("Content-Type", marker),
         }) {
        const auto r = endpoint.handle(request);
        CHECK(r.status != 200);
        CHECK(r.body.find(marker) == std::string_view::npos);
        for (const auto& h : r.headers()) CHECK(h.value.find(marker) == std::string_view::npos);
    }
}

TEST_CASE("endpoint: 405 with Allow: POST for other methods (RFC 6749 3.2)", "[endpoint]") {
    vendor_endpoint endpoint;
    test_request request;
    request.method_ = "GET";
    check_error(endpoint.handle(request), {405, "invalid_request"});
}

TEST_CASE("endpoint: the order of checks, pinned by requests with several faults at once", "[endpoint][order]") {
    vendor_endpoint endpoint;
    struct row {
        const char* what;
        std::function<void(test_request&)> make;
        reason expected;
    };
    const auto all_faults = [](test_request& r) {
        r.method_ = "GET";
        r.target_ += "?password=x";
        r.with_header("Content-Type", "text/plain");
        r.with_header("Authorization", "Bearer x");
        r.with_body("grant_type=x&grant_type=y&username=a&email_address=b");
    };
    const std::vector<row> matrix{
        {"1 method first", all_faults, reason::method_not_allowed},
        {"2 query before content type",
         [&](test_request& r) {
             all_faults(r);
             r.method_ = "POST";
         },
         reason::query_in_target},
        {"3 content type before the body",
         [&](test_request& r) {
             all_faults(r);
             r.method_ = "POST";
             r.target_ = "/token";
         },
         reason::unsupported_content_type},
        {"5 duplicate before client authentication",
         [&](test_request& r) {
             all_faults(r);
             r.method_ = "POST";
             r.target_ = "/token";
             r.with_header("Content-Type", "application/x-www-form-urlencoded");
         },
         reason::duplicate_parameter},
        {"6 client authentication before grant_type",
         [&](test_request& r) {
             r.with_header("Authorization", "Bearer x");
             r.with_body("grant_type=x&username=a&email_address=b");
         },
         reason::unsupported_authorization_scheme},
        {"6 two methods before a malformed header",
         [&](test_request& r) {
             r.with_header("Authorization", "Bearer x");
             r.with_body("client_id=1&grant_type=x");
         },
         reason::multiple_client_authentication_methods},
        {"8 grant_type before identifiers",
         [&](test_request& r) { r.with_body("grant_type=x&username=a&email_address=b"); },
         reason::unsupported_grant_type},
        {"9 identifiers before password",
         [&](test_request& r) { r.with_body("grant_type=password&username=a&email_address=b"); },
         reason::conflicting_identifiers},
        {"10 syntax before the client store",
         [&](test_request& r) {
             r.with_header("Authorization", basic("138:wrong"));
             r.with_body("grant_type=password&username=a");
         },
         reason::missing_password},
        {"11 client before the user",
         [&](test_request& r) {
             r.with_header("Authorization", basic("138:wrong"));
             r.with_body("grant_type=password&username=nobody&password=x");
         },
         reason::client_rejected},
        {"12 client's grant permission before the user",
         [&](test_request& r) {
             r.with_header("Authorization", basic("no-password-grant:other-secret"));
             r.with_body("grant_type=password&username=nobody&password=x");
         },
         reason::unauthorized_client},
        {"13 the user", [&](test_request& r) { r.with_body("grant_type=password&username=nobody&password=x"); },
         reason::user_rejected},
    };
    for (const auto& row : matrix) {
        INFO(row.what);
        test_request request;
        row.make(request);
        const auto first = endpoint.handle(request);
        REQUIRE(first.error);
        CHECK(first.error->reason == row.expected);
        // The same input always yields the same bytes.
        const std::string first_body(first.body);
        CHECK(endpoint.handle(request).body == first_body);
    }
}

TEST_CASE("endpoint: the observer hears of every failed client and user authentication (RFC 6749 4.3.2)",
          "[endpoint][observer]") {
    vendor_endpoint endpoint;
    (void)endpoint.handle(test_request{}.with_header("Authorization", basic("138:wrong")));
    CHECK(endpoint.observer.client_failures == 1);
    CHECK(endpoint.observer.last_client_id == "138");
    (void)endpoint.handle(test_request{}.with_body("grant_type=password&username=john_doe&password=bad"));
    CHECK(endpoint.observer.user_failures == 1);
    (void)endpoint.handle(test_request{});
    CHECK(endpoint.observer.client_failures == 1);
    CHECK(endpoint.observer.user_failures == 1);
}

TEST_CASE("endpoint: store failures are 500 server_error, never 503", "[endpoint]") {
    struct failing_clients {
        using client_type = memory_client;
        outcome<client_type> authenticate_client(std::string_view, std::string_view) {
            return outcome<client_type>::fail();
        }
    };
    struct failing_users {
        using user_type = memory_user;
        outcome<user_type> authenticate_user(user_identifier, std::string_view) { return outcome<user_type>::fail(); }
    };
    vendor_endpoint endpoint;
    failing_clients bad_clients;
    failing_users bad_users;
    const auto a = handle_token_request(test_request{}, bad_clients, endpoint.users, endpoint.issuer, endpoint.storage);
    check_error(a, {500, "server_error"});
    CHECK(a.error->reason == reason::client_store_failure);
    const auto b = handle_token_request(test_request{}, endpoint.clients, bad_users, endpoint.issuer, endpoint.storage);
    check_error(b, {500, "server_error"});
    CHECK(b.error->reason == reason::user_store_failure);
}

TEST_CASE("endpoint: body client authentication when enabled (RFC 6749 2.3.1)", "[endpoint][client]") {
    vendor_endpoint endpoint;
    const auto body_auth = test_request{}
                               .without_header("Authorization")
                               .with_body(str(oauthcore_test::vendor_username_body) +
                                          "&client_id=138&client_secret=" + str(oauthcore_test::vendor_client_secret));
    check_error(endpoint.handle(body_auth), bad_client);
    endpoint.options.allow_body_client_auth = true;
    CHECK(endpoint.handle(body_auth).status == 200);
    check_error(endpoint.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&client_id=138")),
                bad_request);
}

TEST_CASE("endpoint: a secret with ':' and '%' sent form-encoded inside Basic (RFC 6749 2.3.1)", "[endpoint]") {
    vendor_endpoint endpoint;
    endpoint.clients.add("odd:client", "p%ss:w+rd");
    CHECK(endpoint.handle(test_request{}.with_header("Authorization", basic("odd%3Aclient:p%25ss%3Aw%2Brd"))).status ==
          200);
    endpoint.options.basic.decoding = credential_decoding::raw;
    endpoint.clients.add("curl", "a+b%41");
    CHECK(endpoint.handle(test_request{}.with_header("Authorization", basic("curl:a+b%41"))).status == 200);
}

TEST_CASE("endpoint: over-limit bodies are a clean invalid_request", "[endpoint][limits]") {
    vendor_endpoint endpoint;
    const auto big = endpoint.handle(
        test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&x=" + std::string(17000, 'a')));
    check_error(big, bad_request);
    CHECK(big.error->reason == reason::body_too_large);
}

// An asynchronous host: the staged API validates, the host's store answers later (as a
// coroutine or callback-based database client would), and the response is built then.
TEST_CASE("endpoint: staged API with a store that answers later", "[endpoint][staged]") {
    struct deferred_client_store {
        std::vector<std::function<void()>> pending;
        memory_client_store real;
        void authenticate_later(std::string id, std::string secret, std::function<void(outcome<memory_client>)> done) {
            pending.emplace_back([this, id, secret, done] { done(real.authenticate_client(id, secret)); });
        }
        void run_pending() {
            auto work = std::move(pending);
            for (auto& w : work) w();
        }
    };
    deferred_client_store clients;
    clients.real.add(str(oauthcore_test::vendor_client_id), str(oauthcore_test::vendor_client_secret));
    memory_user_store users;
    users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
    fixed_token_issuer issuer({oauthcore_test::vendor_access_token, 604800, oauthcore_test::vendor_refresh_token, {}});

    const test_request request;
    exchange_storage storage;
    const endpoint_options options;
    const auto validated = validate_token_request(view_of(request), storage.request, options);
    REQUIRE(validated);
    std::string written;
    clients.authenticate_later(
        str(validated->client.credentials.id), str(validated->client.credentials.secret),
        [&](outcome<memory_client> client) {
            const auto ok = check_client_outcome(client, *validated);
            REQUIRE(ok);
            const auto user = users.authenticate_user(validated->identifier, validated->password);
            REQUIRE(check_user_outcome(user, *validated));
            const auto r = make_issuer_response(issuer.issue_token(client.value(), user.value(), validated->scope),
                                                storage.response, options);
            CHECK(r.status == 200);
            written = r.body;
        });
    CHECK(written.empty());  // nothing happens until the store answers
    clients.run_pending();
    CHECK(written == oauthcore_test::vendor_success_json);
}

TEST_CASE("endpoint: zero heap allocations on the success path, staged and one-call (DESIGN: principles)",
          "[endpoint][allocations]") {
    vendor_endpoint endpoint;
    const test_request request;
    (void)endpoint.handle(request);  // warm up
    allocations = 0;
    counting = true;
    const auto r = endpoint.handle(request);
    counting = false;
    CHECK(r.status == 200);
    CHECK(allocations == 0);

    exchange_storage storage;
    allocations = 0;
    counting = true;
    const auto validated = validate_token_request(view_of(request), storage.request);
    const auto client =
        endpoint.clients.authenticate_client(validated->client.credentials.id, validated->client.credentials.secret);
    const bool client_ok = check_client_outcome(client, *validated).has_value();
    const auto user = endpoint.users.authenticate_user(validated->identifier, validated->password);
    const bool user_ok = check_user_outcome(user, *validated).has_value();
    const auto staged =
        make_issuer_response(endpoint.issuer.issue_token(client.value(), user.value(), {}), storage.response);
    counting = false;
    CHECK(client_ok);
    CHECK(user_ok);
    CHECK(staged.status == 200);
    CHECK(allocations == 0);
}

TEST_CASE("endpoint: error responses and percent-encoded requests allocate nothing either", "[endpoint][allocations]") {
    vendor_endpoint endpoint;
    endpoint.users.add("john.doe@example.com", "", "p@ss!w\xc3\xb6rd #$%&+,/:;=?[] ~`^{}|\\\"' end");
    const auto percent_heavy = test_request{}.with_body(
        "grant_type=password&username=john.doe%40example.com&password=p%40ss%21w%C3%B6rd+%23%24%25%26%2B%2C%2F%3A%3B%"
        "3D%3F%5B%5D+%7E%60%5E%7B%7D%7C%5C%22%27+end");
    const auto missing = test_request{}.with_body("grant_type=password&username=john_doe");
    for (const auto* request : {&percent_heavy, &missing}) {
        allocations = 0;
        counting = true;
        const auto r = endpoint.handle(*request);
        counting = false;
        CHECK(allocations == 0);
        CHECK((r.status == 200 || r.status == 400));
    }
    CHECK(endpoint.handle(percent_heavy).status == 200);
}

TEST_CASE("endpoint: form values and Basic credentials that together overflow the inline storage still fit",
          "[endpoint][storage]") {
    // Both use the request storage, whose one heap block cannot grow once made: the bounds
    // of both are announced before the first byte is taken.
    std::string encoded;
    for (int i = 0; i < 500; ++i) encoded += "%41";  // 1500 raw bytes, 500 decoded
    const std::string body = "grant_type=password&username=" + encoded + "&password=" + encoded;
    const std::string secret(2000, 's');
    const std::string authorization = basic("id:" + secret);
    request_view request{"POST", "/token", "application/x-www-form-urlencoded", authorization, body};
    request_storage storage;
    const auto parsed = parse_client_request(request, storage);
    REQUIRE(parsed);
    CHECK(parsed->fields.value(parameter::username) == std::string(500, 'A'));
    CHECK(parsed->fields.value(parameter::password) == std::string(500, 'A'));
    CHECK(parsed->client.credentials.secret == secret);
    CHECK(storage.uses_heap());
}
