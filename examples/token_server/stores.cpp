#include "stores.hpp"
#include "unix_time.hpp"

#include <algorithm>
#include <chrono>

#include "commit_batch.hpp"
#include "password_hash.hpp"
#include "request_log.hpp"

namespace token_server {

namespace {

// Finds the row of an access or refresh token by its ordered digest (random_token.hpp),
// then, when that finds nothing, by its SHA-256: a token issued before ordered digests.
// `find` is a token_database lookup by digest (result<std::optional<row>>); an error
// of the first lookup is returned as it is.
template <class Find>
auto find_by_token_digest(std::string_view token_text, Find&& find) -> decltype(find(token_digest{})) {
    if (const auto ordered = ordered_digest_of(token_text)) {
        auto found = find(*ordered);
        if (!found || found->has_value()) return found;
    }
    return find(digest_of(token_text));
}

// True when a database call failed, whose message is then logged (write_database_error):
// oauthcore answers the request 500 and logs its own reason, never the database's.
template <class Result>
bool failed(const Result& r) {
    if (r) return false;
    write_database_error(r.error());
    return true;
}

}  // namespace

oauthcore::outcome<db_client> db_client_store::authenticate_client(const oauthcore::client_authentication& presented) {
    bool registered = true;
    return authenticate_client(presented, registered);
}

oauthcore::outcome<db_client> db_client_store::authenticate_client(const oauthcore::client_authentication& presented,
                                                                   bool& registered) {
    using outcome = oauthcore::outcome<db_client>;
    const auto record = db_.find_client(presented.id);
    if (failed(record)) return outcome::fail();
    registered = record->has_value();
    const bool presents_secret = presented.method != oauthcore::public_client_method;
    const bool is_public = record->has_value() && (*record)->auth_method == oauthcore::public_client_method;
    // A public client names itself and is known by that alone (RFC 6749 2.1): it has no
    // secret to check. Its id is no secret either, so answering it without a hash tells
    // nothing that its redirect does not.
    if (is_public && !presents_secret)
        return outcome::accept({std::string(presented.id), (*record)->grants, (*record)->auth_method, scopes_});
    const bool known = record->has_value() && !is_public && presents_secret;
    const std::string& stored = known ? (*record)->secret_hash : dummy_secret_hash();
    // An argon2id check takes ~50 ms: what the batch holds (the database's lock, the
    // replies of the requests before) does not wait for it.
    if (!is_fast_secret_hash(stored)) commit_batch::flush();
    const bool matches = verify_secret(stored, presented.secret);
    if (!known || !matches) return outcome::reject();
    std::string method = (*record)->auth_method;
    if (secrets_in_body_ && method == oauthcore::client_secret_basic::name) method.clear();
    return outcome::accept({std::string(presented.id), std::move((*record)->grants), std::move(method), scopes_});
}

oauthcore::outcome<db_user> db_user_store::authenticate_user(oauthcore::user_identifier who,
                                                             std::string_view password) {
    using outcome = oauthcore::outcome<db_user>;
    const auto record = db_.find_user(who);
    if (failed(record)) return outcome::fail();
    const bool known = record->has_value();
    commit_batch::flush();  // argon2id, as above
    const bool matches = verify_password(known ? (*record)->password_hash : dummy_hash(), password);
    if (!known || !matches) return outcome::reject();
    return outcome::accept({(*record)->id, std::nullopt});
}

oauthcore::outcome<db_refresh_record> db_refresh_token_store::find_refresh_token(const db_client& client,
                                                                                 std::string_view refresh_token) {
    using outcome = oauthcore::outcome<db_refresh_record>;
    const std::int64_t now = unix_now();
    auto row = find_by_token_digest(
        refresh_token, [&](const token_digest& digest) { return db_.find_refresh_token(digest, client.id, now); });
    if (failed(row)) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    // The new pair keeps the code it descends from: a reused code revokes it too.
    return outcome::accept(
        {(*row)->id, db_user{(*row)->user_id, (*row)->code_digest}, std::move((*row)->scope), client.id});
}

oauthcore::outcome_status db_refresh_token_store::replace_refresh_token(const db_refresh_record& record,
                                                                        const issued_pair& tokens) {
    token_record row = tokens.stored_record();
    // RFC 6749 6: the new refresh token has the old one's scope, whatever narrower scope
    // the new access token was granted.
    if (row.scope != record.scope()) row.refresh_scope = record.scope();
    const auto replaced = db_.replace_refresh_tokens(record.row, row, unix_now());
    if (failed(replaced)) return oauthcore::outcome_status::failed;
    return *replaced ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

issued_pair::issued_pair(std::string_view client_id, const db_user* user, std::string_view scope,
                         token_lifetimes lifetimes, std::int64_t now)
    : access_(make_ordered_token()),
      refresh_(user != nullptr ? std::optional<token>(make_ordered_token()) : std::nullopt),
      lifetimes_(lifetimes),
      scope_(scope),
      client_id_(client_id),
      user_id_(user != nullptr ? std::optional<std::int64_t>(user->id) : std::nullopt),
      code_(user != nullptr ? user->code : std::nullopt),
      issued_at_(now) {}

token_record issued_pair::stored_record() const {
    token_record record;
    record.access_digest = *ordered_digest_of(access_.view());
    if (refresh_) record.refresh_digest = *ordered_digest_of(refresh_->view());
    record.client_id = client_id_;
    record.user_id = user_id_;
    record.scope = scope_;
    record.issued_at = issued_at_;
    record.access_expires_at = issued_at_ + static_cast<std::int64_t>(lifetimes_.access);
    record.refresh_expires_at = refresh_ ? issued_at_ + static_cast<std::int64_t>(lifetimes_.refresh) : 0;
    record.code_digest = code_;
    return record;
}

oauthcore::outcome<issued_pair> db_token_issuer::issue_token(const db_client& client, const db_user& user,
                                                             std::string_view scope) {
    return issue(client, &user, scope);
}

oauthcore::outcome<issued_pair> db_token_issuer::issue_token(const db_client& client, oauthcore::no_user,
                                                             std::string_view scope) {
    return issue(client, nullptr, scope);
}

oauthcore::outcome<issued_pair> db_token_issuer::make_token(const db_client& client, const db_user& user,
                                                            std::string_view scope) const {
    return oauthcore::outcome<issued_pair>::accept(issued_pair(client.id, &user, scope, lifetimes_, unix_now()));
}

oauthcore::outcome<issued_pair> db_token_issuer::issue(const db_client& client, const db_user* user,
                                                       std::string_view scope) {
    using outcome = oauthcore::outcome<issued_pair>;
    issued_pair pair(client.id, user, scope, lifetimes_, unix_now());
    if (failed(db_.insert_tokens(pair.stored_record()))) return outcome::fail();
    return outcome::accept(std::move(pair));
}

oauthcore::outcome<db_code_record> db_authorization_code_store::find_authorization_code(std::string_view code) {
    using outcome = oauthcore::outcome<db_code_record>;
    const token_digest digest = digest_of(code);
    auto row = db_.find_authorization_code(digest);
    if (failed(row)) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    return outcome::accept({std::move(**row), digest});
}

oauthcore::outcome_status db_authorization_code_store::redeem_authorization_code(const db_code_record& record,
                                                                                 const issued_pair& tokens) {
    const auto redeemed = db_.redeem_authorization_code(record.digest, tokens.stored_record(), unix_now());
    if (failed(redeemed)) return oauthcore::outcome_status::failed;
    return *redeemed ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

oauthcore::device_authorization_state db_device_record::state() const noexcept {
    switch (row.decision) {
        case device_decision::approved: return oauthcore::device_authorization_state::approved;
        case device_decision::denied: return oauthcore::device_authorization_state::denied;
        case device_decision::pending: break;
    }
    return oauthcore::device_authorization_state::pending;
}

oauthcore::outcome<db_device_record> db_device_code_store::poll_device_code(std::string_view device_code,
                                                                            std::uint64_t now) {
    using outcome = oauthcore::outcome<db_device_record>;
    const token_digest digest = digest_of(device_code);
    auto row = db_.poll_device_code(digest, static_cast<std::int64_t>(now));
    if (failed(row)) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    return outcome::accept({std::move(**row), digest});
}

oauthcore::outcome_status db_device_code_store::redeem_device_code(const db_device_record& record,
                                                                   const issued_pair& tokens) {
    const auto redeemed = db_.redeem_device_code(record.digest, tokens.stored_record(), unix_now());
    if (failed(redeemed)) return oauthcore::outcome_status::failed;
    return *redeemed ? oauthcore::outcome_status::accepted : oauthcore::outcome_status::rejected;
}

oauthcore::outcome<db_token_record> db_token_store::find_token(std::string_view token, oauthcore::token_kind kind) {
    using outcome = oauthcore::outcome<db_token_record>;
    auto row =
        find_by_token_digest(token, [&](const token_digest& digest) { return db_.find_issued_token(digest, kind); });
    if (failed(row)) return outcome::fail();
    if (!row->has_value()) return outcome::reject();
    db_token_record record{std::move(**row), {}};
    record.sub = record.row.user_id ? std::to_string(*record.row.user_id) : record.row.client_id;
    return outcome::accept(std::move(record));
}

oauthcore::outcome_status db_token_store::revoke_token(const db_token_record& record) {
    if (failed(db_.revoke_token_pair(record.row.id, unix_now()))) return oauthcore::outcome_status::failed;
    return oauthcore::outcome_status::accepted;
}

oauthcore::outcome<db_registered_client> db_client_registry::find_client(std::string_view client_id) {
    using outcome = oauthcore::outcome<db_registered_client>;
    auto record = db_.find_client(client_id);
    if (failed(record)) return outcome::fail();
    if (!record->has_value()) return outcome::reject();
    db_registered_client client;
    client.id = client_id;
    client.grants = std::move((*record)->grants);
    client.public_client = (*record)->auth_method == oauthcore::public_client_method;
    client.scopes = scopes_;
    const std::string_view uris = (*record)->redirect_uris;
    for (std::size_t at = 0; at < uris.size();) {
        const std::size_t end = std::min(uris.find(' ', at), uris.size());
        if (end > at) client.uris.emplace_back(uris.substr(at, end - at));
        at = end + 1;
    }
    return outcome::accept(std::move(client));
}

oauthcore::outcome<db_device_codes> db_device_authorization_issuer::start_device_authorization(const db_client& client,
                                                                                               std::string_view scope) {
    using outcome = oauthcore::outcome<db_device_codes>;
    auto made = record_device_request(db_, client.id, scope, expires_in_, interval_, unix_now());
    if (failed(made)) return outcome::fail();
    return outcome::accept({std::move(*made), expires_in_, interval_});
}

std::uint64_t unix_seconds_clock::operator()() const noexcept { return static_cast<std::uint64_t>(unix_now()); }

}  // namespace token_server
