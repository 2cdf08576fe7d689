// The authorization_code grant (RFC 6749 4.1.3) with PKCE (RFC 7636), as RFC 9700 2.1.1
// and 4.8 ask, on an endpoint with a confidential and a public client.

#include "oauthcore/authorization_code_grant.hpp"

#include <set>
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

// RFC 7636 Appendix B.
constexpr std::string_view appendix_b_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view appendix_b_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
// A plain challenge is the verifier itself (RFC 7636 4.2): 43 unreserved characters.
constexpr std::string_view plain_verifier = "plain-verifier-of-43-characters-0123456789_";
constexpr std::string_view redirect = "https://client.example.com/cb";
constexpr std::uint64_t issued_at = 1000;
constexpr std::uint64_t lifetime = 60;  // RFC 6749 4.1.2: 10 minutes at most is RECOMMENDED

// Told of every reused code, with the record the store found.
struct code_observer {
    std::vector<std::string> reused_by;
    std::vector<std::string> issued_to;
    int other_failures = 0;
    void client_authentication_failed(std::string_view /*client_id*/) { ++other_failures; }
    void user_authentication_failed(std::string_view /*client_id*/, user_identifier /*who*/) { ++other_failures; }
    void authorization_code_reused(std::string_view client_id,
                                   const memory_authorization_code_store::record_type& record) {
        reused_by.emplace_back(client_id);
        issued_to.emplace_back(record.client_id());
    }
};

struct code_fixture {
    memory_client_store clients;
    memory_authorization_code_store codes;
    fixed_token_issuer issuer{{oauthcore_test::vendor_access_token, 3600, oauthcore_test::vendor_refresh_token, {}}};
    std::uint64_t now = issued_at;
    endpoint_options options;
    authorization_code_options code_options;
    exchange_storage storage;
    code_observer observer;

    code_fixture() {
        clients.add("web", "web-secret", "authorization_code refresh_token", "read write");
        clients.add("spa", "", "authorization_code refresh_token", "read write", "none");
        clients.add("other", "other-secret", "authorization_code");
        clients.add("no-code-grant", "ncg-secret", "refresh_token");
        options.allow_public_clients = true;
    }

    // A code for `client` with the Appendix B challenge, unless told otherwise.
    void add(std::string code, std::string client, std::string challenge = str(appendix_b_challenge),
             std::string method = "S256", std::string redirect_uri = str(redirect), std::string scope = "read") {
        codes.add({std::move(code), std::move(client), std::move(redirect_uri), std::move(challenge), std::move(method),
                   "john_doe", "john_doe@domain.com", std::move(scope), issued_at + lifetime});
    }

    response handle(const test_request& request) {
        authorization_code_grant grant{codes, issuer, [this] { return now; }, code_options};
        token_endpoint endpoint{clients, options, grant};
        return endpoint.handle(request, storage, observer);
    }
};

std::string redeem_body(std::string_view code, std::string_view verifier = appendix_b_verifier,
                        std::string_view redirect_uri = redirect) {
    std::string body = "grant_type=authorization_code&code=" + str(code);
    if (!redirect_uri.empty()) body += "&redirect_uri=" + str(redirect_uri);
    if (!verifier.empty()) body += "&code_verifier=" + str(verifier);
    return body;
}

// A public client names itself with client_id (RFC 6749 4.1.3).
test_request as_spa(const std::string& body) {
    return test_request{}.without_header("Authorization").with_body(body + "&client_id=spa");
}
test_request as_web(const std::string& body) {
    return test_request{}.with_header("Authorization", basic("web:web-secret")).with_body(body);
}

const std::string token_with_scope =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":3600,)"
    R"("token_type":"bearer","refresh_token":"17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef"})";

constexpr std::string_view code_rejected_body =
    R"({"error":"invalid_grant","error_description":"The authorization code is invalid, expired or already used, )"
    R"(or does not match the client, the redirect_uri or the code_verifier."})";

// A code store where another request redeems the code between this one's find and its
// redemption.
struct racing_codes {
    memory_authorization_code_store inner;
    using record_type = memory_authorization_code_store::record_type;
    outcome<record_type> find_authorization_code(std::string_view code) const {
        return inner.find_authorization_code(code);
    }
    outcome_status redeem_authorization_code(const record_type& record, const token_view& tokens) {
        (void)inner.redeem_authorization_code(record, token_view{"theirs", 60, {}, {}});
        return inner.redeem_authorization_code(record, tokens);
    }
};

}  // namespace

