// Feeds the vendor document's two example requests, and one failing request, through
// oauthcore with in-memory stores, and prints each request and response.

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/oauthcore.hpp"

namespace {

struct demo_request {
    std::string_view body_text;
    std::string_view authorization;

    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/v2/marketing/oauth/token"; }
    std::string_view body() const { return body_text; }
    std::optional<std::string_view> header(std::string_view name) const {
        if (name == "Content-Type") return "application/x-www-form-urlencoded";
        if (name == "Authorization") return authorization;
        return std::nullopt;
    }
};

void print(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

}  // namespace

int main() {
    oauthcore::memory_client_store clients;
    clients.add("138", "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf");
    oauthcore::memory_user_store users;
    users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
    oauthcore::fixed_token_issuer issuer({"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88",
                                          604800,
                                          "17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef",
                                          {}});
    oauthcore::exchange_storage storage;

    constexpr std::string_view authorization =
        "Basic MTM4OmU4YjljYTI0ZjFiNTkwYWY2N2U2MjcxMjk3ZDZlMWY3MjI2NjI1ZDYxYzViNWRhYTFiMmYyMTU0NjRlMjkyY2Y=";
    const demo_request requests[] = {
        {"grant_type=password&username=john_doe&password=john_doe_secret", authorization},
        {"grant_type=password&email_address=john_doe@domain.com&password=john_doe_secret", authorization},
        {"grant_type=password&username=john_doe&password=wrong_secret", authorization},
    };
    for (const auto& request : requests) {
        print("POST /v2/marketing/oauth/token HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\n");
        print("Authorization: ");
        print(request.authorization);
        print("\n\n");
        print(request.body_text);
        print("\n\n");
        const auto r = oauthcore::handle_token_request(request, clients, users, issuer, storage);
        std::printf("HTTP/1.1 %d ", r.status);
        print(r.reason_phrase);
        print("\n");
        for (const auto& h : r.headers()) {
            print(h.name);
            print(": ");
            print(h.value);
            print("\n");
        }
        print("\n");
        print(r.body);
        print("\n\n------------------------------------------------------------\n\n");
    }
}
