// The device authorization grant's token request (RFC 8628 3.4, 3.5): a device polls
// while its user decides on another device.

#include "oauthcore/device_code_grant.hpp"

#include <set>
#include <string>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::str;
using oauthcore_test::test_request;

namespace {

constexpr std::uint64_t issued_at = 1000;
constexpr std::uint64_t lifetime = 1800;  // RFC 8628 3.2 expires_in
constexpr std::uint64_t interval = 5;     // RFC 8628 3.2 interval (its default)
// RFC 8628 3.4: the grant type is a URN; a form body percent-encodes its colons or not.
const std::string device_grant_type = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code";

struct device_fixture {
    memory_client_store clients;
    memory_device_code_store devices;
    fixed_token_issuer issuer{{oauthcore_test::vendor_access_token, 3600, oauthcore_test::vendor_refresh_token, {}}};
    std::uint64_t now = issued_at;
    endpoint_options options;
    exchange_storage storage;

    device_fixture() {
        clients.add("tv", "", "urn:ietf:params:oauth:grant-type:device_code refresh_token", "read write", "none");
        clients.add("cli", "cli-secret", "urn:ietf:params:oauth:grant-type:device_code");
        clients.add("other-tv", "", "urn:ietf:params:oauth:grant-type:device_code", {}, "none");
        clients.add("no-device-grant", "", "authorization_code", {}, "none");
        options.allow_public_clients = true;
    }

    void add(std::string device_code, std::string client = "tv", std::string scope = "read") {
        devices.add({std::move(device_code), std::move(client), std::move(scope), issued_at + lifetime, interval});
    }

    response handle(const test_request& request) {
        device_code_grant grant{devices, issuer, [this] { return now; }};
        token_endpoint endpoint{clients, options, grant};
        return endpoint.handle(request, storage);
    }
    // A poll by the public client `client` at time `at`.
    response poll(std::string_view device_code, std::uint64_t at, std::string_view client = "tv") {
        now = at;
        return handle(
            test_request{}
                .without_header("Authorization")
                .with_body(device_grant_type + "&device_code=" + str(device_code) + "&client_id=" + str(client)));
    }
};

std::string error_of(const response& r) {
    const std::string body(r.body);
    const auto start = body.find(R"("error":")");
    if (start == std::string::npos) return {};
    const auto from = start + 9;
    return body.substr(from, body.find('"', from) - from);
}

const std::string token_with_scope =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":3600,)"
    R"("token_type":"bearer","refresh_token":"17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef"})";

}  // namespace

TEST_CASE("device_code: pending is authorization_pending, then after approval a token (RFC 8628 3.4, 3.5)",
          "[device_code]") {
    device_fixture f;
    f.add("dc-1");
    const auto pending = f.poll("dc-1", issued_at + 1);
    CHECK(pending.status == 400);
    CHECK(pending.error == error{reason::authorization_pending});
    CHECK(
        pending.body ==
        R"({"error":"authorization_pending","error_description":"The user has not yet completed the authorization; keep polling."})");
    CHECK_FALSE(pending.header("WWW-Authenticate"));
    REQUIRE(f.devices.approve("dc-1", "john_doe", "john_doe@domain.com"));
    const auto approved = f.poll("dc-1", issued_at + 1 + interval);
    CHECK(approved.status == 200);
    CHECK(approved.body == token_with_scope);
    CHECK(f.issuer.issued() == 1);
}

TEST_CASE("device_code: polling faster than the interval is slow_down (RFC 8628 3.2, 3.5)", "[device_code]") {
    device_fixture f;
    f.add("dc");
    // The first poll may come at once: the interval is between polls (RFC 8628 3.5).
    CHECK(f.poll("dc", issued_at).error == error{reason::authorization_pending});
    const auto early = f.poll("dc", issued_at + interval - 1);
    CHECK(early.status == 400);
    CHECK(early.error == error{reason::slow_down});
    CHECK(error_of(early) == "slow_down");
    // The early poll counts as a poll: the next must wait the interval after it.
    CHECK(f.poll("dc", issued_at + interval).error == error{reason::slow_down});
    CHECK(f.poll("dc", issued_at + 2 * interval).error == error{reason::authorization_pending});
    CHECK(f.poll("dc", issued_at + 2 * interval).error == error{reason::slow_down});  // same second
    // A client that added 5 seconds, as slow_down asks, is pending again.
    CHECK(f.poll("dc", issued_at + 3 * interval + 5).error == error{reason::authorization_pending});
}

