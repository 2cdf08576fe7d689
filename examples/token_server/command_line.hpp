#pragma once
// The command line: serving, and the subcommands that manage the database.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "oauthcore/errors.hpp"
#include "attempt_limiter.hpp"
#include "result.hpp"
#include "transport_limits.hpp"
#include "work_pool.hpp"

namespace token_server {

struct serve_options {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port, printed when listening
    std::string db_path = "token_server.db";
    oauthcore::profile profile = oauthcore::profile::social_id;
    std::uint64_t expires_in = 604800;           // the vendor example's value
    std::uint64_t refresh_expires_in = 2592000;  // 30 days
    std::string scopes;                          // what clients may ask for; empty: no scope
    std::string issuer;                          // RFC 8414 2; empty: the listening URL
    std::string resource_servers;                // client ids that introspect every token
    bool allow_body_client_auth = false;
    bool allow_plain_pkce = false;  // RFC 7636 4.2 plain challenges; off: S256 only
    bool durable_commits = false;   // SQLite synchronous=FULL (token_database::durability)
    bool demo = false;              // a new database gets the vendor document's public example credentials
    // TLS (RFC 6749 1.6, 2.3.1, 3.1): both or neither. Without them only a loopback
    // address is served, unless a TLS-terminating proxy is declared in front.
    std::string tls_cert;
    std::string tls_key;
    bool insecure_http_behind_proxy = false;
    transport_limits limits;
    work_limits work;
    attempt_limits attempts;
};

// Whether limits per source address apply (failures, --max-address-failures; open
// connections, --max-connections-per-address): not behind a declared proxy, where every
// connection comes from the proxy's address and one client would hold everyone to it.
[[nodiscard]] inline bool limits_per_address_apply(const serve_options& options) noexcept {
    return !options.insecure_http_behind_proxy;
}

struct add_client_options {
    std::string db_path;
    std::string client_id;
    std::string grants;                      // grant types, space-separated
    std::vector<std::string> redirect_uris;  // registered for the authorization code flow
    std::string auth_method = "client_secret_basic";
    // The operator says the secret on stdin has at least 128 bits of entropy (random, at
    // least 32 characters): it is stored as a fast hash, like a generated one.
    bool high_entropy_secret = false;
};

// Stands in for the authorization endpoint (RFC 6749 4.1.1-4.1.2): a code for a user
// who approved, as if the client had asked with these parameters.
struct mint_code_options {
    std::string db_path;
    std::string client_id;
    std::string user;  // a username, or else an email address
    std::string redirect_uri;
    std::string code_challenge;
    std::string code_challenge_method;  // "S256" (the default with a challenge) or "plain"
    std::string scope;
    std::uint64_t expires_in = 600;  // RFC 6749 4.1.2: a maximum of 10 minutes is RECOMMENDED
};

// Stands in for the device authorization endpoint (RFC 8628 3.1-3.2).
struct device_code_options {
    std::string db_path;
    std::string client_id;
    std::string scope;
    std::uint64_t expires_in = 600;
    std::uint64_t interval = 5;  // RFC 8628 3.2: 5 seconds when not given
};

// The user's decision on a device authorization request (RFC 8628 3.3).
struct approve_device_options {
    std::string db_path;
    std::string user_code;
    std::string user;  // empty with deny
    bool deny = false;
};

// Deletes expired tokens and codes kept longer than `grace` seconds past their expiry.
struct purge_options {
    std::string db_path;
    std::uint64_t grace = 86400;
};

struct add_user_options {
    std::string db_path;
    std::optional<std::string> username;
    std::optional<std::string> email_address;
};

struct show_help {};

using command = std::variant<serve_options, add_client_options, add_user_options, mint_code_options,
                             device_code_options, approve_device_options, purge_options, show_help>;

// The arguments after the program name.
[[nodiscard]] result<command> parse_command_line(std::span<const std::string_view> args);

extern const std::string_view usage_text;

}  // namespace token_server
