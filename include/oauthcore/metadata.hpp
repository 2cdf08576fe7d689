#pragma once
// Authorization server metadata (RFC 8414 2): the JSON document a client reads from
// /.well-known/oauth-authorization-server to find the endpoints and what they support,
// built from a configuration struct (never written by hand), checked first.
//
//   {"issuer":"https://as.example.com","authorization_endpoint":"https://as.example.com/authorize",
//    "token_endpoint":"https://as.example.com/token","scopes_supported":["read","write"],
//    "response_types_supported":["code"],"grant_types_supported":["authorization_code",...],
//    "token_endpoint_auth_methods_supported":["client_secret_basic",...],
//    "revocation_endpoint":"…","revocation_endpoint_auth_methods_supported":[…],
//    "introspection_endpoint":"…","introspection_endpoint_auth_methods_supported":[…],
//    "code_challenge_methods_supported":["S256"],
//    "device_authorization_endpoint":"…",                       (RFC 8628 4)
//    "authorization_response_iss_parameter_supported":true}    (RFC 9207 3)
// Members in RFC 8414 2's order, then the later RFCs'; an empty string or list, or a
// false flag, is left out (each is OPTIONAL, or has the default that omission means).
//
// The checks (check_metadata), each an error value naming the member:
//  - issuer: "a URL that uses the "https" scheme and has no query or fragment components"
//    (RFC 8414 2), with a host; "http" only for a loopback host (127.0.0.1, [::1],
//    localhost) and only with metadata_options::allow_http_loopback (a development setup).
//  - every endpoint given: a URL with a host, https (or loopback http as above: RFC 6749
//    3.1 and 3.2 require TLS), no fragment (RFC 6749 3.1, 3.2), a query allowed.
//  - response_types_supported: REQUIRED, so not empty. token_endpoint: REQUIRED unless
//    the only grant type is implicit. authorization_endpoint: REQUIRED when a grant type
//    that uses it is supported (authorization_code, implicit; and when
//    grant_types_supported is empty, since its default is ["authorization_code",
//    "implicit"]).
//  - scopes_supported: scope tokens (RFC 6749 3.3, NQCHAR); every other list: non-empty
//    strings.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "oauthcore/char_class.hpp"
#include "oauthcore/client_authentication.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/pkce.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/result.hpp"
#include "oauthcore/scope.hpp"
#include "oauthcore/uri.hpp"

namespace oauthcore {

using string_list = std::span<const std::string_view>;

// The configuration the document is built from (RFC 8414 2, RFC 8628 4, RFC 9207 3).
struct server_metadata {
    std::string_view issuer;
    std::string_view authorization_endpoint;
    std::string_view token_endpoint;
    std::string_view jwks_uri;
    string_list scopes_supported;
    string_list response_types_supported;
    // Left out, a client assumes ["query","fragment"] (RFC 8414 2): a server that answers
    // in the query alone says so with ["query"].
    string_list response_modes_supported;
    string_list grant_types_supported;
    string_list token_endpoint_auth_methods_supported;
    std::string_view revocation_endpoint;
    string_list revocation_endpoint_auth_methods_supported;
    std::string_view introspection_endpoint;
    string_list introspection_endpoint_auth_methods_supported;
    string_list code_challenge_methods_supported;
    std::string_view device_authorization_endpoint;
    // True only when the authorization endpoint sends iss (authorization_options::issuer
    // set to this issuer).
    bool authorization_response_iss_parameter_supported = false;
};

struct metadata_options {
    // Allows http URLs on a loopback host (127.0.0.1, [::1], localhost): for development
    // only; a client over the network must see https (RFC 8414 2, RFC 6749 3.1).
    bool allow_http_loopback = false;
};

enum class metadata_error : unsigned char {
    missing,            // a REQUIRED member is empty
    not_https,          // not an https URL with a host and no userinfo (or loopback http where allowed)
    query_or_fragment,  // the issuer has a query or a fragment, or an endpoint oauthcore answers
                        // by POST (token, revocation, introspection, device authorization) has a
                        // query: check_transport refuses a request whose target has one
    fragment,           // an endpoint has a fragment
    invalid_value,      // a list holds an empty string, or scopes_supported a non-scope-token
};

[[nodiscard]] constexpr std::string_view to_string(metadata_error e) noexcept {
    switch (e) {
        case metadata_error::missing: return "missing";
        case metadata_error::not_https: return "not_https";
        case metadata_error::query_or_fragment: return "query_or_fragment";
        case metadata_error::fragment: return "fragment";
        case metadata_error::invalid_value: return "invalid_value";
    }
    return "unknown";
}

// What is wrong, and with which member (its RFC 8414 name).
struct metadata_problem {
    metadata_error error = metadata_error::missing;
    std::string_view member;

