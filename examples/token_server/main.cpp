// token_server: the reference embedding of oauthcore. See README.md beside this file.

#include <sodium.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "admin_commands.hpp"
#include "command_line.hpp"
#include "server.hpp"
#include "stop_signals.hpp"
#include "token_database.hpp"

namespace {

int run_server(const token_server::serve_options& options) {
    token_server::block_stop_signals();
    auto db =
        token_server::token_database::open(options.db_path, token_server::token_database::seeding::demo_data_if_new);
    if (!db) {
        std::fprintf(stderr, "token_server: %s\n", db.error().c_str());
        return 1;
    }
    if ((*db)->created())
        std::fprintf(stderr,
                     "token_server: created %s with the vendor document's demo client 138 and user john_doe "
                     "(their credentials are public: not for real clients)\n",
                     options.db_path.c_str());
    const int status = token_server::serve(options, **db);
    db->reset();  // closes the database before exit
    return status;
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    const auto parsed = token_server::parse_command_line(args);
    if (!parsed) {
        std::fprintf(stderr, "token_server: %s\n\n%.*s", parsed.error().c_str(),
                     static_cast<int>(token_server::usage_text.size()), token_server::usage_text.data());
        return 2;
    }
    if (sodium_init() < 0) {
        std::fprintf(stderr, "token_server: libsodium cannot start\n");
        return 1;
    }
    return std::visit(
        [](const auto& command) -> int {
            using type = std::decay_t<decltype(command)>;
            if constexpr (std::is_same_v<type, token_server::show_help>) {
                std::fwrite(token_server::usage_text.data(), 1, token_server::usage_text.size(), stdout);
                return 0;
            } else if constexpr (std::is_same_v<type, token_server::add_client_options>) {
                return token_server::add_client(command);
            } else if constexpr (std::is_same_v<type, token_server::add_user_options>) {
                return token_server::add_user(command);
            } else {
                return run_server(command);
            }
        },
        *parsed);
}
