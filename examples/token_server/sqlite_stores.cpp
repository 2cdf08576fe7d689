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
    const auto record = db_.find_client(presented.id);
    if (!record) return outcome::fail();
    const bool presents_secret = presented.method != oauthcore::public_client_method;
    const bool is_public = record->has_value() && (*record)->auth_method == oauthcore::public_client_method;
    // A public client names itself and is known by that alone (RFC 6749 2.1): it has no
    // secret to check. Its id is no secret either, so answering it without a hash tells
    // nothing that its redirect does not.
    if (is_public && !presents_secret)
        return outcome::accept({std::string(presented.id), (*record)->grants, (*record)->auth_method, scopes_});
    const bool known = record->has_value() && !is_public && presents_secret;
    const bool matches = verify_secret(known ? (*record)->secret_hash : dummy_secret_hash(), presented.secret);
    if (!known || !matches) return outcome::reject();
    std::string method = (*record)->auth_method;
    if (secrets_in_body_ && method == oauthcore::client_secret_basic::name) method.clear();
    return outcome::accept({std::string(presented.id), std::move((*record)->grants), std::move(method), scopes_});
}

oauthcore::outcome<sqlite_user> sqlite_user_store::authenticate_user(oauthcore::user_identifier who,
                                                                     std::string_view password) {
    using outcome = oauthcore::outcome<sqlite_user>;
    const auto record = db_.find_user(who);
    if (!record) return outcome::fail();
    const bool known = record->has_value();
    const bool matches = verify_password(known ? (*record)->password_hash : dummy_hash(), password);
    if (!known || !matches) return outcome::reject();
    return outcome::accept({(*record)->id, std::nullopt});
}

oauthcore::outcome<sqlite_refresh_record> sqlite_refresh_token_store::find_refresh_token(
    const sqlite_client& client, std::string_view refresh_token) {
    using outcome = oauthcore::outcome<sqlite_refresh_record>;
    auto row = db_.find_refresh_token(digest_of(refresh_token), client.id, unix_now());
    if (!row) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    // The new pair keeps the code it descends from: a reused code revokes it too.
    return outcome::accept({(*row)->id, sqlite_user{(*row)->user_id, (*row)->code_digest}, std::move((*row)->scope)});
}

oauthcore::outcome_status sqlite_refresh_token_store::replace_refresh_token(const sqlite_refresh_record& record,
                                                                            const issued_pair& tokens) {
    token_record row = tokens.row();
    // RFC 6749 6: the new refresh token has the old one's scope, whatever narrower scope
    // the new access token was granted.
    if (row.scope != record.scope()) row.refresh_scope = record.scope();
    const auto replaced = db_.replace_tokens(record.row, row, unix_now());
    if (!replaced) return oauthcore::outcome_status::failed;
    return *replaced ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

token_record issued_pair::row() const {
    token_record row;
    row.access_digest = digest_of(access_.view());
    if (refresh_) row.refresh_digest = digest_of(refresh_->view());
    row.client_id = client_id_;
    if (user_) {
        row.user_id = user_->id;
        row.code_digest = user_->code;
    }
    row.scope = scope_;
    row.issued_at = issued_at_;
    row.access_expires_at = issued_at_ + static_cast<std::int64_t>(lifetime_);
    row.refresh_expires_at = refresh_ ? issued_at_ + static_cast<std::int64_t>(refresh_lifetime_) : 0;
    return row;
}

issued_pair sqlite_token_issuer::make(const sqlite_client& client, const sqlite_user* user,
                                      std::string_view scope) const {
    // token_server::make_token (random_token.hpp), which the member of that name hides.
    std::optional<token> refresh;
    if (user != nullptr) refresh = token_server::make_token();
    return issued_pair(token_server::make_token(), refresh, std::string(scope), client.id,
                       user != nullptr ? std::optional<sqlite_user>(*user) : std::nullopt, unix_now(), expires_in_,
                       refresh_expires_in_);
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::store(issued_pair pair) {
    if (!db_.insert_tokens(pair.row())) return oauthcore::outcome<issued_pair>::fail();
    return oauthcore::outcome<issued_pair>::accept(std::move(pair));
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::make_token(const sqlite_client& client, const sqlite_user& user,
                                                                std::string_view scope) {
    return oauthcore::outcome<issued_pair>::accept(make(client, &user, scope));
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue_token(const sqlite_client& client, const sqlite_user& user,
                                                                 std::string_view scope) {
    return store(make(client, &user, scope));
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue_token(const sqlite_client& client, oauthcore::no_user,
                                                                 std::string_view scope) {
    return store(make(client, nullptr, scope));
}

oauthcore::outcome<sqlite_code_record> sqlite_authorization_code_store::find_authorization_code(std::string_view code) {
    using outcome = oauthcore::outcome<sqlite_code_record>;
    const token_digest digest = digest_of(code);
    auto row = db_.find_authorization_code(digest);
    if (!row) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    return outcome::accept({std::move(**row), digest});
}

oauthcore::outcome_status sqlite_authorization_code_store::redeem_authorization_code(const sqlite_code_record& record,
                                                                                     const issued_pair& tokens) {
    const auto redeemed = db_.redeem_authorization_code(record.digest, tokens.row(), unix_now());
    if (!redeemed) return oauthcore::outcome_status::failed;
    return *redeemed ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

oauthcore::device_authorization_state sqlite_device_record::state() const noexcept {
    switch (row.decision) {
        case device_decision::approved: return oauthcore::device_authorization_state::approved;
        case device_decision::denied: return oauthcore::device_authorization_state::denied;
        case device_decision::pending: break;
    }
    return oauthcore::device_authorization_state::pending;
}

oauthcore::outcome<sqlite_device_record> sqlite_device_code_store::poll_device_code(std::string_view device_code,
                                                                                    std::uint64_t now) {
    using outcome = oauthcore::outcome<sqlite_device_record>;
    auto row = db_.poll_device_code(digest_of(device_code), static_cast<std::int64_t>(now));
    if (!row) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    return outcome::accept({std::move(**row)});
}

std::uint64_t unix_seconds_clock::operator()() const noexcept { return static_cast<std::uint64_t>(unix_now()); }

}  // namespace token_server
