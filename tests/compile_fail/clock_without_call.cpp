// Must not compile: a clock that is not callable with no arguments (here, a plain number
// where the grant needs a way to read the time at each request). The error names the
// concept.
#include <cstdint>

#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/memory_stores.hpp"

int main() {
    oauthcore::memory_device_code_store devices;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    const std::uint64_t now = 1000;
    oauthcore::device_code_grant grant{devices, issuer, now};
    (void)grant;
}
