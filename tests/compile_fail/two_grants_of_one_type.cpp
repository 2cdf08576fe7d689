// Must not compile: a token_endpoint with two grants of one grant_type. Dispatch takes the
// first, so the second could never be reached, and the metadata would name it twice.
#include <string>

#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

int main() {
    oauthcore::memory_client_store clients;
    oauthcore::fixed_token_issuer issuer{{"token", 3600, {}, {}}};
    oauthcore::client_credentials_grant first{issuer};
    oauthcore::client_credentials_grant second{issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, first, second};
    return endpoint.options().allow_public_clients ? 1 : 0;
}
