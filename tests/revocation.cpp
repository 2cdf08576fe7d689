#include "oauthcore/revocation.hpp"

#include <string>
#include <vector>

#include "catch.hpp"
#include "later_stores.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::test_request;

namespace {

// RFC 7009 2.1's example token.
constexpr std::string_view rfc_refresh_token = "45ghiukldjahdnhzdauz";

// Records which kinds the endpoint looked for, in order.
struct watched_tokens {
    memory_token_store& real;
    std::vector<token_kind> asked;
    int revocations = 0;
    using record_type = memory_token_store::record_type;
    outcome<record_type> find_token(std::string_view token, token_kind kind) {
        asked.push_back(kind);
        return real.find_token(token, kind);
    }
    outcome_status revoke_token(const record_type& record) {
        ++revocations;
        return real.revoke_token(record);
    }
};
static_assert(revocable_token_store<watched_tokens>);

struct fixture {
    memory_client_store clients;
    memory_token_store tokens;
    endpoint_options options;
    exchange_storage storage;
    oauthcore_test::counting_observer observer;

    fixture() {
        clients.add("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw");  // RFC 6749 2.3.1's example client
        clients.add("other", "other-secret");
        clients.add("spa", "", "authorization_code", {}, "none");
        tokens.add({token_kind::refresh_token, std::string(rfc_refresh_token), "s6BhdRkqt3", "read", "john_doe", "", 1,
                    std::nullopt, ""});
        tokens.add({token_kind::access_token, "at-1", "s6BhdRkqt3", "read", "john_doe", "", 1, 100,
                    std::string(rfc_refresh_token)});
        tokens.add({token_kind::access_token, "at-2", "s6BhdRkqt3", "read", "john_doe", "", 1, 100,
                    std::string(rfc_refresh_token)});
        tokens.add({token_kind::access_token, "at-alone", "s6BhdRkqt3", "read", "john_doe", "", 1, 100, ""});
        tokens.add({token_kind::access_token, "at-spa", "spa", "", "john_doe", "", 1, 100, ""});
    }

    static test_request request(std::string body, std::string_view client = "s6BhdRkqt3:7Fjfp0ZBr1KtDRbnfVdmIw") {
        test_request r;
        r.target_ = "/revoke";
        r.with_header("Authorization", basic(client));
        r.with_body(std::move(body));
        return r;
    }

    response handle(const test_request& r) {
        revocation_endpoint endpoint{clients, tokens, options};
        return endpoint.handle(r, storage, observer);
    }
};

void check_revoked_response(const response& r) {
    CHECK(r.status == 200);
    CHECK(r.body.empty());
    CHECK(!r.error.has_value());
    CHECK(!r.header("Content-Type").has_value());
    CHECK(r.header("Cache-Control") == "no-store");
}

void check_error(const response& r, int status, std::string_view code, reason why) {
    CHECK(r.status == status);
    REQUIRE(r.error.has_value());
    CHECK(r.error->reason == why);
    CHECK(std::string(r.body).starts_with("{\"error\":\"" + std::string(code) + "\""));
}

}  // namespace

TEST_CASE("revocation: RFC 7009 2.1's example revokes the refresh token and its access tokens",
          "[revocation][rfc7009]") {
    fixture f;
    check_revoked_response(f.handle(fixture::request("token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token")));
    CHECK(f.tokens.revoked(rfc_refresh_token));
    // RFC 7009 2.1: "SHOULD also invalidate all access tokens based on the same authorization grant".
    CHECK(f.tokens.revoked("at-1"));
    CHECK(f.tokens.revoked("at-2"));
    CHECK(!f.tokens.revoked("at-alone"));
    // Revoking again is a 200 too: the token is unknown now (RFC 7009 2.2).
    check_revoked_response(f.handle(fixture::request("token=45ghiukldjahdnhzdauz&token_type_hint=refresh_token")));
}

TEST_CASE("revocation: an access token is revoked alone (RFC 7009 2.1)", "[revocation][rfc7009]") {
    fixture f;
    check_revoked_response(f.handle(fixture::request("token=at-1&token_type_hint=access_token")));
    CHECK(f.tokens.revoked("at-1"));
    CHECK(!f.tokens.revoked("at-2"));
    CHECK(!f.tokens.revoked(rfc_refresh_token));
}

