#include "codes.hpp"

#include <sodium.h>

#include <array>

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

}  // namespace

token_digest user_code_digest(std::string_view typed) {
    std::array<char, oauthcore::max_user_code_length> compact{};
    const std::size_t count = oauthcore::normalize_user_code(typed, user_codes, compact.data(), compact.size());
    return digest_of({compact.data(), count <= compact.size() ? count : compact.size()});
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

result<std::optional<device_code_row>> find_pending_device_request(token_database& db, std::string_view typed_user_code,
                                                                   std::int64_t now) {
    return db.find_pending_device_code(user_code_digest(typed_user_code), now);
}

result<bool> decide_device_request(token_database& db, std::string_view typed_user_code, device_decision decision,
                                   std::int64_t user_id, std::int64_t now) {
    return db.decide_device_code(user_code_digest(typed_user_code), decision, user_id, now);
}

}  // namespace token_server
