#include "oauthcore/client_authentication.hpp"

#include <string>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::test_request;

namespace {

using form_type = form_fields<default_client_authentication::parameters>;

// The method the request uses, with the default methods (steps 1-3 of
// client_authentication.hpp), and step 2's client_id comparison.
result<client_authentication> select(std::optional<std::string_view> authorization, std::string_view body,
                                     const endpoint_options& options = {}) {
    static request_storage storage;
    storage.reset();
    const auto form = parse_form<default_client_authentication::parameters>(body, storage);
    REQUIRE(form);
    const request_view request{"POST", "/token", "application/x-www-form-urlencoded", authorization, body};
    auto chosen = select_client_authentication(default_client_authentication{}, request, *form, storage, options);
    if (chosen && !client_id_matches(*form, *chosen)) return fail(reason::client_id_mismatch);
    return chosen;
}

endpoint_options with(bool post, bool public_clients) {
    endpoint_options options;
    options.allow_body_client_auth = post;
    options.allow_public_clients = public_clients;
    return options;
}

}  // namespace

TEST_CASE("client auth: Basic is client_secret_basic (vendor Authentication, RFC 6749 2.3.1)", "[client_auth]") {
    const auto c = select(oauthcore_test::vendor_authorization, "grant_type=password");
    REQUIRE(c);
    CHECK(c->method == "client_secret_basic");
    CHECK(c->id == "138");
    CHECK(c->secret == oauthcore_test::vendor_client_secret);
}

TEST_CASE("client auth: none at all is invalid_client (RFC 6749 5.2)", "[client_auth]") {
    for (const bool post : {false, true})
        for (const bool public_clients : {false, true})
            CHECK(select(std::nullopt, "grant_type=password", with(post, public_clients)).error().reason ==
                  reason::client_authentication_missing);
}

TEST_CASE("client auth: client_secret_post only when enabled (RFC 6749 2.3.1)", "[client_auth][rfc6749]") {
    CHECK(select(std::nullopt, "client_id=138&client_secret=s").error().reason ==
          reason::body_client_authentication_disabled);
    const auto c = select(std::nullopt, "client_id=138&client_secret=s%2Bx", with(true, false));
    REQUIRE(c);
    CHECK(c->method == "client_secret_post");
    CHECK(c->id == "138");
    CHECK(c->secret == "s+x");
    // RFC 6749 2.3.1: the client MAY omit client_secret when it is empty.
    const auto no_secret = select(std::nullopt, "client_id=138", with(true, false));
    REQUIRE(no_secret);
    CHECK(no_secret->method == "client_secret_post");
    CHECK(no_secret->secret.empty());
    CHECK(select(std::nullopt, "client_secret=s", with(true, false)).error().reason == reason::empty_client_id);
}

TEST_CASE("client auth: none names a public client with client_id alone (RFC 6749 2.1, RFC 7591 2)",
          "[client_auth][rfc6749]") {
    const auto c = select(std::nullopt, "client_id=spa", with(false, true));
    REQUIRE(c);
    CHECK(c->method == "none");
    CHECK(c->id == "spa");
    CHECK(c->secret.empty());
    // With public clients on, client_id alone is "none" even when client_secret_post is on.
    CHECK(select(std::nullopt, "client_id=spa", with(true, true))->method == "none");
    // Off: client_id alone is body credentials, refused as before.
    CHECK(select(std::nullopt, "client_id=spa").error().reason == reason::body_client_authentication_disabled);
}

TEST_CASE(
    "client auth: a control character decoded into a body client_id or client_secret is invalid_request (RFC 6749 "
    "Appendix A.1, A.2, regression: it reached the store and the observer)",
    "[client_auth][rfc6749][regression]") {
    for (const bool public_clients : {false, true}) {
        for (const std::string body :
             {"client_id=138%0D%0Afake&client_secret=s", "client_id=138&client_secret=s%00", "client_id=%7F"}) {
            INFO(body << (public_clients ? ", public clients on" : ""));
            const auto c = select(std::nullopt, body, with(true, public_clients));
            REQUIRE_FALSE(c);
            CHECK(c.error().reason == reason::invalid_parameter);
            CHECK(c.error().parameter.text() ==
                  (body.find("client_secret=s%00") != std::string::npos ? "client_secret" : "client_id"));
            CHECK(describe(c.error()).code == error_code::invalid_request);
        }
    }
    // Bytes from 0x80 pass, as in Basic credentials.
    const auto utf8 = select(std::nullopt, "client_id=cl%C3%AFent&client_secret=s", with(true, false));
    REQUIRE(utf8);
    CHECK(utf8->id ==
          "cl\xC3\xAF"
          "ent");
}

