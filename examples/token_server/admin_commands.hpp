#pragma once
// The subcommands that manage the database: add-client and add-user; and mint-code,
// device-code and approve-device, which stand in for the authorization and device
// authorization endpoints (and a user's approval) where there are none.

#include "command_line.hpp"

namespace token_server {

// Each returns the process exit status. add-client and add-user read the secret or
// password from stdin (a public client has none: nothing is read).
[[nodiscard]] int add_client(const add_client_options& options);
[[nodiscard]] int add_user(const add_user_options& options);
// Prints a fresh authorization code on stdout.
[[nodiscard]] int mint_code(const mint_code_options& options);
// Prints {"device_code":...,"user_code":...,"interval":...,"expires_in":...} on stdout.
[[nodiscard]] int device_code(const device_code_options& options);
[[nodiscard]] int approve_device(const approve_device_options& options);
// Deletes tokens and codes that expired more than the grace period ago; says how many.
[[nodiscard]] int purge(const purge_options& options);

}  // namespace token_server
