#pragma once
// One client connection: reads requests within the transport limits, refuses unsafe
// framing, hands each request to the token service (on the work pool when it may cost
// a password check), and writes the answers back in order. Plain TCP or TLS.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "connection_registry.hpp"
#include "token_service.hpp"
#include "transport_limits.hpp"
#include "work_pool.hpp"

namespace token_server {

// What every connection shares; it outlives them all (server.cpp).
struct connection_context {
    token_service& service;
    work_pool& pool;
    connection_registry& registry;
    transport_limits limits;
    // Null: plain HTTP.
    boost::asio::ssl::context* tls = nullptr;
};

// Serves `socket` until the client or the server closes it. When max_connections are
// open already, or the server is stopping, the socket is closed at once.
void start_connection(boost::asio::ip::tcp::socket socket, connection_context& context);

}  // namespace token_server
