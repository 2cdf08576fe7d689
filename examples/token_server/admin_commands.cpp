#include "admin_commands.hpp"
#include "unix_time.hpp"

#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/client_authentication.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/scope.hpp"
#include "password_hash.hpp"
#include "codes.hpp"
#include "random_token.hpp"
#include "token_database.hpp"

namespace token_server {

namespace {

// The first line of stdin, without its line end ("\n" or "\r\n"): `echo secret |
// token_server ...` and a file with a final newline both mean "secret", and whatever
// follows the first line is not read. Within the line every byte is kept (spaces, '+',
// '%', UTF-8), since a secret is bytes, not a word.
// On a terminal `prompt` is shown on stderr and what is typed is not echoed.
std::string read_stdin_line(const char* prompt) {
    termios saved{};
    const bool terminal = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        std::fprintf(stderr, "%s", prompt);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        (void)tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (terminal) {
        (void)tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fprintf(stderr, "\n");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

int report(const std::string& message) {
    std::fprintf(stderr, "token_server: %s\n", message.c_str());
    return 1;
}

// The user named on the command line: a username, or else an email address.
result<std::int64_t> find_user_id(token_database& db, const std::string& name) {
    for (const auto kind : {oauthcore::identifier_kind::username, oauthcore::identifier_kind::email_address}) {
        const auto user = db.find_user({kind, name});
        if (!user) return failure(user.error());
        if (*user) return (**user).id;
    }
    return failure("no user " + name);
}

// The client a code is made for: known, and registered for the grant.
result<client_record> client_for(token_database& db, const std::string& client_id, std::string_view grant) {
    const auto client = db.find_client(client_id);
    if (!client) return failure(client.error());
    if (!*client) return failure("no client " + client_id);
    if (!oauthcore::scope_includes((**client).grants, grant))
        return failure("client " + client_id + " is not registered for the " + std::string(grant) +
                       " grant (add-client --grants)");
    return std::move(**client);
}

}  // namespace

int add_client(const add_client_options& options) {
    const bool is_public = options.auth_method == oauthcore::public_client_method;
    std::string secret =
        is_public ? std::string() : read_stdin_line("client secret (empty: one is generated and shown once): ");
    const bool generated = !is_public && secret.empty();
    if (generated) secret = std::string(make_token().view());
    // Secrets by origin (password_hash.hpp): generated or declared high-entropy, a fast
    // hash; anything else, argon2id.
    if (options.high_entropy_secret && !generated && secret.size() < high_entropy_secret_min_size)
        return report("--high-entropy-secret: the secret is shorter than " +
                      std::to_string(high_entropy_secret_min_size) +
                      " characters; leave stdin empty for a generated one");
    std::optional<std::string> hash = std::string();
    if (generated || options.high_entropy_secret)
        hash = fast_secret_hash(secret);
    else if (!is_public)
        hash = hash_password(secret);
    if (!hash) return report("cannot hash the secret (out of memory)");
    auto db = open_token_database(options.db_path, {});
    if (!db) return report(db.error());
    std::string redirect_uris;
    for (const std::string& uri : options.redirect_uris) redirect_uris += (redirect_uris.empty() ? "" : " ") + uri;
    if (auto r = (*db)->insert_client({options.client_id, *hash, options.grants, redirect_uris, options.auth_method});
        !r)
        return report("cannot add client " + options.client_id + ": " + r.error());
    // The only time a generated secret is shown: it is not stored anywhere in clear.
    if (generated) std::printf("%s\n", secret.c_str());
    sodium_memzero(secret.data(), secret.size());
    std::fprintf(stderr, "token_server: added client %s to %s%s\n", options.client_id.c_str(),
                 printable_location(options.db_path).c_str(),
                 generated ? " (generated secret on stdout, shown once)" : "");
    return 0;
}

int add_user(const add_user_options& options) {
    std::string password = read_stdin_line("password: ");
    if (password.empty()) return report("add-user reads the password from stdin; it was empty");
    const auto hash = hash_password(password);
    sodium_memzero(password.data(), password.size());
    if (!hash) return report("cannot hash the password (out of memory)");
    auto db = open_token_database(options.db_path, {});
    if (!db) return report(db.error());
    new_user user{std::nullopt, std::nullopt, *hash};
    if (options.username) user.username = *options.username;
    if (options.email_address) user.email_address = *options.email_address;
    if (auto r = (*db)->insert_user(user); !r) return report("cannot add the user: " + r.error());
    std::fprintf(stderr, "token_server: added user %s to %s\n",
                 (options.username ? *options.username : *options.email_address).c_str(),
                 printable_location(options.db_path).c_str());
    return 0;
}

int mint_code(const mint_code_options& options) {
    auto db = open_token_database(options.db_path, {});
    if (!db) return report(db.error());
    const auto client = client_for(**db, options.client_id, oauthcore::authorization_code_grant_type);
    if (!client) return report(client.error());
    // RFC 6749 3.1.2.2 and RFC 9700 4.1.3: only a registered redirect URI, compared exactly.
    if (!oauthcore::scope_includes(client->redirect_uris, options.redirect_uri))
        return report("the redirect URI is not registered for client " + options.client_id +
                      " (add-client --redirect-uri)");
    // RFC 9700 2.1.1: a public client MUST use PKCE.
    if (client->auth_method == oauthcore::public_client_method && options.code_challenge.empty())
        return report("client " + options.client_id + " is public: it needs --code-challenge (RFC 9700 2.1.1)");
    const auto user = find_user_id(**db, options.user);
    if (!user) return report(user.error());
    const std::int64_t now = unix_now();
    const authorization_code_row row{options.client_id,
                                     *user,
                                     options.redirect_uri,
                                     options.code_challenge,
                                     options.code_challenge_method,
                                     options.scope,
                                     now + static_cast<std::int64_t>(options.expires_in),
                                     false};
    const auto code = record_authorization_code(**db, row, now);
    if (!code) return report("cannot store the code: " + code.error());
    std::printf("%.*s\n", static_cast<int>(code->view().size()), code->view().data());
    return 0;
}

int device_code(const device_code_options& options) {
    auto db = open_token_database(options.db_path, {});
    if (!db) return report(db.error());
    const auto client = client_for(**db, options.client_id, oauthcore::device_code_grant_type);
    if (!client) return report(client.error());
    const auto made =
        record_device_request(**db, options.client_id, options.scope, options.expires_in, options.interval, unix_now());
    if (!made) return report("cannot store the device code: " + made.error());
    std::printf("{\"device_code\":\"%.*s\",\"user_code\":\"%s\",\"interval\":%llu,\"expires_in\":%llu}\n",
                static_cast<int>(made->device_code.view().size()), made->device_code.view().data(),
                made->user_code.c_str(), static_cast<unsigned long long>(options.interval),
                static_cast<unsigned long long>(options.expires_in));
    return 0;
}

int approve_device(const approve_device_options& options) {
    auto db = open_token_database(options.db_path, {});
    if (!db) return report(db.error());
    std::int64_t user_id = 0;
    if (!options.deny) {
        const auto user = find_user_id(**db, options.user);
        if (!user) return report(user.error());
        user_id = *user;
    }
    const auto decision = options.deny ? device_decision::denied : device_decision::approved;
    const auto decided = decide_device_request(**db, options.user_code, decision, user_id, unix_now());
    if (!decided) return report("cannot record the decision: " + decided.error());
    if (!*decided)
        return report(
            "no pending device authorization request with that user code (unknown, expired or "
            "decided already)");
    std::fprintf(stderr, "token_server: %s the device authorization request\n", options.deny ? "denied" : "approved");
    return 0;
}

int purge(const purge_options& options) {
    auto db = open_token_database(options.db_path, {});
    if (!db) return report(db.error());
    const auto purged = (*db)->purge_expired(unix_now() - static_cast<std::int64_t>(options.grace));
    if (!purged) return report("cannot purge: " + purged.error());
    std::fprintf(stderr,
                 "token_server: purged %lld tokens, %lld authorization codes and %lld device codes expired more than "
                 "%llu s ago\n",
                 static_cast<long long>(purged->tokens), static_cast<long long>(purged->authorization_codes),
                 static_cast<long long>(purged->device_codes), static_cast<unsigned long long>(options.grace));
    return 0;
}

}  // namespace token_server