TEST_CASE("revocation: an unknown token gets 200 with an empty body (RFC 7009 2.2)", "[revocation][rfc7009]") {
    fixture f;
    watched_tokens tokens{f.tokens, {}};
    revocation_endpoint endpoint{f.clients, tokens, f.options};
    for (const std::string body : {"token=nobody-knows-me", "token=nobody-knows-me&token_type_hint=refresh_token"}) {
        tokens.asked.clear();
        check_revoked_response(endpoint.handle(fixture::request(body), f.storage));
        CHECK(tokens.asked.size() == 2);  // both kinds were searched
        CHECK(tokens.revocations == 0);
    }
}

TEST_CASE("revocation: a wrong hint does not stop the search (RFC 7009 2.1)", "[revocation][rfc7009]") {
    fixture f;
    watched_tokens tokens{f.tokens, {}};
    revocation_endpoint endpoint{f.clients, tokens, f.options};
    check_revoked_response(
        endpoint.handle(fixture::request("token=45ghiukldjahdnhzdauz&token_type_hint=access_token"), f.storage));
    CHECK(tokens.asked == std::vector<token_kind>{token_kind::access_token, token_kind::refresh_token});
    CHECK(f.tokens.revoked(rfc_refresh_token));
    // The hint orders the search; without one, access tokens first.
    tokens.asked.clear();
    check_revoked_response(endpoint.handle(fixture::request("token=at-alone"), f.storage));
    CHECK(tokens.asked == std::vector<token_kind>{token_kind::access_token});
    CHECK(f.tokens.revoked("at-alone"));
    tokens.asked.clear();
    check_revoked_response(endpoint.handle(fixture::request("token=at-2&token_type_hint=refresh_token"), f.storage));
    CHECK(tokens.asked == std::vector<token_kind>{token_kind::refresh_token, token_kind::access_token});
    CHECK(f.tokens.revoked("at-2"));
}

TEST_CASE("revocation: a token_type_hint outside the registered values is ignored (RFC 7009 2.2)",
          "[revocation][rfc7009]") {
    // "An invalid token type hint value is ignored by the authorization server and does
    // not influence the revocation response."
    int revoked = 0;
    for (const std::string hint : {"id_token", "Refresh_Token", "refresh_token ", "x", ""}) {
        INFO(hint);
        fixture f;
        check_revoked_response(f.handle(fixture::request("token=at-1&token_type_hint=" + hint)));
        revoked += f.tokens.revoked("at-1") ? 1 : 0;
        // An unknown token with an unknown hint: the same empty 200.
        check_revoked_response(f.handle(fixture::request("token=no-such-token&token_type_hint=" + hint)));
    }
    CHECK(revoked == 5);
}

TEST_CASE("revocation: another client's token is not revoked, and the request is refused (RFC 7009 2.1)",
          "[revocation][rfc7009]") {
    fixture f;
    const response r = f.handle(fixture::request("token=45ghiukldjahdnhzdauz", "other:other-secret"));
    check_error(r, 400, "unauthorized_client", reason::token_issued_to_another_client);
    // The description is fixed: nothing about the token.
    CHECK(std::string(r.body).find("45ghiukldjahdnhzdauz") == std::string::npos);
    CHECK(!f.tokens.revoked(rfc_refresh_token));
    CHECK(!f.tokens.revoked("at-1"));
}

TEST_CASE("revocation: token is required (RFC 7009 2.1)", "[revocation][rfc7009]") {
    fixture f;
    const response r = f.handle(fixture::request("token_type_hint=access_token"));
    check_error(r, 400, "invalid_request", reason::missing_parameter);
    CHECK(r.error->parameter == parameter_name("token"));
    check_error(f.handle(fixture::request("token=a&token=b")), 400, "invalid_request", reason::duplicate_parameter);
}

TEST_CASE("revocation: the client authenticates as at the token endpoint (RFC 7009 2.1, RFC 6749 2.3)",
          "[revocation][rfc7009][rfc6749]") {
    fixture f;
    // A wrong secret: 401, and the observer hears of it.
    const response wrong = f.handle(fixture::request("token=at-1", "s6BhdRkqt3:nope"));
    check_error(wrong, 401, "invalid_client", reason::client_rejected);
    CHECK(wrong.header("WWW-Authenticate").has_value());
    CHECK(f.observer.client_failures == 1);
    // None at all.
    check_error(f.handle(fixture::request("token=at-1").without_header("Authorization")), 401, "invalid_client",
                reason::client_authentication_missing);
    // client_secret_post only when enabled.
    auto post = fixture::request("token=at-1&client_id=s6BhdRkqt3&client_secret=7Fjfp0ZBr1KtDRbnfVdmIw");
    post.without_header("Authorization");
    check_error(f.handle(post), 401, "invalid_client", reason::body_client_authentication_disabled);
    f.options.allow_body_client_auth = true;
    check_revoked_response(f.handle(post));
    CHECK(f.tokens.revoked("at-1"));
    CHECK(!f.tokens.revoked("at-2"));
    // A body client_id naming another client than Basic's.
    check_error(f.handle(fixture::request("token=at-2&client_id=other")), 400, "invalid_request",
                reason::client_id_mismatch);
    CHECK(!f.tokens.revoked("at-2"));
}

