#include "oauthcore/introspection.hpp"

#include <string>
#include <vector>

#include "catch.hpp"
#include "later_stores.hpp"
#include "oauthcore/memory_stores.hpp"
#include "oauthcore/revocation.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::test_request;

namespace {

// RFC 7662 2.1's example access token, and 2.2's example answer's values.
constexpr std::string_view rfc_token = "mF_9.B5f-4.1JqM";
constexpr std::uint64_t now_seconds = 1419350000;
const auto fixed_clock = [] { return now_seconds; };

// The resource server sees everything about access tokens; any other caller sees that its
// own tokens are active, and their scope; nobody else's.
struct test_policy {
    introspection_disclosure operator()(const memory_client& caller, const memory_token_store::record_type& token,
                                        token_kind kind) const {
        if (caller.id == "resource-server")
            return kind == token_kind::access_token ? disclose_everything : disclose_nothing;
        if (caller.id == token.client_id()) {
            introspection_disclosure own = disclose_active_only;
            own.scope = true;
            return own;
        }
        return disclose_nothing;
    }
};

struct fixture {
    memory_client_store clients;
    memory_token_store tokens;
    endpoint_options options;
    exchange_storage storage;
    oauthcore_test::counting_observer observer;

    fixture() {
        clients.add("resource-server", "rs-secret", "");
        clients.add("l238j323ds-23ij4", "client-secret", "authorization_code");
        clients.add("spa", "", "authorization_code", {}, "none");
        tokens.add({token_kind::access_token, std::string(rfc_token), "l238j323ds-23ij4", "read write dolphin", "jdoe",
                    "Z5O3upPC88QrAjx00dis", 1419350238, 1419354238, "rt-1"});
        tokens.add({token_kind::refresh_token, "rt-1", "l238j323ds-23ij4", "read write dolphin", "jdoe",
                    "Z5O3upPC88QrAjx00dis", 1419350238, std::nullopt, ""});
        tokens.add({token_kind::access_token, "expired", "l238j323ds-23ij4", "read", "jdoe", "", 1, now_seconds, ""});
        tokens.add(
            {token_kind::access_token, "service", "l238j323ds-23ij4", "", "", "", now_seconds, std::nullopt, ""});
        tokens.add(
            {token_kind::access_token, "odd", "l238j323ds-23ij4", "read", "j\"doe\\ \x01\xff", "", 7, 1419354238, ""});
    }

    static test_request request(std::string body, std::string_view client = "resource-server:rs-secret") {
        test_request r;
        r.target_ = "/introspect";
        r.with_header("Authorization", basic(client));
        r.with_body(std::move(body));
        return r;
    }

    template <class Policy = test_policy>
    response handle(const test_request& r, Policy policy = {}) {
        introspection_endpoint endpoint{clients, tokens, policy, fixed_clock, options};
        return endpoint.handle(r, storage, observer);
    }
};

void check_inactive(const response& r) {
    CHECK(r.status == 200);
    CHECK(r.body == R"({"active":false})");
    CHECK(!r.error.has_value());
    CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
    CHECK(r.header("Cache-Control") == "no-store");
}

}  // namespace

TEST_CASE("introspection: RFC 7662 2.1's request gets 2.2's members, in 2.2's order", "[introspection][rfc7662]") {
    fixture f;
    const response r = f.handle(fixture::request("token=mF_9.B5f-4.1JqM&token_type_hint=access_token"));
    CHECK(r.status == 200);
    CHECK(r.body == R"({"active":true,"scope":"read write dolphin","client_id":"l238j323ds-23ij4","username":"jdoe",)"
                    R"("token_type":"bearer","exp":1419354238,"iat":1419350238,"sub":"Z5O3upPC88QrAjx00dis"})");
    CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
    CHECK(r.header("Cache-Control") == "no-store");
    CHECK(!r.error.has_value());
}

TEST_CASE("introspection: anything not active is {\"active\":false} (RFC 7662 2.2)", "[introspection][rfc7662]") {
    fixture f;
    check_inactive(f.handle(fixture::request("token=unknown")));
    // Expired: exp is the first second it is not active (now >= exp).
    check_inactive(f.handle(fixture::request("token=expired")));
    // Revoked (RFC 7009), with the access tokens of a revoked refresh token.
    revocation_endpoint revoke{f.clients, f.tokens, f.options};
    test_request revocation = fixture::request("token=rt-1", "l238j323ds-23ij4:client-secret");
    revocation.target_ = "/revoke";
    CHECK(revoke.handle(revocation, f.storage).status == 200);
    check_inactive(f.handle(fixture::request("token=rt-1")));
    check_inactive(f.handle(fixture::request("token=mF_9.B5f-4.1JqM")));
}

