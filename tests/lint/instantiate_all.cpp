// One translation unit that instantiates every template of the library without a test
// framework, so that clang-tidy (scripts/lint.sh) analyses the library's code paths
// quickly. It is also built with the tests, so it never rots.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/oauthcore.hpp"

namespace {

struct lint_request {
    std::string_view body_text;
    std::optional<std::string_view> authorization = "Basic MTM4OnMzY3JldA==";
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/oauth/token"; }
    std::string_view body() const { return body_text; }
    std::optional<std::string_view> header(std::string_view name) const {
        if (name == "Content-Type") return "application/x-www-form-urlencoded";
        if (name == "Authorization") return authorization;
        return std::nullopt;
    }
};

}  // namespace

int main() {
    oauthcore::memory_client_store clients;
    clients.add("138", "s3cret");
    oauthcore::memory_user_store users;
    users.add("john_doe", "", "pw");
    oauthcore::memory_refresh_token_store refresh_tokens;
    refresh_tokens.add("r", "138", "john_doe", "", "read", 10);
    oauthcore::fixed_token_issuer issuer({"a", 60, "r2", {}});
    oauthcore::exchange_storage storage;

    int failures = 0;
    const auto password = oauthcore::handle_token_request(
        lint_request{"grant_type=password&username=john_doe&password=pw"}, clients, users, issuer, storage);
    failures += password.status == 200 ? 0 : 1;

    oauthcore::password_grant password_handler{users, issuer};
    oauthcore::refresh_token_grant refresh_handler{refresh_tokens, issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, password_handler, refresh_handler};
    failures +=
        endpoint.handle(lint_request{"grant_type=refresh_token&refresh_token=r"}, storage).status == 200 ? 0 : 1;

    oauthcore::response out;
    int finished = 0;
    const lint_request async_request{"grant_type=password&username=john_doe&password=pw"};
    endpoint.handle_async(async_request, storage, out, [&finished](const oauthcore::response&) { ++finished; });
    failures += finished == 1 && out.status == 200 ? 0 : 1;

    // The other grants, on one endpoint with public clients: client_credentials by Basic,
    // a code redeemed with the RFC 7636 Appendix B verifier, an approved device code.
    clients.add("spa", "", "authorization_code urn:ietf:params:oauth:grant-type:device_code", {}, "none");
    clients.add("svc", "s3cret", "client_credentials");
    oauthcore::memory_authorization_code_store codes;
    codes.add({"code", "spa", "https://spa.example/cb", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "S256",
               "john_doe", "", "read", 100});
    oauthcore::memory_device_code_store devices;
    devices.add({"device", "spa", "read", 100, 5});
    (void)devices.approve("device", "john_doe", "");
    const auto now = [] { return std::uint64_t{10}; };
    oauthcore::client_credentials_grant services{issuer};
    oauthcore::authorization_code_grant code_handler{codes, issuer, now};
    oauthcore::device_code_grant device_handler{devices, issuer, now};
    oauthcore::endpoint_options public_clients;
    public_clients.allow_public_clients = true;
    oauthcore::token_endpoint all{clients, public_clients, services, code_handler, device_handler};
    const auto fails = [&storage, &all](const lint_request& request) {
        return all.handle(request, storage).status == 200 ? 0 : 1;
    };
    failures += fails({"grant_type=client_credentials", "Basic c3ZjOnMzY3JldA=="});
    failures +=
        fails({"grant_type=authorization_code&code=code&client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb"
               "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
               std::nullopt});
    failures +=
        fails({"grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=device"
               "&client_id=spa",
               std::nullopt});

    // The endpoints beside the token endpoint: an authorization request approved, a token
    // introspected and revoked, a device authorization started, the metadata document.
    oauthcore::memory_client_registry registry;
    registry.add("spa", {"https://spa.example/cb"}, "authorization_code", {}, true);
    oauthcore::authorization_endpoint authorize{registry, {.issuer = "https://as.example"}};
    const auto checked = authorize.validate(
        oauthcore::request_view{"GET",
                                "/authorize?response_type=code&client_id=spa&state=s&code_challenge="
                                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
                                std::nullopt,
                                std::nullopt,
                                {}},
        storage);
    failures += checked.valid() && authorize.approve(*checked.request, "code", storage.response).status == 302 ? 0 : 1;
    oauthcore::memory_token_store tokens;
    tokens.add({oauthcore::token_kind::access_token, "at", "138", "read", "john_doe", "", 1, 100, ""});
    const auto everything = [](const oauthcore::memory_client&, const oauthcore::memory_token_store::record_type&,
                               oauthcore::token_kind) { return oauthcore::disclose_everything; };
    oauthcore::introspection_endpoint introspect{clients, tokens, everything, now, oauthcore::endpoint_options{}};
    failures += introspect.handle(lint_request{"token=at"}, storage).body.starts_with("{\"active\":true") ? 0 : 1;
    oauthcore::revocation_endpoint revoke{clients, tokens, oauthcore::endpoint_options{}};
    failures += revoke.handle(lint_request{"token=at"}, storage).status == 200 && tokens.revoked("at") ? 0 : 1;
    unsigned counter = 0;
    oauthcore::memory_device_authorization_issuer device_issuer{devices,
                                                                [&counter](unsigned char* dest, std::size_t n) {
                                                                    for (std::size_t i = 0; i < n; ++i)
                                                                        dest[i] = static_cast<unsigned char>(counter++);
                                                                }};
    clients.add("tv", "s3cret", "urn:ietf:params:oauth:grant-type:device_code");
    oauthcore::device_authorization_endpoint start{
        clients, device_issuer, oauthcore::endpoint_options{}, {.verification_uri = "https://as.example/device"}};
    failures += start.handle(lint_request{"", "Basic dHY6czNjcmV0"}, storage).status == 200 ? 0 : 1;
    oauthcore::server_metadata metadata;
    const std::array<std::string_view, 1> code{"code"};
    metadata.issuer = "https://as.example";
    metadata.authorization_endpoint = "https://as.example/authorize";
    metadata.token_endpoint = "https://as.example/token";
    metadata.response_types_supported = code;
    failures += oauthcore::make_metadata_response(metadata, storage.response).status == 200 ? 0 : 1;

    // RFC 7636 Appendix B: the verifier meets its S256 challenge.
    failures += oauthcore::verify_code_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                                                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                                                oauthcore::code_challenge_method::s256)
                    ? 0
                    : 1;
    return failures;
}
