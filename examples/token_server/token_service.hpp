#pragma once
// The protocol side of the server: an oauthcore::token_endpoint with the password,
// refresh_token, client_credentials, authorization_code and device_code grants over the
// database's stores (SQLite or PostgreSQL), the brute-force gate around the stores,
// and the answers made from oauthcore's responses. It sees a parsed HTTP request and
// gives back a response; it knows nothing of sockets, threads or TLS (connection.hpp).

#include <chrono>
#include <optional>
#include <string_view>

#include "attempt_limiter.hpp"
#include "beast_adapter.hpp"
#include "command_line.hpp"
#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/options.hpp"
#include "stores.hpp"
#include "token_database.hpp"
#include "transport_errors.hpp"

namespace token_server {

// A response and what its log line says about it (static strings).
struct reply {
    http_response message;
    std::string_view log_code = "-";
    std::string_view log_name = "-";
};

class token_service {
public:
    token_service(const serve_options& options, token_database& db);

    [[nodiscard]] const oauthcore::endpoint_options& endpoint_options() const noexcept { return settings_; }

    // The vendor's path, or RFC 6749's customary one (the query is not part of it).
    [[nodiscard]] static bool is_token_path(std::string_view target) noexcept;

    // True for what may cost an argon2id check, to be answered on the work pool: a POST
    // to a token path. Everything else costs microseconds and is answered on the I/O
    // thread.
    [[nodiscard]] static bool needs_work(const http_request& request) noexcept;

    // A POST to the token endpoint from an address under back-off: refused before it
    // takes a place in the work queue.
    [[nodiscard]] std::optional<reply> refuse_early(std::string_view source_address);

    // The whole exchange. `source_address` is what the brute-force limit counts.
    [[nodiscard]] reply answer(const http_request& request, std::string_view source_address);

    // oauthcore's answer to a body over its limit, for a body the transport stopped
    // reading at that limit (the same bytes oauthcore gives a body just over it).
    [[nodiscard]] reply body_too_large() const;

    [[nodiscard]] static reply transport_reply(transport_error error,
                                               std::optional<std::chrono::seconds> retry_after = std::nullopt);

private:
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
};

}  // namespace token_server
