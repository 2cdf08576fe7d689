// Must not compile: a client whose authentication_method is an overload set with no
// const, argument-free member (found by name, not by taking its address). Silently
// skipping it would accept every client authentication method (step 12).
#include <string_view>

#include "oauthcore/endpoint.hpp"

struct client_with_overloads {
    std::string_view authentication_method() { return "client_secret_post"; }
    std::string_view authentication_method(int) { return "client_secret_post"; }
};

int main() {
    const client_with_overloads client;
    return oauthcore::detail::uses_registered_method(client, "client_secret_basic") ? 0 : 1;
}
