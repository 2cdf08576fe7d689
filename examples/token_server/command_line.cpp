#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>
#include <type_traits>

#include "oauthcore/scope.hpp"

namespace token_server {

const std::string_view usage_text = R"(usage:
  token_server [--host 127.0.0.1] [--port 8080] [--db PATH] [--demo] [--profile social_id|rfc6749]
               [--expires-in 604800] [--refresh-expires-in 2592000] [--scopes "read write"]
               [--allow-body-client-auth] [--tls-cert PEM --tls-key PEM] [--insecure-http-behind-proxy]
               [--workers N] [--max-queued 32] [--max-connections 4096]
               [--request-timeout 10] [--idle-timeout 30]
               [--max-failures 5] [--max-address-failures 50] [--lockout 60] [--failure-window 900]
  token_server add-client --db PATH ID
  token_server add-user --db PATH (--username U | --email E | --username U --email E)
  token_server --help

Serves the OAuth 2.0 password grant (RFC 6749 4.3) and the refresh_token grant
(RFC 6749 6) at POST /v2/marketing/oauth/token and POST /oauth/token, with clients,
users and issued tokens in a SQLite database. A refresh token works once: using it
revokes it (and the access token issued with it) and hands out a new pair.

server options:
  --host H                 address to listen on (default 127.0.0.1, loopback only): an
                           IPv4 or IPv6 address, or localhost
  --port N                 port (default 8080; 0 picks a free port, printed on stderr)
  --db PATH                database file (default token_server.db), created if missing
                           (mode 0600)
  --demo                   a new database gets the vendor document's demo client 138 and
                           user john_doe, whose credentials are public: for trying only
  --profile P              social_id (default): a wrong user or password is 401
                           invalid_client, as the vendor documents; rfc6749: 400
                           invalid_grant, as RFC 6749 5.2 says
  --expires-in SECONDS     access token lifetime (default 604800, one week)
  --refresh-expires-in SECONDS
                           refresh token lifetime (default 2592000, 30 days); a
                           refresh starts a new lifetime for the new refresh token
  --scopes "S1 S2 ..."     the scope tokens (RFC 6749 3.3) every client may ask for,
                           space-separated; a request for any other is 400
                           invalid_scope. Default: none, so any scope is refused.
                           A request without scope is granted no scope.
  --allow-body-client-auth also accept client_id/client_secret in the body
                           (RFC 6749 2.3.1: NOT RECOMMENDED; off by default)

transport (TLS, limits):
  --tls-cert PEM --tls-key PEM
                           serve HTTPS (TLS 1.2 and 1.3, modern cipher suites only) with
                           this certificate chain and private key
  --insecure-http-behind-proxy
                           allow plain HTTP on an address that is not loopback, because a
                           TLS-terminating proxy is in front; without TLS or this flag,
                           such an address is refused. Failures are then not counted per
                           address (every request comes from the proxy)
  --workers N              threads for the password checks (default: one per core)
  --max-queued N           requests waiting for those threads (default 32); more get 503
                           with Retry-After at once
  --max-connections N      open connections (default 4096; lowered to what the file
                           descriptor limit allows)
  --request-timeout S      seconds for a whole request, from its first byte to its last
                           (default 10)
  --idle-timeout S         seconds a kept-alive connection may wait for its next request
                           (default 30)

brute-force limits (RFC 6749 4.3.2), answered 429 with Retry-After:
  --max-failures N         failed authentications per user name, email address or
                           client id before it is refused (default 5; 0: not counted)
  --max-address-failures N the same per source address (default 50; 0: not counted)
  --lockout S              the first refusal's length (default 60); each further failure
                           doubles it, up to an hour
  --failure-window S       failures further apart than this start the count again
                           (default 900)

subcommands:
  add-client --db PATH ID  adds client ID; its secret is the first line of stdin, or,
                           when that is empty, generated and printed once
  add-user --db PATH ...   adds a user named by --username, --email or both; the
                           password is the first line of stdin

Secrets and passwords are stored only as argon2id hashes, tokens only as SHA-256
digests. One line per request is logged to stderr: method, path, status, error code,
the reason for it and microseconds, never a secret, a password or a token.
SIGINT or SIGTERM stops the server after the requests being worked on are answered.
)";

