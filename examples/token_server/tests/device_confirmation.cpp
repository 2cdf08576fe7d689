// The device page's confirmation ticket (device_confirmation.hpp, RFC 8628 5.4): made
// only with the user's stored hash, bound to the user, the user code, the browser's CSRF
// token and an expiry; anything else is refused.
#include "../device_confirmation.hpp"

#include <sodium.h>

#include <string>

#include "catch.hpp"

namespace {

using namespace token_server;

constexpr std::string_view hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
constexpr std::string_view csrf = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

token_digest digest_byte(unsigned char b) {
    token_digest d{};
    d.fill(b);
    return d;
}

}  // namespace

TEST_CASE("device confirmation: a ticket reads back as its claims and matches its binding until it expires",
          "[device_confirmation][rfc8628]") {
    REQUIRE(sodium_init() >= 0);
    for (const auto kind : {oauthcore::identifier_kind::username, oauthcore::identifier_kind::email_address}) {
        // Any bytes in an identifier, a '.' and a NUL included, survive the ticket.
        const confirmation_claims claims{kind, std::string("j.doe\0@example.com", 18), 1'800'000'300};
        const confirmation_binding binding{digest_byte(7), csrf, hash};
        const std::string ticket = make_confirmation(claims, binding);
        const auto read = read_confirmation(ticket);
        REQUIRE(read);
        CHECK(read->kind == kind);
        CHECK(read->identifier == claims.identifier);
        CHECK(read->expires_at == claims.expires_at);
        CHECK(confirmation_matches(ticket, *read, binding, claims.expires_at - 1));
        CHECK_FALSE(confirmation_matches(ticket, *read, binding, claims.expires_at));
        CHECK_FALSE(confirmation_matches(ticket, *read, binding, claims.expires_at + 100));
    }
}

TEST_CASE("device confirmation: another user code, browser, password hash or user does not match",
          "[device_confirmation][rfc8628]") {
    REQUIRE(sodium_init() >= 0);
    const confirmation_claims claims{oauthcore::identifier_kind::username, "john_doe", 1'800'000'300};
    const confirmation_binding binding{digest_byte(7), csrf, hash};
    const std::string ticket = make_confirmation(claims, binding);
    const std::int64_t now = claims.expires_at - 10;
    REQUIRE(confirmation_matches(ticket, claims, binding, now));

    const std::string other_csrf(64, 'f');
    const std::string changed_hash = std::string(hash) + "x";
    CHECK_FALSE(confirmation_matches(ticket, claims, {digest_byte(8), csrf, hash}, now));
    CHECK_FALSE(confirmation_matches(ticket, claims, {digest_byte(7), other_csrf, hash}, now));
    // A changed password voids the ticket.
    CHECK_FALSE(confirmation_matches(ticket, claims, {digest_byte(7), csrf, changed_hash}, now));
    // The claims are under the MAC: another user, kind or expiry does not match.
    CHECK_FALSE(confirmation_matches(ticket, {oauthcore::identifier_kind::username, "jane_doe", claims.expires_at},
                                     binding, now));
    CHECK_FALSE(confirmation_matches(ticket, {oauthcore::identifier_kind::email_address, "john_doe", claims.expires_at},
                                     binding, now));
    CHECK_FALSE(confirmation_matches(ticket, {claims.kind, claims.identifier, claims.expires_at + 1}, binding, now));
}

TEST_CASE("device confirmation: a ticket changed anywhere is refused, as read or as matched",
          "[device_confirmation][rfc8628]") {
    REQUIRE(sodium_init() >= 0);
    const confirmation_claims claims{oauthcore::identifier_kind::username, "john_doe", 1'800'000'300};
    const confirmation_binding binding{digest_byte(7), csrf, hash};
    const std::string ticket = make_confirmation(claims, binding);
    const std::int64_t now = claims.expires_at - 10;
    for (std::size_t at = 0; at < ticket.size(); ++at) {
        for (const char put : {'0', '9', 'a', 'F', '.', 'e', 'u'}) {
            if (ticket[at] == put) continue;
            std::string changed = ticket;
            changed[at] = put;
            CAPTURE(changed);
            const auto read = read_confirmation(changed);
            CHECK_FALSE((read && confirmation_matches(changed, *read, binding, now)));
        }
    }
    for (const std::string_view malformed :
         {"", "u", "u.1.6a.", "x.1800000300.6a6f686e.00", "u..6a6f686e.00", "u.-1.6a6f686e.00",
          "u.18000003000000000000.6a.00", "u.1800000300.6a6.00", "u.1800000300.zz.00", "u.1800000300..00"}) {
        CAPTURE(malformed);
        CHECK_FALSE(read_confirmation(malformed));
    }
    // The MAC part must have its exact length.
    CHECK_FALSE(read_confirmation(ticket + "0"));
    CHECK_FALSE(read_confirmation(ticket.substr(0, ticket.size() - 2)));
}
