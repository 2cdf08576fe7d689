#include "oauthcore/metadata.hpp"

#include <array>
#include <string>

#include "catch.hpp"
#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/memory_stores.hpp"
#include "oauthcore/refresh_grant.hpp"

using namespace oauthcore;

namespace {

constexpr std::array<std::string_view, 1> code_only{"code"};
constexpr std::array<std::string_view, 2> scopes{"read", "write"};
constexpr std::array<std::string_view, 3> grants{"authorization_code", "refresh_token",
                                                 "urn:ietf:params:oauth:grant-type:device_code"};

server_metadata example() {
    server_metadata m;
    m.issuer = "https://server.example.com";
    m.authorization_endpoint = "https://server.example.com/authorize";
    m.token_endpoint = "https://server.example.com/token";
    m.response_types_supported = code_only;
    return m;
}

std::string json_of(const server_metadata& m, const metadata_options& options = {}) {
    const auto size = metadata_json_size(m, options);
    REQUIRE(size.has_value());
    std::string out(*size, '\0');
    CHECK(write_metadata_json(m, out.data()) == out.size());
    return out;
}

metadata_problem problem_of(const server_metadata& m, const metadata_options& options = {}) {
    const auto checked = check_metadata(m, options);
    REQUIRE(!checked.has_value());
    return checked.error();
}

// The checks run while compiling too.
constexpr bool compiles_checked() {
    server_metadata m;
    m.issuer = "https://as.example";
    m.token_endpoint = "https://as.example/token";
    m.authorization_endpoint = "https://as.example/authorize";
    m.response_types_supported = code_only;
    return check_metadata(m).has_value();
}
static_assert(compiles_checked());

}  // namespace

TEST_CASE("metadata: the smallest document, members in RFC 8414 2's order", "[metadata][rfc8414]") {
    CHECK(json_of(example()) ==
          R"({"issuer":"https://server.example.com","authorization_endpoint":"https://server.example.com/authorize",)"
          R"("token_endpoint":"https://server.example.com/token","response_types_supported":["code"]})");
}

TEST_CASE("metadata: every member, from the endpoints' configuration (RFC 8414 2, RFC 8628 4, RFC 9207 3)",
          "[metadata][rfc8414][rfc8628][rfc9207]") {
    endpoint_options options;
    options.allow_public_clients = true;
    server_metadata m = example();
    m.jwks_uri = "https://server.example.com/jwks.json";
    m.scopes_supported = scopes;
    m.grant_types_supported = grants;
    m.token_endpoint_auth_methods_supported = client_authentication_methods_supported(options);
    m.revocation_endpoint = "https://server.example.com/revoke";
    m.revocation_endpoint_auth_methods_supported = client_authentication_methods_supported(options);
    m.introspection_endpoint = "https://server.example.com/introspect";
    m.introspection_endpoint_auth_methods_supported = client_authentication_methods_supported(options, false);
    m.code_challenge_methods_supported = code_challenge_methods_supported(false);
    m.device_authorization_endpoint = "https://server.example.com/device_authorization";
    m.authorization_response_iss_parameter_supported = true;
    CHECK(json_of(m) ==
          R"({"issuer":"https://server.example.com","authorization_endpoint":"https://server.example.com/authorize",)"
          R"("token_endpoint":"https://server.example.com/token","jwks_uri":"https://server.example.com/jwks.json",)"
          R"("scopes_supported":["read","write"],"response_types_supported":["code"],)"
          R"("grant_types_supported":["authorization_code","refresh_token",)"
          R"("urn:ietf:params:oauth:grant-type:device_code"],)"
          R"("token_endpoint_auth_methods_supported":["client_secret_basic","none"],)"
          R"("revocation_endpoint":"https://server.example.com/revoke",)"
          R"("revocation_endpoint_auth_methods_supported":["client_secret_basic","none"],)"
          R"("introspection_endpoint":"https://server.example.com/introspect",)"
          R"("introspection_endpoint_auth_methods_supported":["client_secret_basic"],)"
          R"("code_challenge_methods_supported":["S256"],)"
          R"("device_authorization_endpoint":"https://server.example.com/device_authorization",)"
          R"("authorization_response_iss_parameter_supported":true})");
}

TEST_CASE("metadata: lists taken from the configuration say what the endpoints do", "[metadata][rfc8414]") {
    endpoint_options options;
    const auto names = [](string_list l) {
        std::string out;
        for (const auto n : l) out += std::string(n) + " ";
        return out;
    };
    CHECK(names(client_authentication_methods_supported(options)) == "client_secret_basic ");
    options.allow_body_client_auth = true;
    CHECK(names(client_authentication_methods_supported(options)) == "client_secret_basic client_secret_post ");
    options.allow_public_clients = true;
    CHECK(names(client_authentication_methods_supported(options)) == "client_secret_basic client_secret_post none ");
    CHECK(names(client_authentication_methods_supported(options, false)) == "client_secret_basic client_secret_post ");
    CHECK(names(code_challenge_methods_supported(false)) == "S256 ");
    CHECK(names(code_challenge_methods_supported(true)) == "S256 plain ");
    memory_authorization_code_store codes;
    memory_device_code_store devices;
    memory_refresh_token_store refresh_tokens;
    fixed_token_issuer issuer({"a", 1, "", {}});
    const auto clock = [] { return std::uint64_t{0}; };
    const authorization_code_grant code{codes, issuer, clock};
    const refresh_token_grant refresh{refresh_tokens, issuer};
    const device_code_grant device{devices, issuer, clock};
    const client_credentials_grant services{issuer};
    const auto types = grant_types_of(code, refresh, device, services);
    CHECK(names(types) ==
          "authorization_code refresh_token urn:ietf:params:oauth:grant-type:device_code client_credentials ");
}

TEST_CASE("metadata: the issuer is an https URL without query or fragment (RFC 8414 2)", "[metadata][rfc8414]") {
    server_metadata m = example();
    m.issuer = "";
    CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "issuer"});
    for (const std::string_view issuer :
         {"http://server.example.com", "HTTPS://server.example.com", "server.example.com", "https://",
          "https:/server.example.com", "https://server example.com"}) {
        INFO(issuer);
        m.issuer = issuer;
        CHECK(problem_of(m) == metadata_problem{metadata_error::not_https, "issuer"});
    }
    for (const std::string_view issuer :
         {"https://server.example.com?x=1", "https://server.example.com/#", "https://server.example.com?"}) {
        INFO(issuer);
        m.issuer = issuer;
        CHECK(problem_of(m) == metadata_problem{metadata_error::query_or_fragment, "issuer"});
    }
    m.issuer = "https://server.example.com/tenant1";  // a path is fine
    CHECK(check_metadata(m).has_value());
}

