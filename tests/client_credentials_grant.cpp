// The client credentials grant (RFC 6749 4.4): a confidential client asks for a token for
// itself.

#include "oauthcore/client_credentials_grant.hpp"

#include <string>
#include <vector>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::str;
using oauthcore_test::test_request;

namespace {

// An issuer for services only: it has no issue_token for a user, so the grant compiles
// with it only if it passes no_user. It records what it was asked.
struct service_issuer {
    using token_type = token_view;
    std::vector<std::string> issued_for;
    std::vector<std::string> scopes;
    std::string_view refresh = "service-refresh-token";
    bool failing = false;

    outcome<token_type> issue_token(const memory_client& client, const no_user& /*nobody*/, std::string_view scope) {
        if (failing) return outcome<token_type>::fail();
        issued_for.emplace_back(client.id);
        scopes.emplace_back(scope);
        return outcome<token_type>::accept({"service-token", 600, refresh, {}});
    }
};

static_assert(token_issuer<service_issuer, memory_client, no_user>);
static_assert(!token_issuer<service_issuer, memory_client, memory_user>);
static_assert(grant_handler_for<client_credentials_grant<service_issuer>, memory_client>);

struct service_fixture {
    memory_client_store clients;
    service_issuer issuer;
    endpoint_options options;
    client_credentials_options grant_options;
    exchange_storage storage;

    service_fixture() {
        clients.add("metrics", "metrics-secret", "client_credentials", "metrics:read metrics:write");
        clients.add("spa", "", "client_credentials authorization_code", {}, "none");
        clients.add("web", "web-secret", "authorization_code");
        options.allow_public_clients = true;
        options.allow_body_client_auth = true;
    }

    response handle(const test_request& request) {
        client_credentials_grant grant{issuer, grant_options};
        token_endpoint endpoint{clients, options, grant};
        return endpoint.handle(request, storage);
    }
};

test_request as_metrics(const std::string& body) {
    return test_request{}.with_header("Authorization", basic("metrics:metrics-secret")).with_body(body);
}

}  // namespace

TEST_CASE("client_credentials: a confidential client gets a token, without a refresh token (RFC 6749 4.4.2, 4.4.3)",
          "[client_credentials]") {
    service_fixture f;
    const auto r = f.handle(as_metrics("grant_type=client_credentials"));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"access_token":"service-token","expires_in":600,"token_type":"bearer"})");
    CHECK(f.issuer.issued_for == std::vector<std::string>{"metrics"});
    CHECK(f.issuer.scopes == std::vector<std::string>{""});
}

TEST_CASE(
    "client_credentials: the issuer's refresh token is sent only when the host says so (RFC 6749 4.4.3 SHOULD "
    "NOT)",
    "[client_credentials]") {
    service_fixture f;
    f.grant_options.issue_refresh_token = true;
    const auto r = f.handle(as_metrics("grant_type=client_credentials"));
    CHECK(r.status == 200);
    CHECK(
        r.body ==
        R"({"access_token":"service-token","expires_in":600,"token_type":"bearer","refresh_token":"service-refresh-token"})");
}

TEST_CASE(
    "client_credentials: fixed_token_issuer works with no_user, and its refresh token is left out "
    "(RFC 6749 4.4.3)",
    "[client_credentials]") {
    service_fixture f;
    fixed_token_issuer issuer({"at", 60, "rt", {}});
    client_credentials_grant grant{issuer};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto r = endpoint.handle(as_metrics("grant_type=client_credentials"), f.storage);
    CHECK(r.body == R"({"access_token":"at","expires_in":60,"token_type":"bearer"})");
    CHECK(issuer.issued() == 1);
}

