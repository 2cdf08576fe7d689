#include "codes.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string>

namespace token_server {

namespace {

// A user code of user_codes from the CSPRNG (write_user_code skips the bytes that would
// bias the choice; twice the length in bytes almost never runs out).
std::string make_user_code() {
    std::array<char, oauthcore::user_code_size(user_codes)> code{};
    for (;;) {
        std::array<char, 4 * user_codes.length> random{};
        randombytes_buf(random.data(), random.size());
        const auto written = oauthcore::write_user_code(user_codes, {random.data(), random.size()}, code.data());
        if (written) return std::string(code.data(), *written);
    }
}

// What the user typed, read as a user code: upper-cased, every character outside the
// code's alphabet left out (RFC 8628 6.1), at most max_user_code_length of them.
std::string compact_user_code(std::string_view typed) {
    std::array<char, oauthcore::max_user_code_length> compact{};
    const std::size_t count = oauthcore::normalize_user_code(typed, user_codes, compact.data(), compact.size());
    return std::string(compact.data(), std::min(count, compact.size()));
}

// What the store keeps of a user code: the digest of its compact form, so that
// "wdjb mjht" finds "WDJB-MJHT".
token_digest user_code_digest(std::string_view typed) { return digest_of(compact_user_code(typed)); }

// What the database keeps of a confirmation handed to a browser.
token_digest confirmation_digest(std::string_view confirmation, std::string_view browser) {
    std::string bound(confirmation);
    bound += ':';
    bound += browser;
    return digest_of(bound);
}

// A compact user code as the device shows it (RFC 8628 6.1: groups joined by '-').
std::string grouped_user_code(std::string_view compact) {
    std::string shown;
    for (std::size_t i = 0; i < compact.size(); ++i) {
        if (i != 0 && user_codes.group != 0 && i % user_codes.group == 0) shown += '-';
        shown += compact[i];
    }
    return shown;
}

// The user code as the device shows it, from what the user typed: never the text typed
// around it.
std::string shown_user_code(std::string_view typed) { return grouped_user_code(compact_user_code(typed)); }

}  // namespace

std::string prefilled_user_code(std::string_view text) {
    const std::string compact = compact_user_code(text);
    return compact.size() == user_codes.length ? grouped_user_code(compact) : std::string();
}

result<token> record_authorization_code(token_database& db, const authorization_code_row& row, std::int64_t now) {
    const token code = make_token();
    if (auto stored = db.insert_authorization_code(digest_of(code.view()), row, now); !stored)
        return failure(stored.error());
    return code;
}

result<device_request> record_device_request(token_database& db, std::string_view client_id, std::string_view scope,
                                             std::uint64_t expires_in, std::uint64_t interval, std::int64_t now) {
    device_request made{make_token(), {}};
    device_code_row row;
    row.client_id = client_id;
    row.scope = scope;
    row.poll_interval = static_cast<std::int64_t>(interval);
    row.expires_at = now + static_cast<std::int64_t>(expires_in);
    // A user code already in use (about one chance in 2^34 per live code): draw again.
    for (int attempt = 0; attempt < 8; ++attempt) {
        made.user_code = make_user_code();
        const auto stored =
            db.insert_device_code(digest_of(made.device_code.view()), user_code_digest(made.user_code), row, now);
        if (stored) return made;
        if (stored.error().rfind("already exists", 0) != 0) return failure(stored.error());
    }
    return failure("cannot find an unused user code");
}

result<std::optional<device_confirmation>> begin_device_confirmation(token_database& db,
                                                                     std::string_view typed_user_code,
                                                                     std::int64_t user_id, std::string_view browser,
                                                                     std::int64_t now) {
    token confirmation = make_token();
    const auto found = db.begin_device_confirmation(user_code_digest(typed_user_code),
                                                    confirmation_digest(confirmation.view(), browser), user_id,
                                                    now + confirmation_lifetime, now);
    if (!found) return failure(found.error());
    if (!*found) return std::optional<device_confirmation>();
    return std::optional<device_confirmation>(
        device_confirmation{std::move(**found), shown_user_code(typed_user_code), confirmation});
}

result<bool> confirm_device_request(token_database& db, std::string_view typed_user_code, std::string_view confirmation,
                                    std::string_view browser, device_decision decision, std::int64_t now) {
    return db.confirm_device_code(user_code_digest(typed_user_code), confirmation_digest(confirmation, browser),
                                  decision, now);
}

result<bool> decide_device_request(token_database& db, std::string_view typed_user_code, device_decision decision,
                                   std::int64_t user_id, std::int64_t now) {
    return db.decide_device_code(user_code_digest(typed_user_code), decision, user_id, now);
}

}  // namespace token_server
