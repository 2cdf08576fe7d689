// Must not compile: a grant whose grant_type is not a constant (static inline const): the
// endpoint compares its grants' names while compiling.
#include <string>
#include <string_view>

#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct named_at_run_time : oauthcore::client_credentials_grant<oauthcore::fixed_token_issuer> {
    using client_credentials_grant::client_credentials_grant;
    static inline const std::string_view grant_type = "urn:example:grant";
};

int main() {
    oauthcore::memory_client_store clients;
    oauthcore::fixed_token_issuer issuer{{"token", 3600, {}, {}}};
    named_at_run_time grant{issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, grant};
    return endpoint.options().allow_public_clients ? 1 : 0;
}
