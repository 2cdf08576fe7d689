#pragma once
// The device page's second step (RFC 8628 5.4). The user signs in and types the user
// code; only then does the page look the request up and name its client and scope, and
// ask Allow or Deny. The confirmation form carries a ticket instead of the password:
//
//   ticket = kind "." expires_at "." hex(identifier) "." hex(HMAC-SHA-256)
//
// The MAC covers the user's identifier, the ticket's expiry, the digest of the user code
// and the browser's CSRF token, keyed with the user's stored password hash. So:
//  - only the server can make one (the hash never leaves it), for a user who has just
//    signed in, and it is spent by nobody but the browser that signed in (the CSRF
//    cookie), for no other user code;
//  - it needs no server-side state nor a key shared between servers (a cluster on one
//    PostgreSQL checks each other's tickets), and a password change voids every ticket;
//  - it lives confirmation_lifetime seconds, and a replay within them finds the request
//    decided already.
// Looking the request up only after the sign-in keeps the page from being an oracle for
// guessed codes: a wrong code counts against the signed-in user, as before.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/concepts.hpp"
#include "random_token.hpp"

namespace token_server {

inline constexpr std::int64_t confirmation_lifetime = 300;

// What a ticket says, read before its MAC can be checked (the MAC needs the user's hash).
struct confirmation_claims {
    oauthcore::identifier_kind kind = oauthcore::identifier_kind::username;
    std::string identifier;
    std::int64_t expires_at = 0;

    [[nodiscard]] oauthcore::user_identifier user() const noexcept { return {kind, identifier}; }
};

// What the ticket is bound to besides the user.
struct confirmation_binding {
    token_digest user_code_digest{};
    std::string_view csrf;
    std::string_view password_hash;  // the user's, as stored: the MAC's key
};

[[nodiscard]] std::string make_confirmation(const confirmation_claims& claims, const confirmation_binding& binding);

// The claims of a well-formed ticket; nullopt for anything else. Says nothing about its
// MAC: confirmation_matches does.
[[nodiscard]] std::optional<confirmation_claims> read_confirmation(std::string_view ticket);

// The ticket's MAC is the one make_confirmation gives these claims and this binding
// (compared in constant time), and the ticket has not expired at `now`.
[[nodiscard]] bool confirmation_matches(std::string_view ticket, const confirmation_claims& claims,
                                        const confirmation_binding& binding, std::int64_t now);

}  // namespace token_server
