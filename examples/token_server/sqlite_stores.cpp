#include "sqlite_stores.hpp"

#include <chrono>

#include "password_hash.hpp"

namespace token_server {

oauthcore::outcome<sqlite_client> sqlite_client_store::authenticate_client(std::string_view id,
                                                                           std::string_view secret) {
    using outcome = oauthcore::outcome<sqlite_client>;
    const auto record = db_.find_client(id);
    if (!record) return outcome::fail();
    const bool known = record->has_value();
    const bool matches = verify_password(known ? (*record)->secret_hash : dummy_hash(), secret);
    if (!known || !matches) return outcome::reject();
    return outcome::accept({std::string(id), (*record)->password_grant});
}

oauthcore::outcome<sqlite_user> sqlite_user_store::authenticate_user(oauthcore::user_identifier who,
                                                                     std::string_view password) {
    using outcome = oauthcore::outcome<sqlite_user>;
    const auto record = db_.find_user(who);
    if (!record) return outcome::fail();
    const bool known = record->has_value();
    const bool matches = verify_password(known ? (*record)->password_hash : dummy_hash(), password);
    if (!known || !matches) return outcome::reject();
    return outcome::accept({(*record)->id});
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue_token(const sqlite_client& client, const sqlite_user& user,
                                                                 std::string_view /*requested_scope*/) {
    using outcome = oauthcore::outcome<issued_pair>;
    const token access = make_token();
    const token refresh = make_token();
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const token_record record{digest_of(access.view()), digest_of(refresh.view()), client.id, user.id, now,
                              now + static_cast<std::int64_t>(expires_in_)};
    if (!db_.insert_tokens(record)) return outcome::fail();
    return outcome::accept(issued_pair(access, refresh, expires_in_));
}

}  // namespace token_server