TEST_CASE("client auth: Basic with a body client_id naming the same client is accepted (RFC 6749 3.2.1)",
          "[client_auth][rfc6749]") {
    // requests-oauthlib sends client_id next to Basic (include_client_id=True).
    const auto c = select(oauthcore_test::vendor_authorization, "grant_type=password&client_id=138");
    REQUIRE(c);
    CHECK(c->method == "client_secret_basic");
    CHECK(c->id == "138");
    // Compared after the Basic id's form decoding (RFC 6749 2.3.1): "a b" sent as "a+b".
    CHECK(select(basic("a+b:s"), "client_id=a%20b"));
}

TEST_CASE("client auth: Basic with a body client_id naming another client is invalid_request (RFC 6749 2.3)",
          "[client_auth][rfc6749]") {
    CHECK(select(oauthcore_test::vendor_authorization, "client_id=139").error().reason == reason::client_id_mismatch);
    CHECK(select(oauthcore_test::vendor_authorization, "client_id=1388").error().reason == reason::client_id_mismatch);
    CHECK(select(oauthcore_test::vendor_authorization, "client_id=13").error().reason == reason::client_id_mismatch);
}

TEST_CASE("client auth: two methods carrying a secret is invalid_request (RFC 6749 2.3)", "[client_auth][rfc6749]") {
    for (const bool post : {false, true}) {
        CHECK(select(oauthcore_test::vendor_authorization, "client_secret=x", with(post, true)).error().reason ==
              reason::multiple_client_authentication_methods);
        CHECK(select(oauthcore_test::vendor_authorization, "client_id=138&client_secret=x", with(post, true))
                  .error()
                  .reason == reason::multiple_client_authentication_methods);
    }
    // Empty body parameters count as omitted, so they are not a second method.
    CHECK(select(oauthcore_test::vendor_authorization, "client_id=&client_secret="));
}

TEST_CASE("client auth: a client pinned to a method must use it (RFC 7591 token_endpoint_auth_method)",
          "[client_auth][endpoint]") {
    oauthcore_test::vendor_endpoint base;
    base.options.allow_body_client_auth = true;
    base.clients.add("basic-only", "secret-1", "password", {}, "client_secret_basic");
    base.clients.add("post-only", "secret-2", "password", {}, "client_secret_post");
    password_grant password{base.users, base.issuer};
    token_endpoint endpoint{base.clients, base.options, password};
    const std::string user = "&grant_type=password&username=john_doe&password=john_doe_secret";
    const auto by_basic = [&](std::string id_secret) {
        return endpoint.handle(test_request{}.with_header("Authorization", basic(id_secret)), base.storage,
                               base.observer);
    };
    const auto by_post = [&](std::string id, std::string secret) {
        return endpoint.handle(test_request{}
                                   .without_header("Authorization")
                                   .with_body("client_id=" + id + "&client_secret=" + secret + user),
                               base.storage, base.observer);
    };
    CHECK(by_basic("basic-only:secret-1").status == 200);
    CHECK(by_post("post-only", "secret-2").status == 200);
    const auto wrong_for_basic = by_post("basic-only", "secret-1");
    CHECK(wrong_for_basic.status == 401);
    CHECK(wrong_for_basic.error == error{reason::client_authentication_method_mismatch});
    CHECK(by_basic("post-only:secret-2").error == error{reason::client_authentication_method_mismatch});
    // The mismatch answers exactly as a wrong secret does, and the observer hears of it.
    const auto wrong_secret = by_basic("basic-only:nope");
    CHECK(wrong_for_basic.body == wrong_secret.body);
    CHECK(base.observer.client_failures == 3);
    // The vendor's client, pinned to nothing, may use either method that carries its secret.
    CHECK(by_post("138", std::string(oauthcore_test::vendor_client_secret)).status == 200);
}

namespace {

// A client authentication method the library does not ship, in the shape of RFC 7523
// private_key_jwt: client_assertion_type and client_assertion in the body. The stub
// "verifies" an assertion "signed:<client id>" (a real one checks a JWT signature with
// the client's registered key); the client store then judges the client it names.
struct stub_assertion_verifier {
    int calls = 0;
    [[nodiscard]] std::optional<std::string_view> subject(std::string_view assertion) {
        ++calls;
        constexpr std::string_view prefix = "signed:";
        if (assertion.substr(0, prefix.size()) != prefix) return std::nullopt;
        return assertion.substr(prefix.size());
    }
};

struct private_key_jwt_stub {
    static constexpr std::string_view name = "private_key_jwt";
    using parameters = parameter_list<"client_assertion_type", "client_assertion">;
    static constexpr bool carries_credentials = true;
    static constexpr std::string_view jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    stub_assertion_verifier* verifier = nullptr;