TEST_CASE("client_credentials: a public client is 401 invalid_client, before any store (RFC 6749 4.4.2, 5.2)",
          "[client_credentials]") {
    service_fixture f;
    const auto r = f.handle(
        test_request{}.without_header("Authorization").with_body("grant_type=client_credentials&client_id=spa"));
    CHECK(r.status == 401);
    CHECK(r.error == error{reason::public_client_not_allowed});
    CHECK(r.body ==
          R"({"error":"invalid_client","error_description":"This grant type requires client authentication."})");
    CHECK(r.header("WWW-Authenticate") == "Basic realm=\"oauthcore\"");
    CHECK(f.issuer.issued_for.empty());
}

TEST_CASE(
    "client_credentials: client authentication as on every grant, client_secret_post when enabled "
    "(RFC 6749 2.3.1, 4.4.2)",
    "[client_credentials]") {
    service_fixture f;
    CHECK(f.handle(test_request{}
                       .with_header("Authorization", basic("metrics:wrong"))
                       .with_body("grant_type=client_credentials"))
              .error == error{reason::client_rejected});
    CHECK(f.handle(test_request{}.without_header("Authorization").with_body("grant_type=client_credentials")).error ==
          error{reason::client_authentication_missing});
    CHECK(f.handle(test_request{}
                       .without_header("Authorization")
                       .with_body("grant_type=client_credentials&client_id=metrics&client_secret=metrics-secret"))
              .status == 200);
    // RFC 6749 5.2: an authenticated client that may not use this grant type.
    const auto web = f.handle(test_request{}
                                  .with_header("Authorization", basic("web:web-secret"))
                                  .with_body("grant_type=client_credentials"));
    CHECK(web.status == 400);
    CHECK(web.error == error{reason::unauthorized_client});
    CHECK(f.issuer.issued_for == std::vector<std::string>{"metrics"});
}

TEST_CASE("client_credentials: scope goes through the client's scope hook (RFC 6749 3.3, 4.4.2)",
          "[client_credentials][scope]") {
    service_fixture f;
    const auto allowed = f.handle(as_metrics("grant_type=client_credentials&scope=metrics%3Aread"));
    CHECK(allowed.status == 200);
    // Granted as requested: the response leaves scope out (RFC 6749 5.1).
    CHECK(allowed.body.find("\"scope\"") == std::string_view::npos);
    CHECK(f.issuer.scopes == std::vector<std::string>{"metrics:read"});
    const auto refused = f.handle(as_metrics("grant_type=client_credentials&scope=metrics%3Aread+admin"));
    CHECK(refused.status == 400);
    CHECK(refused.error == error{reason::scope_not_allowed, param<"scope">});
    // Malformed scope is refused before the client store is asked (a wrong secret too).
    const auto malformed = f.handle(test_request{}
                                        .with_header("Authorization", basic("metrics:wrong"))
                                        .with_body("grant_type=client_credentials&scope=a++b"));
    CHECK(malformed.error == error{reason::invalid_scope_syntax, param<"scope">});
    // Duplicates collapse and the normalized scope reaches the issuer.
    CHECK(f.handle(as_metrics("grant_type=client_credentials&scope=metrics%3Aread+metrics%3Aread")).status == 200);
    CHECK(f.issuer.scopes.back() == "metrics:read");
}

TEST_CASE("client_credentials: a scope the issuer narrows is sent (RFC 6749 5.1)", "[client_credentials][scope]") {
    service_fixture f;
    fixed_token_issuer narrowing({"at", 60, {}, "metrics:read"});
    client_credentials_grant grant{narrowing};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto r =
        endpoint.handle(as_metrics("grant_type=client_credentials&scope=metrics%3Aread+metrics%3Awrite"), f.storage);
    CHECK(r.body == R"({"access_token":"at","expires_in":60,"token_type":"bearer","scope":"metrics:read"})");
}

TEST_CASE("client_credentials: an issuer failure is 500 server_error", "[client_credentials]") {
    service_fixture f;
    f.issuer.failing = true;
    const auto r = f.handle(as_metrics("grant_type=client_credentials"));
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::issuer_failure});
}
