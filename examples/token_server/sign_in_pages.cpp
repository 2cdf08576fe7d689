#include "sign_in_pages.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "codes.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/storage.hpp"
#include "oauthcore/uri.hpp"
#include "random_token.hpp"
#include "request_gate.hpp"
#include "transport_errors.hpp"
#include "unix_time.hpp"

namespace token_server {

namespace {

namespace http = boost::beast::http;

constexpr std::string_view authorize_path = "/authorize";
constexpr std::string_view device_path = "/device";
constexpr std::string_view style_path = "/static/style.css";
// The CSRF cookie's name. A Secure cookie (with TLS, or behind a TLS proxy) takes the
// __Host- prefix (RFC 6265bis 4.1.3.2): the browser then keeps it only when this host set
// it over HTTPS with Path=/ and no Domain, so that neither a sibling subdomain nor a
// plain-HTTP answer on the network path can plant a value it knows (cookie tossing, which
// defeats a double-submit token). Without TLS (loopback only) the cookie cannot be Secure,
// and the prefix cannot be used.
std::string_view csrf_cookie_name(bool secure) noexcept { return secure ? "__Host-oauthcore_csrf" : "oauthcore_csrf"; }

constexpr std::string_view style_sheet =
    R"css(body{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1d1f23;margin:0}
main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem 2.5rem;border-radius:8px;box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin:0 0 1rem}
label{display:block;margin:1rem 0 .25rem;font-weight:600}
input[type=text],input[type=password]{box-sizing:border-box;width:100%;padding:.5rem;font:inherit;border:1px solid #999;border-radius:4px}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{font:inherit;padding:.5rem 1.2rem;border-radius:4px;border:1px solid #1a56db;background:#1a56db;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1a56db}
.client{font-weight:600}
.error{background:#fde8e8;color:#9b1c1c;padding:.5rem .75rem;border-radius:4px}
code{background:#eef;padding:0 .25rem;border-radius:3px}
)css";

std::string_view view(boost::beast::string_view s) noexcept { return {s.data(), s.size()}; }

// Text for HTML, in element content and in double-quoted attribute values alike.
std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// The scheme and authority of `uri` as a CSP source expression (CSP 3, 2.3.1): the
// origin the redirect after the form's post goes to, which form-action must allow.
// nullopt when it has characters a source expression cannot hold.
std::optional<std::string> csp_source_of(std::string_view uri) {
    const oauthcore::uri_parts parts = oauthcore::split_uri(uri);
    const auto clean = [](std::string_view s, std::string_view extra) {
        for (const char c : s) {
            const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && extra.find(c) == std::string_view::npos) return false;
        }
        return true;
    };
    if (parts.scheme.empty() || !clean(parts.scheme, "+.-") || !clean(parts.authority, ".-:[]")) return std::nullopt;
    if (!parts.has_authority) return std::string(parts.scheme) + ":";
    return std::string(parts.scheme) + "://" + std::string(parts.authority);
}

std::string content_security_policy(std::string_view redirect_origin) {
    std::string policy =
        "default-src 'none'; style-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    if (!redirect_origin.empty()) {
        policy += ' ';
        policy += redirect_origin;
    }
    return policy;
}

// Headers every answer of these pages carries.
void add_page_headers(http_response& message) {
    message.set(http::field::cache_control, "no-store");
    message.set(http::field::pragma, "no-cache");
    message.set(http::field::x_frame_options, "DENY");
    message.set("X-Content-Type-Options", "nosniff");
    message.set("Referrer-Policy", "no-referrer");
}

reply html_page(unsigned status, std::string body, std::string_view redirect_origin = {}) {
    reply out;
    out.message.result(status);
    out.message.set(http::field::content_type, "text/html;charset=utf-8");
    out.message.set("Content-Security-Policy", content_security_policy(redirect_origin));
    add_page_headers(out.message);
    out.message.body() = std::move(body);
    return out;
}

std::string page(std::string_view title, std::string_view content) {
    std::string html =
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>";
    html += escape_html(title);
    html += "</title><link rel=\"stylesheet\" href=\"";
    html += style_path;
    html += "\"></head>\n<body><main>\n<h1>";
    html += escape_html(title);
    html += "</h1>\n";
    html += content;
    html += "</main></body></html>\n";
    return html;
}

std::string hidden(std::string_view name, std::string_view value) {
    if (value.empty()) return {};
    return "<input type=\"hidden\" name=\"" + std::string(name) + "\" value=\"" + escape_html(value) + "\">\n";
}

std::string notice(std::string_view message) {
    return message.empty() ? std::string() : "<p class=\"error\" role=\"alert\">" + escape_html(message) + "</p>\n";
}

std::string sign_in_fields() {
    return "<label for=\"username\">Username or email address</label>\n"
           "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autofocus>\n"
           "<label for=\"password\">Password</label>\n"
           "<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\">\n";
}

// RFC 9110 9.1: a server that answers GET answers HEAD too (the connection sends the
// headers of the GET answer without its body).
bool is_get_or_head(const http_request& request) noexcept {
    return request.method() == http::verb::get || request.method() == http::verb::head;
}

// The error page: oauthcore's error (its code and fixed description: never what the
// client sent).
reply error_page(const oauthcore::response& refused) {
    std::string content = "<p>This request cannot be completed.</p>\n";
    if (refused.error) {
        const oauthcore::error_details details = oauthcore::describe(*refused.error);
        std::string description(details.description);
        description += details.parameter.text();
        description += details.description_end;
        content += "<p><code>" + escape_html(oauthcore::to_string(details.code)) +
                   "</code>: " + escape_html(description) + "</p>\n";
    }
    reply out = html_page(static_cast<unsigned>(refused.status), page("Request refused", content));
    if (refused.status == 405) out.message.set(http::field::allow, "GET, HEAD, POST");
    if (refused.error) {
        out.log_code = oauthcore::to_string(oauthcore::describe(*refused.error).code);
        out.log_name = oauthcore::to_string(refused.error->reason);
    }
    return out;
}

reply message_page(unsigned status, std::string_view title, std::string_view message) {
    return html_page(status, page(title, "<p>" + escape_html(message) + "</p>\n"));
}

// A redirect oauthcore made (success or error), with the pages' headers.
reply redirect(const oauthcore::response& r) {
    reply out{to_beast_response(r)};
    add_page_headers(out.message);
    if (r.error) {
        out.log_code = oauthcore::to_string(oauthcore::describe(*r.error).code);
        out.log_name = oauthcore::to_string(r.error->reason);
    }
    return out;
}

// The CSRF token: the browser's cookie when it has a well-formed one, else a new one.
struct csrf_token {
    std::string value;
    bool is_new = false;
};

std::string_view cookie_value(const http_request& request, std::string_view name) {
    const auto field = request.find(http::field::cookie);
    if (field == request.end()) return {};
    std::string_view cookies = view(field->value());
    while (!cookies.empty()) {
        const std::size_t end = std::min(cookies.find(';'), cookies.size());
        std::string_view pair = cookies.substr(0, end);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=')
            return pair.substr(name.size() + 1);
        cookies.remove_prefix(end == cookies.size() ? end : end + 1);
    }
    return {};
}

bool is_csrf_text(std::string_view value) noexcept {
    if (value.size() != 64) return false;
    for (const char c : value)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

csrf_token csrf_of(const http_request& request, bool secure) {
    const std::string_view sent = cookie_value(request, csrf_cookie_name(secure));
    if (is_csrf_text(sent)) return {std::string(sent), false};
    return {std::string(make_token().view()), true};
}

// The form's field equals the cookie (compared in constant time), and both are tokens.
bool csrf_matches(const http_request& request, bool secure, std::string_view field) {
    const std::string_view sent = cookie_value(request, csrf_cookie_name(secure));
    return is_csrf_text(sent) && is_csrf_text(field) && sodium_memcmp(sent.data(), field.data(), sent.size()) == 0;
}

void set_csrf_cookie(reply& out, const csrf_token& csrf, bool secure) {
    if (!csrf.is_new) return;
    std::string cookie =
        std::string(csrf_cookie_name(secure)) + "=" + csrf.value + "; Path=/; HttpOnly; SameSite=Strict";
    if (secure) cookie += "; Secure";
    out.message.set(http::field::set_cookie, cookie);
}

// The sign-in and consent page of a valid request. Its hidden fields send the request
// back as oauthcore checked it, for oauthcore to check again when the form is posted.
reply consent_page(const oauthcore::authorization_request& request, const csrf_token& csrf, bool secure_cookies,
                   std::string_view message, unsigned status = 200) {
    std::string content =
        "<p><span class=\"client\">" + escape_html(request.client_id) + "</span> asks to use your account";
    if (!request.scope.empty()) content += " with the scope <code>" + escape_html(request.scope) + "</code>";
    content += ".</p>\n";
    content += notice(message);
    content += "<form method=\"post\" action=\"" + std::string(authorize_path) + "\">\n";
    content += hidden("response_type", "code");
    content += hidden("client_id", request.client_id);
    content += hidden("redirect_uri", request.requested_redirect_uri);
    content += hidden("scope", request.scope);
    content += hidden("state", request.state);
    content += hidden("code_challenge", request.code_challenge);
    content += hidden("code_challenge_method", request.code_challenge_method);
    content += hidden("csrf", csrf.value);
    content += sign_in_fields();
    content +=
        "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"approve\">Sign in and allow</button>"
        "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button></div>\n"
        "</form>\n";
    const auto origin = csp_source_of(request.redirect_uri);
    reply out = html_page(status, page("Sign in", content), origin.value_or(std::string()));
    set_csrf_cookie(out, csrf, secure_cookies);
    return out;
}

// The device page's first step: the user code and a sign-in, and a Continue button.
// Nothing is looked up before the sign-in (sign_in_pages.hpp says why).
reply device_page(std::string_view user_code, const csrf_token& csrf, bool secure_cookies, std::string_view message,
                  unsigned status = 200) {
    std::string content =
        "<p>Enter the code your device shows, and sign in. The next page names the application that asks and "
        "what it asks for, before anything is allowed.</p>\n";
    content += notice(message);
    content += "<form method=\"post\" action=\"" + std::string(device_path) + "\">\n";
    content += hidden("csrf", csrf.value);
    content +=
        "<label for=\"user_code\">Code</label>\n"
        "<input type=\"text\" id=\"user_code\" name=\"user_code\" autocomplete=\"off\" autocapitalize=\"characters\" "
        "value=\"" +
        escape_html(user_code) + "\">\n";
    content += sign_in_fields();
    content +=
        "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"continue\">Continue</button></div>\n"
        "</form>\n";
    reply out = html_page(status, page("Connect a device", content));
    set_csrf_cookie(out, csrf, secure_cookies);
    return out;
}

// The second step (RFC 8628 5.4): the signed-in user sees which client asks for which
// scope, and is warned that a code sent by someone else is an attack (remote phishing),
// before Allow or Deny. The code shown is the one the request has, whatever was typed
// around it. The form carries the confirmation (codes.hpp) in place of the password.
reply device_confirmation_page(const device_confirmation& pending, std::string_view user_name, const csrf_token& csrf,
                               bool secure_cookies) {
    std::string content = "<p>Signed in as <span class=\"client\">" + escape_html(user_name) + "</span>.</p>\n";
    content += "<p>The application <span class=\"client\">" + escape_html(pending.request.client_id) +
               "</span> asks to use your account";
    if (!pending.request.scope.empty())
        content += " with the scope <code>" + escape_html(pending.request.scope) + "</code>";
    content += " on the device that shows the code <code>" + escape_html(pending.user_code) + "</code>.</p>\n";
    content +=
        "<p>Only allow a code that a device in front of you shows. If someone sent you this page or its code, "
        "choose Deny.</p>\n";
    content += "<form method=\"post\" action=\"" + std::string(device_path) + "\">\n";
    content += hidden("csrf", csrf.value);
    content += hidden("user_code", pending.user_code);
    content += hidden("confirmation", pending.confirmation.view());
    content +=
        "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"approve\">Allow</button>"
        "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button></div>\n"
        "</form>\n";
    reply out = html_page(200, page("Allow this device?", content));
    set_csrf_cookie(out, csrf, secure_cookies);
    out.log_name = "device_confirmation_begun";
    return out;
}

// The form fields of the pages besides the authorization request's.
using page_fields = oauthcore::parameter_list<"username", "password", "csrf", "decision", "user_code", "confirmation">;

// The user the form names: an email address when it holds "@" (a username never does
// in the example's data; add-user takes either), else a username.
oauthcore::user_identifier user_named(std::string_view name) noexcept {
    const bool email = name.find('@') != std::string_view::npos;
    return {email ? oauthcore::identifier_kind::email_address : oauthcore::identifier_kind::username, name};
}

enum class sign_in_result : unsigned char { accepted, rejected, refused, failed };

struct signed_in {
    sign_in_result result = sign_in_result::rejected;
    std::int64_t user_id = 0;
};

// One argon2id check behind the brute-force gate, as at the token endpoint.
signed_in sign_in(request_gate& gate, db_user_store& users, std::string_view client_id, std::string_view name,
                  std::string_view password) {
    if (name.empty() || password.empty()) return {};
    const oauthcore::user_identifier who = user_named(name);
    if (!gate.admits_user(who)) return {sign_in_result::refused};
    const auto found = users.authenticate_user(who, password);
    if (found.status() == oauthcore::outcome_status::failed) return {sign_in_result::failed};
    if (!found.accepted()) {
        gate.user_authentication_failed(client_id, who);
        return {sign_in_result::rejected};
    }
    gate.user_accepted(who);
    return {sign_in_result::accepted, found.value().id};
}

}  // namespace

reply sign_in_pages::too_many_failures(std::optional<std::chrono::seconds> retry_after) {
    reply out = message_page(429, "Too many attempts", "Too many failed sign-ins. Wait a while and try again.");
    if (retry_after) out.message.set(http::field::retry_after, std::to_string(retry_after->count()));
    out.log_code = "too_many_failures";
    return out;
}

sign_in_pages::sign_in_pages(const serve_options& options, token_database& db, attempt_limiter& limiter)
    : db_(db),
      limiter_(limiter),
      registry_(db, options.scopes),
      users_(db),
      secure_cookies_(!options.tls_cert.empty() || options.insecure_http_behind_proxy) {
    get_options_.allow_plain = options.allow_plain_pkce;
    // RFC 8252 7.3 (and the exception RFC 9700 2.1 makes): a native app listening on
    // loopback gets a port from the system at each run, so "http://127.0.0.1/cb"
    // registered matches "http://127.0.0.1:51004/cb" requested; every other URI matches
    // exactly. The code is bound to the URI as requested, port included, which the token
    // request must then repeat (RFC 6749 4.1.3).
    get_options_.matching = oauthcore::redirect_uri_matching::loopback_port_may_vary;
    post_options_ = get_options_;
    post_options_.redirect_status = oauthcore::redirect_status::see_other;
}

void sign_in_pages::set_issuer(std::string_view issuer) noexcept {
    get_options_.issuer = issuer;
    post_options_.issuer = issuer;
}

bool sign_in_pages::serves(std::string_view path) noexcept {
    return path == authorize_path || path == device_path || path == style_path;
}

bool sign_in_pages::needs_work(std::string_view method, std::string_view path) noexcept {
    return path == authorize_path || (path == device_path && method == "POST");
}

reply sign_in_pages::answer(const http_request& request, std::string_view path, std::string_view source_address) {
    if (path == authorize_path) return authorize(request, source_address);
    if (path == device_path) return device(request, source_address);
    reply out;
    if (!is_get_or_head(request)) {
        out = message_page(405, "Request refused", "This file takes GET.");
        out.message.set(http::field::allow, "GET, HEAD");
        return out;
    }
    out.message.result(http::status::ok);
    out.message.set(http::field::content_type, "text/css;charset=utf-8");
    out.message.set(http::field::cache_control, "public, max-age=3600");
    out.message.set("X-Content-Type-Options", "nosniff");
    out.message.body().assign(style_sheet.data(), style_sheet.size());
    return out;
}

reply sign_in_pages::authorize(const http_request& request, std::string_view source_address) {
    // HEAD is GET without the body (RFC 9110 9.3.2; the connection drops the body): the
    // authorization endpoint of oauthcore knows GET and POST, so it is shown a GET.
    if (request.method() == http::verb::head) {
        http_request as_get = request;
        as_get.method(http::verb::get);
        return authorize(as_get, source_address);
    }
    const bool post = request.method() == http::verb::post;
    oauthcore::authorization_endpoint endpoint(registry_, post ? post_options_ : get_options_);
    oauthcore::exchange_storage storage;
    const beast_request adapted(request);
    const auto checked = endpoint.validate(adapted, storage);
    if (!checked.valid()) {
        const bool redirects = checked.answer.status == 302 || checked.answer.status == 303;
        return redirects ? redirect(checked.answer) : error_page(checked.answer);
    }
    const oauthcore::authorization_request& valid = *checked.request;
    const csrf_token csrf = csrf_of(request, secure_cookies_);
    if (!post) return consent_page(valid, csrf, secure_cookies_, {});

    oauthcore::request_storage form_storage;
    const auto form = oauthcore::parse_form<page_fields>(request.body(), form_storage, get_options_.limits);
    // oauthcore read the same body a moment ago; it cannot fail here, but a page that
    // cannot be read is refused rather than guessed at.
    if (!form) return message_page(400, "Request refused", "The form cannot be read.");
    const std::string_view decision = (*form)[oauthcore::param<"decision">];
    // RFC 6749 3.1: an authorization request may come as a POST; it gets the form.
    if (decision.empty()) return consent_page(valid, csrf, secure_cookies_, {});
    if (!csrf_matches(request, secure_cookies_, (*form)[oauthcore::param<"csrf">]))
        return message_page(403, "Request refused", "The form has expired. Go back to the application and try again.");
    if (decision == "deny") return redirect(endpoint.deny(valid, storage.response));
    if (decision != "approve") return message_page(400, "Request refused", "The form cannot be read.");

    request_gate gate(limiter_, source_address);
    const signed_in user = sign_in(gate, users_, valid.client_id, (*form)[oauthcore::param<"username">],
                                   (*form)[oauthcore::param<"password">]);
    switch (user.result) {
        case sign_in_result::refused: return too_many_failures(gate.refused());
        case sign_in_result::failed:
            return redirect(endpoint.redirect_error(valid, oauthcore::error{oauthcore::reason::user_store_failure},
                                                    storage.response));
        case sign_in_result::rejected: return consent_page(valid, csrf, secure_cookies_, "Wrong username or password.");
        case sign_in_result::accepted: break;
    }
    // What the token request must match (RFC 6749 4.1.3, RFC 7636 4.6): recorded with the code.
    const std::int64_t now = unix_now();
    const authorization_code_row row{std::string(valid.client_id),
                                     user.user_id,
                                     std::string(valid.requested_redirect_uri),
                                     std::string(valid.code_challenge),
                                     std::string(valid.code_challenge_method),
                                     std::string(valid.scope),
                                     now + static_cast<std::int64_t>(code_lifetime_),
                                     false};
    const auto code = record_authorization_code(db_, row, now);
    if (!code)
        return redirect(
            endpoint.redirect_error(valid, oauthcore::error{oauthcore::reason::code_store_failure}, storage.response));
    return redirect(endpoint.approve(valid, code->view(), storage.response));
}

namespace {

// The second step's post: the decision, recorded when the confirmation is the one this
// browser was handed for this code and has not expired (codes.hpp). Each outcome is named
// in the log line.
reply confirm_device(token_database& db, bool secure_cookies, std::string_view user_code, std::string_view confirmation,
                     std::string_view decision, const csrf_token& csrf) {
    if (decision != "approve" && decision != "deny") {
        reply out = device_page(user_code, csrf, secure_cookies, "Choose Allow or Deny.", 400);
        out.log_name = "device_confirmation_refused";
        return out;
    }
    const bool approve = decision == "approve";
    const auto decided =
        confirm_device_request(db, user_code, confirmation, csrf.value,
                               approve ? device_decision::approved : device_decision::denied, unix_now());
    if (!decided) return message_page(500, "Something went wrong", "Please try again later.");
    if (!*decided) {
        reply out = device_page(user_code, csrf, secure_cookies,
                                "This confirmation has expired or was used already. Please sign in again.", 403);
        out.log_name = "device_confirmation_refused";
        return out;
    }
    reply out = message_page(200, approve ? "Device connected" : "Device refused",
                             approve ? "Your device may now use your account. You can close this window."
                                     : "The device will not get access. You can close this window.");
    out.log_name = approve ? "device_approved" : "device_denied";
    return out;
}

}  // namespace

reply sign_in_pages::device(const http_request& request, std::string_view source_address) {
    const csrf_token csrf = csrf_of(request, secure_cookies_);
    oauthcore::request_storage storage;
    if (is_get_or_head(request)) {
        // verification_uri_complete (RFC 8628 3.3.1) fills the code in.
        const std::string_view target = view(request.target());
        const std::size_t query = target.find('?');
        std::string user_code;
        if (query != std::string_view::npos) {
            const auto form =
                oauthcore::parse_form<page_fields>(target.substr(query + 1), storage, get_options_.limits);
            if (form) user_code = prefilled_user_code((*form)[oauthcore::param<"user_code">]);
        }
        return device_page(user_code, csrf, secure_cookies_, {});
    }
    if (request.method() != http::verb::post) {
        reply out = message_page(405, "Request refused", "This page takes GET and POST.");
        out.message.set(http::field::allow, "GET, HEAD, POST");
        return out;
    }
    const auto form = oauthcore::parse_form<page_fields>(request.body(), storage, get_options_.limits);
    if (!form) return message_page(400, "Request refused", "The form cannot be read.");
    const std::string_view user_code = (*form)[oauthcore::param<"user_code">];
    if (!csrf_matches(request, secure_cookies_, (*form)[oauthcore::param<"csrf">]))
        return device_page(user_code, csrf, secure_cookies_, "The form has expired. Please try again.", 403);
    const std::string_view confirmation = (*form)[oauthcore::param<"confirmation">];
    if (!confirmation.empty())
        return confirm_device(db_, secure_cookies_, user_code, confirmation, (*form)[oauthcore::param<"decision">],
                              csrf);

    request_gate gate(limiter_, source_address);
    const std::string_view username = (*form)[oauthcore::param<"username">];
    if (!username.empty() && !gate.admits_user_code_guess(user_named(username)))
        return too_many_failures(gate.refused());
    const signed_in user = sign_in(gate, users_, {}, username, (*form)[oauthcore::param<"password">]);
    switch (user.result) {
        case sign_in_result::refused: return too_many_failures(gate.refused());
        case sign_in_result::failed: return message_page(500, "Something went wrong", "Please try again later.");
        case sign_in_result::rejected:
            return device_page(user_code, csrf, secure_cookies_, "Wrong username or password.");
        case sign_in_result::accepted: break;
    }
    const auto pending = begin_device_confirmation(db_, user_code, user.user_id, csrf.value, unix_now());
    if (!pending) return message_page(500, "Something went wrong", "Please try again later.");
    // A wrong code counts against the user like a wrong password, under its own name
    // (request_gate::user_code_wrong): codes cannot be tried faster than passwords
    // (RFC 8628 5.1).
    if (!*pending) {
        gate.user_code_wrong(user_named(username));
        reply out =
            device_page(user_code, csrf, secure_cookies_,
                        "No device is waiting for this code (it may have expired). Check the code and try again.");
        out.log_name = "user_code_wrong";
        return out;
    }
    return device_confirmation_page(**pending, username, csrf, secure_cookies_);
}

}  // namespace token_server
