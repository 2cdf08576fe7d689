// Must not compile: an introspection policy that answers yes or no instead of saying
// which members the caller may see (RFC 7662 2.2, 4). The error names the hook.
#include <cstdint>

#include "oauthcore/introspection.hpp"
#include "oauthcore/memory_stores.hpp"

int main() {
    oauthcore::memory_client_store clients;
    oauthcore::memory_token_store tokens;
    const auto yes = [](const oauthcore::memory_client&) { return true; };
    oauthcore::introspection_endpoint endpoint{clients, tokens, yes, [] { return std::uint64_t{0}; },
                                               oauthcore::endpoint_options{}};
    (void)endpoint;
}
