#pragma once
// The pages a person sees: the authorization endpoint's sign-in and consent page
// (RFC 6749 3.1, 4.1.1-4.1.2.1, over oauthcore::authorization_endpoint) and the device
// verification page (RFC 8628 3.3), server-rendered HTML without JavaScript.
//
//   GET  /authorize?response_type=code&client_id=...   the request checked by oauthcore;
//                                                      the sign-in and consent form, or an
//                                                      error page, or an error redirect
//   POST /authorize   the form: the request's parameters again (hidden), username,
//                     password, csrf, decision=approve|deny; without decision it is an
//                     authorization request sent by POST (RFC 6749 3.1) and gets the form
//   GET  /device[?user_code=...]                       the verification form
//   POST /device      user_code, username, password, csrf: signs in, then the
//                     confirmation naming the client and scope (RFC 8628 5.4)
//   POST /device      user_code, confirmation, csrf, decision=approve|deny: the choice
//                     (codes.hpp, begin_device_confirmation)
//   GET  /static/style.css                             the pages' only style sheet
//
// Decisions:
//  - The device page is two steps (RFC 8628 5.4): the user code and a sign-in, then a
//    page naming the client and the scope that asks Allow or Deny. The code is looked up
//    only after the sign-in, so the page tells nobody whether a guessed code is pending
//    (a wrong one counts against the user, RFC 8628 5.1). The second form carries a
//    random confirmation, kept in the database as a digest joined to the browser's CSRF
//    token, with the user and 5 minutes: no session store, every server on the database
//    accepts it, and reading the database does not let anyone decide in a user's name.
//  - The user signs in on the form that asks for consent (one page, one argon2id check,
//    the same user store and brute-force limits as the password grant). Deny needs no
//    sign-in on the authorization page: it only sends the user back to the client with
//    access_denied, which any user of the browser may do; on the device page it needs
//    one, since it ends a request made elsewhere.
//  - CSRF (RFC 6749 10.12 protects the client; this protects the server's own forms): a
//    random token in a cookie (HttpOnly, SameSite=Strict; Secure and named with the
//    __Host- prefix with TLS, so that no other host can plant it) and in a hidden field; a
//    POST whose two differ is refused (403) before anything is checked.
//  - Every page: Content-Security-Policy with nothing allowed but the style sheet and
//    form posts to this server (and, on the authorization page, to the redirect URI's
//    origin, which the browser checks the redirect after the post against), no framing
//    (frame-ancestors 'none', X-Frame-Options: DENY, RFC 6749 10.13), no referrer (the
//    URLs carry state and codes), no caching.
//  - The approval redirect is 303 See Other: it answers a POST that carried the user's
//    credentials (RFC 9700 4.12: never 307).
//  - What the client sent is shown HTML-escaped; errors about the client or the redirect
//    URI are shown here, never redirected (oauthcore decides which).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "attempt_limiter.hpp"
#include "beast_adapter.hpp"
#include "command_line.hpp"
#include "oauthcore/authorization_request.hpp"
#include "stores.hpp"
#include "token_database.hpp"
#include "reply.hpp"

namespace token_server {

class sign_in_pages {
public:
    sign_in_pages(const serve_options& options, token_database& db, attempt_limiter& limiter);

    // The issuer sent as iss (RFC 9207); a view of the caller's string, which outlives
    // these pages. Set before the first request.
    void set_issuer(std::string_view issuer) noexcept;

    [[nodiscard]] static bool serves(std::string_view path) noexcept;
    // The 429 page for a sign-in refused by the brute-force limits (attempt_limiter.hpp),
    // with Retry-After when the back-off's length is known.
    [[nodiscard]] static reply too_many_failures(std::optional<std::chrono::seconds> retry_after);
    // What asks the database or checks a password (for the work pool).
    [[nodiscard]] static bool needs_work(std::string_view method, std::string_view path) noexcept;

    [[nodiscard]] reply answer(const http_request& request, std::string_view path, std::string_view source_address);

private:
    [[nodiscard]] reply authorize(const http_request& request, std::string_view source_address);
    [[nodiscard]] reply device(const http_request& request, std::string_view source_address);

    token_database& db_;
    attempt_limiter& limiter_;
    db_client_registry registry_;
    db_user_store users_;
    oauthcore::authorization_options get_options_;
    oauthcore::authorization_options post_options_;
    bool secure_cookies_;
    std::uint64_t code_lifetime_ = 600;  // RFC 6749 4.1.2: a maximum of 10 minutes is RECOMMENDED
};

}  // namespace token_server
