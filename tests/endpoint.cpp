#include "oauthcore/endpoint.hpp"

#include <cstdlib>
#include <functional>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "catch.hpp"
#include "oauthcore/memory_stores.hpp"
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

namespace {

// A transport's own request type that converts to the five views.
struct converting_request {
    request_view view;
    operator request_view() const noexcept { return view; }  // NOLINT(google-explicit-constructor)
};
static_assert(endpoint_request<converting_request> && endpoint_request<request_view>);

// Status, headers (names and values, in order) and body: what a client receives.
void check_same_response(const response& r, const response& expected) {
    CHECK(r.status == expected.status);
    CHECK(r.body == expected.body);
    REQUIRE(r.headers().size() == expected.headers().size());
    for (std::size_t i = 0; i < r.headers().size(); ++i) {
        CHECK(r.headers()[i].name == expected.headers()[i].name);
        CHECK(r.headers()[i].value == expected.headers()[i].value);
    }
}

}  // namespace

TEST_CASE("endpoint: a request_view filled by the transport is answered as the request_source it views",
          "[endpoint][transport]") {
    const std::vector<test_request> requests = {
        test_request{},
        test_request{}.with_body(str(oauthcore_test::vendor_email_body)),
        test_request{}.without_header("Authorization"),
        test_request{}.without_header("Content-Type"),
        test_request{}.with_header("Authorization", basic("138:wrong")),
        test_request{}.with_body("grant_type=password&username=john_doe"),
        test_request{}.with_body("grant_type=password&username=john_doe&password=wrong"),
    };
    for (const test_request& request : requests) {
        INFO("body: " << request.body());
        vendor_endpoint by_name;
        const response expected = by_name.handle(request);
        const request_view view{request.method(), request.target(), request.header("Content-Type"),
                                request.header("Authorization"), request.body()};

        vendor_endpoint by_field;
        check_same_response(handle_token_request(view, by_field.clients, by_field.users, by_field.issuer,
                                                 by_field.storage, by_field.options, by_field.observer),
                            expected);
        CHECK(by_field.observer.client_failures == by_name.observer.client_failures);
        CHECK(by_field.observer.user_failures == by_name.observer.user_failures);

        vendor_endpoint converted;
        check_same_response(handle_token_request(converting_request{view}, converted.clients, converted.users,
                                                 converted.issuer, converted.storage),
                            expected);

        // handle_async, with a temporary request_view: it owns no bytes, so it may be one.
        vendor_endpoint later;
        password_grant password{later.users, later.issuer};
        token_endpoint endpoint{later.clients, later.options, password};
        response out;
        int finished = 0;
        endpoint.handle_async(request_view{request.method(), request.target(), request.header("Content-Type"),
                                           request.header("Authorization"), request.body()},
                              later.storage, out, [&finished](const response&) { ++finished; });
        CHECK(finished == 1);
        check_same_response(out, expected);
    }
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
        check_same_response(unknown, wrong);
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

// One row per step of the order of checks (endpoint.hpp, README "The order of checks"),
// numbered the same: each request also carries the faults of every later step, so the
// row's step must be the one that answers.
TEST_CASE("endpoint: the order of checks, one row per numbered step, each with later faults too", "[endpoint][order]") {
    struct row {
        const char* step;
        std::function<void(test_request&, endpoint_options&)> make;
        error expected;
    };
    const std::string later = "grant_type=password&username=nobody&password=x";
    const auto all_faults = [](test_request& r, endpoint_options&) {
        r.method_ = "GET";
        r.target_ += "?password=x";
        r.with_header("Content-Type", "text/plain");
        r.with_header("Authorization", "Bearer x");
        r.with_body(std::string(20000, 'a') + "&grant_type=x&grant_type=y&username=a&email_address=b");
    };
    const auto from = [&](int step) {
        return [&, step](test_request& r, endpoint_options& o) {
            all_faults(r, o);
            if (step > 1) r.method_ = "POST";
            if (step > 2) r.target_ = "/token";
            if (step > 3) r.with_header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
            if (step > 4) r.with_body("grant_type=x&grant_type=y&client_id=1&client_secret=2&username=a");
        };
    };
    const std::vector<row> matrix{
        {"1 method", from(1), error{reason::method_not_allowed}},
        {"2 query", from(2), error{reason::query_in_target}},
        {"3 Content-Type", from(3), error{reason::unsupported_content_type}},
        {"4 body size", from(4), error{reason::body_too_large}},
        {"5 a repeated parameter", from(5), error{reason::duplicate_parameter, param<"grant_type">}},
        {"6 two methods carrying a secret",
         [&](test_request& r, endpoint_options& o) {
             from(5)(r, o);
             r.with_body("client_id=1&client_secret=2&grant_type=x&username=a");
         },
         error{reason::multiple_client_authentication_methods}},
        {"6 a malformed Basic header",
         [&](test_request& r, endpoint_options&) {
             r.with_header("Authorization", "Bearer x").with_body("grant_type=x");
         },
         error{reason::unsupported_authorization_scheme}},
        {"6 a body client_id naming another client",
         [&](test_request& r, endpoint_options&) { r.with_body("client_id=139&grant_type=x"); },
         error{reason::client_id_mismatch}},
        {"7 grant_type given", [&](test_request& r, endpoint_options&) { r.with_body("username=a&grant_type="); },
         error{reason::missing_parameter, param<"grant_type">}},
        {"8 grant_type supported",
         [&](test_request& r, endpoint_options&) { r.with_body("grant_type=client_credentials&username=a"); },
         error{reason::unsupported_grant_type}},
        {"9 a public client on a grant for confidential clients",
         [&](test_request& r, endpoint_options& o) {
             o.allow_public_clients = true;
             r.without_header("Authorization").with_body("client_id=138&grant_type=password&username=a");
         },
         error{reason::public_client_not_allowed}},
        {"10 the grant's parameters",
         [&](test_request& r, endpoint_options&) {
             r.with_header("Authorization", basic("138:wrong")).with_body("grant_type=password&username=a");
         },
         error{reason::missing_parameter, param<"password">}},
        {"11 the client store",
         [&](test_request& r, endpoint_options&) {
             r.with_header("Authorization", basic("138:wrong")).with_body(later);
         },
         error{reason::client_rejected}},
        {"12 the client's registered method",
         [&](test_request& r, endpoint_options& o) {
             o.allow_body_client_auth = true;
             r.without_header("Authorization").with_body(later + "&client_id=pinned&client_secret=pinned-secret");
         },
         error{reason::client_authentication_method_mismatch}},
        {"13 the client may use the grant",
         [&](test_request& r, endpoint_options&) {
             r.with_header("Authorization", basic("no-password-grant:other-secret")).with_body(later);
         },
         error{reason::unauthorized_client}},
        {"14 the grant's own checks (the user)", [&](test_request& r, endpoint_options&) { r.with_body(later); },
         error{reason::user_rejected}},
    };
    for (const auto& row : matrix) {
        INFO(row.step);
        vendor_endpoint endpoint;
        endpoint.clients.add("pinned", "pinned-secret", "password refresh_token", {}, "client_secret_basic");
        test_request request;
        row.make(request, endpoint.options);
        const auto first = endpoint.handle(request);
        REQUIRE(first.error);
        CHECK(*first.error == row.expected);
        // The same input always yields the same bytes.
        const std::string first_body(first.body);
        CHECK(endpoint.handle(request).body == first_body);
    }
    // 15: the issuer, after everything else passed; 16: the token.
    vendor_endpoint endpoint;
    endpoint.issuer.set_failing(true);
    CHECK(*endpoint.handle(test_request{}).error == error{reason::issuer_failure});
    endpoint.issuer.set_failing(false);
    CHECK(endpoint.handle(test_request{}).status == 200);
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
        outcome<client_type> authenticate_client(const client_authentication&) { return outcome<client_type>::fail(); }
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
    // client_id next to Basic names the same client (RFC 6749 3.2.1) or is refused.
    CHECK(endpoint.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&client_id=138"))
              .status == 200);
    check_error(endpoint.handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&client_id=13")),
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

TEST_CASE(
    "endpoint: zero heap allocations on the success path, one call and asynchronous (ARCHITECTURE: per-request memory)",
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

    // The same exchange through handle_async, with stores that answer now.
    password_grant password{endpoint.users, endpoint.issuer};
    token_endpoint async{endpoint.clients, endpoint.options, password};
    response out;
    int finished = 0;
    allocations = 0;
    counting = true;
    async.handle_async(request, endpoint.storage, out, [&finished](const response&) { ++finished; });
    counting = false;
    CHECK(finished == 1);
    CHECK(out.status == 200);
    CHECK(allocations == 0);
}

namespace {

// The memory stores keep the tokens a grant is replaced with in std::strings: the store's
// (the host's) memory, not oauthcore's, so not counted.
struct uncounted_refresh_tokens {
    memory_refresh_token_store inner;
    using record_type = memory_refresh_token_store::record_type;
    outcome<record_type> find_refresh_token(const memory_client& client, std::string_view token) const {
        return inner.find_refresh_token(client, token);
    }
    outcome_status replace_refresh_token(const record_type& record, const token_view& tokens) {
        const bool was_counting = std::exchange(counting, false);
        const outcome_status replaced = inner.replace_refresh_token(record, tokens);
        counting = was_counting;
        return replaced;
    }
};

struct uncounted_codes {
    memory_authorization_code_store inner;
    using record_type = memory_authorization_code_store::record_type;
    outcome<record_type> find_authorization_code(std::string_view code) const {
        return inner.find_authorization_code(code);
    }
    outcome_status redeem_authorization_code(const record_type& record, const token_view& tokens) {
        const bool was_counting = std::exchange(counting, false);
        const outcome_status redeemed = inner.redeem_authorization_code(record, tokens);
        counting = was_counting;
        return redeemed;
    }
};

struct uncounted_devices {
    memory_device_code_store inner;
    using record_type = memory_device_code_store::record_type;
    outcome<record_type> poll_device_code(std::string_view device_code, std::uint64_t now) {
        return inner.poll_device_code(device_code, now);
    }
    outcome_status redeem_device_code(const record_type& record, const token_view& tokens) {
        const bool was_counting = std::exchange(counting, false);
        const outcome_status redeemed = inner.redeem_device_code(record, tokens);
        counting = was_counting;
        return redeemed;
    }
};

}  // namespace

TEST_CASE(
    "endpoint: zero heap allocations on the success path of every grant, one call and asynchronous "
    "(ARCHITECTURE: per-request memory)",
    "[endpoint][allocations]") {
    memory_client_store clients;
    clients.add("svc", "svc-secret", "client_credentials refresh_token");
    clients.add("spa", "", "authorization_code urn:ietf:params:oauth:grant-type:device_code", {}, "none");
    uncounted_refresh_tokens refresh_tokens;
    uncounted_codes codes;
    uncounted_devices devices;
    fixed_token_issuer issuer({oauthcore_test::vendor_access_token, 3600, oauthcore_test::vendor_refresh_token, {}});
    const auto now = [] { return std::uint64_t{10}; };
    client_credentials_grant services{issuer};
    refresh_token_grant refresh{refresh_tokens, issuer};
    authorization_code_grant code{codes, issuer, now};
    device_code_grant device{devices, issuer, now};
    endpoint_options options;
    options.allow_public_clients = true;
    token_endpoint endpoint{clients, options, services, refresh, code, device};
    exchange_storage storage;
    const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";  // RFC 7636 Appendix B

    for (const bool later : {false, true}) {
        // Fresh records for this round, made before counting.
        const std::string round = later ? "-async" : "-now";
        refresh_tokens.inner.add("rt" + round, "svc", "", "", "read", 100);
        codes.inner.add(
            {"code" + round, "spa", "https://spa.example/cb", challenge, "S256", "john_doe", "", "read", 100});
        devices.inner.add({"dc" + round, "spa", "read", 100, 5});
        REQUIRE(devices.inner.approve("dc" + round, "john_doe", ""));
        const std::vector<test_request> requests{
            test_request{}
                .with_header("Authorization", basic("svc:svc-secret"))
                .with_body("grant_type=client_credentials&scope=read"),
            test_request{}
                .with_header("Authorization", basic("svc:svc-secret"))
                .with_body("grant_type=refresh_token&refresh_token=rt" + round),
            test_request{}
                .without_header("Authorization")
                .with_body("grant_type=authorization_code&code=code" + round +
                           "&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_"
                           "wW1gFWFOEjXk"
                           "&client_id=spa"),
            test_request{}
                .without_header("Authorization")
                .with_body("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=dc" + round +
                           "&client_id=spa"),
        };
        for (const auto& request : requests) {
            INFO(request.body_ << (later ? " (handle_async)" : " (handle)"));
            response out;
            int finished = 0;
            allocations = 0;
            counting = true;
            if (later)
                endpoint.handle_async(request, storage, out, [&finished](const response&) { ++finished; });
            else
                out = endpoint.handle(request, storage);
            counting = false;
            CHECK(out.status == 200);
            CHECK(allocations == 0);
            CHECK(finished == (later ? 1 : 0));
        }
    }
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
    vendor_endpoint endpoint;
    std::string encoded;
    for (int i = 0; i < 500; ++i) encoded += "%41";  // 1500 raw bytes, 500 decoded
    const std::string secret(2000, 's');
    endpoint.clients.add("id", secret);
    endpoint.users.add(std::string(500, 'A'), "", std::string(500, 'A'));
    const auto r = endpoint.handle(test_request{}
                                       .with_header("Authorization", basic("id:" + secret))
                                       .with_body("grant_type=password&username=" + encoded + "&password=" + encoded));
    CHECK(r.status == 200);
    CHECK(endpoint.storage.request.uses_heap());
}
