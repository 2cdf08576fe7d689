#include "request_gate.hpp"

namespace token_server {

bool request_gate::admits(attempt_kind kind, std::string_view name) {
    if (refused_) return false;
    refused_ = limiter_.refused(kind, name, attempt_limiter::clock::now());
    return !refused_;
}

bool request_gate::admits_client(std::string_view client_id, bool presents_secret) {
    counts_client_ = presents_secret;
    return admits(attempt_kind::address, address_) && (!presents_secret || admits(attempt_kind::client, client_id));
}

bool request_gate::admits_user(oauthcore::user_identifier who) { return admits(attempt_kind::user, user_key(who)); }

void request_gate::client_authentication_failed(std::string_view client_id) {
    if (refused_) return;
    const auto now = attempt_limiter::clock::now();
    if (counts_client_) limiter_.record_failure(attempt_kind::client, client_id, now);
    limiter_.record_failure(attempt_kind::address, address_, now);
}

void request_gate::user_authentication_failed(std::string_view /*client_id*/, oauthcore::user_identifier who) {
    if (refused_) return;
    const auto now = attempt_limiter::clock::now();
    limiter_.record_failure(attempt_kind::user, user_key(who), now);
    limiter_.record_failure(attempt_kind::address, address_, now);
}

bool request_gate::admits_user_code_guess(oauthcore::user_identifier who) {
    return admits(attempt_kind::user, "user code by " + user_key(who));
}

void request_gate::user_code_wrong(oauthcore::user_identifier who) {
    if (refused_) return;
    const auto now = attempt_limiter::clock::now();
    limiter_.record_failure(attempt_kind::user, "user code by " + user_key(who), now);
    limiter_.record_failure(attempt_kind::address, address_, now);
}

std::string request_gate::user_key(oauthcore::user_identifier who) {
    const bool email = who.kind == oauthcore::identifier_kind::email_address;
    std::string key(email ? "email:" : "username:");
    for (const char c : who.value) key += email && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    return key;
}

}  // namespace token_server
