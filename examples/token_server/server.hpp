#pragma once
// The HTTP server: routes, request logging and graceful shutdown around an
// oauthcore::token_endpoint with the password and refresh_token grants.

#include "command_line.hpp"
#include "token_database.hpp"

namespace token_server {

// Serves until SIGINT or SIGTERM, then answers the requests in flight and returns 0;
// returns 1 when it cannot listen. block_stop_signals() must have run.
[[nodiscard]] int serve(const serve_options& options, token_database& db);

}  // namespace token_server