TEST_CASE("authorization_code: a public client redeems a code with the RFC 7636 Appendix B verifier (RFC 7636 4.6)",
          "[authorization_code][pkce]") {
    code_fixture f;
    f.add("code-1", "spa");
    const auto r = f.handle(as_spa(redeem_body("code-1")));
    CHECK(r.status == 200);
    CHECK(r.body == token_with_scope);
    CHECK(f.issuer.issued() == 1);
    CHECK(f.codes.spent("code-1"));
    // The tokens are stored with the code, in the redemption that spent it.
    const auto tokens = f.codes.tokens_of("code-1");
    REQUIRE(tokens);
    CHECK(tokens->access_token() == oauthcore_test::vendor_access_token);
    CHECK(tokens->refresh_token() == oauthcore_test::vendor_refresh_token);
    CHECK(f.observer.reused_by.empty());
}

TEST_CASE("authorization_code: a confidential client redeems with Basic, with or without PKCE (RFC 6749 4.1.3)",
          "[authorization_code]") {
    code_fixture f;
    f.add("with-pkce", "web");
    f.add("without-pkce", "web", "", "");
    CHECK(f.handle(as_web(redeem_body("with-pkce"))).status == 200);
    CHECK(f.handle(as_web(redeem_body("without-pkce", ""))).status == 200);
    // RFC 6749 3.2.1: the client_id may come along with Basic when it names the same client.
    f.add("with-id", "web");
    CHECK(f.handle(as_web(redeem_body("with-id") + "&client_id=web")).status == 200);
}

TEST_CASE(
    "authorization_code: a code works once, a second use is invalid_grant and the observer is told "
    "(RFC 6749 4.1.2, 10.5)",
    "[authorization_code][observer]") {
    code_fixture f;
    f.add("once", "spa");
    CHECK(f.handle(as_spa(redeem_body("once"))).status == 200);
    const auto again = f.handle(as_spa(redeem_body("once")));
    CHECK(again.status == 400);
    CHECK(again.error == error{reason::code_reused});
    CHECK(again.body == code_rejected_body);
    CHECK(f.issuer.issued() == 1);
    CHECK(f.observer.reused_by == std::vector<std::string>{"spa"});
    CHECK(f.observer.issued_to == std::vector<std::string>{"spa"});
    // A third use, by another client, is a reuse too: the host hears of it again.
    const auto stolen = f.handle(
        test_request{}.with_header("Authorization", basic("other:other-secret")).with_body(redeem_body("once")));
    CHECK(stolen.error == error{reason::code_reused});
    CHECK(f.observer.reused_by == std::vector<std::string>{"spa", "other"});
    CHECK(f.observer.issued_to == std::vector<std::string>{"spa", "spa"});
    CHECK(f.observer.other_failures == 0);
}

TEST_CASE("authorization_code: an observer without authorization_code_reused is not asked (RFC 6749 4.1.2)",
          "[authorization_code][observer]") {
    code_fixture f;
    f.add("once", "spa");
    authorization_code_grant grant{f.codes, f.issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    oauthcore_test::counting_observer counting;
    CHECK(endpoint.handle(as_spa(redeem_body("once")), f.storage, counting).status == 200);
    CHECK(endpoint.handle(as_spa(redeem_body("once")), f.storage, counting).error == error{reason::code_reused});
    CHECK(endpoint.handle(as_spa(redeem_body("once")), f.storage).error == error{reason::code_reused});
    CHECK(counting.client_failures == 0);
    CHECK(counting.user_failures == 0);
}

TEST_CASE(
    "authorization_code: the code was issued to this client, another client's try leaves it to that client "
    "(RFC 6749 4.1.3, 10.5)",
    "[authorization_code]") {
    code_fixture f;
    f.add("for-spa", "spa");
    const auto r = f.handle(
        test_request{}.with_header("Authorization", basic("other:other-secret")).with_body(redeem_body("for-spa")));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::code_issued_to_another_client});
    CHECK(r.body == code_rejected_body);
    CHECK_FALSE(f.codes.spent("for-spa"));
    CHECK(f.issuer.issued() == 0);
    CHECK(f.handle(as_spa(redeem_body("for-spa"))).status == 200);
    CHECK(f.observer.reused_by.empty());
    // A confidential client's code presented as a public client of the same id is not
    // possible: the client store refuses "none" for a client with a secret.
    f.add("for-web", "web");
    CHECK(f.handle(test_request{}.without_header("Authorization").with_body(redeem_body("for-web") + "&client_id=web"))
              .error == error{reason::client_rejected});
}

