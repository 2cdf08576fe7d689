#pragma once
// The protocol side of the server, every endpoint over the database's stores (SQLite or
// PostgreSQL) and the brute-force gate around them:
//   POST /oauth/token (and the vendor's /v2/marketing/oauth/token)   oauthcore::token_endpoint
//        with the password, refresh_token, client_credentials, authorization_code and
//        device_code grants
//   POST /oauth/revoke                   oauthcore::revocation_endpoint (RFC 7009)
//   POST /oauth/introspect               oauthcore::introspection_endpoint (RFC 7662)
//   POST /oauth/device_authorization     oauthcore::device_authorization_endpoint (RFC 8628)
//   GET  /.well-known/oauth-authorization-server   oauthcore's metadata document (RFC 8414)
//   /authorize, /device                  the pages people see (sign_in_pages.hpp)
// It sees a parsed HTTP request and gives back a response; it knows nothing of sockets,
// threads or TLS (connection.hpp).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "attempt_limiter.hpp"
#include "beast_adapter.hpp"
#include "command_line.hpp"
#include "result.hpp"
#include "reply.hpp"
#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/options.hpp"
#include "sign_in_pages.hpp"
#include "stores.hpp"
#include "token_database.hpp"
#include "transport_errors.hpp"

namespace token_server {

class token_service {
public:
    token_service(const serve_options& options, token_database& db);

    [[nodiscard]] const oauthcore::endpoint_options& endpoint_options() const noexcept { return settings_; }

    // The issuer identifier (RFC 8414 2): iss of the authorization responses (RFC 9207)
    // and the base of the metadata's URLs. Set once, before the first request, when the
    // listening address is known. False (and a message): it is not one a client can use
    // (https, or http on a loopback host), and the metadata document is not served.
    [[nodiscard]] result<void> set_issuer(std::string issuer);

    // True for a target whose path one of the endpoints or pages answers.
    [[nodiscard]] static bool serves(std::string_view target) noexcept;

    // True for what may cost an argon2id check or asks the database, to be answered on
    // the work pool: every POST, and the authorization page. Everything else costs
    // microseconds and is answered on the I/O thread.
    [[nodiscard]] static bool needs_work(const http_request& request) noexcept;

    // A request from an address under back-off: refused before it takes a place in the
    // work queue, with the pages' HTML 429 for a page, else a JSON one.
    [[nodiscard]] std::optional<reply> refuse_early(const http_request& request, std::string_view source_address);

    // The whole exchange. `source_address` is what the brute-force limit counts.
    [[nodiscard]] reply answer(const http_request& request, std::string_view source_address);

    // oauthcore's answer to a body over its limit, for a body the transport stopped
    // reading at that limit (the same bytes oauthcore gives a body just over it).
    [[nodiscard]] reply body_too_large() const;

    // What a request whose writes a failed group commit may have undone is answered
    // (commit_batch.hpp): oauthcore's answer to a store that failed (500 server_error,
    // the same body), logged as commit_failure.
    [[nodiscard]] reply commit_failure() const;

    [[nodiscard]] static reply transport_reply(transport_error error,
                                               std::optional<std::chrono::seconds> retry_after = std::nullopt);

private:
    [[nodiscard]] reply token(const http_request& request, std::string_view source_address);
    [[nodiscard]] reply revoke(const http_request& request, std::string_view source_address);
    [[nodiscard]] reply introspect(const http_request& request, std::string_view source_address);
    [[nodiscard]] reply start_device_authorization(const http_request& request, std::string_view source_address);
    [[nodiscard]] reply metadata(const http_request& request) const;
    // Revocation, introspection and device authorization: oauthcore's endpoint `make`
    // builds over the gated client store, run behind the gate as the token endpoint is.
    template <class Make>
    [[nodiscard]] reply client_endpoint(const http_request& request, std::string_view source_address, Make make);
    [[nodiscard]] reply from_oauthcore(const oauthcore::response& r) const;

    oauthcore::endpoint_options settings_;
    oauthcore::authorization_code_options code_options_;
    token_database& db_;
    db_client_store clients_;
    db_user_store users_;
    db_authorization_code_store codes_;
    db_device_code_store devices_;
    token_lifetimes lifetimes_;
    attempt_limiter limiter_;
    bool count_addresses_;
    std::string scopes_;
    std::vector<std::string_view> scope_list_;
    std::string resource_servers_;  // clients that introspect every token (--resource-servers)
    std::string issuer_;
    std::string verification_uri_;           // RFC 8628 3.2: issuer + "/device"
    std::optional<http_response> metadata_;  // built by set_issuer
    std::string metadata_path_;              // RFC 8414 3.1: where the issuer's path puts it
    sign_in_pages pages_;
};

}  // namespace token_server
