// Must not compile: a client store with the signature from before client authentication
// methods, authenticate_client(id, secret). The store must now see the method used.
#include <string_view>

#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct clients_by_id_and_secret {
    using client_type = oauthcore::memory_client;
    oauthcore::outcome<client_type> authenticate_client(std::string_view, std::string_view) {
        return oauthcore::outcome<client_type>::reject();
    }
};

int main() {
    clients_by_id_and_secret clients;
    oauthcore::memory_user_store users;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::password_grant password{users, issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, password};
    return endpoint.options().allow_body_client_auth ? 1 : 0;
}
