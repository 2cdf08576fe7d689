#pragma once
// Brute-force limits around one request (attempt_limiter.hpp), in two parts:
//   - before each argon2id check, the store wrappers below ask the gate whether the
//     source address, the client id or the user identifier (as oauthcore parsed it) is
//     under back-off; a refused one costs no hash. The server answers 429 for either
//     (token_service.cpp);
//   - oauthcore tells the gate, as its authentication_observer, of each failed client
//     and user authentication, which it counts.
// The protocol decisions and their order stay oauthcore's: the user is asked about only
// after the client has authenticated (RFC 6749 4.3.2), so a client without valid
// credentials gets invalid_client whoever it names, and cannot learn which users are
// under back-off. (An earlier version looked at the body's user before oauthcore, to
// spare a refused user the client's hash too; it answered 429 to requests without
// client credentials, and saved nothing an attacker could not cost the server with an
// unrefused name.)

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "attempt_limiter.hpp"
#include "oauthcore/client_authentication.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/password_grant.hpp"

namespace token_server {

class request_gate {
public:
    request_gate(attempt_limiter& limiter, std::string_view source_address) noexcept
        : limiter_(limiter), address_(source_address) {}

    // Before the client secret is checked: the address, and the client id when the
    // request presents a secret. A public client's request ("none") presents none, so its
    // id's back-off does not apply to it: failures counted against a public client's id
    // (someone guessing a secret it does not have) would otherwise lock every user of the
    // app out, at the cost of a few requests, while protecting nothing.
    [[nodiscard]] bool admits_client(std::string_view client_id, bool presents_secret);
    // After a failed client authentication, before the observer hears of it: the id is
    // not a registered client, so only the address counts the failure. Made-up ids cost
    // little to reject (no argon2id: RFC 6749 2.2, a client id is no secret, so telling
    // them apart tells nothing), and counted they would fill the client table until a
    // real client's lockout was dropped to make room.
    void client_unknown() noexcept { counts_client_ = false; }
    // Before the password is checked: the user identifier.
    [[nodiscard]] bool admits_user(oauthcore::user_identifier who);
    // The device page (RFC 8628 5.1: the server MUST rate-limit user codes): wrong user
    // codes tried by a signed-in user are counted under a name of their own, which the
    // user's right password does not forget (a name forgotten at each sign-in never
    // reached the limit: one account could try codes without end). Asked before the
    // password is checked.
    [[nodiscard]] bool admits_user_code_guess(oauthcore::user_identifier who);
    void user_code_wrong(oauthcore::user_identifier who);
    void client_accepted(std::string_view client_id) { limiter_.forget(attempt_kind::client, client_id); }
    void user_accepted(oauthcore::user_identifier who) { limiter_.forget(attempt_kind::user, user_key(who)); }

    // oauthcore::authentication_observer: an unknown user arrives here exactly as a wrong
    // password does, and both are counted alike; a client id only when a secret was
    // presented for it and it is registered (above). Nothing is counted for a request the
    // gate refused (it checked nothing).
    void client_authentication_failed(std::string_view client_id);
    void user_authentication_failed(std::string_view client_id, oauthcore::user_identifier who);

    // The back-off that refused this request, if one did.
    [[nodiscard]] std::optional<std::chrono::seconds> refused() const noexcept { return refused_; }

    // The limiter's name for a user: a username as sent (the database compares it
    // exactly), an email address in ASCII lower case (the database compares it
    // case-insensitively, so Case variants are one name), each in its own namespace.
    [[nodiscard]] static std::string user_key(oauthcore::user_identifier who);

private:
    [[nodiscard]] bool admits(attempt_kind kind, std::string_view name);

    attempt_limiter& limiter_;
    std::string_view address_;
    std::optional<std::chrono::seconds> refused_;
    bool counts_client_ = true;
};

static_assert(oauthcore::authentication_observer<request_gate>);

// oauthcore's client store, asking the gate before the secret is checked. A refused
// client is rejected without a hash; the server replaces oauthcore's answer with 429.
template <class Inner>
class gated_client_store {
public:
    using client_type = typename Inner::client_type;

    gated_client_store(Inner& inner, request_gate& gate) noexcept : inner_(inner), gate_(gate) {}

    [[nodiscard]] oauthcore::outcome<client_type> authenticate_client(
        const oauthcore::client_authentication& presented) {
        const bool presents_secret = presented.method != oauthcore::public_client_method;
        if (!gate_.admits_client(presented.id, presents_secret)) return oauthcore::outcome<client_type>::reject();
        bool registered = true;
        auto result = inner_.authenticate_client(presented, registered);
        if (result.accepted())
            gate_.client_accepted(presented.id);
        else if (presents_secret && result.status() == oauthcore::outcome_status::rejected && !registered)
            gate_.client_unknown();
        return result;
    }

private:
    Inner& inner_;
    request_gate& gate_;
};

template <class Inner>
class gated_user_store {
public:
    using user_type = typename Inner::user_type;

    gated_user_store(Inner& inner, request_gate& gate) noexcept : inner_(inner), gate_(gate) {}

    [[nodiscard]] oauthcore::outcome<user_type> authenticate_user(oauthcore::user_identifier who,
                                                                  std::string_view password) {
        if (!gate_.admits_user(who)) return oauthcore::outcome<user_type>::reject();
        auto result = inner_.authenticate_user(who, password);
        if (result.accepted()) gate_.user_accepted(who);
        return result;
    }

private:
    Inner& inner_;
    request_gate& gate_;
};

}  // namespace token_server