TEST_CASE(
    "device_code: an approved request is answered with the token even when polled early (RFC 8628 3.5: "
    "slow_down is a variant of authorization_pending)",
    "[device_code]") {
    device_fixture f;
    f.add("dc");
    CHECK(f.poll("dc", issued_at).error == error{reason::authorization_pending});
    REQUIRE(f.devices.approve("dc", "john_doe", ""));
    CHECK(f.poll("dc", issued_at + 1).status == 200);
}

TEST_CASE("device_code: a device code works once after approval (RFC 8628 3.5)", "[device_code]") {
    device_fixture f;
    f.add("dc");
    REQUIRE(f.devices.approve("dc", "john_doe", ""));
    CHECK(f.poll("dc", issued_at + 10).status == 200);
    CHECK(f.devices.spent("dc"));
    const auto again = f.poll("dc", issued_at + 20);
    CHECK(again.status == 400);
    CHECK(again.error == error{reason::device_code_rejected});
    CHECK(error_of(again) == "invalid_grant");
    CHECK(f.issuer.issued() == 1);
}

TEST_CASE("device_code: a denied request is access_denied (RFC 8628 3.5)", "[device_code]") {
    device_fixture f;
    f.add("dc");
    REQUIRE(f.devices.deny("dc"));
    for (const std::uint64_t at : {issued_at + 10, issued_at + 20}) {
        const auto r = f.poll("dc", at);
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::access_denied});
        CHECK(r.body ==
              R"({"error":"access_denied","error_description":"The user denied the authorization request."})");
    }
    // Polling a denied request fast is still access_denied: the decision is final.
    CHECK(f.poll("dc", issued_at + 21).error == error{reason::access_denied});
    CHECK(f.issuer.issued() == 0);
}

TEST_CASE("device_code: an expired device code is expired_token, whatever the user decided (RFC 8628 3.2, 3.5)",
          "[device_code]") {
    device_fixture f;
    f.add("pending");
    f.add("approved");
    f.add("denied");
    f.add("just-in-time");
    REQUIRE(f.devices.approve("approved", "john_doe", ""));
    REQUIRE(f.devices.deny("denied"));
    REQUIRE(f.devices.approve("just-in-time", "john_doe", ""));
    for (const char* code : {"pending", "approved", "denied"}) {
        INFO(code);
        const auto r = f.poll(code, issued_at + lifetime);
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::expired_token});
        CHECK(error_of(r) == "expired_token");
    }
    CHECK(f.poll("just-in-time", issued_at + lifetime - 1).status == 200);
    CHECK(f.issuer.issued() == 1);
}

TEST_CASE(
    "device_code: an unknown device code, or another client's, is invalid_grant with one body "
    "(RFC 8628 3.4, RFC 6749 5.2)",
    "[device_code][security]") {
    device_fixture f;
    f.add("for-tv");
    REQUIRE(f.devices.approve("for-tv", "john_doe", ""));
    const auto unknown = f.poll("no-such-code", issued_at);
    const auto theirs = f.poll("for-tv", issued_at, "other-tv");
    CHECK(unknown.error == error{reason::device_code_rejected});
    CHECK(theirs.error == error{reason::device_code_issued_to_another_client});
    CHECK(unknown.body == theirs.body);
    CHECK(
        unknown.body ==
        R"({"error":"invalid_grant","error_description":"The device code is invalid or already used, or was issued to another client."})");
    CHECK(f.issuer.issued() == 0);
}

