// Must not compile: a store that answers later (it takes a continuation) run through
// handle(), whose stack is gone by the time such a store answers. handle_async is the way.
#include <optional>
#include <string_view>

#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"

struct users_answering_later {
    using user_type = oauthcore::memory_user;
    template <class Then>
    void authenticate_user(oauthcore::user_identifier, std::string_view, Then&&) {}
};

struct source {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/token"; }
    std::string_view body() const { return "grant_type=password&username=a&password=b"; }
    std::optional<std::string_view> header(std::string_view) const { return std::nullopt; }
};

int main() {
    oauthcore::memory_client_store clients;
    users_answering_later users;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::exchange_storage storage;
    return oauthcore::handle_token_request(source{}, clients, users, issuer, storage).status == 200 ? 0 : 1;
}
