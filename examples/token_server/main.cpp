// token_server: the reference embedding of oauthcore. See README.md beside this file.

#include <sodium.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "admin_commands.hpp"
#include "command_line.hpp"
#include "listen_address.hpp"
#include "request_log.hpp"
#include "server.hpp"
#include "token_database.hpp"
#include "work_pool.hpp"

namespace {

using token_server::result;

// RFC 6749 2.3.1 and 3.1: the token endpoint carries passwords and client secrets and
// MUST be served over TLS. Plain HTTP is served on loopback (tests, the demo, a proxy on
// the same machine) or when the operator says a TLS-terminating proxy is in front.
result<boost::asio::ip::address> deployment_address(const token_server::serve_options& options) {
    auto address = token_server::listen_address_of(options.host);
    if (!address) return address;
    const bool tls = !options.tls_cert.empty();
    if (tls || token_server::is_loopback(*address)) return address;
    if (!options.insecure_http_behind_proxy)
        return token_server::failure(
            "refusing to serve plain HTTP on " + options.host +
            ", which is not a loopback address: passwords and client secrets would cross the network in clear "
            "(RFC 6749 2.3.1). Give --tls-cert and --tls-key, or --insecure-http-behind-proxy if a "
            "TLS-terminating proxy is in front.");
    std::fprintf(stderr,
                 "token_server: WARNING: plain HTTP on %s (--insecure-http-behind-proxy): only safe if every "
                 "client reaches this port through a TLS-terminating proxy\n",
                 options.host.c_str());
    return address;
}

int run_server(const token_server::serve_options& options) {
    const auto address = deployment_address(options);
    if (!address) {
        std::fprintf(stderr, "token_server: %s\n", address.error().c_str());
        return 2;
    }
    token_server::database_options database;
    database.seed = options.demo ? token_server::token_database::seeding::demo_data_if_new
                                 : token_server::token_database::seeding::none;
    // The workers are the threads that ask the database: one connection each, so that
    // none waits for another's (PostgreSQL; SQLite has one, behind a mutex).
    database.connections = token_server::worker_count(options.work);
    database.sync = options.durable_commits ? token_server::database_options::durability::full
                                            : token_server::database_options::durability::normal;
    auto db = token_server::open_token_database(options.db_path, database);
    if (!db) {
        std::fprintf(stderr, "token_server: %s\n", db.error().c_str());
        return 1;
    }
    if ((*db)->created())
        std::fprintf(stderr,
                     options.demo ? "token_server: created %s with the vendor document's demo client 138 and user "
                                    "john_doe (their credentials are public: not for real clients)\n"
                                  : "token_server: created %s (empty: add clients and users with add-client and "
                                    "add-user)\n",
                     token_server::printable_location(options.db_path).c_str());
    const int status = token_server::serve(options, *address, **db);
    db->reset();  // closes the database before exit
    // The log's last lines, unless stderr is not read: then exit all the same.
    (void)token_server::flush_log(std::chrono::seconds(1));
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
    // Database files (and their WAL and shared-memory files, which SQLite creates with the
    // database file's mode) are readable by their owner only: they hold password hashes.
    umask(077);
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
            } else if constexpr (std::is_same_v<type, token_server::mint_code_options>) {
                return token_server::mint_code(command);
            } else if constexpr (std::is_same_v<type, token_server::device_code_options>) {
                return token_server::device_code(command);
            } else if constexpr (std::is_same_v<type, token_server::approve_device_options>) {
                return token_server::approve_device(command);
            } else if constexpr (std::is_same_v<type, token_server::purge_options>) {
                return token_server::purge(command);
            } else {
                return run_server(command);
            }
        },
        *parsed);
}
