// Must not compile: handle_async with a temporary request. A store that answers later
// would read the request's bytes after the temporary is gone.
#include <optional>
#include <string_view>

#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=password&username=a&password=b"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    oauthcore::memory_user_store users;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::password_grant password{users, issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, password};
    oauthcore::exchange_storage storage;
    oauthcore::response out;
    endpoint.handle_async(source{}, storage, out, [](const oauthcore::response&) {});
    return out.status == 200 ? 0 : 1;
}