TEST_CASE("device_code: a confidential client polls with Basic (RFC 8628 3.4)", "[device_code]") {
    device_fixture f;
    f.add("dc", "cli");
    REQUIRE(f.devices.approve("dc", "john_doe", ""));
    const auto wrong = f.handle(test_request{}
                                    .with_header("Authorization", basic("cli:wrong"))
                                    .with_body(device_grant_type + "&device_code=dc"));
    CHECK(wrong.error == error{reason::client_rejected});
    CHECK_FALSE(f.devices.spent("dc"));
    const auto r = f.handle(test_request{}
                                .with_header("Authorization", basic("cli:cli-secret"))
                                .with_body("grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=dc"));
    CHECK(r.status == 200);
}

TEST_CASE("device_code: device_code is required, and the grant type is compared exactly (RFC 8628 3.4)",
          "[device_code]") {
    device_fixture f;
    for (const std::string& body : {device_grant_type, device_grant_type + "&device_code="}) {
        const auto r = f.handle(test_request{}.without_header("Authorization").with_body(body + "&client_id=tv"));
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::missing_parameter, param<"device_code">});
        CHECK(r.body == R"({"error":"invalid_request","error_description":"The device_code parameter is required."})");
    }
    for (const char* type : {"device_code", "urn:ietf:params:oauth:grant-type:Device_Code",
                             "urn:ietf:params:oauth:grant-type:device_code%20"}) {
        const auto r = f.handle(test_request{}
                                    .without_header("Authorization")
                                    .with_body(std::string("grant_type=") + type + "&device_code=dc&client_id=tv"));
        CHECK(r.error == error{reason::unsupported_grant_type});
    }
    const auto not_allowed = f.handle(test_request{}
                                          .without_header("Authorization")
                                          .with_body(device_grant_type + "&device_code=dc&client_id=no-device-grant"));
    CHECK(not_allowed.error == error{reason::unauthorized_client});
}

TEST_CASE("device_code: the approved scope goes through the client's scope hook and is sent (RFC 6749 3.3, 5.1)",
          "[device_code][scope]") {
    device_fixture f;
    f.add("wide", "tv", "read write");
    f.add("admin", "tv", "admin");
    REQUIRE(f.devices.approve("wide", "john_doe", ""));
    REQUIRE(f.devices.approve("admin", "john_doe", ""));
    struct scope_maker {
        using token_type = token_view;
        std::string granted;
        outcome<token_type> make_token(const memory_client&, const memory_user&, std::string_view scope) {
            granted = scope;
            return outcome<token_type>::accept({"at", 60, {}, granted});
        }
    } issuer;
    device_code_grant grant{f.devices, issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto poll = [&](const char* code) {
        return endpoint.handle(test_request{}
                                   .without_header("Authorization")
                                   .with_body(device_grant_type + "&device_code=" + code + "&client_id=tv"),
                               f.storage);
    };
    CHECK(poll("wide").body == R"({"access_token":"at","expires_in":60,"token_type":"bearer","scope":"read write"})");
    CHECK(poll("admin").error == error{reason::scope_not_allowed, param<"scope">});
}

TEST_CASE("device_code: store and issuer failures are 500 server_error", "[device_code]") {
    struct failing_devices {
        using record_type = memory_device_code_store::record_type;
        outcome<record_type> poll_device_code(std::string_view, std::uint64_t) { return outcome<record_type>::fail(); }
        outcome_status redeem_device_code(const record_type&, const token_view&) { return outcome_status::failed; }
    } devices;
    static_assert(device_code_store<failing_devices, token_view>);
    device_fixture f;
    device_code_grant grant{devices, f.issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto r = endpoint.handle(
        test_request{}.without_header("Authorization").with_body(device_grant_type + "&device_code=x&client_id=tv"),
        f.storage);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::device_store_failure});

    f.add("dc");
    REQUIRE(f.devices.approve("dc", "john_doe", ""));
    f.issuer.set_failing(true);
    CHECK(f.poll("dc", issued_at).error == error{reason::issuer_failure});
}

