// Must not compile: a client whose authentication_method cannot be asked on a const
// client (here it is not const). Silently skipping it would accept every client
// authentication method, whatever the client is registered for (step 12).
#include <string_view>

#include "oauthcore/endpoint.hpp"

struct client_with_wrong_method {
    std::string_view authentication_method() { return "client_secret_post"; }
};

int main() {
    const client_with_wrong_method client;
    return oauthcore::detail::uses_registered_method(client, "client_secret_basic") ? 0 : 1;
}