TEST_CASE("introspection: members the token does not have are left out (RFC 7662 2.2)", "[introspection][rfc7662]") {
    fixture f;
    // A client_credentials token: no scope, user or subject, no expiry.
    CHECK(f.handle(fixture::request("token=service")).body ==
          R"({"active":true,"client_id":"l238j323ds-23ij4","token_type":"bearer","iat":1419350000})");
}

TEST_CASE("introspection: the host's policy says what a caller sees, never more (RFC 7662 2.1, 4)",
          "[introspection][rfc7662]") {
    fixture f;
    // The token's own client: active and scope only.
    CHECK(f.handle(fixture::request("token=mF_9.B5f-4.1JqM", "l238j323ds-23ij4:client-secret")).body ==
          R"({"active":true,"scope":"read write dolphin"})");
    // The resource server does not see refresh tokens: inactive, as if unknown.
    check_inactive(f.handle(fixture::request("token=rt-1")));
    // Another client: nothing.
    f.clients.add("stranger", "stranger-secret", "");
    check_inactive(f.handle(fixture::request("token=mF_9.B5f-4.1JqM", "stranger:stranger-secret")));
    // Each member alone.
    struct row {
        introspection_disclosure disclosure;
        std::string body;
    };
    const auto only = [](bool introspection_disclosure::*member) {
        introspection_disclosure d = disclose_active_only;
        d.*member = true;
        return d;
    };
    for (const row& r :
         {row{disclose_active_only, R"({"active":true})"},
          row{only(&introspection_disclosure::scope), R"({"active":true,"scope":"read write dolphin"})"},
          row{only(&introspection_disclosure::client_id), R"({"active":true,"client_id":"l238j323ds-23ij4"})"},
          row{only(&introspection_disclosure::username), R"({"active":true,"username":"jdoe"})"},
          row{only(&introspection_disclosure::token_type), R"({"active":true,"token_type":"bearer"})"},
          row{only(&introspection_disclosure::exp), R"({"active":true,"exp":1419354238})"},
          row{only(&introspection_disclosure::iat), R"({"active":true,"iat":1419350238})"},
          row{only(&introspection_disclosure::sub), R"({"active":true,"sub":"Z5O3upPC88QrAjx00dis"})"}}) {
        const auto fixed = [d = r.disclosure](const memory_client&, const memory_token_store::record_type&,
                                              token_kind) { return d; };
        CHECK(f.handle(fixture::request("token=mF_9.B5f-4.1JqM"), fixed).body == r.body);
    }
    // active false hides everything else it sets.
    introspection_disclosure hidden = disclose_everything;
    hidden.active = false;
    const auto hide = [hidden](const memory_client&, const memory_token_store::record_type&, token_kind) {
        return hidden;
    };
    check_inactive(f.handle(fixture::request("token=mF_9.B5f-4.1JqM"), hide));
}

TEST_CASE("introspection: the hint orders the search and a wrong or unknown one is no obstacle (RFC 7662 2.1)",
          "[introspection][rfc7662]") {
    fixture f;
    const auto everything = [](const memory_client&, const memory_token_store::record_type&, token_kind) {
        return disclose_everything;
    };
    for (const std::string hint : {"", "access_token", "refresh_token", "id_token"}) {
        INFO(hint);
        CHECK(f.handle(fixture::request("token=mF_9.B5f-4.1JqM&token_type_hint=" + hint), everything)
                  .body.starts_with(R"({"active":true,)"));
        CHECK(f.handle(fixture::request("token=rt-1&token_type_hint=" + hint), everything)
                  .body.starts_with(R"({"active":true,)"));
    }
    // The policy is told which kind it found.
    std::vector<token_kind> kinds;
    const auto record_kind = [&kinds](const memory_client&, const memory_token_store::record_type&, token_kind kind) {
        kinds.push_back(kind);
        return disclose_active_only;
    };
    (void)f.handle(fixture::request("token=rt-1&token_type_hint=access_token"), record_kind);
    (void)f.handle(fixture::request("token=mF_9.B5f-4.1JqM&token_type_hint=refresh_token"), record_kind);
    CHECK(kinds == std::vector<token_kind>{token_kind::refresh_token, token_kind::access_token});
}

