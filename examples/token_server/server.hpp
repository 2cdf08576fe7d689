#pragma once
// The HTTP server: the listener, the connections, the work pool and shutdown around the
// token service.

#include <boost/asio/ip/address.hpp>

#include "command_line.hpp"
#include "token_database.hpp"

namespace token_server {

// Serves on `address` until SIGINT or SIGTERM, then answers the requests being worked
// on and returns 0; returns 1 when it cannot listen or the TLS files are unusable.
[[nodiscard]] int serve(const serve_options& options, const boost::asio::ip::address& address, token_database& db);

}  // namespace token_server
