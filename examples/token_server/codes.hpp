#pragma once
// The codes the server makes and records: authorization codes (RFC 6749 4.1.2) for the
// sign-in page and `mint-code`, device requests (RFC 8628 3.1-3.2) for the device
// authorization endpoint and `device-code`, and the user's decision on one (RFC 8628
// 3.3) for the verification page and `approve-device`. One function each, whoever asks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/device_authorization.hpp"
#include "random_token.hpp"
#include "result.hpp"
#include "token_database.hpp"

namespace token_server {

// RFC 8628 6.1's example: 8 characters of 20 consonants (no vowels, so no words; no
// digits, easy to type), about 34.5 bits, shown as XXXX-XXXX. Brute force is bounded by
// the code's lifetime and the verification page's attempt limits.
inline constexpr oauthcore::user_code_format user_codes = oauthcore::base20_user_code_format;

// A fresh authorization code, stored (as its digest) with what the request recorded.
[[nodiscard]] result<token> record_authorization_code(token_database& db, const authorization_code_row& row,
                                                      std::int64_t now);

struct device_request {
    token device_code;
    std::string user_code;  // XXXX-XXXX
};

// A fresh device code and user code for `client_id`, stored (as digests) as pending.
[[nodiscard]] result<device_request> record_device_request(token_database& db, std::string_view client_id,
                                                           std::string_view scope, std::uint64_t expires_in,
                                                           std::uint64_t interval, std::int64_t now);

// The device page's confirmation step (RFC 8628 5.4; sign_in_pages.hpp says why two
// steps). After the user signed in with a user code, begin_device_confirmation records
// the user, a fresh random confirmation and when it expires (confirmation_lifetime) on
// the pending request, and gives the request for the page to name its client and scope,
// the code as the device shows it, and the confirmation for the page's form. The
// database keeps only the digest of the confirmation joined to the browser's CSRF token
// (`browser`): the confirmation works from that browser alone, and whoever reads the
// database cannot use it. nullopt: no pending request has that code.
inline constexpr std::int64_t confirmation_lifetime = 300;

struct device_confirmation {
    device_code_row request;
    std::string user_code;  // XXXX-XXXX, whatever the user typed around it
    token confirmation;
};

[[nodiscard]] result<std::optional<device_confirmation>> begin_device_confirmation(token_database& db,
                                                                                   std::string_view typed_user_code,
                                                                                   std::int64_t user_id,
                                                                                   std::string_view browser,
                                                                                   std::int64_t now);

// The decision posted with a confirmation: recorded, for the user who began it, when the
// confirmation is the one recorded for this code and browser and has not expired; it then
// works no more. False: it is not (or the request expired, or was decided meanwhile).
[[nodiscard]] result<bool> confirm_device_request(token_database& db, std::string_view typed_user_code,
                                                  std::string_view confirmation, std::string_view browser,
                                                  device_decision decision, std::int64_t now);

// The user code that a link's text (verification_uri_complete, RFC 8628 3.3.1) holds, as
// the device shows it (XXXX-XXXX), when the text holds exactly one code's characters;
// empty otherwise. What the device page fills in: never the text around a code, which
// anyone can put in a link to this server's page.
[[nodiscard]] std::string prefilled_user_code(std::string_view text);

// The user's decision on the request with the user code the user typed (any case, with
// or without the dash). False: no pending, unexpired request has that code.
[[nodiscard]] result<bool> decide_device_request(token_database& db, std::string_view typed_user_code,
                                                 device_decision decision, std::int64_t user_id, std::int64_t now);

}  // namespace token_server
