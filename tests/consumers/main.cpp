// A user's program: takes oauthcore in whatever way its build does, handles the
// vendor's first example request, and checks the answer.
#include <cstdio>
#include <optional>
#include <string_view>

#include "oauthcore/oauthcore.hpp"

struct consumer_request {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/oauth/token"; }
    std::string_view body() const { return "grant_type=password&username=john_doe&password=john_doe_secret"; }
    std::optional<std::string_view> header(std::string_view name) const {
        if (name == "Content-Type") return "application/x-www-form-urlencoded";
        if (name == "Authorization") return "Basic MTM4OnMzY3JldA==";
        return std::nullopt;
    }
};

int main() {
    oauthcore::memory_client_store clients;
    clients.add("138", "s3cret");
    oauthcore::memory_user_store users;
    users.add("john_doe", "", "john_doe_secret");
    oauthcore::fixed_token_issuer issuer({"token", 3600, {}, {}});
    oauthcore::exchange_storage storage;
    const auto r = oauthcore::handle_token_request(consumer_request{}, clients, users, issuer, storage);
    const bool ok = r.status == 200 && r.body == R"({"access_token":"token","expires_in":3600,"token_type":"bearer"})";
    std::printf("oauthcore %.*s consumer: %s\n", static_cast<int>(oauthcore::version.size()), oauthcore::version.data(),
                ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
