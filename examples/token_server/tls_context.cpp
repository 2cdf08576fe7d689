#include "tls_context.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>

namespace token_server {

namespace {

// Mozilla's "intermediate" TLS 1.2 list: ECDHE key exchange, AES-GCM or ChaCha20-Poly1305.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Asked for a passphrase by OpenSSL: none is given (the server reads its key
// unattended, and would otherwise wait at a terminal prompt), and the question noted.
int refuse_passphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* asked) {
    *static_cast<bool*>(asked) = true;
    return 0;
}

}  // namespace

result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(const std::string& cert_path,
                                                                    const std::string& key_path) {
    namespace ssl = boost::asio::ssl;
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) return failure("cannot require TLS 1.2 or later");
    context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                         ssl::context::single_dh_use);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1) return failure("cannot set the TLS 1.2 cipher suites");

    bool passphrase_asked = false;
    SSL_CTX_set_default_passwd_cb(native, refuse_passphrase);
    SSL_CTX_set_default_passwd_cb_userdata(native, &passphrase_asked);
    boost::system::error_code ec;
    context->use_certificate_chain_file(cert_path, ec);
    if (ec) return failure("cannot use " + cert_path + " as a PEM certificate chain: " + ec.message());
    context->use_private_key_file(key_path, ssl::context::pem, ec);
    SSL_CTX_set_default_passwd_cb(native, nullptr);
    SSL_CTX_set_default_passwd_cb_userdata(native, nullptr);
    if (ec && passphrase_asked)
        return failure(key_path +
                       " is an encrypted private key, which the server cannot read unattended: store it decrypted, "
                       "readable by the server's user alone (openssl pkey -in KEY -out PLAIN)");
    if (ec) return failure("cannot use " + key_path + " as a PEM private key: " + ec.message());
    if (SSL_CTX_check_private_key(native) != 1)
        return failure(key_path + " is not the private key of the certificate in " + cert_path);
    return context;
}

std::optional<std::string> certificate_warning(boost::asio::ssl::context& context) {
    X509* const certificate = SSL_CTX_get0_certificate(context.native_handle());
    if (certificate == nullptr) return std::nullopt;
    if (X509_cmp_current_time(X509_get0_notAfter(certificate)) <= 0)
        return "WARNING: the TLS certificate has expired: clients will refuse it";
    if (X509_cmp_current_time(X509_get0_notBefore(certificate)) >= 0)
        return "WARNING: the TLS certificate is not valid yet: clients will refuse it";
    constexpr long renewal_margin_seconds = 14L * 24 * 3600;
    std::time_t soon = std::time(nullptr) + renewal_margin_seconds;
    if (X509_cmp_time(X509_get0_notAfter(certificate), &soon) <= 0)
        return "WARNING: the TLS certificate expires within 14 days";
    return std::nullopt;
}

}  // namespace token_server
