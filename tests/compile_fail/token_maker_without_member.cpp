// Must not compile: the refresh grant given an issuer that can only issue (make and store
// in one call), not make tokens for its store to store as it revokes the old ones. The
// error names the concept and the member.
#include <optional>
#include <string_view>

#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "oauthcore/refresh_grant.hpp"

struct issuer_without_make_token {
    using token_type = oauthcore::token_view;
    oauthcore::outcome<token_type> issue_token(const oauthcore::memory_client&, const oauthcore::memory_user&,
                                               std::string_view) {
        return oauthcore::outcome<token_type>::fail();
    }
};

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=refresh_token&refresh_token=r"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    oauthcore::memory_refresh_token_store tokens;
    issuer_without_make_token issuer;
    oauthcore::refresh_token_grant refresh{tokens, issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, refresh};
    oauthcore::exchange_storage storage;
    return endpoint.handle(source{}, storage).status == 200 ? 0 : 1;
}
