// Must not compile: a device-code store that looks a device code up without being told
// the time of the poll, so that it could not record it for the slow_down rule (RFC 8628
// 3.5). The error names the concept and the member.
#include <cstdint>
#include <string_view>

#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/memory_stores.hpp"

struct devices_without_now {
    using record_type = oauthcore::memory_device_code_store::record_type;
    oauthcore::outcome<record_type> poll_device_code(std::string_view) {
        return oauthcore::outcome<record_type>::reject();
    }
};

int main() {
    devices_without_now devices;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::device_code_grant grant{devices, issuer, [] { return std::uint64_t{0}; }};
    (void)grant;
}
