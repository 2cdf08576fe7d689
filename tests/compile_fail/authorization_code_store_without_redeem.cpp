// Must not compile: an authorization-code store that finds codes but cannot redeem one
// with the tokens the maker made (the spending and the storing are one operation). The
// error names the concept and the member.
#include <cstdint>
#include <optional>
#include <string_view>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct codes_without_redeem {
    using record_type = oauthcore::memory_authorization_code_store::record_type;
    oauthcore::outcome<record_type> find_authorization_code(std::string_view) {
        return oauthcore::outcome<record_type>::reject();
    }
    // The two-call shape: spend, then the issuer stores the tokens on its own.
    oauthcore::outcome_status spend_authorization_code(const record_type&) { return oauthcore::outcome_status::failed; }
};

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=authorization_code&code=c"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    codes_without_redeem codes;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::authorization_code_grant grant{codes, issuer, [] { return std::uint64_t{0}; }};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, grant};
    oauthcore::exchange_storage storage;
    return endpoint.handle(source{}, storage).status == 200 ? 0 : 1;
}
