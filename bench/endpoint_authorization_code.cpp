// end_to_end/oauthcore/authorization_code and authorization_code_confidential (the same
// endpoint type), in a translation unit of their own (endpoint_grant.hpp says why).

#include "endpoint_grant.hpp"

namespace bench {

void register_endpoint_authorization_code() {
    register_grant<authorization_code_case>("end_to_end/oauthcore/authorization_code", false);
    register_grant<authorization_code_case>("end_to_end/oauthcore/authorization_code_confidential", true);
}

}  // namespace bench
