// Must not compile: a refresh-token store whose replace_refresh_token returns bool instead
// of outcome_status. The error names the concept and the member.
#include <string_view>

#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "oauthcore/refresh_grant.hpp"

struct refresh_tokens_with_bool_replacement {
    using record_type = oauthcore::memory_refresh_token_store::record_type;
    oauthcore::outcome<record_type> find_refresh_token(const oauthcore::memory_client&, std::string_view) {
        return oauthcore::outcome<record_type>::reject();
    }
    bool replace_refresh_token(const record_type&, const oauthcore::token_view&) { return true; }
};

int main() {
    oauthcore::memory_client_store clients;
    refresh_tokens_with_bool_replacement tokens;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::refresh_token_grant refresh{tokens, issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, refresh};
    oauthcore::exchange_storage storage;
    const oauthcore::request_view request{"POST", "/token", "application/x-www-form-urlencoded", std::nullopt, ""};
    struct source {
        oauthcore::request_view view;
        std::string_view method() const { return view.method; }
        std::string_view target() const { return view.target; }
        std::string_view body() const { return view.body; }
        std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
    };
    return endpoint.handle(source{request}, storage).status == 200 ? 0 : 1;
}
