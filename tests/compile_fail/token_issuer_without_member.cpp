// Must not compile: an issuer without issue_token. The error names the concept and the
// member.
#include <optional>
#include <string_view>

#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct issuer_without_issue_token {
    using token_type = oauthcore::token_view;
};

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=password&username=a&password=b"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    oauthcore::memory_user_store users;
    issuer_without_issue_token issuer;
    oauthcore::exchange_storage storage;
    return oauthcore::handle_token_request(source{}, clients, users, issuer, storage).status == 200 ? 0 : 1;
}
