#include "sqlite_stores.hpp"

#include <chrono>

#include "password_hash.hpp"

namespace token_server {

namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

oauthcore::outcome<sqlite_client> sqlite_client_store::authenticate_client(
    const oauthcore::client_authentication& presented) {
    using outcome = oauthcore::outcome<sqlite_client>;
    // Every client here has a secret: a public client ("none") is never one of them, and
    // costs what a wrong secret costs.
    const bool has_secret = presented.method != oauthcore::public_client_method;
    const auto record = db_.find_client(presented.id);
    if (!record) return outcome::fail();
    const bool known = record->has_value() && has_secret;
    const bool matches = verify_password(known ? (*record)->secret_hash : dummy_hash(), presented.secret);
    if (!known || !matches) return outcome::reject();
    return outcome::accept({std::string(presented.id), (*record)->password_grant, (*record)->refresh_grant, scopes_});
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

oauthcore::outcome<sqlite_refresh_record> sqlite_refresh_token_store::find_refresh_token(
    const sqlite_client& client, std::string_view refresh_token) {
    using outcome = oauthcore::outcome<sqlite_refresh_record>;
    auto row = db_.find_refresh_token(digest_of(refresh_token), client.id, unix_now());
    if (!row) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    return outcome::accept({(*row)->id, sqlite_user{(*row)->user_id}, std::move((*row)->scope)});
}

oauthcore::outcome_status sqlite_refresh_token_store::rotate_refresh_token(const sqlite_refresh_record& record) {
    const auto revoked = db_.revoke_tokens(record.row, unix_now());
    if (!revoked) return oauthcore::outcome_status::failed;
    return *revoked ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue_token(const sqlite_client& client, const sqlite_user& user,
                                                                 std::string_view scope) {
    using outcome = oauthcore::outcome<issued_pair>;
    const token access = make_token();
    const token refresh = make_token();
    const std::int64_t now = unix_now();
    const token_record record{digest_of(access.view()),
                              digest_of(refresh.view()),
                              client.id,
                              user.id,
                              scope,
                              now,
                              now + static_cast<std::int64_t>(expires_in_),
                              now + static_cast<std::int64_t>(refresh_expires_in_)};
    if (!db_.insert_tokens(record)) return outcome::fail();
    return outcome::accept(issued_pair(access, refresh, expires_in_, std::string(scope)));
}

}  // namespace token_server
