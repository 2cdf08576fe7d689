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
    // client_secret_post: RFC 6749 2.3.1 allows client_id/client_secret in the body but
    // says it is NOT RECOMMENDED; the vendor requires Basic. Off by default.
    bool allow_body_client_auth = false;
    // "none": public clients (RFC 6749 2.1) name themselves with client_id and nothing
    // else, for the grants that accept them (authorization_code with PKCE, device_code,
    // refresh_token). Off by default: the vendor's endpoint has confidential clients only.
    bool allow_public_clients = false;
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
