#pragma once
// What a host configures, and the per-request memory it provides.

#include <string_view>

#include "oauthcore/basic_auth.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/storage.hpp"

namespace oauthcore {

struct endpoint_options {
    oauthcore::profile profile = profile::social_id;
    form_limits limits{};
    basic_auth_options basic{};
    // RFC 6749 2.3.1 allows client_id/client_secret in the body but says it is NOT
    // RECOMMENDED; the vendor requires Basic. Off by default.
    bool allow_body_client_auth = false;
    std::string_view realm = "oauthcore";

    [[nodiscard]] constexpr response_options responses() const noexcept { return {profile, realm}; }
};

// Everything one request needs besides the request itself. Reuse one per thread (the
// one-call API resets it), or make one per request; it is about 3 KiB.
struct exchange_storage {
    request_storage request;
    response_storage response;

    void reset() noexcept {
        request.reset();
        response.reset();
    }
};

}  // namespace oauthcore