TEST_CASE("authorization_code: the code has not expired (RFC 6749 4.1.2)", "[authorization_code]") {
    code_fixture f;
    f.add("a", "spa");
    f.add("b", "spa");
    f.add("c", "spa");
    f.now = issued_at + lifetime - 1;
    CHECK(f.handle(as_spa(redeem_body("a"))).status == 200);
    f.now = issued_at + lifetime;
    const auto at_expiry = f.handle(as_spa(redeem_body("b")));
    CHECK(at_expiry.status == 400);
    CHECK(at_expiry.error == error{reason::code_expired});
    CHECK(at_expiry.body == code_rejected_body);
    f.now = issued_at + 100 * lifetime;
    CHECK(f.handle(as_spa(redeem_body("c"))).error == error{reason::code_expired});
    CHECK(f.issuer.issued() == 1);
}

TEST_CASE(
    "authorization_code: redirect_uri is required and identical when the authorization request had one "
    "(RFC 6749 4.1.3)",
    "[authorization_code]") {
    code_fixture f;
    int n = 0;
    const auto fresh = [&f, &n] {
        const std::string code = "code-" + std::to_string(++n);
        f.add(code, "spa");
        return code;
    };
    // Missing, and every near miss: compared byte for byte, nothing normalized.
    CHECK(f.handle(as_spa(redeem_body(fresh(), appendix_b_verifier, ""))).error ==
          error{reason::redirect_uri_mismatch});
    for (const char* near :
         {"https://client.example.com/cb/", "https://CLIENT.example.com/cb", "https://client.example.com/cb?x=1",
          "https://client.example.com:443/cb", "http://client.example.com/cb", "https://client.example.com/cb%20",
          "https://client.example.com/c"}) {
        INFO(near);
        const auto r = f.handle(as_spa(redeem_body(fresh(), appendix_b_verifier, near)));
        CHECK(r.error == error{reason::redirect_uri_mismatch});
        CHECK(r.body == code_rejected_body);
    }
    // Percent-encoded in the body, it is compared after form decoding (the value the
    // client meant).
    CHECK(f.handle(as_spa(redeem_body(fresh(), appendix_b_verifier, "https%3A%2F%2Fclient.example.com%2Fcb"))).status ==
          200);
    CHECK(f.handle(as_spa(redeem_body(fresh()))).status == 200);
}

TEST_CASE("authorization_code: without a redirect_uri in the authorization request, none is needed (RFC 6749 4.1.3)",
          "[authorization_code]") {
    code_fixture f;
    f.add("no-redirect-1", "spa", str(appendix_b_challenge), "S256", "");
    f.add("no-redirect-2", "spa", str(appendix_b_challenge), "S256", "");
    CHECK(f.handle(as_spa(redeem_body("no-redirect-1", appendix_b_verifier, ""))).status == 200);
    // RFC 6749 4.1.3 requires the parameter only when the authorization request had it.
    CHECK(f.handle(as_spa(redeem_body("no-redirect-2"))).status == 200);
}

TEST_CASE(
    "authorization_code: code_verifier is 43 to 128 unreserved characters, checked before any store "
    "(RFC 7636 4.1)",
    "[authorization_code][pkce]") {
    code_fixture f;
    f.add("code", "spa");
    const std::string unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    for (const std::string& bad :
         {std::string(42, 'a'), std::string(129, 'a'), std::string(42, 'a') + "+", std::string(42, 'a') + "%2B",
          std::string(42, 'a') + "%2F", std::string(42, 'a') + "%C3%A9", std::string(43, 'a') + "%00"}) {
        INFO(bad);
        // A wrong client secret too: syntax is checked before the client store (step 10).
        const auto r = f.handle(
            test_request{}.with_header("Authorization", basic("web:wrong")).with_body(redeem_body("code", bad)));
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::invalid_parameter, param<"code_verifier">});
        CHECK(r.body ==
              R"({"error":"invalid_request","error_description":"The code_verifier parameter is malformed."})");
    }
    CHECK_FALSE(f.codes.spent("code"));
    // Both bounds and every unreserved character are accepted as syntax (and then do not
    // meet this challenge, which leaves the code unspent).
    for (const std::string& good : {std::string(43, 'a'), std::string(128, '~'), unreserved.substr(0, 43),
                                    unreserved.substr(unreserved.size() - 43)}) {
        INFO(good);
        CHECK(f.handle(as_spa(redeem_body("code", good))).error == error{reason::code_verifier_mismatch});
        CHECK_FALSE(f.codes.spent("code"));
    }
    CHECK(f.handle(as_spa(redeem_body("code"))).status == 200);
}

