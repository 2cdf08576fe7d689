#include "token_service.hpp"

#include <array>
#include <string>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "oauthcore/storage.hpp"
#include "password_hash.hpp"
#include "request_gate.hpp"

namespace token_server {

namespace {

constexpr std::array<std::string_view, 2> token_paths = {"/v2/marketing/oauth/token", "/oauth/token"};

// Behind a TLS-terminating proxy every request comes from the proxy's address: counting
// failures per address would let one client lock everyone out.
attempt_limits effective_limits(const serve_options& options) {
    attempt_limits limits = options.attempts;
    if (options.insecure_http_behind_proxy) limits.max_address_failures = 0;
    return limits;
}

std::string_view view(boost::beast::string_view s) noexcept { return {s.data(), s.size()}; }

// oauthcore's observer for one request: failed authentications go to the brute-force
// gate; a second use of an authorization code revokes what the code produced
// (RFC 6749 4.1.2: the server SHOULD), which is why the issuer keeps the code's digest
// with each pair.
class request_observer {
public:
    request_observer(request_gate& gate, token_database& db) noexcept : gate_(gate), db_(db) {}

    void client_authentication_failed(std::string_view client_id) { gate_.client_authentication_failed(client_id); }
    void user_authentication_failed(std::string_view client_id, oauthcore::user_identifier who) {
        gate_.user_authentication_failed(client_id, who);
    }
    void authorization_code_reused(std::string_view /*client_id*/, const db_code_record& record) {
        // A failure leaves the tokens to expire; the reused code is refused either way.
        (void)db_.revoke_tokens_of_code(record.digest, static_cast<std::int64_t>(unix_seconds_clock{}()));
    }

private:
    request_gate& gate_;
    token_database& db_;
};

}  // namespace

token_service::token_service(const serve_options& options, token_database& db)
    : db_(db),
      clients_(db, options.scopes, options.allow_body_client_auth),
      users_(db),
      codes_(db),
      devices_(db),
      lifetimes_{options.expires_in, options.refresh_expires_in},
      limiter_(effective_limits(options)),
      count_addresses_(effective_limits(options).max_address_failures > 0) {
    settings_.profile = options.profile;
    // Every method is on at the endpoint; each client's registered method (add-client
    // --auth-method) is what oauthcore then holds the request to (authentication_method).
    settings_.allow_body_client_auth = true;
    settings_.allow_public_clients = true;
    code_options_.allow_plain = options.allow_plain_pkce;
    (void)dummy_hash();  // made now, not during the first request
    (void)dummy_secret_hash();
}

bool token_service::is_token_path(std::string_view target) noexcept {
    const std::string_view path = target.substr(0, target.find('?'));
    for (const std::string_view p : token_paths)
        if (path == p) return true;
    return false;
}

bool token_service::needs_work(const http_request& request) noexcept {
    return request.method() == boost::beast::http::verb::post && is_token_path(view(request.target()));
}

std::optional<reply> token_service::refuse_early(std::string_view source_address) {
    if (!count_addresses_) return std::nullopt;
    const auto back_off = limiter_.refused(attempt_kind::address, source_address, attempt_limiter::clock::now());
    if (!back_off) return std::nullopt;
    return transport_reply(transport_error::too_many_failures, back_off);
}

reply token_service::answer(const http_request& request, std::string_view source_address) {
    if (!is_token_path(view(request.target()))) return transport_reply(transport_error::not_found);

    // Built per request around this request's gate; each is a few references.
    request_gate gate(limiter_, source_address);
    if (!gate.admits_named_user(request.body(), settings_.limits))
        return transport_reply(transport_error::too_many_failures, gate.refused());
    gated_client_store clients(clients_, gate);
    gated_user_store users(users_, gate);
    db_refresh_token_store refresh_tokens(db_);
    db_token_issuer issuer(db_, lifetimes_);
    // Rotation on (oauthcore's default, RFC 9700 4.14.2): a refresh token works once.
    oauthcore::password_grant password(users, issuer);
    oauthcore::refresh_token_grant refresh(refresh_tokens, issuer);
    oauthcore::client_credentials_grant client_credentials(issuer);
    oauthcore::authorization_code_grant authorization_code(codes_, issuer, unix_seconds_clock{}, code_options_);
    oauthcore::device_code_grant device_code(devices_, issuer, unix_seconds_clock{});
    oauthcore::token_endpoint endpoint(clients, settings_, password, refresh, client_credentials, authorization_code,
                                       device_code);

    oauthcore::exchange_storage storage;
    const beast_request adapted(request);
    request_observer observer(gate, db_);
    const oauthcore::response r = endpoint.handle(adapted, storage, observer);
    // One answer for every refused name, known or not: status, body and headers depend
    // only on the back-off (RFC 6749 4.3.2; no enumeration, RFC 6749 10.10).
    if (gate.refused()) return transport_reply(transport_error::too_many_failures, gate.refused());
    return from_oauthcore(r);
}

reply token_service::body_too_large() const {
    oauthcore::exchange_storage storage;
    return from_oauthcore(oauthcore::make_error_response(oauthcore::error{oauthcore::reason::body_too_large},
                                                         storage.response, settings_.responses()));
}

reply token_service::from_oauthcore(const oauthcore::response& r) const {
    reply out{to_beast_response(r)};
    if (r.error) {
        // The code the client got, and oauthcore's reason for it, which tells operators
        // what the client cannot: client_rejected from user_rejected, say.
        out.log_code = oauthcore::to_string(oauthcore::describe(*r.error, settings_.profile).code);
        out.log_name = oauthcore::to_string(r.error->reason);
    }
    return out;
}

reply token_service::transport_reply(transport_error error, std::optional<std::chrono::seconds> retry_after) {
    namespace http = boost::beast::http;
    const transport_error_info& info = describe(error);
    reply out;
    out.message.result(static_cast<unsigned>(info.status));
    out.message.reason(boost::beast::string_view(info.reason_phrase.data(), info.reason_phrase.size()));
    if (!info.body.empty()) {
        // RFC 6749 5.1 and 5.2: the token endpoint's error shape and cache headers.
        out.message.set(http::field::content_type, "application/json;charset=UTF-8");
        out.message.set(http::field::cache_control, "no-store");
        out.message.set(http::field::pragma, "no-cache");
        out.message.body().assign(info.body.data(), info.body.size());
    }
    if (retry_after) out.message.set(http::field::retry_after, std::to_string(retry_after->count()));
    if (info.closes) out.message.keep_alive(false);
    out.log_code = info.log_code;
    out.log_name = info.log_name;
    return out;
}

}  // namespace token_server
