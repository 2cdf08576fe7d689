#pragma once
// Shared fixtures: the vendor document's example data, a request type that models
// request_source, and a store setup with the vendor's client and user.

#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oauthcore/oauthcore.hpp"

namespace oauthcore_test {

// From the vendor document's examples ("--user 138:e8b9…92cf", john_doe).
inline constexpr std::string_view vendor_client_id = "138";
inline constexpr std::string_view vendor_client_secret =
    "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf";
inline constexpr std::string_view vendor_authorization =
    "Basic MTM4OmU4YjljYTI0ZjFiNTkwYWY2N2U2MjcxMjk3ZDZlMWY3MjI2NjI1ZDYxYzViNWRhYTFiMmYyMTU0NjRlMjkyY2Y=";
inline constexpr std::string_view vendor_username_body =
    "grant_type=password&username=john_doe&password=john_doe_secret";
inline constexpr std::string_view vendor_email_body =
    "grant_type=password&email_address=john_doe@domain.com&password=john_doe_secret";
inline constexpr std::string_view vendor_access_token =
    "6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88";
inline constexpr std::string_view vendor_refresh_token =
    "17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef";
// The vendor's response body, without its trailing comma and whitespace.
inline constexpr std::string_view vendor_success_json =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":604800,)"
    R"("token_type":"bearer","refresh_token":"17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef"})";

// Every parameter the password and refresh_token grants and the built-in client
// authentication methods read: the set the form tests parse into.
using token_parameters = oauthcore::parameter_list<"grant_type", "username", "email_address", "password", "client_id",
                                                   "client_secret", "scope", "refresh_token">;

inline std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Models request_source; starts as the vendor's first example request.
struct test_request {
    std::string method_ = "POST";
    std::string target_ = "/v2/marketing/oauth/token";
    std::vector<std::pair<std::string, std::string>> headers_ = {
        {"Content-Type", "application/x-www-form-urlencoded"},
        {"Authorization", std::string(vendor_authorization)},
    };
    std::string body_ = std::string(vendor_username_body);

    [[nodiscard]] std::string_view method() const { return method_; }
    [[nodiscard]] std::string_view target() const { return target_; }
    [[nodiscard]] std::string_view body() const { return body_; }
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
        for (const auto& [n, v] : headers_)
            if (lower(n) == lower(name)) return std::string_view(v);
        return std::nullopt;
    }

    test_request& with_body(std::string body) {
        body_ = std::move(body);
        return *this;
    }
    test_request& with_header(const std::string& name, std::string value) {
        without_header(name);
        headers_.emplace_back(name, std::move(value));
        return *this;
    }
    test_request& without_header(const std::string& name) {
        std::erase_if(headers_, [&](const auto& h) { return lower(h.first) == lower(name); });
        return *this;
    }
};

static_assert(oauthcore::request_source<test_request>);

// Counts what the observer hook is told.
struct counting_observer {
    int client_failures = 0;
    int user_failures = 0;
    std::string last_client_id;
    void client_authentication_failed(std::string_view client_id) {
        ++client_failures;
        last_client_id = client_id;
    }
    void user_authentication_failed(std::string_view client_id, oauthcore::user_identifier) {
        ++user_failures;
        last_client_id = client_id;
    }
};

// The vendor's client and user, a fixed issuer with the vendor's example tokens, and
// a second client that may not use the password grant.
struct vendor_endpoint {
    oauthcore::memory_client_store clients;
    oauthcore::memory_user_store users;
    oauthcore::fixed_token_issuer issuer{{vendor_access_token, 604800, vendor_refresh_token, {}}};
    oauthcore::exchange_storage storage;
    oauthcore::endpoint_options options;
    counting_observer observer;

    vendor_endpoint() {
        clients.add(std::string(vendor_client_id), std::string(vendor_client_secret));
        clients.add("no-password-grant", "other-secret", "refresh_token");
        users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
    }

    oauthcore::response handle(const test_request& request) {
        return oauthcore::handle_token_request(request, clients, users, issuer, storage, options, observer);
    }
};

inline std::string basic(std::string_view id_colon_secret) {
    std::string encoded(oauthcore::base64_encoded_size(id_colon_secret.size()), '\0');
    oauthcore::encode_base64(id_colon_secret, encoded.data());
    return "Basic " + encoded;
}

inline std::string str(std::string_view s) { return std::string(s); }

// The whole description the client is sent for `details`.
inline std::string description_of(const oauthcore::error_details& details) {
    std::string text(details.description_size(), '\0');
    oauthcore::write_description(details, text.data());
    return text;
}

}  // namespace oauthcore_test
