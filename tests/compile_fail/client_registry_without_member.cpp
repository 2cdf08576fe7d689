// Must not compile: a client registry that authenticates clients instead of finding them
// by id (the authorization endpoint has no credentials to check, RFC 6749 3.1). The error
// names the concept and the member.
#include <string_view>

#include "oauthcore/authorization_request.hpp"
#include "oauthcore/memory_stores.hpp"

struct registry_that_authenticates {
    using client_type = oauthcore::memory_registered_client;
    oauthcore::outcome<client_type> authenticate_client(const oauthcore::client_authentication&) {
        return oauthcore::outcome<client_type>::reject();
    }
};

int main() {
    registry_that_authenticates registry;
    oauthcore::authorization_endpoint endpoint{registry};
    (void)endpoint;
}
