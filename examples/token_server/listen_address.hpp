#pragma once
// The address to listen on, whether it reaches beyond this machine, and how it is
// written in the "listening on" line that scripts read.

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <string>

#include "result.hpp"

namespace token_server {

// An IPv4 or IPv6 address, or "localhost" (127.0.0.1). Names are not resolved: the
// server binds exactly what it is told.
[[nodiscard]] result<boost::asio::ip::address> listen_address_of(const std::string& host);

// 127.0.0.0/8, ::1, and IPv4-mapped loopback: traffic that never leaves the machine.
[[nodiscard]] bool is_loopback(const boost::asio::ip::address& address) noexcept;

// "http://127.0.0.1:8080", "https://[::1]:8443" (RFC 3986 3.2.2: an IPv6 literal in
// brackets).
[[nodiscard]] std::string url_of(const boost::asio::ip::address& address, std::uint16_t port, bool tls);

}  // namespace token_server