TEST_CASE("introspection: the caller authenticates, a public client cannot introspect (RFC 7662 2.1)",
          "[introspection][rfc7662]") {
    fixture f;
    f.options.allow_public_clients = true;
    const response public_client =
        f.handle(fixture::request("token=mF_9.B5f-4.1JqM&client_id=spa").without_header("Authorization"));
    CHECK(public_client.status == 401);
    CHECK(public_client.error == error{reason::client_authentication_required});
    CHECK(public_client.header("WWW-Authenticate").has_value());
    const response wrong = f.handle(fixture::request("token=mF_9.B5f-4.1JqM", "resource-server:nope"));
    CHECK(wrong.status == 401);
    CHECK(wrong.error == error{reason::client_rejected});
    CHECK(f.observer.client_failures == 1);
    const response none = f.handle(fixture::request("token=mF_9.B5f-4.1JqM").without_header("Authorization"));
    CHECK(none.status == 401);
    auto get = fixture::request("token=mF_9.B5f-4.1JqM");
    get.method_ = "GET";
    CHECK(f.handle(get).status == 405);
}

TEST_CASE("introspection: token is required (RFC 7662 2.1)", "[introspection][rfc7662]") {
    fixture f;
    const response r = f.handle(fixture::request("token_type_hint=access_token"));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::missing_parameter, param<"token">});
    CHECK(r.body == R"({"error":"invalid_request","error_description":"The token parameter is required."})");
}

TEST_CASE("introspection: strings are escaped, invalid UTF-8 replaced (RFC 8259 7)", "[introspection][json]") {
    fixture f;
    const auto everything = [](const memory_client&, const memory_token_store::record_type&, token_kind) {
        return disclose_everything;
    };
    CHECK(f.handle(fixture::request("token=odd"), everything).body ==
          R"({"active":true,"scope":"read","client_id":"l238j323ds-23ij4","username":"j\"doe\\ \u0001\ufffd",)"
          R"("token_type":"bearer","exp":1419354238,"iat":7})");
    // The size pass and the write pass agree, for any fields.
    const introspection_fields fields{"a b", "c\"", "\xe2\x82\xac", "bearer", 0, 18446744073709551615u, "\n"};
    std::string out(introspection_json_size(fields), '\0');
    CHECK(write_introspection_json(fields, out.data()) == out.size());
    CHECK(out == R"({"active":true,"scope":"a b","client_id":"c\"","username":"€","token_type":"bearer","exp":0,)"
                 R"("iat":18446744073709551615,"sub":"\n"})");
}

TEST_CASE("introspection: a token store failure is 500 server_error", "[introspection]") {
    struct failing_tokens {
        using record_type = memory_token_store::record_type;
        outcome<record_type> find_token(std::string_view, token_kind) const { return outcome<record_type>::fail(); }
    } tokens;
    fixture f;
    introspection_endpoint endpoint{f.clients, tokens, test_policy{}, fixed_clock, f.options};
    const response r = endpoint.handle(fixture::request("token=x"), f.storage);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::token_store_failure});
}

TEST_CASE("introspection: stores that answer later give the same responses", "[introspection][staged]") {
    const std::vector<test_request> requests{fixture::request("token=mF_9.B5f-4.1JqM&token_type_hint=refresh_token"),
                                             fixture::request("token=unknown"),
                                             fixture::request("token=expired"),
                                             fixture::request("token=x", "resource-server:nope"),
                                             fixture::request("token_type_hint=x"),
                                             fixture::request("token=rt-1", "l238j323ds-23ij4:client-secret")};
    for (const auto& request : requests) {
        INFO(request.body_);
        fixture now;
        const response expected = now.handle(request);
        fixture f;
        oauthcore_test::later_queue queue;
        oauthcore_test::later_clients clients{f.clients, queue};
        oauthcore_test::later_tokens tokens{f.tokens, queue};
        introspection_endpoint endpoint{clients, tokens, test_policy{}, fixed_clock, f.options};
        response out;
        int finished = 0;
        endpoint.handle_async(request, f.storage, out, [&finished](const response&) { ++finished; });
        CHECK(finished == (queue.work.empty() ? 1 : 0));
        queue.run_all();
        CHECK(finished == 1);
        CHECK(out.status == expected.status);
        CHECK(out.body == expected.body);
        CHECK(out.error == expected.error);
    }
}