TEST_CASE(
    "authorization_code: S256 is verified, a verifier that does not meet the challenge is invalid_grant "
    "(RFC 7636 4.2, 4.6)",
    "[authorization_code][pkce]") {
    code_fixture f;
    f.add("right", "spa");
    f.add("wrong", "spa");
    f.add("s256-lowercase-method", "spa", str(appendix_b_challenge), "s256");
    std::string one_off = str(appendix_b_verifier);
    one_off.back() = one_off.back() == 'k' ? 'K' : 'k';
    const auto r = f.handle(as_spa(redeem_body("wrong", one_off)));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::code_verifier_mismatch});
    CHECK(r.body == code_rejected_body);
    // The challenge itself is not the verifier.
    CHECK(f.handle(as_spa(redeem_body("s256-lowercase-method"))).error == error{reason::code_verifier_mismatch});
    CHECK(f.handle(as_spa(redeem_body("right"))).status == 200);
}

TEST_CASE(
    "authorization_code: plain only when the host enables it, no method means plain (RFC 7636 4.2, 4.3, "
    "RFC 9700 2.1.1)",
    "[authorization_code][pkce]") {
    code_fixture f;
    f.add("plain", "spa", str(plain_verifier), "plain");
    f.add("plain-by-default", "spa", str(plain_verifier), "");
    f.add("plain-enabled", "spa", str(plain_verifier), "plain");
    f.add("default-enabled", "spa", str(plain_verifier), "");
    f.add("plain-wrong", "spa", str(plain_verifier), "plain");
    CHECK(f.handle(as_spa(redeem_body("plain", plain_verifier))).error == error{reason::code_verifier_mismatch});
    CHECK(f.handle(as_spa(redeem_body("plain-by-default", plain_verifier))).error ==
          error{reason::code_verifier_mismatch});
    f.code_options.allow_plain = true;
    CHECK(f.handle(as_spa(redeem_body("plain-enabled", plain_verifier))).status == 200);
    CHECK(f.handle(as_spa(redeem_body("default-enabled", plain_verifier))).status == 200);
    CHECK(f.handle(as_spa(redeem_body("plain-wrong", appendix_b_verifier))).error ==
          error{reason::code_verifier_mismatch});
}

TEST_CASE(
    "authorization_code: a code_verifier for a code without a challenge is refused (PKCE downgrade, "
    "RFC 9700 4.8.2)",
    "[authorization_code][pkce]") {
    code_fixture f;
    f.add("no-challenge", "web", "", "");
    const auto r = f.handle(as_web(redeem_body("no-challenge")));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::pkce_downgrade});
    CHECK(r.body == code_rejected_body);
}

TEST_CASE("authorization_code: a code with a challenge needs its code_verifier (RFC 9700 2.1.1, 4.8.2)",
          "[authorization_code][pkce]") {
    code_fixture f;
    f.add("challenged", "web");
    const auto r = f.handle(as_web(redeem_body("challenged", "")));
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::pkce_missing});
    CHECK(r.body == code_rejected_body);
}

TEST_CASE(
    "authorization_code: public clients must use PKCE, confidential ones when the host requires it "
    "(RFC 9700 2.1.1)",
    "[authorization_code][pkce]") {
    code_fixture f;
    f.add("spa-without", "spa", "", "");
    f.add("web-without", "web", "", "");
    f.add("web-required", "web", "", "");
    f.add("web-with", "web");
    const auto r = f.handle(as_spa(redeem_body("spa-without", "")));
    CHECK(r.error == error{reason::pkce_missing});
    CHECK(r.body == code_rejected_body);
    CHECK(f.handle(as_web(redeem_body("web-without", ""))).status == 200);
    f.code_options.require_pkce = true;
    CHECK(f.handle(as_web(redeem_body("web-required", ""))).error == error{reason::pkce_missing});
    CHECK(f.handle(as_web(redeem_body("web-with"))).status == 200);
}

