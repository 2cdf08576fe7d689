#include "token_service.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/device_authorization.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/introspection.hpp"
#include "oauthcore/metadata.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "oauthcore/revocation.hpp"
#include "oauthcore/storage.hpp"
#include "password_hash.hpp"
#include "codes.hpp"
#include "request_gate.hpp"

namespace token_server {

namespace {

constexpr std::array<std::string_view, 2> token_paths = {"/v2/marketing/oauth/token", "/oauth/token"};
constexpr std::string_view revocation_path = "/oauth/revoke";
constexpr std::string_view introspection_path = "/oauth/introspect";
constexpr std::string_view device_authorization_path = "/oauth/device_authorization";
// RFC 8628 3.2 suggests a device code's life; RFC 8628 3.5's default interval.
constexpr std::uint64_t device_code_lifetime = 600;
constexpr std::uint64_t device_poll_interval = 5;

bool is_token_path(std::string_view path) noexcept {
    for (const std::string_view p : token_paths)
        if (path == p) return true;
    return false;
}

std::string_view path_of(std::string_view target) noexcept { return target.substr(0, target.find('?')); }

// The metadata document's location, or one under it that an issuer with a path puts it at
// (RFC 8414 3.1); answer() serves only the one of this server's issuer.
bool is_metadata_path(std::string_view path) noexcept {
    const std::string_view base = oauthcore::well_known_metadata_path;
    return path.starts_with(base) && (path.size() == base.size() || path[base.size()] == '/');
}

// The endpoints that take a POSTed form and may check a secret: token, revocation,
// introspection and device authorization.
bool is_post_endpoint(std::string_view path) noexcept {
    return is_token_path(path) || path == revocation_path || path == introspection_path ||
           path == device_authorization_path;
}

// Space-separated words as views into `text`.
std::vector<std::string_view> words_of(std::string_view text) {
    std::vector<std::string_view> words;
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        if (end > at) words.push_back(text.substr(at, end - at));
        at = end + 1;
    }
    return words;
}

// Behind a TLS-terminating proxy every request comes from the proxy's address: counting
// failures per address would let one client lock everyone out.
attempt_limits effective_limits(const serve_options& options) {
    attempt_limits limits = options.attempts;
    if (!limits_per_address_apply(options)) limits.max_address_failures = 0;
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
      count_addresses_(effective_limits(options).max_address_failures > 0),
      scopes_(options.scopes),
      scope_list_(words_of(scopes_)),
      resource_servers_(options.resource_servers),
      pages_(options, db, limiter_) {
    settings_.profile = options.profile;
    // Every method is on at the endpoint; each client's registered method (add-client
    // --auth-method) is what oauthcore then holds the request to (authentication_method).
    settings_.allow_body_client_auth = true;
    settings_.allow_public_clients = true;
    code_options_.allow_plain = options.allow_plain_pkce;
    (void)dummy_hash();  // made now, not during the first request
    (void)dummy_secret_hash();
}

bool token_service::serves(std::string_view target) noexcept {
    const std::string_view path = path_of(target);
    return is_post_endpoint(path) || is_metadata_path(path) || sign_in_pages::serves(path);
}

bool token_service::needs_work(const http_request& request) noexcept {
    // The POST endpoints, which may check a secret; anything else (a 404, a 405, the
    // metadata) is answered on the I/O thread and never waits behind password checks.
    const std::string_view path = path_of(view(request.target()));
    return (request.method() == boost::beast::http::verb::post && is_post_endpoint(path)) ||
           sign_in_pages::needs_work(view(request.method_string()), path);
}

std::optional<reply> token_service::refuse_early(const http_request& request, std::string_view source_address) {
    if (!count_addresses_) return std::nullopt;
    const auto back_off = limiter_.refused(attempt_kind::address, source_address, attempt_limiter::clock::now());
    if (!back_off) return std::nullopt;
    // A person's browser gets the page it can show.
    if (sign_in_pages::serves(path_of(view(request.target())))) return sign_in_pages::too_many_failures(back_off);
    return transport_reply(transport_error::too_many_failures, back_off);
}

reply token_service::answer(const http_request& request, std::string_view source_address) {
    const std::string_view path = path_of(view(request.target()));
    if (is_token_path(path)) return token(request, source_address);
    if (path == revocation_path) return revoke(request, source_address);
    if (path == introspection_path) return introspect(request, source_address);
    if (path == device_authorization_path) return start_device_authorization(request, source_address);
    if ((path == oauthcore::well_known_metadata_path || path == metadata_path_) && metadata_) return metadata(request);
    if (sign_in_pages::serves(path)) return pages_.answer(request, path, source_address);
    return transport_reply(transport_error::not_found);
}

reply token_service::token(const http_request& request, std::string_view source_address) {
    // Built per request around this request's gate; each is a few references.
    request_gate gate(limiter_, source_address);
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

template <class Make>
reply token_service::client_endpoint(const http_request& request, std::string_view source_address, Make make) {
    request_gate gate(limiter_, source_address);
    gated_client_store clients(clients_, gate);
    auto endpoint = make(clients);
    oauthcore::exchange_storage storage;
    const beast_request adapted(request);
    const oauthcore::response r = endpoint.handle(adapted, storage, gate);
    if (gate.refused()) return transport_reply(transport_error::too_many_failures, gate.refused());
    return from_oauthcore(r);
}

reply token_service::revoke(const http_request& request, std::string_view source_address) {
    db_token_store tokens(db_);
    return client_endpoint(request, source_address,
                           [&](auto& clients) { return oauthcore::revocation_endpoint(clients, tokens, settings_); });
}

reply token_service::introspect(const http_request& request, std::string_view source_address) {
    db_token_store tokens(db_);
    // RFC 7662 2.1 and 4: a resource server (--resource-servers) sees every active token
    // in full; any other client sees its own tokens, and {"active":false} for the rest,
    // which does not tell it that they exist.
    const auto policy = [this](const db_client& caller, const db_token_record& token, oauthcore::token_kind) {
        const bool sees = caller.id == token.client_id() || oauthcore::scope_includes(resource_servers_, caller.id);
        return sees ? oauthcore::disclose_everything : oauthcore::disclose_nothing;
    };
    return client_endpoint(request, source_address, [&](auto& clients) {
        return oauthcore::introspection_endpoint(clients, tokens, policy, unix_seconds_clock{}, settings_);
    });
}

reply token_service::start_device_authorization(const http_request& request, std::string_view source_address) {
    db_device_authorization_issuer issuer(db_, device_code_lifetime, device_poll_interval);
    const oauthcore::device_authorization_options options{verification_uri_, true, user_codes};
    return client_endpoint(request, source_address, [&](auto& clients) {
        return oauthcore::device_authorization_endpoint(clients, issuer, settings_, options);
    });
}

reply token_service::metadata(const http_request& request) const {
    namespace http = boost::beast::http;
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
        reply out = transport_reply(transport_error::not_found);
        out.message.result(http::status::method_not_allowed);
        out.message.reason("Method Not Allowed");
        out.message.set(http::field::allow, "GET, HEAD");
        return out;
    }
    return reply{*metadata_};
}

result<void> token_service::set_issuer(std::string issuer) {
    issuer_ = std::move(issuer);
    // The endpoints' URLs continue the issuer's path, whose terminating '/' would double
    // the one each endpoint path begins with ("https://as.example.com/" + "/authorize").
    std::string_view base = issuer_;
    while (base.ends_with('/') && oauthcore::split_uri(base).path.size() > 0) base.remove_suffix(1);
    // RFC 8414 3.1: the document is also where the issuer's path puts it
    // ("https://as.example.com/tenant1": "/.well-known/oauth-authorization-server/tenant1"),
    // for a proxy that forwards that path here.
    metadata_path_.assign(oauthcore::metadata_path_size(issuer_), '\0');
    metadata_path_.resize(oauthcore::write_metadata_path(issuer_, metadata_path_.data()));
    verification_uri_ = std::string(base) + "/device";
    pages_.set_issuer(issuer_);
    const std::string authorization_url = std::string(base) + "/authorize";
    const std::string token_url = std::string(base) + std::string(token_paths[1]);
    const std::string revocation_url = std::string(base) + std::string(revocation_path);
    const std::string introspection_url = std::string(base) + std::string(introspection_path);
    const std::string device_url = std::string(base) + std::string(device_authorization_path);
    static constexpr std::array<std::string_view, 5> grant_types{
        oauthcore::authorization_code_grant_type, oauthcore::client_credentials_grant_type,
        oauthcore::device_code_grant_type, oauthcore::refresh_token_grant_type, oauthcore::password_grant_type};
    static constexpr std::array<std::string_view, 1> response_types{"code"};
    // The authorization response is a redirect with its parameters in the query alone
    // (RFC 6749 4.1.2); a response_mode the request names is not read.
    static constexpr std::array<std::string_view, 1> response_modes{"query"};
    oauthcore::server_metadata m;
    m.issuer = issuer_;
    m.authorization_endpoint = authorization_url;
    m.token_endpoint = token_url;
    m.scopes_supported = scope_list_;
    m.response_types_supported = response_types;
    m.response_modes_supported = response_modes;
    m.grant_types_supported = grant_types;
    m.token_endpoint_auth_methods_supported = oauthcore::client_authentication_methods_supported(settings_);
    m.revocation_endpoint = revocation_url;
    m.revocation_endpoint_auth_methods_supported = oauthcore::client_authentication_methods_supported(settings_);
    m.introspection_endpoint = introspection_url;
    // RFC 7662 2.1: the caller authenticates; a public client cannot.
    m.introspection_endpoint_auth_methods_supported =
        oauthcore::client_authentication_methods_supported(settings_, false);
    m.code_challenge_methods_supported = oauthcore::code_challenge_methods_supported(code_options_.allow_plain);
    m.device_authorization_endpoint = device_url;
    m.authorization_response_iss_parameter_supported = true;
    // http only on a loopback host: a development setup, which the server refuses to
    // serve beyond loopback without TLS anyway (command_line.hpp).
    const oauthcore::metadata_options checks{.allow_http_loopback = true};
    if (const auto checked = oauthcore::check_metadata(m, checks); !checked) {
        metadata_.reset();
        return failure("the issuer " + issuer_ + " cannot be used in the metadata document (" +
                       std::string(oauthcore::to_string(checked.error().error)) + ": " +
                       std::string(checked.error().member) + "); set --issuer to the https URL clients use");
    }
    oauthcore::response_storage storage;
    const oauthcore::response r = oauthcore::make_metadata_response(m, storage, checks);
    metadata_ = to_beast_response(r);
    // RFC 8414 3: a document any client may fetch and cache a while.
    metadata_->set(boost::beast::http::field::cache_control, "public, max-age=3600");
    return {};
}

reply token_service::body_too_large() const {
    oauthcore::exchange_storage storage;
    return from_oauthcore(oauthcore::make_error_response(oauthcore::error{oauthcore::reason::body_too_large},
                                                         storage.response, settings_.responses()));
}

reply token_service::commit_failure() const {
    // A failed store call ends oauthcore's exchange with a *_store_failure or
    // issuer_failure reason; all of them answer alike (errors.hpp: 500 server_error with
    // the same description), so this is what the request would have got had its own
    // write failed.
    oauthcore::exchange_storage storage;
    reply out = from_oauthcore(oauthcore::make_error_response(oauthcore::error{oauthcore::reason::issuer_failure},
                                                              storage.response, settings_.responses()));
    out.log_name = "commit_failure";
    return out;
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
    // RFC 9110 15.5.16 and RFC 7694 3: a 415 for a content coding says which codings the
    // server would take in a request; no coding at all, "identity" (RFC 9110 12.5.3).
    if (error == transport_error::content_encoding) out.message.set(http::field::accept_encoding, "identity");
    if (info.closes) out.message.keep_alive(false);
    out.log_code = info.log_code;
    out.log_name = info.log_name;
    return out;
}

}  // namespace token_server