TEST_CASE("revocation: a public client revokes its own tokens when public clients are on (RFC 7009 5)",
          "[revocation][rfc7009]") {
    fixture f;
    auto r = fixture::request("token=at-spa&client_id=spa");
    r.without_header("Authorization");
    check_error(f.handle(r), 401, "invalid_client", reason::body_client_authentication_disabled);
    f.options.allow_public_clients = true;
    check_revoked_response(f.handle(r));
    CHECK(f.tokens.revoked("at-spa"));
    // Not another client's.
    check_error(f.handle(fixture::request("token=at-2&client_id=spa").without_header("Authorization")), 400,
                "unauthorized_client", reason::token_issued_to_another_client);
}

TEST_CASE("revocation: POST with a form body only (RFC 7009 2.1)", "[revocation][rfc7009]") {
    fixture f;
    auto get = fixture::request("token=at-1");
    get.method_ = "GET";
    const response r = f.handle(get);
    check_error(r, 405, "invalid_request", reason::post_required);
    CHECK(r.header("Allow") == "POST");
    auto query = fixture::request("");
    query.target_ = "/revoke?token=at-1";
    check_error(f.handle(query), 400, "invalid_request", reason::query_in_target);
    check_error(f.handle(fixture::request("token=at-1").with_header("Content-Type", "application/json")), 400,
                "invalid_request", reason::unsupported_content_type);
    CHECK(!f.tokens.revoked("at-1"));
}

TEST_CASE("revocation: store failures are 500 server_error", "[revocation]") {
    struct failing_tokens {  // answers now: no member templates
        bool fail_find = false;
        memory_token_store& real;
        using record_type = memory_token_store::record_type;
        outcome<record_type> find_token(std::string_view token, token_kind kind) {
            return fail_find ? outcome<record_type>::fail() : real.find_token(token, kind);
        }
        outcome_status revoke_token(const record_type&) { return outcome_status::failed; }
    };
    fixture f;
    for (const bool fail_find : {true, false}) {
        failing_tokens tokens{fail_find, f.tokens};
        revocation_endpoint endpoint{f.clients, tokens, f.options};
        check_error(endpoint.handle(fixture::request("token=at-1"), f.storage), 500, "server_error",
                    reason::token_store_failure);
    }
}

TEST_CASE("revocation: stores that answer later give the same responses", "[revocation][staged]") {
    oauthcore_test::later_queue queue;
    const std::vector<test_request> requests{
        fixture::request("token=45ghiukldjahdnhzdauz&token_type_hint=access_token"),
        fixture::request("token=unknown"),
        fixture::request("token=at-1", "other:other-secret"),
        fixture::request("token=at-1", "s6BhdRkqt3:nope"),
        fixture::request("token=at-1&token_type_hint=jwt"),
        fixture::request("token=at-alone")};
    for (const auto& request : requests) {
        INFO(request.body_);
        fixture now;
        const response expected = now.handle(request);
        fixture f;
        oauthcore_test::later_clients clients{f.clients, queue};
        oauthcore_test::later_tokens tokens{f.tokens, queue};
        revocation_endpoint endpoint{clients, tokens, f.options};
        response out;
        int finished = 0;
        endpoint.handle_async(request, f.storage, out, [&finished](const response&) { ++finished; });
        CHECK(finished == (queue.work.empty() ? 1 : 0));  // a malformed request needs no store
        queue.run_all();
        CHECK(finished == 1);
        CHECK(out.status == expected.status);
        CHECK(out.body == expected.body);
        CHECK(out.error == expected.error);
        for (const std::string_view token : {std::string_view("at-1"), rfc_refresh_token, std::string_view("at-alone")})
            CHECK(f.tokens.revoked(token) == now.tokens.revoked(token));
    }
}