TEST_CASE(
    "device_code: a failure before the code is spent with its tokens loses nothing: the next poll gets the token "
    "(RFC 8628 3.5, failure injection)",
    "[device_code][atomic]") {
    struct injection {
        const char* what;
        void (*inject)(device_fixture&, bool);
        reason why;
    };
    const injection injections[] = {
        {"the maker fails", [](device_fixture& f, bool on) { f.issuer.set_failing(on); }, reason::issuer_failure},
        {"the store's write of the tokens fails", [](device_fixture& f, bool on) { f.devices.set_failing_writes(on); },
         reason::device_store_failure},
    };
    for (const injection& i : injections) {
        INFO(i.what);
        device_fixture f;
        f.add("dc");
        REQUIRE(f.devices.approve("dc", "john_doe", ""));
        i.inject(f, true);
        const auto failed = f.poll("dc", issued_at + 10);
        CHECK(failed.status == 500);
        CHECK(failed.error == error{i.why});
        CHECK_FALSE(f.devices.spent("dc"));
        i.inject(f, false);
        const auto retried = f.poll("dc", issued_at + 20);
        CHECK(retried.status == 200);
        CHECK(f.devices.spent("dc"));
        CHECK(f.devices.access_token_of("dc") == oauthcore_test::vendor_access_token);
    }
}

TEST_CASE(
    "device_code: another client's poll of an approved code spends nothing, and the device it was issued to gets the "
    "token (RFC 8628 3.4, 3.5)",
    "[device_code][security]") {
    device_fixture f;
    f.add("dc");
    REQUIRE(f.devices.approve("dc", "john_doe", ""));
    const auto theirs = f.handle(test_request{}
                                     .with_header("Authorization", basic("cli:cli-secret"))
                                     .with_body(device_grant_type + "&device_code=dc"));
    CHECK(theirs.error == error{reason::device_code_issued_to_another_client});
    CHECK_FALSE(f.devices.spent("dc"));
    CHECK(f.issuer.issued() == 0);
    CHECK(f.poll("dc", issued_at + 10).status == 200);
    CHECK(f.devices.spent("dc"));
}

TEST_CASE(
    "device_code: of two concurrent polls of an approved code, one gets the token, the other invalid_grant "
    "(RFC 8628 3.5)",
    "[device_code][atomic]") {
    // Another poll redeems the code between this one's poll and its redemption.
    struct racing_devices {
        memory_device_code_store inner;
        using record_type = memory_device_code_store::record_type;
        outcome<record_type> poll_device_code(std::string_view code, std::uint64_t now) {
            return inner.poll_device_code(code, now);
        }
        outcome_status redeem_device_code(const record_type& record, const token_view& tokens) {
            (void)inner.redeem_device_code(record, token_view{"theirs", 60, {}, {}});
            return inner.redeem_device_code(record, tokens);
        }
    };
    device_fixture f;
    racing_devices devices;
    devices.inner.add({"dc", "tv", "read", issued_at + lifetime, interval});
    REQUIRE(devices.inner.approve("dc", "john_doe", ""));
    device_code_grant grant{devices, f.issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto r = endpoint.handle(
        test_request{}.without_header("Authorization").with_body(device_grant_type + "&device_code=dc&client_id=tv"),
        f.storage);
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::device_code_rejected});
    CHECK(error_of(r) == "invalid_grant");
    CHECK(f.storage.response.used() == r.body.size());
    CHECK(devices.inner.access_token_of("dc") == "theirs");
}

TEST_CASE("device_code: the store is asked with the grant's clock, read once per poll (RFC 8628 3.5)",
          "[device_code]") {
    struct recording_devices {
        using record_type = memory_device_code_store::record_type;
        std::vector<std::uint64_t> asked_at;
        outcome<record_type> poll_device_code(std::string_view, std::uint64_t now) {
            asked_at.push_back(now);
            record_type r;
            r.client = "tv";
            r.expiry = issued_at + lifetime;
            r.last_poll = now - 1;  // the store's own last poll: one second ago
            r.poll_interval = interval;
            return outcome<record_type>::accept(r);
        }
        outcome_status redeem_device_code(const record_type&, const token_view&) { return outcome_status::failed; }
    } devices;
    device_fixture f;
    int reads = 0;
    device_code_grant grant{devices, f.issuer, [&] {
                                ++reads;
                                return f.now;
                            }};
    token_endpoint endpoint{f.clients, f.options, grant};
    f.now = issued_at + 42;
    const auto r = endpoint.handle(
        test_request{}.without_header("Authorization").with_body(device_grant_type + "&device_code=x&client_id=tv"),
        f.storage);
    CHECK(r.error == error{reason::slow_down});
    CHECK(devices.asked_at == std::vector<std::uint64_t>{issued_at + 42});
    CHECK(reads == 1);
}

