// Must not compile: a grant that reads a parameter its parameter_list does not declare
// (another grant on the same endpoint declares it, which does not make it this grant's).
#include <string_view>

#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct grant_reading_password {
    static constexpr std::string_view grant_type = "example";
    using parameters = oauthcore::parameter_list<"code">;
    using request_type = std::string_view;
    template <class Form>
    oauthcore::result<request_type> validate(const Form& form, oauthcore::request_storage&) const {
        return form[oauthcore::param<"password">];
    }
    template <class Context>
    void respond(const Context& context) {
        context.fail(oauthcore::error{oauthcore::reason::unsupported_grant_type});
    }
};

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=example"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    oauthcore::memory_user_store users;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::password_grant password{users, issuer};
    grant_reading_password example;
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, password, example};
    oauthcore::exchange_storage storage;
    return endpoint.handle(source{}, storage).status == 200 ? 0 : 1;
}