TEST_CASE("metadata: http only on loopback, and only when allowed", "[metadata][rfc8414][rfc8252]") {
    server_metadata m = example();
    const metadata_options loopback{true};
    for (const std::string_view host : {"127.0.0.1", "127.0.0.1:8443", "[::1]:80", "localhost", "localhost:9000"}) {
        INFO(host);
        const std::string issuer = "http://" + std::string(host);
        const std::string token = issuer + "/token";
        const std::string authorize = issuer + "/authorize";
        m.issuer = issuer;
        m.token_endpoint = token;
        m.authorization_endpoint = authorize;
        CHECK(problem_of(m) == metadata_problem{metadata_error::not_https, "issuer"});
        CHECK(check_metadata(m, loopback).has_value());
    }
    for (const std::string_view issuer :
         {"http://127.0.0.2", "http://localhost.example.com", "http://127.0.0.1:x", "http://example.com"}) {
        INFO(issuer);
        m.issuer = issuer;
        CHECK(problem_of(m, loopback) == metadata_problem{metadata_error::not_https, "issuer"});
    }
}

TEST_CASE("metadata: endpoints are https URLs without fragment, required ones are there (RFC 8414 2, RFC 6749 3.1)",
          "[metadata][rfc8414][rfc6749]") {
    server_metadata m = example();
    m.revocation_endpoint = "http://server.example.com/revoke";
    CHECK(problem_of(m) == metadata_problem{metadata_error::not_https, "revocation_endpoint"});
    m.revocation_endpoint = "https://server.example.com/revoke#x";
    CHECK(problem_of(m) == metadata_problem{metadata_error::fragment, "revocation_endpoint"});
    m.revocation_endpoint = "https://server.example.com/revoke?tenant=1";  // RFC 6749 3.1: a query MAY be there
    CHECK(check_metadata(m).has_value());
    m = example();
    m.response_types_supported = {};
    CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "response_types_supported"});
    m = example();
    m.token_endpoint = "";
    CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "token_endpoint"});
    constexpr std::array<std::string_view, 1> implicit_only{"implicit"};
    m.grant_types_supported = implicit_only;
    CHECK(check_metadata(m).has_value());
    m = example();
    m.authorization_endpoint = "";
    // grant_types_supported omitted means ["authorization_code", "implicit"] (RFC 8414 2).
    CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "authorization_endpoint"});
    constexpr std::array<std::string_view, 1> services{"client_credentials"};
    m.grant_types_supported = services;
    CHECK(check_metadata(m).has_value());
}

TEST_CASE("metadata: list values are checked, strings are escaped (RFC 8414 2, RFC 6749 3.3)", "[metadata][rfc8414]") {
    server_metadata m = example();
    constexpr std::array<std::string_view, 2> bad_scopes{"read", "two words"};
    m.scopes_supported = bad_scopes;
    CHECK(problem_of(m) == metadata_problem{metadata_error::invalid_value, "scopes_supported"});
    constexpr std::array<std::string_view, 1> empty{""};
    m.scopes_supported = {};
    m.grant_types_supported = empty;
    CHECK(problem_of(m) == metadata_problem{metadata_error::invalid_value, "grant_types_supported"});
    m.grant_types_supported = {};
    constexpr std::array<std::string_view, 1> quoted{"x\"y"};
    m.code_challenge_methods_supported = quoted;
    CHECK(json_of(m).find(R"("code_challenge_methods_supported":["x\"y"])") != std::string::npos);
    CHECK(to_string(metadata_error::fragment) == "fragment");
}

TEST_CASE("metadata: the response, and where it is served (RFC 8414 3.1, 3.2)", "[metadata][rfc8414]") {
    response_storage storage;
    const response r = make_metadata_response(example(), storage);
    CHECK(r.status == 200);
    CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
    CHECK(r.body.starts_with(R"({"issuer":"https://server.example.com",)"));
    server_metadata broken = example();
    broken.issuer = "http://server.example.com";
    const response refused = make_metadata_response(broken, storage);
    CHECK(refused.status == 500);
    CHECK(refused.error == error{reason::invalid_metadata});
    const auto path = [](std::string_view issuer) {
        std::string out(metadata_path_size(issuer), '\0');
        CHECK(write_metadata_path(issuer, out.data()) == out.size());
        return out;
    };
    CHECK(path("https://server.example.com") == "/.well-known/oauth-authorization-server");
    CHECK(path("https://server.example.com/") == "/.well-known/oauth-authorization-server");
    CHECK(path("https://server.example.com/issuer1") == "/.well-known/oauth-authorization-server/issuer1");
}