TEST_CASE("device_code: check_device_poll alone, each rule and its boundaries (RFC 8628 3.5)", "[device_code]") {
    using state = device_authorization_state;
    CHECK(check_device_poll(state::approved, 10, 20, std::nullopt, 5));
    CHECK(check_device_poll(state::approved, 10, 20, 9, 5));  // early, but approved
    CHECK(check_device_poll(state::approved, 20, 20, std::nullopt, 5).error() == error{reason::expired_token});
    CHECK(check_device_poll(state::denied, 19, 20, std::nullopt, 5).error() == error{reason::access_denied});
    CHECK(check_device_poll(state::denied, 20, 20, std::nullopt, 5).error() == error{reason::expired_token});
    CHECK(check_device_poll(state::pending, 10, 20, std::nullopt, 5).error() == error{reason::authorization_pending});
    CHECK(check_device_poll(state::pending, 10, 20, 5, 5).error() == error{reason::authorization_pending});
    CHECK(check_device_poll(state::pending, 10, 20, 6, 5).error() == error{reason::slow_down});
    CHECK(check_device_poll(state::pending, 10, 20, 10, 5).error() == error{reason::slow_down});
    // A clock that went back, and times near the top of the range: no wrap-around.
    CHECK(check_device_poll(state::pending, 10, 20, 11, 5).error() == error{reason::slow_down});
    constexpr std::uint64_t top = ~std::uint64_t{0};
    CHECK(check_device_poll(state::pending, top - 1, top, top - 3, 5).error() == error{reason::slow_down});
    CHECK(check_device_poll(state::pending, 7, top, 1, top).error() == error{reason::slow_down});
    CHECK(check_device_poll(state::pending, top - 1, top, 0, 5).error() == error{reason::authorization_pending});
}

TEST_CASE("memory_device_code_store: records each poll, and redeeming spends an approved code once",
          "[device_code][stores]") {
    memory_device_code_store store;
    store.add({"dc", "tv", "read", 100, 5});
    CHECK(store.poll_device_code("unknown", 1).status() == outcome_status::rejected);
    CHECK_FALSE(store.approve("unknown", "john_doe", ""));
    CHECK_FALSE(store.deny("unknown"));
    CHECK_FALSE(store.spent("unknown"));
    const auto first = store.poll_device_code("dc", 1);
    REQUIRE(first.accepted());
    CHECK(first.value().client_id() == "tv");
    CHECK(first.value().state() == device_authorization_state::pending);
    CHECK_FALSE(first.value().last_polled_at().has_value());
    CHECK(first.value().interval() == 5);
    CHECK(first.value().expires_at() == 100);
    CHECK(first.value().scope() == "read");
    const auto second = store.poll_device_code("dc", 3);
    REQUIRE(second.accepted());
    CHECK(second.value().last_polled_at() == std::optional<std::uint64_t>{1});
    REQUIRE(store.approve("dc", "john_doe", "john_doe@domain.com"));
    const auto approved = store.poll_device_code("dc", 9);
    REQUIRE(approved.accepted());
    CHECK(approved.value().state() == device_authorization_state::approved);
    CHECK(approved.value().user().username == "john_doe");
    CHECK(approved.value().last_polled_at() == std::optional<std::uint64_t>{3});
    CHECK_FALSE(store.spent("dc"));  // a poll spends nothing; redeem_device_code does, once
    CHECK(store.redeem_device_code(approved.value(), token_view{"at", 60, {}, {}}) == outcome_status::accepted);
    CHECK(store.spent("dc"));
    CHECK(store.access_token_of("dc") == "at");
    CHECK(store.redeem_device_code(approved.value(), token_view{"at2", 60, {}, {}}) == outcome_status::rejected);
    CHECK(store.access_token_of("dc") == "at");
    CHECK(store.poll_device_code("dc", 20).status() == outcome_status::rejected);
}
