// Must not compile: a client whose allows_scope cannot be asked about a scope token (here
// it is not const). Silently skipping it would accept every requested scope.
#include <string_view>

#include "oauthcore/grant_handler.hpp"

struct client_with_wrong_hook {
    bool allows_scope(std::string_view /*token*/) { return false; }
};

int main() {
    const client_with_wrong_hook client;
    return oauthcore::check_scope_allowed(client, "read") ? 0 : 1;
}
