#include "admin_commands.hpp"

#include <sodium.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "password_hash.hpp"
#include "random_token.hpp"
#include "token_database.hpp"

namespace token_server {

namespace {

// The first line of stdin, without its line end ("\n" or "\r\n"): `echo secret |
// token_server ...` and a file with a final newline both mean "secret", and whatever
// follows the first line is not read. Within the line every byte is kept (spaces, '+',
// '%', UTF-8), since a secret is bytes, not a word.
std::string read_stdin_line() {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

int report(const std::string& message) {
    std::fprintf(stderr, "token_server: %s\n", message.c_str());
    return 1;
}

}  // namespace

int add_client(const add_client_options& options) {
    std::string secret = read_stdin_line();
    const bool generated = secret.empty();
    if (generated) secret = std::string(make_token().view());
    const auto hash = hash_password(secret);
    if (!hash) return report("cannot hash the secret (out of memory)");
    auto db = token_database::open(options.db_path, token_database::seeding::none);
    if (!db) return report(db.error());
    if (auto r = (*db)->insert_client(options.client_id, *hash); !r)
        return report("cannot add client " + options.client_id + ": " + r.error());
    // The only time a generated secret is shown: it is not stored anywhere in clear.
    if (generated) std::printf("%s\n", secret.c_str());
    sodium_memzero(secret.data(), secret.size());
    std::fprintf(stderr, "token_server: added client %s to %s%s\n", options.client_id.c_str(), options.db_path.c_str(),
                 generated ? " (generated secret on stdout, shown once)" : "");
    return 0;
}

int add_user(const add_user_options& options) {
    std::string password = read_stdin_line();
    if (password.empty()) return report("add-user reads the password from stdin; it was empty");
    const auto hash = hash_password(password);
    sodium_memzero(password.data(), password.size());
    if (!hash) return report("cannot hash the password (out of memory)");
    auto db = token_database::open(options.db_path, token_database::seeding::none);
    if (!db) return report(db.error());
    new_user user{std::nullopt, std::nullopt, *hash};
    if (options.username) user.username = *options.username;
    if (options.email_address) user.email_address = *options.email_address;
    if (auto r = (*db)->insert_user(user); !r) return report("cannot add the user: " + r.error());
    std::fprintf(stderr, "token_server: added user %s to %s\n",
                 (options.username ? *options.username : *options.email_address).c_str(), options.db_path.c_str());
    return 0;
}

}  // namespace token_server
