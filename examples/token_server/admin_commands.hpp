#pragma once
// The subcommands that manage the database: add-client and add-user.

#include "command_line.hpp"

namespace token_server {

// Both read the secret or password from stdin and return the process exit status.
[[nodiscard]] int add_client(const add_client_options& options);
[[nodiscard]] int add_user(const add_user_options& options);

}  // namespace token_server