    friend constexpr bool operator==(const metadata_problem&, const metadata_problem&) = default;
};

template <class T>
using metadata_result = basic_result<T, metadata_problem>;

namespace detail {

// What a URL in the metadata may hold besides https and a host.
enum class metadata_url_kind : unsigned char {
    issuer,         // no query, no fragment (RFC 8414 2)
    post_endpoint,  // no query (check_transport), no fragment (RFC 6749 3.2)
    other,          // no fragment (RFC 6749 3.1)
};

// A URL the metadata may name: https with a host (or loopback http where allowed), in URI
// characters, without a fragment, and without a query where `kind` says so.
[[nodiscard]] constexpr metadata_result<void> check_metadata_url(std::string_view url, std::string_view member,
                                                                 metadata_url_kind kind,
                                                                 const metadata_options& options) {
    using failure = unexpected<metadata_problem>;
    const uri_parts parts = split_uri(url);
    const bool https = parts.scheme == "https";
    const bool loopback_http =
        options.allow_http_loopback && parts.scheme == "http" && is_loopback_authority(parts.authority);
    if (!is_uri_text(url) || !parts.has_authority || !is_host_authority(parts.authority) || (!https && !loopback_http))
        return failure(metadata_problem{metadata_error::not_https, member});
    if ((kind == metadata_url_kind::issuer && (parts.has_query || parts.has_fragment)) ||
        (kind == metadata_url_kind::post_endpoint && parts.has_query))
        return failure(metadata_problem{metadata_error::query_or_fragment, member});
    if (parts.has_fragment) return failure(metadata_problem{metadata_error::fragment, member});
    return {};
}

[[nodiscard]] constexpr bool list_has(string_list list, std::string_view value) noexcept {
    for (const std::string_view v : list)
        if (v == value) return true;
    return false;
}

// Counts when dest is nullptr, writes otherwise (json.hpp's json_writer).
constexpr std::size_t metadata_json(const server_metadata& m, char* dest) noexcept {
    json_writer json(dest);
    bool first = true;
    const auto name = [&](std::string_view member) {
        json.raw(first ? "{\"" : ",\"");
        first = false;
        json.raw(member);
        json.raw("\":");
    };
    const auto text = [&](std::string_view member, std::string_view value) {
        if (value.empty()) return;
        name(member);
        json.string(value);
    };
    const auto list = [&](std::string_view member, string_list values) {
        if (values.empty()) return;
        name(member);
        for (std::size_t i = 0; i < values.size(); ++i) {
            json.raw(i == 0 ? "[" : ",");
            json.string(values[i]);
        }
        json.raw("]");
    };
    text("issuer", m.issuer);
    text("authorization_endpoint", m.authorization_endpoint);
    text("token_endpoint", m.token_endpoint);
    text("jwks_uri", m.jwks_uri);
    list("scopes_supported", m.scopes_supported);
    list("response_types_supported", m.response_types_supported);
    list("response_modes_supported", m.response_modes_supported);
    list("grant_types_supported", m.grant_types_supported);
    list("token_endpoint_auth_methods_supported", m.token_endpoint_auth_methods_supported);
    text("revocation_endpoint", m.revocation_endpoint);
    list("revocation_endpoint_auth_methods_supported", m.revocation_endpoint_auth_methods_supported);
    text("introspection_endpoint", m.introspection_endpoint);
    list("introspection_endpoint_auth_methods_supported", m.introspection_endpoint_auth_methods_supported);
    list("code_challenge_methods_supported", m.code_challenge_methods_supported);
    text("device_authorization_endpoint", m.device_authorization_endpoint);
    if (m.authorization_response_iss_parameter_supported) {
        name("authorization_response_iss_parameter_supported");
        json.raw("true");
    }
    json.raw(first ? "{}" : "}");
    return json.size();
}

}  // namespace detail

// The issuer identifier alone (RFC 8414 2: https, a host, no query or fragment; loopback
// http where the options allow it), for a host that takes it from its configuration and
// wants to refuse a wrong one before it starts anything.
[[nodiscard]] constexpr metadata_result<void> check_issuer(std::string_view issuer,
                                                           const metadata_options& options = {}) {
    if (issuer.empty()) return unexpected<metadata_problem>(metadata_problem{metadata_error::missing, "issuer"});
    return detail::check_metadata_url(issuer, "issuer", detail::metadata_url_kind::issuer, options);
}

// The checks at the top of this header.
[[nodiscard]] constexpr metadata_result<void> check_metadata(const server_metadata& m,
                                                             const metadata_options& options = {}) {
    using failure = unexpected<metadata_problem>;
    if (const auto issuer = check_issuer(m.issuer, options); !issuer) return issuer;
    using enum detail::metadata_url_kind;
    const struct {
        std::string_view url;
        std::string_view member;
        detail::metadata_url_kind kind;
    } endpoints[] = {{m.authorization_endpoint, "authorization_endpoint", other},
                     {m.token_endpoint, "token_endpoint", post_endpoint},
                     {m.jwks_uri, "jwks_uri", other},
                     {m.revocation_endpoint, "revocation_endpoint", post_endpoint},
                     {m.introspection_endpoint, "introspection_endpoint", post_endpoint},
                     {m.device_authorization_endpoint, "device_authorization_endpoint", post_endpoint}};
    for (const auto& endpoint : endpoints) {
        if (endpoint.url.empty()) continue;
        if (const auto url = detail::check_metadata_url(endpoint.url, endpoint.member, endpoint.kind, options); !url)
            return url;
    }
    if (m.response_types_supported.empty())
        return failure(metadata_problem{metadata_error::missing, "response_types_supported"});
    const string_list grants = m.grant_types_supported;
    const bool only_implicit = grants.size() == 1 && grants[0] == "implicit";
    if (m.token_endpoint.empty() && !only_implicit)
        return failure(metadata_problem{metadata_error::missing, "token_endpoint"});
    const bool uses_authorization_endpoint =
        grants.empty() || detail::list_has(grants, "authorization_code") || detail::list_has(grants, "implicit");
    if (m.authorization_endpoint.empty() && uses_authorization_endpoint)
        return failure(metadata_problem{metadata_error::missing, "authorization_endpoint"});
    for (const std::string_view scope : m.scopes_supported)
        if (scope.empty() || !all_in(char_class::nqchar, scope))
            return failure(metadata_problem{metadata_error::invalid_value, "scopes_supported"});
    const struct {
        string_list values;
        std::string_view member;
    } lists[] = {{m.response_types_supported, "response_types_supported"},
                 {m.response_modes_supported, "response_modes_supported"},
                 {m.grant_types_supported, "grant_types_supported"},
                 {m.token_endpoint_auth_methods_supported, "token_endpoint_auth_methods_supported"},
                 {m.revocation_endpoint_auth_methods_supported, "revocation_endpoint_auth_methods_supported"},
                 {m.introspection_endpoint_auth_methods_supported, "introspection_endpoint_auth_methods_supported"},
                 {m.code_challenge_methods_supported, "code_challenge_methods_supported"}};
    for (const auto& list : lists)
        for (const std::string_view value : list.values)
            if (value.empty()) return failure(metadata_problem{metadata_error::invalid_value, list.member});
    return {};
}

// The exact bytes write_metadata_json writes, or what check_metadata finds wrong.
[[nodiscard]] constexpr metadata_result<std::size_t> metadata_json_size(const server_metadata& m,
                                                                        const metadata_options& options = {}) {
    if (const auto checked = check_metadata(m, options); !checked) return unexpected<metadata_problem>(checked.error());
    return detail::metadata_json(m, nullptr);
}

// Writes the document into `dest` (room for metadata_json_size bytes); returns the bytes
// written. `m` must pass check_metadata (metadata_json_size says).
constexpr std::size_t write_metadata_json(const server_metadata& m, char* dest) noexcept {
    return detail::metadata_json(m, dest);
}

// The 200 response with the document (RFC 8414 3.2: application/json), or, when the
// configuration fails check_metadata, 500 server_error (reason::invalid_metadata; the
// problem itself is check_metadata's to tell the host, at startup).
template <class Storage>
[[nodiscard]] constexpr response make_metadata_response(const server_metadata& m, Storage& storage,
                                                        const metadata_options& options = {}) noexcept {
    response r;
    const auto size = metadata_json_size(m, options);
    if (!size) {
        detail::fill_error_response(r, error{reason::invalid_metadata}, storage, response_options{});
        return r;
    }
    storage.expect_more(*size);
    char* const dest = storage.take(*size);
    if (dest == nullptr) {
        detail::fill_error_response(r, error{reason::out_of_memory}, storage, response_options{});
        return r;
    }
    r.status = 200;
    r.reason_phrase = reason_phrase(200);
    r.body = {dest, write_metadata_json(m, dest)};
    (void)r.add_header("Content-Type", detail::json_content_type);
    return r;
}

// Where the document is served for `issuer` (RFC 8414 3.1): the well-known suffix between
// the host and the issuer's path, whose terminating '/' is removed first
// ("https://as.example.com/tenant" and "https://as.example.com/tenant/" serve at
// "/.well-known/oauth-authorization-server/tenant"). The issuer passes check_metadata.
inline constexpr std::string_view well_known_metadata_path = "/.well-known/oauth-authorization-server";

namespace detail {
[[nodiscard]] constexpr std::string_view issuer_path_suffix(std::string_view issuer) noexcept {
    std::string_view path = split_uri(issuer).path;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    return path;
}
}  // namespace detail

[[nodiscard]] constexpr std::size_t metadata_path_size(std::string_view issuer) noexcept {
    return well_known_metadata_path.size() + detail::issuer_path_suffix(issuer).size();
}
constexpr std::size_t write_metadata_path(std::string_view issuer, char* dest) noexcept {
    std::size_t out = 0;
    for (const std::string_view part : {well_known_metadata_path, detail::issuer_path_suffix(issuer)})
        for (const char c : part) dest[out++] = c;
    return out;
}

// Lists the metadata can take from the endpoints' configuration, so that it says what
// they do.

namespace detail {
inline constexpr std::array<std::string_view, 3> basic_post_none{client_secret_basic::name, client_secret_post::name,
                                                                 public_client::name};
inline constexpr std::array<std::string_view, 2> basic_none{client_secret_basic::name, public_client::name};
inline constexpr std::array<std::string_view, 2> pkce_methods{"S256", "plain"};
}  // namespace detail

// token_endpoint_auth_methods_supported (and revocation's, introspection's without
// "none") of endpoints with `options` and the default methods (client_authentication.hpp).
[[nodiscard]] constexpr string_list client_authentication_methods_supported(const endpoint_options& options,
                                                                            bool public_clients = true) noexcept {
    using detail::basic_none;
    using detail::basic_post_none;
    const bool none = public_clients && options.allow_public_clients;
    if (options.allow_body_client_auth)
        return none ? string_list(basic_post_none) : string_list(basic_post_none).first(2);
    return none ? string_list(basic_none) : string_list(basic_none).first(1);
}

// code_challenge_methods_supported for the authorization endpoint's allow_plain.
[[nodiscard]] constexpr string_list code_challenge_methods_supported(bool allow_plain) noexcept {
    return allow_plain ? string_list(detail::pkce_methods) : string_list(detail::pkce_methods).first(1);
}

// grant_types_supported of the grants a token endpoint runs: the names they declare.
template <class... Grants>
[[nodiscard]] constexpr std::array<std::string_view, sizeof...(Grants)> grant_types_of(const Grants&...) noexcept {
    return {Grants::grant_type...};
}

}  // namespace oauthcore
