// Must not compile: a device-code store that records polls but cannot redeem a device code
// with the tokens the maker made (the spending and the storing are one operation, so that
// a refused or failed poll never spends the user's approval). The error names the concept
// and the member.
#include <cstdint>
#include <optional>
#include <string_view>

#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct devices_without_redeem {
    using record_type = oauthcore::memory_device_code_store::record_type;
    oauthcore::outcome<record_type> poll_device_code(std::string_view, std::uint64_t) {
        return oauthcore::outcome<record_type>::reject();
    }
};

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=d"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    devices_without_redeem devices;
    oauthcore::fixed_token_issuer maker({"t", 60, {}, {}});
    oauthcore::device_code_grant grant{devices, maker, [] { return std::uint64_t{0}; }};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, grant};
    oauthcore::exchange_storage storage;
    return endpoint.handle(source{}, storage).status == 200 ? 0 : 1;
}
