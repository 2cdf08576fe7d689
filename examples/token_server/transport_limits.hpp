#pragma once
// What one client may make the HTTP layer hold, and for how long. Every limit is
// explicit so that idle, slow and oversized clients cost a bounded amount of memory and
// no thread (the connections are asynchronous on a few I/O threads).

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace token_server {

struct transport_limits {
    // The request line and the header fields together (RFC 9112 2.2 lets a server
    // bound them; over it: 431, RFC 6585 5).
    std::size_t max_header_bytes = 8 * 1024;
    std::size_t max_header_fields = 64;
    // Counted as the bytes arrive, for Content-Length and chunked bodies alike; the
    // server sets it to oauthcore's endpoint_options::limits.max_body_bytes.
    std::size_t max_body_bytes = 16 * 1024;
    // From the first byte of a request (the connection's accept for the first one) to
    // its last byte: a client that trickles is cut off, whatever its pace.
    std::chrono::seconds request_timeout{10};
    // How long a kept-alive connection may wait for its next request.
    std::chrono::seconds idle_timeout{30};
    // Open connections; one more is closed as soon as it is accepted.
    std::size_t max_connections = 4096;
    // Open connections from one source address (0: no such cap), so that one client
    // cannot hold every slot of max_connections. Off behind a proxy, where every
    // connection comes from the proxy's address.
    std::size_t max_connections_per_address = 256;
    // Threads running the I/O (accept, TLS, parsing, writing); the password checks run
    // on the work pool's threads instead.
    unsigned io_threads = 2;
    // After an error response that closes the connection, the rest of what the client
    // sends is read and dropped for at most this long and this much (RFC 9112 9.6), so
    // that the response is not lost to a TCP reset.
    std::chrono::seconds linger_timeout{2};
    std::uint64_t max_linger_bytes = 8 * 1024 * 1024;
};

}  // namespace token_server
