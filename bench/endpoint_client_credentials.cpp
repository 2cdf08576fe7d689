// end_to_end/oauthcore/client_credentials, in a translation unit of its own
// (endpoint_grant.hpp says why).

#include "endpoint_grant.hpp"

namespace bench {

void register_endpoint_client_credentials() {
    register_grant<client_credentials_case>("end_to_end/oauthcore/client_credentials");
}

}  // namespace bench