    template <class Form>
    [[nodiscard]] bool presented(const request_view&, const Form& form) const {
        return form.given(param<"client_assertion">) || form.given(param<"client_assertion_type">);
    }

    // RFC 7523 3.2: an assertion that is not valid is invalid_client.
    template <class Form, class Storage>
    [[nodiscard]] result<client_authentication> authenticate(const request_view&, const Form& form, Storage&,
                                                             const endpoint_options&) const {
        if (form[param<"client_assertion_type">] != jwt_bearer)
            return fail(reason::invalid_parameter, param<"client_assertion_type">);
        const auto subject = verifier->subject(form[param<"client_assertion">]);
        if (!subject || subject->empty()) return fail(reason::client_rejected);
        return client_authentication{name, *subject, form[param<"client_assertion">]};
    }
};

// A store that knows which client registered for the assertion method.
struct assertion_client_store {
    using client_type = memory_client;
    memory_client_store secrets;

    [[nodiscard]] outcome<client_type> authenticate_client(const client_authentication& presented) const {
        if (presented.method == private_key_jwt_stub::name)
            return presented.id == "jwt-client"
                       ? outcome<client_type>::accept({"jwt-client", "password", {}, private_key_jwt_stub::name})
                       : outcome<client_type>::reject();
        return secrets.authenticate_client(presented);
    }
};

}  // namespace

TEST_CASE("client auth: a method the library does not ship joins the endpoint (RFC 7523 2.2 shape)",
          "[client_auth][extension]") {
    assertion_client_store clients;
    clients.secrets.add(std::string(oauthcore_test::vendor_client_id),
                        std::string(oauthcore_test::vendor_client_secret));
    memory_user_store users;
    users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
    fixed_token_issuer issuer({"t", 60, {}, {}});
    exchange_storage storage;
    stub_assertion_verifier verifier;
    password_grant password{users, issuer};
    const client_authentication_methods<client_secret_basic, private_key_jwt_stub> methods{
        {client_secret_basic{}, private_key_jwt_stub{&verifier}}};
    token_endpoint endpoint{clients, endpoint_options{}, methods, password};
    static_assert(declares<decltype(endpoint)::parameters>("client_assertion_type"));

    const std::string user = "&grant_type=password&username=john_doe&password=john_doe_secret";
    const std::string type = "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";
    const auto jwt = [&](std::string body) {
        return test_request{}.without_header("Authorization").with_body(body + user);
    };
    const auto ok = endpoint.handle(jwt(type + "&client_assertion=signed:jwt-client"), storage);
    CHECK(ok.status == 200);
    CHECK(verifier.calls == 1);
    // The same assertion with client_id naming the same client; then another client.
    CHECK(endpoint.handle(jwt(type + "&client_assertion=signed:jwt-client&client_id=jwt-client"), storage).status ==
          200);
    CHECK(endpoint.handle(jwt(type + "&client_assertion=signed:jwt-client&client_id=138"), storage).error ==
          error{reason::client_id_mismatch});
    // Wrong type, bad assertion, unknown subject.
    CHECK(endpoint.handle(jwt("client_assertion_type=x&client_assertion=signed:jwt-client"), storage).error ==
          error{reason::invalid_parameter, param<"client_assertion_type">});
    CHECK(endpoint.handle(jwt(type + "&client_assertion=forged"), storage).status == 401);
    CHECK(endpoint.handle(jwt(type + "&client_assertion=signed:someone"), storage).error ==
          error{reason::client_rejected});
    // Next to Basic it is a second method (RFC 6749 2.3).
    CHECK(
        endpoint.handle(test_request{}.with_body(type + "&client_assertion=signed:jwt-client" + user), storage).error ==
        error{reason::multiple_client_authentication_methods});
    // Basic alone still works, and a client registered for the assertion method cannot use it.
    CHECK(endpoint.handle(test_request{}, storage).status == 200);
    CHECK(endpoint.handle(test_request{}.with_header("Authorization", basic("jwt-client:x")), storage).status == 401);
}
