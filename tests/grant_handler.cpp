// The extension point: a grant handler written by a user (here client_credentials,
// RFC 6749 4.4) joins the password grant on one endpoint.

#include "oauthcore/grant_handler.hpp"

#include <string>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::str;
using oauthcore_test::test_request;

namespace {

// RFC 6749 4.4: the client acts on its own behalf; only the optional scope is a parameter.
class client_credentials_grant {
public:
    static constexpr std::string_view grant_type = "client_credentials";
    using request_type = std::string_view;  // the normalized scope

    [[nodiscard]] result<request_type> validate(const form_fields& fields, request_storage& storage) const {
        return normalize_scope(fields.value(parameter::scope), storage);
    }

    template <class Client, class Observer>
    [[nodiscard]] response respond(const request_type& scope, const grant_context<Client, Observer>& context) {
        if (const auto allowed = check_scope_allowed(context.client, scope); !allowed)
            return context.fail_with(allowed.error());
        ++issued;
        // RFC 6749 4.4.3: a refresh token SHOULD NOT be included.
        return context.respond_with(outcome<token_view>::accept({"service-token", 60, {}, scope}), scope);
    }

    int issued = 0;
};

// Has everything but respond().
struct handler_without_respond {
    [[maybe_unused]] static constexpr std::string_view grant_type = "x";
    using request_type = int;
    [[nodiscard]] result<int> validate(const form_fields&, request_storage&) const { return 0; }
};

static_assert(grant_handler_for<client_credentials_grant, memory_client>);
static_assert(grant_handler_for<password_grant<memory_user_store, fixed_token_issuer>, memory_client>);
static_assert(!grant_handler_for<handler_without_respond, memory_client>);

}  // namespace

TEST_CASE("grant handlers: a user-defined grant joins the endpoint, dispatched by grant_type", "[grant_handler]") {
    oauthcore_test::vendor_endpoint base;
    base.clients.add("service", "service-secret", "client_credentials", "metrics");
    password_grant password{base.users, base.issuer};
    client_credentials_grant service;
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
    CHECK(service.issued == 1);

    // The vendor's client may not use it; the service client may not use the password grant.
    const auto vendor_client = endpoint.handle(test_request{}.with_body("grant_type=client_credentials"), base.storage);
    CHECK(vendor_client.error == error{reason::unauthorized_client});
    const auto service_password = endpoint.handle(
        test_request{}.with_header("Authorization", oauthcore_test::basic("service:service-secret")), base.storage);
    CHECK(service_password.error == error{reason::unauthorized_client});
    // Scope hook applies to the new grant too.
    const auto wide = endpoint.handle(test_request{}
                                          .with_header("Authorization", oauthcore_test::basic("service:service-secret"))
                                          .with_body("grant_type=client_credentials&scope=admin"),
                                      base.storage);
    CHECK(wide.error == error{reason::scope_not_allowed, parameter::scope});
    CHECK(service.issued == 1);
}

TEST_CASE("grant handlers: a grant type outside the set is unsupported_grant_type (RFC 6749 5.2)", "[grant_handler]") {
    oauthcore_test::vendor_endpoint base;
    password_grant password{base.users, base.issuer};
    token_endpoint endpoint{base.clients, base.options, password};
    for (const char* type : {"client_credentials", "refresh_token", "authorization_code", "PASSWORD"}) {
        const auto r = endpoint.handle(test_request{}.with_body(std::string("grant_type=") + type), base.storage);
        CHECK(r.status == 400);
        CHECK(r.error == error{reason::unsupported_grant_type});
    }
    CHECK(endpoint.handle(test_request{}.with_body("username=a"), base.storage).error ==
          error{reason::missing_grant_type});
}
