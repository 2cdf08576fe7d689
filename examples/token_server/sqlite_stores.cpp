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

oauthcore::outcome_status sqlite_refresh_token_store::replace_refresh_token(const sqlite_refresh_record& record,
                                                                            const issued_pair& tokens) {
    const auto replaced = db_.replace_tokens(record.row, tokens.row(), unix_now());
    if (!replaced) return oauthcore::outcome_status::failed;
    return *replaced ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

token_record issued_pair::row() const {
    return {digest_of(access_.view()),
            digest_of(refresh_.view()),
            client_id_,
            user_id_,
            scope_,
            issued_at_,
            issued_at_ + static_cast<std::int64_t>(lifetime_),
            issued_at_ + static_cast<std::int64_t>(refresh_lifetime_)};
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::make_token(const sqlite_client& client, const sqlite_user& user,
                                                                std::string_view scope) {
    // token_server::make_token (random_token.hpp), which this member's name hides.
    return oauthcore::outcome<issued_pair>::accept(issued_pair(token_server::make_token(), token_server::make_token(),
                                                               std::string(scope), client.id, user.id, unix_now(),
                                                               expires_in_, refresh_expires_in_));
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue_token(const sqlite_client& client, const sqlite_user& user,
                                                                 std::string_view scope) {
    auto made = make_token(client, user, scope);
    if (!made.accepted() || !db_.insert_tokens(made.value().row())) return oauthcore::outcome<issued_pair>::fail();
    return made;
}

}  // namespace token_server
