// Must not compile: a client store without authenticate_client. The error names the
// concept and the member (concepts.hpp, check_client_store).
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct clients_without_authenticate {
    using client_type = oauthcore::memory_client;
};

int main() {
    clients_without_authenticate clients;
    oauthcore::memory_user_store users;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::password_grant password{users, issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, password};
    return endpoint.options().allow_body_client_auth ? 1 : 0;
}
