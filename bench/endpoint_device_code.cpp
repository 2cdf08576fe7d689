// end_to_end/oauthcore/device_code, in a translation unit of its own (endpoint_grant.hpp
// says why).

#include "endpoint_grant.hpp"

namespace bench {

void register_endpoint_device_code() { register_grant<device_code_case>("end_to_end/oauthcore/device_code"); }

}  // namespace bench