TEST_CASE(
    "authorization_code: every refused code gets the same invalid_grant body, in both profiles "
    "(RFC 6749 5.2, no oracle)",
    "[authorization_code][security]") {
    for (const auto p : {profile::social_id, profile::rfc6749}) {
        code_fixture f;
        f.options.profile = p;
        f.add("used", "spa");
        REQUIRE(f.handle(as_spa(redeem_body("used"))).status == 200);
        f.add("theirs", "web");
        f.add("expired", "spa");
        f.add("redirect", "spa");
        f.add("missing", "spa");
        f.add("downgrade", "spa", "", "");
        f.add("mismatch", "spa");
        f.add("plain", "spa", str(plain_verifier), "plain");
        f.add("no-pkce", "spa", "", "");
        std::string other_verifier(43, 'v');
        struct attempt {
            test_request request;
            reason why;
        };
        std::vector<attempt> attempts{
            {as_spa(redeem_body("unknown")), reason::code_rejected},
            {as_spa(redeem_body("used")), reason::code_reused},
            {as_spa(redeem_body("theirs")), reason::code_issued_to_another_client},
            {as_spa(redeem_body("redirect", appendix_b_verifier, "https://attacker.example/cb")),
             reason::redirect_uri_mismatch},
            {as_spa(redeem_body("missing", "")), reason::pkce_missing},
            {as_spa(redeem_body("downgrade")), reason::pkce_downgrade},
            {as_spa(redeem_body("mismatch", other_verifier)), reason::code_verifier_mismatch},
            {as_spa(redeem_body("plain", plain_verifier)), reason::code_verifier_mismatch},
            {as_spa(redeem_body("no-pkce", "")), reason::pkce_missing},
        };
        std::set<std::string> bodies;
        std::set<reason> reasons;
        for (const auto& a : attempts) {
            const auto r = f.handle(a.request);
            INFO(a.request.body_);
            CHECK(r.status == 400);
            CHECK(r.error == error{a.why});
            CHECK_FALSE(r.header("WWW-Authenticate"));
            bodies.insert(str(r.body));
            reasons.insert(r.error->reason);
        }
        f.now = issued_at + lifetime;
        const auto expired = f.handle(as_spa(redeem_body("expired")));
        CHECK(expired.error == error{reason::code_expired});
        bodies.insert(str(expired.body));
        reasons.insert(expired.error->reason);
        CHECK(bodies == std::set<std::string>{str(code_rejected_body)});
        CHECK(reasons.size() == 8);  // the host's logs tell them apart
        CHECK(f.issuer.issued() == 1);
    }
}

TEST_CASE("authorization_code: code is required (RFC 6749 4.1.3)", "[authorization_code]") {
    code_fixture f;
    for (const char* body : {"grant_type=authorization_code", "grant_type=authorization_code&code="}) {
        const auto r = f.handle(test_request{}.with_header("Authorization", basic("web:wrong")).with_body(body));
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::missing_parameter, param<"code">});
        CHECK(r.body == R"({"error":"invalid_request","error_description":"The code parameter is required."})");
    }
}

TEST_CASE("authorization_code: client authentication comes before the code is looked at (RFC 6749 4.1.3)",
          "[authorization_code]") {
    code_fixture f;
    f.add("code", "web");
    CHECK(f.handle(test_request{}.with_header("Authorization", basic("web:wrong")).with_body(redeem_body("code")))
              .error == error{reason::client_rejected});
    CHECK(f.handle(test_request{}.without_header("Authorization").with_body(redeem_body("code"))).error ==
          error{reason::client_authentication_missing});
    CHECK(f.handle(test_request{}
                       .with_header("Authorization", basic("no-code-grant:ncg-secret"))
                       .with_body(redeem_body("code")))
              .error == error{reason::unauthorized_client});
    CHECK_FALSE(f.codes.spent("code"));
    CHECK(f.handle(as_web(redeem_body("code"))).status == 200);
}

