#pragma once
// The server's TLS configuration (RFC 6749 1.6, 2.3.1 and 3.1 require TLS on the token
// endpoint): TLS 1.2 and 1.3 only, forward-secret AEAD cipher suites only for TLS 1.2
// (TLS 1.3 has nothing else), no compression, no renegotiation, the server's cipher
// order.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>

#include "result.hpp"

namespace token_server {

// A context with the certificate chain and private key of these PEM files, or why
// there is none (a message naming the file, without its contents).
[[nodiscard]] result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_path,
                                                                                  const std::string& key_path);

// What an operator should hear about the certificate `context` serves, or nothing: one
// that has expired or is not valid yet (every client refuses it; the server starts all
// the same, since the certificate may be renewed while it runs only by a restart, and a
// server that will not start is no better), or one that expires within 14 days.
[[nodiscard]] std::optional<std::string> certificate_warning(boost::asio::ssl::context& context);

}  // namespace token_server
