#include "server.hpp"

#include <httplib.h>
#include <signal.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "httplib_adapter.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/refresh_grant.hpp"
#include "password_hash.hpp"
#include "request_log.hpp"
#include "sqlite_stores.hpp"
#include "stop_signals.hpp"

namespace token_server {

namespace {

// The vendor's path, and RFC 6749's customary one.
constexpr std::array<std::string_view, 2> token_paths = {"/v2/marketing/oauth/token", "/oauth/token"};

bool is_token_path(std::string_view path) {
    for (const std::string_view p : token_paths)
        if (path == p) return true;
    return false;
}

// What the log line needs from the steps of one request. cpp-httplib runs a request's
// pre-routing handler, route handler, error handler and logger on the same worker
// thread, one request at a time, so a thread_local carries it from one to the next.
struct request_trace {
    std::optional<std::chrono::steady_clock::time_point> start;
    std::optional<logged_error> error;
};
thread_local request_trace trace;

// The error code the client got, and oauthcore's reason for it, which tells operators
// what the client cannot: client_rejected from user_rejected, an expired or reused
// refresh token (refresh_token_rejected) from a bad scope.
std::optional<logged_error> error_of(const oauthcore::response& r, oauthcore::profile profile) {
    if (!r.error) return std::nullopt;
    return logged_error{oauthcore::describe(*r.error, profile).code, r.error->reason};
}

void log_line(std::string_view text) { write_log_line("token_server: " + std::string(text) + "\n"); }

}  // namespace

int serve(const serve_options& options, token_database& db) {
    oauthcore::endpoint_options settings;
    settings.profile = options.profile;
    settings.allow_body_client_auth = options.allow_body_client_auth;

    sqlite_client_store clients(db, options.scopes);
    sqlite_user_store users(db);
    sqlite_refresh_token_store refresh_tokens(db);
    sqlite_token_issuer issuer(db, options.expires_in, options.refresh_expires_in);
    // Rotation on (oauthcore's default, RFC 9700 4.14.2): a refresh token works once.
    oauthcore::password_grant password(users, issuer);
    oauthcore::refresh_token_grant refresh(refresh_tokens, issuer, oauthcore::refresh_options{.rotate = true});
    // Shared by all worker threads: handle() keeps no state of its own, and the stores
    // serialize their database access (token_database.hpp).
    oauthcore::token_endpoint endpoint(clients, settings, password, refresh);
    (void)dummy_hash();  // made now, not during the first request

    httplib::Server server;

    const auto answer = [&](const httplib::Request& req, httplib::Response& res) {
        oauthcore::exchange_storage storage;
        const httplib_request request(req);
        const oauthcore::response r = endpoint.handle(request, storage);
        trace.error = error_of(r, options.profile);
        write_response(r, res);
    };
    // Every method is routed to oauthcore, which answers all but POST with 405 and
    // Allow: POST (RFC 9110 15.5.6). cpp-httplib routes GET (and HEAD), POST, PUT,
    // PATCH, DELETE and OPTIONS, and reads the body of the ones that may have one.
    for (const std::string_view path : token_paths) {
        const std::string p(path);
        server.Get(p, answer).Post(p, answer).Put(p, answer).Patch(p, answer).Delete(p, answer).Options(p, answer);
    }
    server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
        trace = {std::chrono::steady_clock::now(), std::nullopt};
        // The methods cpp-httplib has no route table for (TRACE, CONNECT): oauthcore's 405 too.
        constexpr std::array<std::string_view, 7> routed = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
        const bool has_route = std::find(routed.begin(), routed.end(), req.method) != routed.end();
        if (has_route || !is_token_path(req.path)) return httplib::Server::HandlerResponse::Unhandled;
        answer(req, res);
        return httplib::Server::HandlerResponse::Handled;
    });

    // Bodies up to the library's limit reach oauthcore; a little over it, oauthcore
    // answers 400 itself; far over it, cpp-httplib stops reading with 413 and we send
    // oauthcore's body-too-large response in its place, so the client gets the same
    // JSON error whatever the size. Other 4xx (404, httplib's own 400) stay as they are.
    server.set_payload_max_length(settings.limits.max_body_bytes + 1024);
    const httplib::Server::HandlerWithResponse on_error = [&](const httplib::Request& req, httplib::Response& res) {
        if (res.status != 413 || !is_token_path(req.path)) return httplib::Server::HandlerResponse::Unhandled;
        oauthcore::exchange_storage storage;
        const oauthcore::response r = oauthcore::make_error_response(
            oauthcore::error{oauthcore::reason::body_too_large}, storage.response, settings.responses());
        trace.error = error_of(r, options.profile);
        write_response(r, res);
        return httplib::Server::HandlerResponse::Handled;
    };
    server.set_error_handler(on_error);

    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::optional<std::chrono::microseconds> elapsed;
        if (trace.start)
            elapsed =
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - *trace.start);
        write_log_line(format_log_line({req.method, req.path, res.status, trace.error, elapsed}));
        trace = {};
    });

    const int port = options.port == 0 ? server.bind_to_any_port(options.host)
                                       : (server.bind_to_port(options.host, options.port) ? options.port : -1);
    if (port < 0) {
        log_line("cannot listen on " + options.host + ":" + std::to_string(options.port));
        return 1;
    }

    std::atomic<bool> listen_returned{false};
    const stop_signal_watcher watcher([&](int signal_number) {
        log_line(signal_number == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
        // stop() does nothing until listen_after_bind() has started: wait for that.
        while (!server.is_running() && !listen_returned.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        server.stop();
    });
    log_line("listening on http://" + options.host + ":" + std::to_string(port));
    // Returns after stop(), once the worker threads have answered what they were given.
    const bool listened = server.listen_after_bind();
    listen_returned.store(true);
    log_line(listened ? "stopped" : "the listening socket failed");
    return listened ? 0 : 1;
}

}  // namespace token_server
