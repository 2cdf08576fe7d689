#include "oauthcore/metadata.hpp"

#include <array>
#include <iterator>
#include <string>
#include <utility>

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
// RFC 8414 2: without the member a client assumes ["query","fragment"].
constexpr std::array<std::string_view, 1> query_only{"query"};
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
    m.response_modes_supported = query_only;
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
          R"("response_modes_supported":["query"],"grant_types_supported":["authorization_code","refresh_token",)"
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
          "https:/server.example.com", "https://server example.com",
          // RFC 8414 2 asks for a host: not an empty one, and no userinfo (RFC 3986 3.2.1).
          "https://:443", "https://user:pw@server.example.com", "https://@server.example.com", "https://[]",
          "https://[::1", "https://server.example.com:x"}) {
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
    // check_issuer alone gives the document's answer about its issuer.
    for (const std::string_view issuer : {"", "http://server.example.com", "https://server.example.com?x=1",
                                          "https://server.example.com/tenant1", "http://127.0.0.1:8080"}) {
        INFO(issuer);
        m.issuer = issuer;
        const auto alone = check_issuer(issuer, {.allow_http_loopback = true});
        const auto whole = check_metadata(m, {.allow_http_loopback = true});
        CHECK(alone.has_value() == whole.has_value());
        if (!alone && !whole) CHECK(alone.error() == whole.error());
    }
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
    // RFC 6749 3.2 lets an endpoint URI carry a query, but oauthcore's POST endpoints refuse
    // a request whose target has one (check_transport: 400 query_in_target), so a document
    // naming one would send every client to a refusal.
    m.revocation_endpoint = "https://server.example.com/revoke?tenant=1";
    CHECK(problem_of(m) == metadata_problem{metadata_error::query_or_fragment, "revocation_endpoint"});
    for (const auto member : {&server_metadata::token_endpoint, &server_metadata::introspection_endpoint,
                              &server_metadata::device_authorization_endpoint}) {
        server_metadata with_query = example();
        with_query.*member = "https://server.example.com/endpoint?tenant=1";
        CHECK(problem_of(with_query).error == metadata_error::query_or_fragment);
    }
    // The authorization endpoint is asked by GET and keeps its query (RFC 6749 3.1).
    m = example();
    m.authorization_endpoint = "https://server.example.com/authorize?tenant=1";
    CHECK(check_metadata(m).has_value());
    m.issuer = "https://[::1]:8443";  // an IP literal is a host
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
    // RFC 8414 3.1: "any terminating '/' MUST be removed" from the issuer's path first.
    CHECK(path("https://server.example.com/issuer1/") == "/.well-known/oauth-authorization-server/issuer1");
    CHECK(path("https://server.example.com/a/b/") == "/.well-known/oauth-authorization-server/a/b");
}

TEST_CASE("metadata: each endpoint member is checked on its own and named in the error (RFC 8414 2, RFC 6749 3.1)",
          "[metadata][rfc8414][rfc6749]") {
    std::string_view server_metadata::*const members[] = {&server_metadata::authorization_endpoint,
                                                          &server_metadata::token_endpoint,
                                                          &server_metadata::jwks_uri,
                                                          &server_metadata::revocation_endpoint,
                                                          &server_metadata::introspection_endpoint,
                                                          &server_metadata::device_authorization_endpoint};
    const std::string_view names[] = {
        "authorization_endpoint", "token_endpoint",         "jwks_uri",
        "revocation_endpoint",    "introspection_endpoint", "device_authorization_endpoint"};
    for (std::size_t i = 0; i < std::size(members); ++i) {
        INFO(names[i]);
        server_metadata m = example();
        // RFC 6749 3.1, 3.2: TLS; a URL with a host.
        for (const std::string_view url : {"http://server.example.com/x", "https:///x", "//server.example.com/x",
                                           "https://server.example.com/a b", "ftp://server.example.com/x"}) {
            INFO(url);
            m.*members[i] = url;
            CHECK(problem_of(m) == metadata_problem{metadata_error::not_https, names[i]});
        }
        // RFC 6749 3.1, 3.2: "MUST NOT include a fragment component"; a query is allowed
        // where oauthcore answers by GET (the authorization endpoint) or does not answer
        // (jwks_uri); its POST endpoints refuse a target with one (check_transport).
        const bool post_endpoint = i != 0 && i != 2;
        m.*members[i] = "https://server.example.com/x#top";
        CHECK(problem_of(m) == metadata_problem{metadata_error::fragment, names[i]});
        m.*members[i] = "https://server.example.com/x?a=1";
        if (post_endpoint)
            CHECK(problem_of(m) == metadata_problem{metadata_error::query_or_fragment, names[i]});
        else
            CHECK(check_metadata(m).has_value());
        // Loopback http is an endpoint's too, with the option alone.
        m.*members[i] = "http://localhost:8080/x";
        CHECK(problem_of(m) == metadata_problem{metadata_error::not_https, names[i]});
        CHECK(check_metadata(m, metadata_options{true}).has_value());
    }
}

