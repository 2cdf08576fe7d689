// Grants on one endpoint, dispatched by grant_type, and the extension point: a grant
// written by a user joins the endpoint without any change to the library. Token exchange
// (RFC 8693, tests/token_exchange_grant.hpp) brings three parameters of its own, one of
// them 21 bytes long, and a store of its own.

#include "oauthcore/grant_handler.hpp"

#include <string>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"
#include "token_exchange_grant.hpp"

using namespace oauthcore;
using oauthcore_test::str;
using oauthcore_test::test_request;

namespace {

// Has everything but respond().
struct handler_without_respond {
    [[maybe_unused]] static constexpr std::string_view grant_type = "x";
    using parameters = parameter_list<>;
    using request_type = int;
    template <class Form>
    [[nodiscard]] result<int> validate(const Form&, request_storage&) const {
        return 0;
    }
};

using exchange_grant = oauthcore_test::token_exchange_grant<oauthcore_test::subject_store, fixed_token_issuer>;

static_assert(grant_handler_for<client_credentials_grant<fixed_token_issuer>, memory_client>);
static_assert(grant_handler_for<exchange_grant, memory_client>);
static_assert(grant_handler_for<password_grant<memory_user_store, fixed_token_issuer>, memory_client>);
static_assert(!grant_handler_for<handler_without_respond, memory_client>);

}  // namespace

TEST_CASE(
    "grant handlers: grants share an endpoint, dispatched by grant_type, each client to its own grants "
    "(RFC 6749 4.3, 4.4)",
    "[grant_handler]") {
    oauthcore_test::vendor_endpoint base;
    base.clients.add("service", "service-secret", "client_credentials", "metrics");
    password_grant password{base.users, base.issuer};
    fixed_token_issuer service_issuer({"service-token", 60, {}, {}});
    client_credentials_grant service{service_issuer};
    const token_endpoint endpoint_value{base.clients, base.options, password, service};
    auto endpoint = endpoint_value;

    const auto by_password = endpoint.handle(test_request{}, base.storage);
    CHECK(by_password.status == 200);
    CHECK(by_password.body == oauthcore_test::vendor_success_json);

    const auto request = test_request{}
                             .with_header("Authorization", oauthcore_test::basic("service:service-secret"))
                             .with_body("grant_type=client_credentials&scope=metrics");
    const auto by_service = endpoint.handle(request, base.storage);
    CHECK(by_service.status == 200);
    CHECK(by_service.body == R"({"access_token":"service-token","expires_in":60,"token_type":"bearer"})");
    CHECK(service_issuer.issued() == 1);

    // The vendor's client may not use it; the service client may not use the password grant.
    const auto vendor_client = endpoint.handle(test_request{}.with_body("grant_type=client_credentials"), base.storage);
    CHECK(vendor_client.error == error{reason::unauthorized_client});
    const auto service_password = endpoint.handle(
        test_request{}.with_header("Authorization", oauthcore_test::basic("service:service-secret")), base.storage);
    CHECK(service_password.error == error{reason::unauthorized_client});
    // Scope hook applies to it too.
    const auto wide = endpoint.handle(test_request{}
                                          .with_header("Authorization", oauthcore_test::basic("service:service-secret"))
                                          .with_body("grant_type=client_credentials&scope=admin"),
                                      base.storage);
    CHECK(wide.error == error{reason::scope_not_allowed, param<"scope">});
    CHECK(service_issuer.issued() == 1);
}

TEST_CASE("grant handlers: a grant type outside the set is unsupported_grant_type (RFC 6749 5.2)", "[grant_handler]") {
    oauthcore_test::vendor_endpoint base;
    password_grant password{base.users, base.issuer};
    token_endpoint endpoint{base.clients, base.options, password};
    // RFC 6749 4.3.2: "Value MUST be set to password", compared case-sensitively.
    for (const char* type : {"client_credentials", "refresh_token", "authorization_code", "PASSWORD", "Password",
                             "password%20", "pass", "password%00"}) {
        const auto r = endpoint.handle(test_request{}.with_body(std::string("grant_type=") + type), base.storage);
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::unsupported_grant_type});
    }
    CHECK(endpoint.handle(test_request{}.with_body("username=a"), base.storage).error ==
          error{reason::missing_parameter, param<"grant_type">});
}

TEST_CASE(
    "grant handlers: a user-defined grant with parameters of its own, one 21 bytes long (RFC 8693 2.1, "
    "RFC 9396 2)",
    "[grant_handler][extension]") {
    oauthcore_test::vendor_endpoint base;
    base.clients.add("exchanger", "exchanger-secret", "urn:ietf:params:oauth:grant-type:token-exchange");
    oauthcore_test::subject_store subjects;
    fixed_token_issuer issuer({"exchanged-token", 300, {}, {}});
    exchange_grant exchange{subjects, issuer};
    password_grant password{base.users, base.issuer};
    token_endpoint endpoint{base.clients, base.options, password, exchange};
    static_assert(declares<decltype(endpoint)::parameters>("authorization_details"));
    static_assert(param<"authorization_details">.name.size() == 21);

    const auto as_exchanger = [](std::string body) {
        return test_request{}
            .with_header("Authorization", oauthcore_test::basic("exchanger:exchanger-secret"))
            .with_body("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&" + body);
    };
    const std::string type = "subject_token_type=urn:ietf:params:oauth:token-type:access_token";
    const auto ok = endpoint.handle(as_exchanger("subject_token=subject-token-of-alice&" + type +
                                                 "&authorization_details=%5B%7B%22type%22%3A%22payment%22%7D%5D"),
                                    base.storage);
    CHECK(ok.status == 200);
    CHECK(ok.body == R"({"access_token":"exchanged-token","expires_in":300,"token_type":"bearer"})");
    CHECK(subjects.asked == 1);

    // Its parameters are recognised like any other: a repeat is named, an encoded name is read.
    CHECK(endpoint.handle(as_exchanger("authorization_details=%5B%5D&authorization%5Fdetails=%5B%5D"), base.storage)
              .error == error{reason::duplicate_parameter, param<"authorization_details">});
    CHECK(endpoint.handle(as_exchanger("subject%5Ftoken=subject-token-of-alice&" + type), base.storage).status == 200);
    // Its own rules, with descriptions naming its parameters.
    const auto missing = endpoint.handle(as_exchanger(type), base.storage);
    CHECK(missing.error == error{reason::missing_parameter, param<"subject_token">});
    CHECK(missing.body ==
          R"({"error":"invalid_request","error_description":"The subject_token parameter is required."})");
    CHECK(endpoint.handle(as_exchanger("subject_token=x&authorization_details=%7B%7D&" + type), base.storage).body ==
          R"({"error":"invalid_request","error_description":"The authorization_details parameter is malformed."})");
    CHECK(endpoint.handle(as_exchanger("subject_token=unknown&" + type), base.storage).error ==
          error{reason::invalid_parameter, param<"subject_token">});
    CHECK(subjects.asked == 3);
    // The password grant on the same endpoint does not see the new parameters, and they
    // do not disturb it.
    CHECK(endpoint
              .handle(test_request{}.with_body(str(oauthcore_test::vendor_username_body) + "&subject_token=x"),
                      base.storage)
              .status == 200);
}
