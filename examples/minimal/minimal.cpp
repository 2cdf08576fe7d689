// The smallest embedding: your server's request seen through four members, the
// in-memory stores, one call, and the response written back. No dependency but the
// standard library. Try: ./minimal 'grant_type=password&username=john_doe&password=nope'
#include <cstdio>
#include <optional>
#include <string_view>

#include "oauthcore/oauthcore.hpp"

namespace {

// Stands for your transport's request type; this one is a fixed POST with a form body.
struct incoming_request {
    std::string_view form_body;

    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/oauth/token"; }
    std::string_view body() const { return form_body; }
    std::optional<std::string_view> header(std::string_view name) const {
        if (name == "Content-Type") return "application/x-www-form-urlencoded";
        if (name == "Authorization") return "Basic bXlfYXBwOm15X2FwcF9zZWNyZXQ=";  // my_app:my_app_secret
        return std::nullopt;
    }
};

void print(std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); }

}  // namespace

int main(int argc, char** argv) {
    oauthcore::memory_client_store clients;
    clients.add("my_app", "my_app_secret");
    oauthcore::memory_user_store users;
    users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
    // A real issuer makes random tokens and stores them; see examples/token_server.
    oauthcore::fixed_token_issuer issuer({"an-access-token", 3600, "a-refresh-token", {}});

    const incoming_request request{argc > 1 ? argv[1]
                                            : "grant_type=password&username=john_doe&password=john_doe_secret"};
    oauthcore::exchange_storage storage;  // per request (or per thread), reused
    oauthcore::endpoint_options options;  // profile, limits, body client auth: all defaults
    const oauthcore::response r = oauthcore::handle_token_request(request, clients, users, issuer, storage, options);

    std::printf("HTTP/1.1 %d ", r.status);  // write these to your socket instead
    print(r.reason_phrase);
    print("\r\n");
    for (const oauthcore::header_field& h : r.headers()) {
        print(h.name);
        print(": ");
        print(h.value);
        print("\r\n");
    }
    print("\r\n");
    print(r.body);
    print("\n");
    return r.status == 200 ? 0 : 1;
}
