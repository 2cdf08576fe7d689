#pragma once
// The command line: serving, and the two subcommands that manage the database.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "oauthcore/errors.hpp"
#include "result.hpp"

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
