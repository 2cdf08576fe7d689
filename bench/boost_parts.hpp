#pragma once
// The token endpoint as a C++ developer would glue it together from Boost without
// oauthcore: Boost.URL for the form, Beast's base64 for Basic, Boost.JSON for the
// body. It makes the same checks in the same order as oauthcore (endpoint.hpp) and
// answers byte-identical bodies, so end_to_end compares like with like. Written the
// way the libraries' documentation shows (params_view yields decoded std::string
// pairs, json::serialize returns a std::string), without contortions either way.
// Included only when all three were found.

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "boost_form.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

namespace bench::boost_parts {

struct credentials {
    std::string id;
    std::string secret;
};

// RFC 7617 Basic with RFC 6749 2.3.1 form-decoding of id and secret, into `out`.
inline bool parse_basic(std::string_view header, credentials& out) {
    namespace base64 = boost::beast::detail::base64;
    const auto space = header.find(' ');
    if (space == std::string_view::npos || !iequals(header.substr(0, space), "Basic")) return false;
    std::string_view token = header.substr(space);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    if (token.empty() || token.size() % 4 != 0) return false;
    std::array<char, 512> decoded;
    if (base64::decoded_size(token.size()) > decoded.size()) return false;
    const auto [written, read] = base64::decode(decoded.data(), token.data(), token.size());
    // Beast stops at the first '=' or invalid character: only padding may be left.
    const std::string_view rest = token.substr(read);
    if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) return false;
    const std::string_view user_pass(decoded.data(), written);
    const auto colon = user_pass.find(':');
    if (colon == std::string_view::npos) return false;
    const boost::urls::encoding_opts plus_is_space(true);
    const auto id = boost::urls::make_pct_string_view(user_pass.substr(0, colon));
    const auto secret = boost::urls::make_pct_string_view(user_pass.substr(colon + 1));
    if (!id || !secret || id->empty()) return false;
    out.id = id->decode(plus_is_space);
    out.secret = secret->decode(plus_is_space);
    return true;
}

struct response {
    int status = 500;
    std::array<std::pair<std::string_view, std::string_view>, 4> headers{};
    std::string body;
};

inline response error_response(int status, std::string_view code, std::string_view description) {
    response r;
    r.status = status;
    r.headers = {{{"Content-Type", "application/json;charset=UTF-8"},
                  {"Cache-Control", "no-store"},
                  {"Pragma", "no-cache"},
                  {status == 401 ? "WWW-Authenticate" : "", status == 401 ? "Basic realm=\"oauthcore\"" : ""}}};
    boost::json::object body;
    body["error"] = code;
    body["error_description"] = description;
    r.body = boost::json::serialize(body);
    return r;
}

struct request {
    std::string_view method;
    std::string_view target;
    std::optional<std::string_view> content_type;
    std::optional<std::string_view> authorization;
    std::string_view body;
};

// The endpoint's steps 1-15 (see endpoint.hpp), in the same order.
inline response handle_token_request(const request& in, const oauthcore::memory_client_store& clients,
                                     const oauthcore::memory_user_store& users, oauthcore::token_view token) {
    const auto bad = [](std::string_view description) { return error_response(400, "invalid_request", description); };
    if (in.method != "POST")
        return error_response(405, "invalid_request", "The token endpoint accepts only the POST method.");
    if (const auto q = in.target.find('?'); q != std::string_view::npos && q + 1 < in.target.size())
        return bad("Parameters must be sent in the request body, not in the request URI.");
    if (!in.content_type ||
        !iequals(in.content_type->substr(0, in.content_type->find(';')), "application/x-www-form-urlencoded"))
        return bad("The Content-Type must be application/x-www-form-urlencoded.");
    form_fields fields;
    if (!parse_form(in.body, fields)) return bad("A parameter is included more than once.");
    const bool body_credentials = !fields.client_id.empty() || !fields.client_secret.empty();
    if (in.authorization && body_credentials) return bad("The client must use only one authentication method.");
    if (!in.authorization)
        return error_response(401, "invalid_client",
                              body_credentials ? "Client credentials in the request body are not accepted; use HTTP "
                                                 "Basic authentication."
                                               : "Client authentication is required (HTTP Basic).");
    credentials client;
    if (!parse_basic(*in.authorization, client))
        return error_response(401, "invalid_client", "The Basic credentials are malformed.");
    if (fields.grant_type.empty()) return bad("The grant_type parameter is required.");
    if (fields.grant_type != "password")
        return error_response(400, "unsupported_grant_type", "The grant type is not supported.");
    if (fields.username.empty() == fields.email_address.empty())
        return bad(fields.username.empty() ? "Exactly one of username or email_address is required; neither was given."
                                           : "Exactly one of username or email_address is required; both were given.");
    if (fields.password.empty()) return bad("The password parameter is required.");

    const auto found = clients.authenticate_client({"client_secret_basic", client.id, client.secret});
    if (!found.accepted()) return error_response(401, "invalid_client", "Client authentication failed.");
    if (!found.value().allows_grant("password"))
        return error_response(400, "unauthorized_client", "The client is not authorized to use this grant type.");
    const oauthcore::user_identifier who =
        fields.username.empty()
            ? oauthcore::user_identifier{oauthcore::identifier_kind::email_address, fields.email_address}
            : oauthcore::user_identifier{oauthcore::identifier_kind::username, fields.username};
    if (!users.authenticate_user(who, fields.password).accepted())
        return error_response(401, "invalid_client", "The user credentials combination does not match.");

    response r;
    r.status = 200;
    r.headers = {{{"Content-Type", "application/json;charset=UTF-8"},
                  {"Cache-Control", "no-store"},
                  {"Pragma", "no-cache"},
                  {"", ""}}};
    boost::json::object body;
    body["access_token"] = token.access;
    if (token.lifetime) body["expires_in"] = *token.lifetime;
    body["token_type"] = "bearer";
    if (!token.refresh.empty()) body["refresh_token"] = token.refresh;
    r.body = boost::json::serialize(body);
    return r;
}

}  // namespace bench::boost_parts