namespace {

// "--name value" or "--name=value": the value, and how many arguments were used.
struct option_value {
    std::string_view value;
    std::size_t used = 0;
};

std::optional<option_value> value_of(std::string_view name, std::span<const std::string_view> args, std::size_t i) {
    const std::string_view arg = args[i];
    if (arg == name) {
        if (i + 1 >= args.size()) return std::nullopt;
        return option_value{args[i + 1], 2};
    }
    if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=')
        return option_value{arg.substr(name.size() + 1), 1};
    return std::nullopt;
}

bool names(std::string_view name, std::string_view arg) {
    return arg == name || (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=');
}

template <class Number>
std::optional<Number> number_in(std::string_view text, Number low, Number high) {
    Number n{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n < low || n > high) return std::nullopt;
    return n;
}

// "read  write" or " read write " as "read write": runs of spaces are one separator.
// Every token must be NQCHAR (RFC 6749 3.3), so that the list is scope syntax.
result<std::string> scope_list(std::string_view text) {
    std::string list;
    for (std::size_t at = text.find_first_not_of(' '); at != std::string_view::npos;
         at = text.find_first_not_of(' ', at)) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        if (!list.empty()) list += ' ';
        list += text.substr(at, end - at);
        at = end;
    }
    if (!list.empty() && !oauthcore::is_scope_syntax(list))
        return failure("--scopes takes space-separated scope tokens of printable ASCII without '\\' and '\"'");
    return list;
}

// A flag without a value.
bool set_flag(std::string_view arg, serve_options& o) {
    if (arg == "--allow-body-client-auth") return o.allow_body_client_auth = true;
    if (arg == "--demo") return o.demo = true;
    if (arg == "--insecure-http-behind-proxy") return o.insecure_http_behind_proxy = true;
    return false;
}

// A number of seconds or a count, within [low, high].
template <class Number>
result<Number> bounded(std::string_view name, std::string_view value, Number low, Number high) {
    const auto n = number_in<Number>(value, low, high);
    if (!n)
        return failure(std::string(name) + " takes a number from " + std::to_string(low) + " to " +
                       std::to_string(high));
    return *n;
}

result<void> set_option(std::string_view name, std::string_view value, serve_options& o) {
    using std::chrono::seconds;
    const auto count = [&](auto& target, unsigned long long low, unsigned long long high) -> result<void> {
        const auto n = bounded<unsigned long long>(name, value, low, high);
        if (!n) return failure(n.error());
        target = static_cast<std::remove_reference_t<decltype(target)>>(*n);
        return {};
    };
    const auto duration = [&](seconds& target, long long high) -> result<void> {
        const auto n = bounded<long long>(name, value, 1, high);
        if (!n) return failure(n.error());
        target = seconds(*n);
        return {};
    };
    if (name == "--host") {
        o.host = value;
    } else if (name == "--port") {
        return count(o.port, 0, 65535);
    } else if (name == "--db") {
        o.db_path = value;
    } else if (name == "--profile") {
        if (value == "social_id")
            o.profile = oauthcore::profile::social_id;
        else if (value == "rfc6749")
            o.profile = oauthcore::profile::rfc6749;
        else
            return failure("--profile takes social_id or rfc6749");
    } else if (name == "--scopes") {
        auto scopes = scope_list(value);
        if (!scopes) return failure(scopes.error());
        o.scopes = std::move(*scopes);
    } else if (name == "--expires-in" || name == "--refresh-expires-in") {
        // Bounded so that issued_at + lifetime fits SQLite's 64-bit integers.
        return count(name == "--expires-in" ? o.expires_in : o.refresh_expires_in, 1, 0x7FFFFFFF);
    } else if (name == "--tls-cert") {
        o.tls_cert = value;
    } else if (name == "--tls-key") {
        o.tls_key = value;
    } else if (name == "--workers") {
        return count(o.work.workers, 1, 256);
    } else if (name == "--max-queued") {
        return count(o.work.max_queued, 1, 100000);
    } else if (name == "--max-connections") {
        return count(o.limits.max_connections, 1, 1000000);
    } else if (name == "--request-timeout") {
        return duration(o.limits.request_timeout, 3600);
    } else if (name == "--idle-timeout") {
        return duration(o.limits.idle_timeout, 3600);
    } else if (name == "--max-failures") {
        return count(o.attempts.max_failures, 0, 1000000);
    } else if (name == "--max-address-failures") {
        return count(o.attempts.max_address_failures, 0, 1000000);
    } else if (name == "--lockout") {
        return duration(o.attempts.lockout, max_lockout.count());
    } else {
        return duration(o.attempts.failure_window, 7 * 86400);
    }
    return {};
}

result<command> parse_serve(std::span<const std::string_view> args) {
    serve_options o;
    constexpr std::string_view known[] = {"--host",
                                          "--port",
                                          "--db",
                                          "--profile",
                                          "--expires-in",
                                          "--refresh-expires-in",
                                          "--scopes",
                                          "--tls-cert",
                                          "--tls-key",
                                          "--workers",
                                          "--max-queued",
                                          "--max-connections",
                                          "--request-timeout",
                                          "--idle-timeout",
                                          "--max-failures",
                                          "--max-address-failures",
                                          "--lockout",
                                          "--failure-window"};
    for (std::size_t i = 0; i < args.size();) {
        const std::string_view arg = args[i];
        if (set_flag(arg, o)) {
            ++i;
            continue;
        }
        std::string_view name;
        for (const std::string_view k : known)
            if (names(k, arg)) name = k;
        if (name.empty()) return failure("unknown argument: " + std::string(arg));
        const auto v = value_of(name, args, i);
        if (!v) return failure(std::string(name) + " needs a value");
        i += v->used;
        if (auto set = set_option(name, v->value, o); !set) return failure(set.error());
    }
    if (o.db_path.empty()) return failure("--db needs a path");
    if (o.tls_cert.empty() != o.tls_key.empty()) return failure("--tls-cert and --tls-key go together");
    return command(o);
}

// Parses "--db PATH" and the options of add-user; the rest are positional.
result<command> parse_admin(std::string_view subcommand, std::span<const std::string_view> args) {
    std::string db_path;
    std::optional<std::string> username, email;
    std::optional<std::string> positional;
    for (std::size_t i = 0; i < args.size();) {
        const std::string_view arg = args[i];
        const bool is_user = subcommand == "add-user";
        std::string_view name;
        if (names("--db", arg)) name = "--db";
        if (is_user && names("--username", arg)) name = "--username";
        if (is_user && names("--email", arg)) name = "--email";
        if (name.empty()) {
            if (is_user || positional || (arg.size() > 1 && arg.substr(0, 2) == "--"))
                return failure(std::string(subcommand) + ": unexpected argument: " + std::string(arg));
            positional = std::string(arg);
            ++i;
            continue;
        }
        const auto v = value_of(name, args, i);
        if (!v) return failure(std::string(name) + " needs a value");
        i += v->used;
        if (v->value.empty()) return failure(std::string(name) + " must not be empty");
        if (name == "--db")
            db_path = v->value;
        else if (name == "--username")
            username = std::string(v->value);
        else
            email = std::string(v->value);
    }
    if (db_path.empty()) return failure(std::string(subcommand) + " needs --db PATH");
    if (subcommand == "add-client") {
        if (!positional) return failure("add-client needs a client ID");
        return command(add_client_options{db_path, *positional});
    }
    if (!username && !email) return failure("add-user needs --username, --email or both");
    return command(add_user_options{db_path, username, email});
}

}  // namespace

result<command> parse_command_line(std::span<const std::string_view> args) {
    for (const std::string_view arg : args)
        if (arg == "--help" || arg == "-h") return command(show_help{});
    if (!args.empty() && (args[0] == "add-client" || args[0] == "add-user"))
        return parse_admin(args[0], args.subspan(1));
    return parse_serve(args);
}

}  // namespace token_server
