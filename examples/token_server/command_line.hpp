#pragma once
// The command line: serving, and the two subcommands that manage the database.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

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
    bool allow_body_client_auth = false;
    bool demo = false;  // a new database gets the vendor document's public example credentials
    // TLS (RFC 6749 1.6, 2.3.1, 3.1): both or neither. Without them only a loopback
    // address is served, unless a TLS-terminating proxy is declared in front.
    std::string tls_cert;
    std::string tls_key;
    bool insecure_http_behind_proxy = false;
    transport_limits limits;
    work_limits work;
    attempt_limits attempts;
};

struct add_client_options {
    std::string db_path;
    std::string client_id;
};

struct add_user_options {
    std::string db_path;
    std::optional<std::string> username;
    std::optional<std::string> email_address;
};

struct show_help {};

using command = std::variant<serve_options, add_client_options, add_user_options, show_help>;

// The arguments after the program name.
[[nodiscard]] result<command> parse_command_line(std::span<const std::string_view> args);

extern const std::string_view usage_text;

}  // namespace token_server
