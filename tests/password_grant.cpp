// The password grant's own parameters (password_grant.hpp, steps 1-3). grant_type is the
// endpoint's (tests/endpoint.cpp), client authentication its own component
// (tests/client_authentication.cpp).

#include "oauthcore/password_grant.hpp"

#include <string>

#include "catch.hpp"
#include "oauthcore/storage.hpp"
#include "support.hpp"

using namespace oauthcore;

namespace {

result<password_parameters> validate(std::string_view body) {
    static request_storage storage;
    storage.reset();
    const auto form = parse_form<oauthcore_test::token_parameters>(body, storage);
    REQUIRE(form);
    return validate_password_parameters(*form, storage);
}

}  // namespace

TEST_CASE("password grant: the vendor's two example requests validate (vendor examples)", "[password_grant][vendor]") {
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

TEST_CASE("password grant: exactly one of username and email_address, four cases (vendor footnote 1)",
          "[password_grant][vendor]") {
    CHECK(validate("grant_type=password&username=a&password=p")->identifier.kind == identifier_kind::username);
    CHECK(validate("grant_type=password&email_address=a@b&password=p")->identifier.kind ==
          identifier_kind::email_address);
    CHECK(validate("grant_type=password&password=p").error().reason == reason::missing_identifier);
    CHECK(validate("grant_type=password&username=a&email_address=a@b&password=p").error().reason ==
          reason::conflicting_identifiers);
}

TEST_CASE("password grant: an empty identifier counts as omitted (RFC 6749 3.2)", "[password_grant][rfc6749]") {
    CHECK(validate("grant_type=password&username=&email_address=a@b&password=p")->identifier.kind ==
          identifier_kind::email_address);
    CHECK(validate("grant_type=password&username=&email_address=&password=p").error().reason ==
          reason::missing_identifier);
}

TEST_CASE("password grant: password is required (vendor, RFC 6749 4.3.2)", "[password_grant]") {
    const error missing{reason::missing_parameter, param<"password">};
    CHECK(validate("grant_type=password&username=a").error() == missing);
    CHECK(validate("grant_type=password&username=a&password=").error() == missing);
}

TEST_CASE("password grant: checks run identifier, password, scope, in that order", "[password_grant][order]") {
    CHECK(validate("grant_type=password&scope=%20").error().reason == reason::missing_identifier);
    CHECK(validate("grant_type=password&username=a&email_address=b&scope=%20").error().reason ==
          reason::conflicting_identifiers);
    CHECK(validate("grant_type=password&username=a&scope=%20").error().reason == reason::missing_parameter);
    CHECK(validate("grant_type=password&username=a&password=p&scope=%20").error().reason ==
          reason::invalid_scope_syntax);
}

TEST_CASE("password grant: scope is passed on when given (RFC 6749 4.3.2)", "[password_grant]") {
    CHECK(validate("grant_type=password&username=a&password=p&scope=read+write")->scope == "read write");
    CHECK(validate("grant_type=password&username=a&password=p")->scope.empty());
}
