#include "oauthcore/grant.hpp"

#include <string>

#include "catch.hpp"
#include "oauthcore/storage.hpp"
#include "support.hpp"

using namespace oauthcore;

namespace {

form_fields fields_of(std::string_view body, request_storage& storage) {
    const auto fields = parse_form(body, storage);
    REQUIRE(fields);
    return *fields;
}

const client_authentication some_client{{"138", "secret"}, client_auth_method::basic};

result<password_grant_request> validate(std::string_view body) {
    static request_storage storage;
    storage.reset();
    return validate_password_grant(fields_of(body, storage), some_client, storage);
}

result<client_authentication> select(std::optional<std::string_view> authorization, std::string_view body,
                                     bool allow_body) {
    static request_storage storage;
    storage.reset();
    return select_client_credentials(authorization, fields_of(body, storage), allow_body, storage);
}

}  // namespace

TEST_CASE("grant: the vendor's two example requests validate (vendor examples)", "[grant][vendor]") {
    const auto by_name = validate(oauthcore_test::vendor_username_body);
    REQUIRE(by_name);
    CHECK(by_name->identifier.kind == identifier_kind::username);
    CHECK(by_name->identifier.value == "john_doe");
    CHECK(by_name->password == "john_doe_secret");
    const auto by_email = validate(oauthcore_test::vendor_email_body);
    REQUIRE(by_email);
    CHECK(by_email->identifier.kind == identifier_kind::email_address);
    CHECK(by_email->identifier.value == "john_doe@domain.com");
}

TEST_CASE("grant: grant_type missing or empty is invalid_request (vendor, RFC 6749 4.3.2)", "[grant]") {
    CHECK(validate("username=a&password=b").error().reason == reason::missing_grant_type);
    CHECK(validate("grant_type=&username=a&password=b").error().reason == reason::missing_grant_type);
}

TEST_CASE("grant: any grant_type but exactly 'password' is unsupported_grant_type (RFC 6749 4.3.2)", "[grant]") {
    for (const char* type : {"Password", "PASSWORD", "password ", "client_credentials", "authorization_code",
                             "refresh_token", "pass", "password%00"}) {
        CHECK(validate(std::string("grant_type=") + type + "&username=a&password=b").error().reason ==
              reason::unsupported_grant_type);
    }
}

TEST_CASE("grant: exactly one of username and email_address, four cases (vendor footnote 1)", "[grant][vendor]") {
    CHECK(validate("grant_type=password&username=a&password=p")->identifier.kind == identifier_kind::username);
    CHECK(validate("grant_type=password&email_address=a@b&password=p")->identifier.kind ==
          identifier_kind::email_address);
    CHECK(validate("grant_type=password&password=p").error().reason == reason::missing_identifier);
    CHECK(validate("grant_type=password&username=a&email_address=a@b&password=p").error().reason ==
          reason::conflicting_identifiers);
}

TEST_CASE("grant: an empty identifier counts as omitted (RFC 6749 3.2)", "[grant][rfc6749]") {
    CHECK(validate("grant_type=password&username=&email_address=a@b&password=p")->identifier.kind ==
          identifier_kind::email_address);
    CHECK(validate("grant_type=password&username=&email_address=&password=p").error().reason ==
          reason::missing_identifier);
}

TEST_CASE("grant: password is required (vendor, RFC 6749 4.3.2)", "[grant]") {
    CHECK(validate("grant_type=password&username=a").error().reason == reason::missing_password);
    CHECK(validate("grant_type=password&username=a&password=").error().reason == reason::missing_password);
}

TEST_CASE("grant: checks run grant_type, identifier, password, in that order", "[grant][order]") {
    CHECK(validate("").error().reason == reason::missing_grant_type);
    CHECK(validate("grant_type=x").error().reason == reason::unsupported_grant_type);
    CHECK(validate("grant_type=password").error().reason == reason::missing_identifier);
    CHECK(validate("grant_type=password&username=a&email_address=b").error().reason == reason::conflicting_identifiers);
    CHECK(validate("grant_type=password&username=a").error().reason == reason::missing_password);
}

TEST_CASE("grant: scope is passed on when given (RFC 6749 4.3.2)", "[grant]") {
    CHECK(validate("grant_type=password&username=a&password=p&scope=read+write")->scope == "read write");
    CHECK(validate("grant_type=password&username=a&password=p")->scope.empty());
}

TEST_CASE("client auth: Basic is the method (vendor Authentication)", "[grant][client]") {
    const auto c = select(oauthcore_test::vendor_authorization, "grant_type=password", false);
    REQUIRE(c);
    CHECK(c->method == client_auth_method::basic);
    CHECK(c->credentials.id == "138");
}

TEST_CASE("client auth: none at all is invalid_client (RFC 6749 5.2)", "[grant][client]") {
    CHECK(select(std::nullopt, "grant_type=password", false).error().reason == reason::client_authentication_missing);
    CHECK(select(std::nullopt, "grant_type=password", true).error().reason == reason::client_authentication_missing);
}

TEST_CASE("client auth: body credentials only when enabled (RFC 6749 2.3.1)", "[grant][client][rfc6749]") {
    CHECK(select(std::nullopt, "client_id=138&client_secret=s", false).error().reason ==
          reason::body_client_authentication_disabled);
    const auto c = select(std::nullopt, "client_id=138&client_secret=s%2Bx", true);
    REQUIRE(c);
    CHECK(c->method == client_auth_method::request_body);
    CHECK(c->credentials.id == "138");
    CHECK(c->credentials.secret == "s+x");
    // RFC 6749 2.3.1: the client MAY omit client_secret when it is empty.
    const auto no_secret = select(std::nullopt, "client_id=138", true);
    REQUIRE(no_secret);
    CHECK(no_secret->credentials.secret.empty());
    CHECK(select(std::nullopt, "client_secret=s", true).error().reason == reason::empty_client_id);
}

TEST_CASE("client auth: two methods in one request is invalid_request (RFC 6749 2.3)", "[grant][client][rfc6749]") {
    for (const bool allow : {false, true}) {
        CHECK(select(oauthcore_test::vendor_authorization, "client_id=138", allow).error().reason ==
              reason::multiple_client_authentication_methods);
        CHECK(select(oauthcore_test::vendor_authorization, "client_secret=x", allow).error().reason ==
              reason::multiple_client_authentication_methods);
    }
    // Empty body parameters count as omitted, so they are not a second method.
    CHECK(select(oauthcore_test::vendor_authorization, "client_id=&client_secret=", false));
}
