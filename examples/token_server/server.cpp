#include "server.hpp"

#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "connection.hpp"
#include "connection_registry.hpp"
#include "listen_address.hpp"
#include "listener.hpp"
#include "request_log.hpp"
#include "tls_context.hpp"
#include "token_service.hpp"
#include "work_pool.hpp"

namespace token_server {

namespace {

namespace asio = boost::asio;

void log_line(std::string_view text) { write_status_line("token_server: " + std::string(text) + "\n"); }

// How long requests already being worked on may take to finish after SIGINT or SIGTERM;
// then the rest are dropped and the process exits.
constexpr std::chrono::seconds shutdown_grace{5};

// Descriptors besides connections: the listener, the database and its WAL, epoll,
// signals, standard streams, with room to spare.
constexpr rlim_t reserved_descriptors = 64;

// Each connection is a descriptor: the soft limit goes up to the hard one (the usual
// soft 1024 would stop the server long before max_connections), and max_connections
// comes down to what that allows.
std::size_t connections_allowed(std::size_t wanted) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return wanted;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) (void)getrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur > reserved_descriptors + wanted) return wanted;
    return static_cast<std::size_t>(limit.rlim_cur > 2 * reserved_descriptors ? limit.rlim_cur - reserved_descriptors
                                                                              : limit.rlim_cur / 2);
}

}  // namespace

int serve(const serve_options& options, const asio::ip::address& address, token_database& db) {
    // A client that goes away mid-response must not kill the server.
    signal(SIGPIPE, SIG_IGN);

    std::unique_ptr<asio::ssl::context> tls;
    if (!options.tls_cert.empty()) {
        auto made = make_tls_context(options.tls_cert, options.tls_key);
        if (!made) {
            log_line(made.error());
            return 1;
        }
        tls = std::move(*made);
        if (const auto warning = certificate_warning(*tls)) log_line(*warning);
    }

    transport_limits limits = options.limits;
    token_service service(options, db);
    limits.max_body_bytes = service.endpoint_options().limits.max_body_bytes;
    limits.max_connections = connections_allowed(limits.max_connections);
    if (limits.max_connections < options.limits.max_connections)
        log_line("at most " + std::to_string(limits.max_connections) +
                 " connections (the file descriptor limit allows no more)");

    // Declared in this order so that they are destroyed in the reverse one: connections
    // left in the io_context or in the pool's queue use the registry and the context
    // when they are destroyed, and their sockets need the io_context.
    connection_registry registry(limits.max_connections,
                                 limits_per_address_apply(options) ? limits.max_connections_per_address : 0);
    // Group commit where the database has it (SQLite): a worker's batch of requests is
    // one transaction, committed before any of their replies leaves (commit_batch.hpp).
    batch_hooks hooks;
    if (db.groups_commits()) {
        hooks.begin = [&db] { db.begin_group(); };
        hooks.commit = [&db] {
            const auto committed = db.end_group();
            if (!committed) log_line("a group commit failed; its requests are answered 500: " + committed.error());
            return committed.has_value();
        };
    }
    std::optional<work_pool> pool(std::in_place, options.work, std::move(hooks));
    connection_context context{service, *pool, registry, limits, tls.get()};
    asio::io_context io(static_cast<int>(limits.io_threads));

    auto opened =
        listener::open(io, asio::ip::tcp::endpoint(address, static_cast<std::uint16_t>(options.port)), context);
    if (!opened) {
        log_line(opened.error());
        return 1;
    }
    const std::shared_ptr<listener> accepting = *opened;
    // The issuer names this server in the metadata and in every authorization response:
    // one the operator gave must be usable; the default is the listening URL, which is
    // usable for loopback development and otherwise only reported.
    const std::string issuer =
        options.issuer.empty() ? url_of(address, accepting->port(), tls != nullptr) : options.issuer;
    if (auto set = service.set_issuer(issuer); !set) {
        log_line(set.error());
        if (!options.issuer.empty()) return 1;
    }

    // io.run() returns once the listener and every connection have ended. A watchdog
    // abandons whatever still runs a second after the grace period.
    std::mutex ended_mutex;
    std::condition_variable ended_signal;
    bool ended = false;
    std::thread watchdog;
    // SIGHUP (a closed terminal, or an operator used to reloading with it) is logged and
    // ignored: its default action would end the server with no drain. Nothing is
    // reloaded: the certificate and the options are read at start.
    asio::signal_set hangups(io, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_hangup = [&](const boost::system::error_code& ec,
                                                                               int) {
        if (ec) return;
        log_line("SIGHUP: ignored (nothing is reloaded; restart to change the certificate or the options)");
        hangups.async_wait(on_hangup);
    };
    hangups.async_wait(on_hangup);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
        if (ec) return;
        log_line(signal_number == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
        hangups.cancel();
        accepting->stop();
        registry.stop_all();
        pool->stop(work_pool::clock::now() + shutdown_grace);
        watchdog = std::thread([&] {
            std::unique_lock lock(ended_mutex);
            if (!ended_signal.wait_for(lock, shutdown_grace + std::chrono::seconds(1), [&] { return ended; }))
                io.stop();
        });
    });

    accepting->start();
    log_line("listening on " + url_of(address, accepting->port(), tls != nullptr));

    std::vector<std::thread> io_threads;
    for (unsigned i = 1; i < limits.io_threads; ++i) io_threads.emplace_back([&] { io.run(); });
    io.run();
    for (std::thread& t : io_threads) t.join();
    {
        const std::lock_guard lock(ended_mutex);
        ended = true;
    }
    ended_signal.notify_all();
    if (watchdog.joinable()) watchdog.join();
    pool.reset();
    log_line("stopped");
    return 0;
}

}  // namespace token_server
