// Must not compile: a client whose allows_scope overloads cannot be called on a const
// client with a scope token (the string_view one is not const).
#include <string_view>

#include "oauthcore/grant_handler.hpp"

struct client_with_wrong_overloads {
    bool allows_scope(std::string_view /*token*/) { return false; }
    bool allows_scope(int /*not a token*/) const { return false; }
};

int main() {
    const client_with_wrong_overloads client;
    return oauthcore::check_scope_allowed(client, "read") ? 0 : 1;
}