TEST_CASE("metadata: a loopback host is 127.0.0.1, [::1] or localhost with digits for a port (RFC 8252 7.3, 8.3)",
          "[metadata][rfc8252]") {
    const metadata_options loopback{true};
    server_metadata m = example();
    m.token_endpoint = "http://127.0.0.1/token";
    m.authorization_endpoint = "http://127.0.0.1/authorize";
    for (const std::string_view issuer : {"http://localhost:", "http://localhost:0", "http://[::1]"}) {
        INFO(issuer);
        m.issuer = issuer;
        CHECK(check_metadata(m, loopback).has_value());
    }
    for (const std::string_view issuer :
         {"http://localhost:-1", "http://localhost:80x", "http://localhostx", "http://localhost.:80", "http://local"}) {
        INFO(issuer);
        m.issuer = issuer;
        CHECK(problem_of(m, loopback) == metadata_problem{metadata_error::not_https, "issuer"});
    }
    // The option allows loopback http; https stays good, other schemes stay refused.
    m.issuer = "https://server.example.com";
    CHECK(check_metadata(m, loopback).has_value());
    m.issuer = "ftp://localhost";
    CHECK(problem_of(m, loopback) == metadata_problem{metadata_error::not_https, "issuer"});
}

TEST_CASE("metadata: which grant types need the token and authorization endpoints (RFC 8414 2)",
          "[metadata][rfc8414]") {
    constexpr std::array<std::string_view, 1> implicit_only{"implicit"};
    constexpr std::array<std::string_view, 1> code_only_grant{"authorization_code"};
    constexpr std::array<std::string_view, 2> implicit_and_services{"client_credentials", "implicit"};
    constexpr std::array<std::string_view, 2> services_and_device{"client_credentials",
                                                                  "urn:ietf:params:oauth:grant-type:device_code"};
    constexpr std::array<std::string_view, 1> refresh_only{"refresh_token"};
    server_metadata m = example();
    // token_endpoint: "REQUIRED unless only the implicit grant type is supported".
    m.token_endpoint = "";
    CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "token_endpoint"});  // default: code, implicit
    for (const string_list grants :
         {string_list(code_only_grant), string_list(implicit_and_services), string_list(refresh_only)}) {
        m.grant_types_supported = grants;
        CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "token_endpoint"});
    }
    m.grant_types_supported = implicit_only;
    CHECK(check_metadata(m).has_value());
    // authorization_endpoint: "REQUIRED unless no grant types are supported that use the
    // authorization endpoint".
    m = example();
    m.authorization_endpoint = "";
    for (const string_list grants :
         {string_list(code_only_grant), string_list(implicit_only), string_list(implicit_and_services)}) {
        m.grant_types_supported = grants;
        CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "authorization_endpoint"});
    }
    for (const string_list grants : {string_list(services_and_device), string_list(refresh_only)}) {
        m.grant_types_supported = grants;
        CHECK(check_metadata(m).has_value());
    }
    // The issuer comes first, then the URLs, then the REQUIRED members.
    m = example();
    m.response_types_supported = {};
    m.jwks_uri = "http://server.example.com/jwks";
    CHECK(problem_of(m) == metadata_problem{metadata_error::not_https, "jwks_uri"});
    m.issuer = "";
    CHECK(problem_of(m) == metadata_problem{metadata_error::missing, "issuer"});
}

