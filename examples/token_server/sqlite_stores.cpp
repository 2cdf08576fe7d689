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

oauthcore::outcome_status sqlite_refresh_token_store::rotate_refresh_token(const sqlite_refresh_record& record) {
    const auto revoked = db_.revoke_tokens(record.row, unix_now());
    if (!revoked) return oauthcore::outcome_status::failed;
    return *revoked ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue_token(const sqlite_client& client, const sqlite_user& user,
                                                                 std::string_view scope) {
    return issue(client, &user, scope);
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue_token(const sqlite_client& client, oauthcore::no_user,
                                                                 std::string_view scope) {
    return issue(client, nullptr, scope);
}

oauthcore::outcome<issued_pair> sqlite_token_issuer::issue(const sqlite_client& client, const sqlite_user* user,
                                                           std::string_view scope) {
    using outcome = oauthcore::outcome<issued_pair>;
    const token access = make_token();
    const std::optional<token> refresh = user != nullptr ? std::optional<token>(make_token()) : std::nullopt;
    const std::int64_t now = unix_now();
    token_record record;
    record.access_digest = digest_of(access.view());
    if (refresh) record.refresh_digest = digest_of(refresh->view());
    record.client_id = client.id;
    if (user != nullptr) {
        record.user_id = user->id;
        record.code_digest = user->code;
    }
    record.scope = scope;
    record.issued_at = now;
    record.access_expires_at = now + static_cast<std::int64_t>(expires_in_);
    record.refresh_expires_at = refresh ? now + static_cast<std::int64_t>(refresh_expires_in_) : 0;
    if (!db_.insert_tokens(record)) return outcome::fail();
    return outcome::accept(issued_pair(access, refresh, expires_in_, std::string(scope)));
}

oauthcore::outcome<sqlite_code_record> sqlite_authorization_code_store::consume_authorization_code(
    std::string_view code) {
    using outcome = oauthcore::outcome<sqlite_code_record>;
    const token_digest digest = digest_of(code);
    auto row = db_.consume_authorization_code(digest, unix_now());
    if (!row) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    return outcome::accept({std::move(**row), digest});
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
