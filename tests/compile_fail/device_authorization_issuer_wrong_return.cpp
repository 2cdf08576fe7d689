// Must not compile: a device authorization issuer that returns the user code alone, without
// the device code and lifetimes RFC 8628 3.2 needs. The error names the concept and the
// member.
#include <string>
#include <string_view>

#include "oauthcore/device_authorization.hpp"
#include "oauthcore/memory_stores.hpp"

struct issuer_of_user_codes {
    using codes_type = oauthcore::memory_device_authorization_issuer::codes_type;
    std::string start_device_authorization(const oauthcore::memory_client&, std::string_view) { return "WDJB-MJHT"; }
};

int main() {
    oauthcore::memory_client_store clients;
    issuer_of_user_codes issuer;
    oauthcore::device_authorization_endpoint endpoint{
        clients, issuer, oauthcore::endpoint_options{}, {.verification_uri = "https://as.example/device"}};
    (void)endpoint;
}
