// Must not compile: a client_credentials grant whose issuer makes tokens for users only
// (RFC 6749 4.4: there is no user; the grant asks the issuer with no_user). The error
// names the concept and the member.
#include <optional>
#include <string_view>

#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct issuer_for_users {
    using token_type = oauthcore::token_view;
    oauthcore::outcome<token_type> issue_token(const oauthcore::memory_client&, const oauthcore::memory_user&,
                                               std::string_view) {
        return oauthcore::outcome<token_type>::fail();
    }
};

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=client_credentials"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    issuer_for_users issuer;
    oauthcore::client_credentials_grant grant{issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, grant};
    oauthcore::exchange_storage storage;
    return endpoint.handle(source{}, storage).status == 200 ? 0 : 1;
}