TEST_CASE("authorization_code: the code's scope goes through the client's scope hook and is sent (RFC 6749 3.3, 5.1)",
          "[authorization_code][scope]") {
    code_fixture f;
    f.add("read-write", "spa", str(appendix_b_challenge), "S256", str(redirect), "read write");
    f.add("admin", "spa", str(appendix_b_challenge), "S256", str(redirect), "read admin");
    // The maker grants the code's scope; the response then names it, since the client's
    // request did not (RFC 6749 5.1).
    struct scope_issuer {
        using token_type = token_view;
        std::string granted;
        outcome<token_type> make_token(const memory_client&, const memory_user&, std::string_view scope) {
            granted = scope;
            return outcome<token_type>::accept({"at", 60, {}, granted});
        }
    } issuer;
    authorization_code_grant grant{f.codes, issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto r = endpoint.handle(as_spa(redeem_body("read-write")), f.storage);
    CHECK(r.status == 200);
    CHECK(r.body == R"({"access_token":"at","expires_in":60,"token_type":"bearer","scope":"read write"})");
    const auto refused = endpoint.handle(as_spa(redeem_body("admin")), f.storage);
    CHECK(refused.status == 400);
    CHECK(refused.error == error{reason::scope_not_allowed, param<"scope">});
}

TEST_CASE("authorization_code: the maker gets the code's user (RFC 6749 4.1.3)", "[authorization_code]") {
    code_fixture f;
    f.add("code", "spa");
    struct user_issuer {
        using token_type = token_view;
        std::string username;
        outcome<token_type> make_token(const memory_client&, const memory_user& user, std::string_view) {
            username = user.username;
            return outcome<token_type>::accept({"at", 60, "rt", {}});
        }
    } issuer;
    authorization_code_grant grant{f.codes, issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    CHECK(endpoint.handle(as_spa(redeem_body("code")), f.storage).status == 200);
    CHECK(issuer.username == "john_doe");
}

TEST_CASE("authorization_code: store and maker failures are 500 server_error", "[authorization_code]") {
    struct failing_codes {
        using record_type = memory_authorization_code_store::record_type;
        bool fail_find = true;
        outcome<record_type> find_authorization_code(std::string_view) {
            if (fail_find) return outcome<record_type>::fail();
            record_type found;
            found.client = "spa";
            found.expiry = issued_at + lifetime;
            found.challenge = appendix_b_challenge;
            found.method = "S256";
            return outcome<record_type>::accept(found);
        }
        outcome_status redeem_authorization_code(const record_type&, const token_view&) {
            return outcome_status::failed;
        }
    } codes;
    static_assert(authorization_code_store<failing_codes, token_view>);
    code_fixture f;
    authorization_code_grant grant{codes, f.issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto r = endpoint.handle(as_spa(redeem_body("code")), f.storage);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::code_store_failure});
    codes.fail_find = false;
    const auto redeem_failed = endpoint.handle(as_spa(redeem_body("code", appendix_b_verifier, "")), f.storage);
    CHECK(redeem_failed.status == 500);
    CHECK(redeem_failed.error == error{reason::code_store_failure});

    f.add("code", "spa");
    f.issuer.set_failing(true);
    const auto issuer_failed = f.handle(as_spa(redeem_body("code")));
    CHECK(issuer_failed.status == 500);
    CHECK(issuer_failed.error == error{reason::issuer_failure});
}

TEST_CASE(
    "authorization_code: a failure between spending the code and storing the tokens loses nothing: the code "
    "still works, or it is spent with its tokens stored, never neither (failure injection)",
    "[authorization_code][atomic]") {
    struct injection {
        const char* what;
        void (*inject)(code_fixture&, bool);
        reason why;
    };
    const injection injections[] = {
        {"the store's write of the tokens fails after the code was marked spent",
         [](code_fixture& f, bool on) { f.codes.set_failing_writes(on); }, reason::code_store_failure},
        {"the maker fails", [](code_fixture& f, bool on) { f.issuer.set_failing(on); }, reason::issuer_failure},
    };
    for (const injection& i : injections) {
        INFO(i.what);
        code_fixture f;
        f.add("code", "spa");
        i.inject(f, true);
        const auto failed = f.handle(as_spa(redeem_body("code")));
        CHECK(failed.status == 500);
        CHECK(failed.error == error{i.why});
        CHECK_FALSE(f.codes.spent("code"));
        CHECK_FALSE(f.codes.tokens_of("code"));
        i.inject(f, false);
        CHECK(f.handle(as_spa(redeem_body("code"))).status == 200);
        CHECK(f.codes.spent("code"));
        CHECK(f.codes.tokens_of("code"));
        CHECK(f.observer.reused_by.empty());
    }
    // A token the response could not carry is never stored in the code's place.
    code_fixture f;
    f.add("code", "spa");
    fixed_token_issuer unsendable({"not\na token", 60, {}, {}});
    authorization_code_grant grant{f.codes, unsendable, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    CHECK(endpoint.handle(as_spa(redeem_body("code")), f.storage).error == error{reason::invalid_issued_token});
    CHECK_FALSE(f.codes.spent("code"));
}

TEST_CASE(
    "authorization_code: of two concurrent redemptions of a code, one gets the tokens, the other is a reuse "
    "(RFC 6749 4.1.2, 10.5)",
    "[authorization_code][observer]") {
    code_fixture f;
    racing_codes codes;
    codes.inner.add({"code", "spa", str(redirect), str(appendix_b_challenge), "S256", "john_doe", "", "read",
                     issued_at + lifetime});
    authorization_code_grant grant{codes, f.issuer, [&f] { return f.now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    const auto r = endpoint.handle(as_spa(redeem_body("code")), f.storage, f.observer);
    CHECK(r.status == 400);
    CHECK(r.error == error{reason::code_reused});
    CHECK(r.body == code_rejected_body);
    CHECK(f.observer.reused_by == std::vector<std::string>{"spa"});
    CHECK(codes.inner.tokens_of("code")->access_token() == "theirs");
}

TEST_CASE(
    "authorization_code: the 200 written before the store is replaced by the store's refusal, its storage given back "
    "(a JWT-sized token, RFC 6749 5.2)",
    "[authorization_code][response]") {
    // The response is written before the store takes the tokens (grant_context::write_response);
    // when another redemption won, the answer is the reuse's, exactly, and the response
    // storage holds that body alone, even after a body larger than its inline bytes.
    for (const std::size_t token_size : {std::size_t{40}, std::size_t{1500}, std::size_t{3000}}) {
        INFO(token_size);
        const std::string jwt(token_size, 'j');
        code_fixture f;
        racing_codes codes;
        codes.inner.add({"code", "spa", str(redirect), str(appendix_b_challenge), "S256", "john_doe", "", "read",
                         issued_at + lifetime});
        fixed_token_issuer large({jwt, 3600, {}, {}});
        authorization_code_grant grant{codes, large, [&f] { return f.now; }};
        token_endpoint endpoint{f.clients, f.options, grant};
        const auto r = endpoint.handle(as_spa(redeem_body("code")), f.storage, f.observer);
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::code_reused});
        CHECK(r.body == code_rejected_body);
        CHECK(r.header("Cache-Control") == "no-store");
        CHECK(f.storage.response.used() == code_rejected_body.size());
        // Without the race the same token is sent whole.
        f.add("fresh", "spa");
        authorization_code_grant plain{f.codes, large, [&f] { return f.now; }};
        token_endpoint fresh{f.clients, f.options, plain};
        const auto sent = fresh.handle(as_spa(redeem_body("fresh")), f.storage);
        CHECK(sent.status == 200);
        CHECK(sent.body.find(jwt) != std::string_view::npos);
    }
}

TEST_CASE("authorization_code: check_pkce alone, each rule (RFC 7636 4.6, RFC 9700 2.1.1, 4.8.2)", "[pkce]") {
    const authorization_code_options strict;
    authorization_code_options with_plain;
    with_plain.allow_plain = true;
    CHECK(check_pkce(appendix_b_verifier, appendix_b_challenge, "S256", true, strict));
    CHECK(check_pkce("", "", "", false, strict));
    CHECK(check_pkce("", "", "", true, strict).error() == error{reason::pkce_missing});
    CHECK(check_pkce(appendix_b_verifier, "", "", false, strict).error() == error{reason::pkce_downgrade});
    CHECK(check_pkce("", appendix_b_challenge, "S256", false, strict).error() == error{reason::pkce_missing});
    CHECK(check_pkce(appendix_b_challenge, appendix_b_challenge, "S256", false, strict).error() ==
          error{reason::code_verifier_mismatch});
    CHECK(check_pkce(plain_verifier, plain_verifier, "plain", false, strict).error() ==
          error{reason::code_verifier_mismatch});
    CHECK(check_pkce(plain_verifier, plain_verifier, "plain", false, with_plain));
    CHECK(check_pkce(plain_verifier, plain_verifier, "", false, with_plain));
    CHECK(check_pkce(plain_verifier, plain_verifier, "PLAIN", false, with_plain).error() ==
          error{reason::code_verifier_mismatch});
    CHECK(check_pkce(appendix_b_verifier, appendix_b_challenge, "sha256", false, with_plain).error() ==
          error{reason::code_verifier_mismatch});
    // A verifier shorter than 43 never verifies, even against itself as a plain challenge.
    CHECK(check_pkce("short", "short", "plain", false, with_plain).error() == error{reason::code_verifier_mismatch});
}

TEST_CASE("authorization_code: step 8 of the grant (the verifier checked at step 2) answers as check_pkce", "[pkce]") {
    // The reference is check_pkce, for every verifier validate lets through (empty, or a
    // code-verifier), each challenge and method, each option and requirement.
    authorization_code_options with_plain;
    with_plain.allow_plain = true;
    authorization_code_options requiring;
    requiring.require_pkce = true;
    const std::string_view verifiers[] = {"", appendix_b_verifier, plain_verifier, appendix_b_challenge};
    const std::string_view challenges[] = {"", appendix_b_challenge, plain_verifier, appendix_b_verifier};
    const std::string_view methods[] = {"", "S256", "plain", "s256", "PLAIN"};
    for (const std::string_view verifier : verifiers) {
        REQUIRE((verifier.empty() || is_code_verifier(verifier)));
        for (const std::string_view challenge : challenges)
            for (const std::string_view method : methods)
                for (const bool required : {false, true})
                    for (const auto& options : {authorization_code_options{}, with_plain, requiring}) {
                        const auto reference = check_pkce(verifier, challenge, method, required, options);
                        const auto checked =
                            detail::check_pkce_of<true>(verifier, challenge, method, required, options);
                        CHECK(bool(checked) == bool(reference));
                        if (!reference) CHECK(checked.error() == reference.error());
                    }
    }
}

TEST_CASE("memory_authorization_code_store: a redeemed code is kept and told apart from an unknown one",
          "[authorization_code][stores]") {
    memory_authorization_code_store store;
    store.add({"c", "spa", str(redirect), str(appendix_b_challenge), "S256", "john_doe", "", "read", 10});
    CHECK(store.find_authorization_code("unknown").status() == outcome_status::rejected);
    CHECK_FALSE(store.spent("c"));
    CHECK_FALSE(store.spent("unknown"));
    CHECK_FALSE(store.tokens_of("unknown"));
    const auto first = store.find_authorization_code("c");
    REQUIRE(first.accepted());
    CHECK_FALSE(first.value().used_before());
    CHECK(first.value().client_id() == "spa");
    CHECK(first.value().redirect_uri() == redirect);
    CHECK(first.value().code_challenge() == appendix_b_challenge);
    CHECK(first.value().code_challenge_method() == "S256");
    CHECK(first.value().scope() == "read");
    CHECK(first.value().user().username == "john_doe");
    CHECK(first.value().expires_at() == 10);
    CHECK_FALSE(store.spent("c"));  // finding changes nothing
    CHECK(store.redeem_authorization_code(first.value(), token_view{"at", 60, "rt", "read"}) ==
          outcome_status::accepted);
    CHECK(store.spent("c"));
    const auto tokens = store.tokens_of("c");
    REQUIRE(tokens);
    CHECK(tokens->access_token() == "at");
    CHECK(tokens->expires_in() == 60);
    CHECK(tokens->refresh_token() == "rt");
    CHECK(tokens->scope() == "read");
    CHECK(store.redeem_authorization_code(first.value(), token_view{"at2", 60, {}, {}}) == outcome_status::rejected);
    CHECK(store.tokens_of("c")->access_token() == "at");
    const auto second = store.find_authorization_code("c");
    REQUIRE(second.accepted());
    CHECK(second.value().used_before());
    CHECK(store.find_authorization_code("C").status() == outcome_status::rejected);
    memory_authorization_code_store::record_type bogus;
    bogus.index = 99;
    CHECK(store.redeem_authorization_code(bogus, token_view{"at", 60, {}, {}}) == outcome_status::failed);
}
