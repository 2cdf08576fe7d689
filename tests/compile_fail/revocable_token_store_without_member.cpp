// Must not compile: a token store that finds tokens but cannot revoke them, given to the
// revocation endpoint (RFC 7009 2.1). The error names the concept and the member.
#include <string_view>

#include "oauthcore/memory_stores.hpp"
#include "oauthcore/revocation.hpp"

struct tokens_without_revoke {
    using record_type = oauthcore::memory_token_store::record_type;
    oauthcore::outcome<record_type> find_token(std::string_view, oauthcore::token_kind) {
        return oauthcore::outcome<record_type>::reject();
    }
};

int main() {
    oauthcore::memory_client_store clients;
    tokens_without_revoke tokens;
    oauthcore::revocation_endpoint endpoint{clients, tokens, oauthcore::endpoint_options{}};
    (void)endpoint;
}