TEST_CASE("metadata: an empty value in any list is invalid_value naming the list (RFC 8414 2, RFC 6749 3.3)",
          "[metadata][rfc8414][rfc6749]") {
    string_list server_metadata::*const lists[] = {&server_metadata::response_types_supported,
                                                   &server_metadata::response_modes_supported,
                                                   &server_metadata::grant_types_supported,
                                                   &server_metadata::token_endpoint_auth_methods_supported,
                                                   &server_metadata::revocation_endpoint_auth_methods_supported,
                                                   &server_metadata::introspection_endpoint_auth_methods_supported,
                                                   &server_metadata::code_challenge_methods_supported,
                                                   &server_metadata::scopes_supported};
    const std::string_view names[] = {"response_types_supported",
                                      "response_modes_supported",
                                      "grant_types_supported",
                                      "token_endpoint_auth_methods_supported",
                                      "revocation_endpoint_auth_methods_supported",
                                      "introspection_endpoint_auth_methods_supported",
                                      "code_challenge_methods_supported",
                                      "scopes_supported"};
    constexpr std::array<std::string_view, 2> second_empty{"code", ""};
    for (std::size_t i = 0; i < std::size(lists); ++i) {
        INFO(names[i]);
        server_metadata m = example();
        m.*lists[i] = second_empty;
        CHECK(problem_of(m) == metadata_problem{metadata_error::invalid_value, names[i]});
    }
    // scope-token = 1*NQCHAR (RFC 6749 3.3): no space, '"' or '\'.
    server_metadata m = example();
    for (const std::string_view scope : {"a\"b", "a\\b", "tab\t", "caf\xc3\xa9"}) {
        INFO(scope);
        const std::array<std::string_view, 1> bad{scope};
        m.scopes_supported = bad;
        CHECK(problem_of(m) == metadata_problem{metadata_error::invalid_value, "scopes_supported"});
    }
    constexpr std::array<std::string_view, 2> good{"openid", "urn:example:scope!#$"};
    m.scopes_supported = good;
    CHECK(check_metadata(m).has_value());
}

TEST_CASE("metadata: problems name their error and member, compared as a pair", "[metadata]") {
    const std::pair<metadata_error, std::string_view> names[] = {
        {metadata_error::missing, "missing"},
        {metadata_error::not_https, "not_https"},
        {metadata_error::query_or_fragment, "query_or_fragment"},
        {metadata_error::fragment, "fragment"},
        {metadata_error::invalid_value, "invalid_value"}};
    for (const auto& [e, name] : names) CHECK(to_string(e) == name);
    // An out-of-range value (a cast from the host) is not mistaken for any of them.
    const auto out_of_range = static_cast<metadata_error>(std::size(names));
    CHECK(to_string(out_of_range) == "unknown");
    // The member counts as much as the error: a host reports both.
    server_metadata m = example();
    m.jwks_uri = "http://server.example.com/jwks";
    const metadata_problem found = problem_of(m);
    CHECK(found != metadata_problem{metadata_error::not_https, "token_endpoint"});
    CHECK(found != metadata_problem{metadata_error::fragment, "jwks_uri"});
    CHECK(found == metadata_problem{metadata_error::not_https, "jwks_uri"});
}

TEST_CASE("metadata: a document the storage cannot hold is 500, never a truncated document (RFC 8414 3.2)",
          "[metadata][rfc8414]") {
    const auto size = metadata_json_size(example());
    REQUIRE(size.has_value());
    fixed_storage<64> small;
    REQUIRE(*size > 64);
    const response r = make_metadata_response(example(), small);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::out_of_memory});
    CHECK(r.body.find("issuer") == std::string_view::npos);
    fixed_storage<1024> enough;
    const response whole = make_metadata_response(example(), enough);
    CHECK(whole.status == 200);
    CHECK(whole.body.size() == *size);
}
