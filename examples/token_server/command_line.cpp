#include "command_line.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <iterator>
#include <string>
#include <type_traits>
#include <utility>

#include "oauthcore/char_class.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/metadata.hpp"
#include "oauthcore/pkce.hpp"
#include "oauthcore/scope.hpp"
#include "oauthcore/uri.hpp"
#include "schema.hpp"

namespace token_server {

const std::string_view usage_text = R"(usage:
  token_server [--host 127.0.0.1] [--port 8080] [--db PATH|URI] [--demo] [--profile social_id|rfc6749]
               [--expires-in 604800] [--refresh-expires-in 2592000] [--scopes "read write"]
               [--issuer https://as.example.com] [--resource-servers "ID1 ID2 ..."]
               [--allow-body-client-auth] [--allow-plain-pkce] [--durable-commits] [--tls-cert PEM --tls-key PEM]
               [--insecure-http-behind-proxy] [--workers N] [--max-queued 32] [--max-connections 4096]
               [--max-connections-per-address 256] [--request-timeout 10] [--idle-timeout 30]
               [--max-failures 5] [--max-address-failures 50] [--lockout 60] [--failure-window 900]
  token_server add-client --db PATH ID [--grants "G1 G2 ..."] [--redirect-uri URI]...
               [--auth-method client_secret_basic|client_secret_post|none] [--high-entropy-secret]
  token_server add-user --db PATH (--username U | --email E | --username U --email E)
  token_server mint-code --db PATH --client ID --user USERNAME --redirect-uri URI
               [--code-challenge C [--code-challenge-method S256|plain]] [--scope S] [--expires-in 600]
  token_server device-code --db PATH --client ID [--scope S] [--expires-in 600] [--interval 5]
  token_server approve-device --db PATH --user-code CODE (--user USERNAME | --deny)
  token_server purge --db PATH [--grace 86400]
  token_server --help

Serves an OAuth 2.0 authorization server, with clients, users, tokens and codes in a
SQLite or PostgreSQL database:
  POST /oauth/token and /v2/marketing/oauth/token   the token endpoint: password
       (RFC 6749 4.3), refresh_token (RFC 6749 6), client_credentials (RFC 6749 4.4),
       authorization_code with PKCE (RFC 6749 4.1, RFC 7636), device_code (RFC 8628)
  GET  /authorize          sign-in and consent page (RFC 6749 4.1.1), code redirect
  POST /oauth/revoke       revocation (RFC 7009)
  POST /oauth/introspect   introspection (RFC 7662)
  POST /oauth/device_authorization, GET /device      device flow (RFC 8628 3.1, 3.3)
  GET  /.well-known/oauth-authorization-server       metadata (RFC 8414)
A refresh token works once: using it revokes it (and the access token issued with it)
and hands out a new pair. So does a code.

server options:
  --host H                 address to listen on (default 127.0.0.1, loopback only): an
                           IPv4 or IPv6 address, or localhost
  --port N                 port (default 8080; 0 picks a free port, printed on stderr)
  --db PATH|URI            the database (default token_server.db): a SQLite file, created
                           if missing (mode 0600); or PostgreSQL, shared by several
                           servers: a libpq URI (postgresql://..., postgres://...) or
                           key=value string whose first word is a libpq keyword
                           (host=... dbname=...). Its schema is made or migrated at
                           start. Keep a password out of it: PGPASSFILE, PGPASSWORD
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
  --issuer URL             the issuer identifier (RFC 8414 2): the URL clients reach this
                           server at, https with no query or fragment; the base of the
                           metadata's URLs and the iss of authorization responses
                           (RFC 9207). Default: the listening address's URL (http only on
                           loopback; behind a proxy, set it)
  --resource-servers "ID1 ID2 ..."
                           clients that may introspect every token (RFC 7662 2.1); any
                           other client sees its own tokens only, and {"active":false}
                           for the rest
  --allow-body-client-auth clients registered for client_secret_basic may also send
                           client_id/client_secret in the body (RFC 6749 2.3.1: NOT
                           RECOMMENDED; off by default)
  --allow-plain-pkce       redeem codes minted with a plain challenge (RFC 7636 4.2;
                           off by default: S256 only, RFC 9700 2.1.1)
  --durable-commits        SQLite synchronous=FULL: every token is on disk before it is
                           sent (~0.4 ms a commit). Default NORMAL (WAL): a power loss
                           may undo the last commits, a server crash never does

transport (TLS, limits):
  --tls-cert PEM --tls-key PEM
                           serve HTTPS (TLS 1.2 and 1.3, modern cipher suites only) with
                           this certificate chain and private key
  --insecure-http-behind-proxy
                           allow plain HTTP on an address that is not loopback, because a
                           TLS-terminating proxy is in front; without TLS or this flag,
                           such an address is refused. Failures are then not counted per
                           address and connections not capped per address (every one
                           comes from the proxy)
  --workers N              threads for the password checks (default: one per core)
  --max-queued N           requests waiting for those threads (default 32); more get 503
                           with Retry-After at once
  --max-connections N      open connections (default 4096; lowered to what the file
                           descriptor limit allows)
  --max-connections-per-address N
                           open connections from one address (default 256; 0: no cap;
                           off with --insecure-http-behind-proxy, where every
                           connection comes from the proxy)
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

subcommands (--db as for the server; option values may begin with '-'; --name=value
works too):
  add-client --db PATH ID  adds client ID; its secret is the first line of stdin, or,
                           when that is empty, generated and printed once. --grants:
                           password refresh_token client_credentials authorization_code
                           device_code (default "password refresh_token");
                           --redirect-uri, repeatable: the URIs codes may be sent to
                           (https; http only to 127.0.0.1, [::1] (any port at
                           request time, RFC 8252 7.3) or localhost; or a private-use
                           scheme like com.example.app:/cb);
                           --auth-method none: a public client, no secret is read.
                           A generated secret is stored as a SHA-256 digest, a given one
                           as argon2id unless --high-entropy-secret says it is random
                           (32 characters or more)
  add-user --db PATH ...   adds a user named by --username, --email or both; the
                           password is the first line of stdin
  mint-code ...            prints an authorization code for the user, as an
                           authorization endpoint would issue it (the redirect URI must
                           be registered; a public client needs --code-challenge,
                           S256 unless --code-challenge-method says plain)
  device-code ...          starts a device authorization request; prints device_code,
                           user_code, interval and expires_in as JSON
  approve-device ...       records the user's approval (--user) or denial (--deny)
  purge --db PATH          deletes tokens whose access and refresh lifetimes ended,
                           and authorization and device codes that expired, more than
                           --grace seconds ago (default 86400); a code stays while a
                           token issued for it does. Nothing else deletes rows: run it
                           daily (cron, a systemd timer)

Passwords and operator-supplied secrets are stored only as argon2id hashes, generated
secrets and codes as SHA-256 digests, tokens as digests too (README "Tokens"). One line per request is logged to stderr: method, path, status, error code,
the reason for it and microseconds, never a secret, a password or a token.
SIGINT or SIGTERM stops the server after the requests being worked on are answered;
SIGHUP is logged and ignored (nothing is reloaded: restart to change the certificate).
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
result<std::string> scope_list(std::string_view option, std::string_view text) {
    std::string list;
    for (std::size_t at = text.find_first_not_of(' '); at != std::string_view::npos;
         at = text.find_first_not_of(' ', at)) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        if (!list.empty()) list += ' ';
        list += text.substr(at, end - at);
        at = end;
    }
    if (!list.empty() && !oauthcore::is_scope_syntax(list))
        return failure(std::string(option) +
                       " takes space-separated tokens of printable ASCII without spaces, '\\' and '\"'");
    return list;
}

// A flag without a value.
bool set_flag(std::string_view arg, serve_options& o) {
    if (arg == "--allow-body-client-auth") return o.allow_body_client_auth = true;
    if (arg == "--demo") return o.demo = true;
    if (arg == "--insecure-http-behind-proxy") return o.insecure_http_behind_proxy = true;
    if (arg == "--allow-plain-pkce") return o.allow_plain_pkce = true;
    if (arg == "--durable-commits") return o.durable_commits = true;
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
        auto scopes = scope_list(name, value);
        if (!scopes) return failure(scopes.error());
        o.scopes = std::move(*scopes);
    } else if (name == "--expires-in" || name == "--refresh-expires-in") {
        // Bounded so that issued_at + lifetime fits SQLite's 64-bit integers.
        return count(name == "--expires-in" ? o.expires_in : o.refresh_expires_in, 1, 0x7FFFFFFF);
    } else if (name == "--issuer") {
        // Checked here as the metadata will check it (RFC 8414 2), so that a wrong one
        // stops the server before it opens or creates its database.
        if (!oauthcore::check_issuer(value, {.allow_http_loopback = true}))
            return failure(
                "--issuer takes the https URL clients reach this server at, without a query or "
                "fragment (RFC 8414 2; http only on a loopback host)");
        o.issuer = value;
    } else if (name == "--resource-servers") {
        auto ids = scope_list(name, value);
        if (!ids) return failure(ids.error());
        o.resource_servers = std::move(*ids);
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
    } else if (name == "--max-connections-per-address") {
        return count(o.limits.max_connections_per_address, 0, 1000000);
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
                                          "--issuer",
                                          "--resource-servers",
                                          "--tls-cert",
                                          "--tls-key",
                                          "--workers",
                                          "--max-queued",
                                          "--max-connections",
                                          "--max-connections-per-address",
                                          "--request-timeout",
                                          "--idle-timeout",
                                          "--max-failures",
                                          "--max-address-failures",
                                          "--lockout",
                                          "--failure-window"};
    // Each option once: with last-wins, a second --db or --port in a wrapper script's
    // arguments would silently serve another database or address than the first says.
    std::vector<std::string_view> given;
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
        if (std::find(given.begin(), given.end(), name) != given.end())
            return failure(std::string(name) + " given twice");
        given.push_back(name);
        const auto v = value_of(name, args, i);
        if (!v) return failure(std::string(name) + " needs a value");
        i += v->used;
        if (auto set = set_option(name, v->value, o); !set) return failure(set.error());
    }
    if (o.db_path.empty()) return failure("--db needs a path or a PostgreSQL URI");
    if (o.tls_cert.empty() != o.tls_key.empty()) return failure("--tls-cert and --tls-key go together");
    return command(o);
}

// A subcommand's arguments: "--name value" or "--name=value" for the names it knows
// (a value may begin with '-': a random S256 challenge can), its flags, and at most one
// positional argument.
struct admin_arguments {
    std::vector<std::pair<std::string_view, std::string>> values;
    std::vector<std::string_view> flags;
    std::optional<std::string> positional;

    [[nodiscard]] std::optional<std::string> value(std::string_view name) const {
        for (const auto& [n, v] : values)
            if (n == name) return v;
        return std::nullopt;
    }
    [[nodiscard]] std::vector<std::string> all(std::string_view name) const {
        std::vector<std::string> found;
        for (const auto& [n, v] : values)
            if (n == name) found.push_back(v);
        return found;
    }
    [[nodiscard]] bool flag(std::string_view name) const {
        return std::find(flags.begin(), flags.end(), name) != flags.end();
    }
};

struct admin_syntax {
    std::span<const std::string_view> valued;
    std::span<const std::string_view> repeatable;  // of valued: may be given more than once
    std::span<const std::string_view> flags;
    bool positional = false;
};

result<admin_arguments> collect(std::string_view subcommand, const admin_syntax& syntax,
                                std::span<const std::string_view> args) {
    admin_arguments out;
    const auto contains = [](std::span<const std::string_view> list, std::string_view name) {
        return std::find(list.begin(), list.end(), name) != list.end();
    };
    for (std::size_t i = 0; i < args.size();) {
        const std::string_view arg = args[i];
        if (contains(syntax.flags, arg)) {
            if (out.flag(arg)) return failure(std::string(subcommand) + ": " + std::string(arg) + " given twice");
            out.flags.push_back(arg);
            ++i;
            continue;
        }
        std::string_view name;
        for (const std::string_view k : syntax.valued)
            if (names(k, arg)) name = k;
        if (name.empty()) {
            if (!syntax.positional || out.positional || (arg.size() > 1 && arg.substr(0, 2) == "--"))
                return failure(std::string(subcommand) + ": unexpected argument: " + std::string(arg));
            out.positional = std::string(arg);
            ++i;
            continue;
        }
        const auto v = value_of(name, args, i);
        if (!v) return failure(std::string(name) + " needs a value");
        i += v->used;
        if (v->value.empty()) return failure(std::string(name) + " must not be empty");
        if (out.value(name) && !contains(syntax.repeatable, name))
            return failure(std::string(subcommand) + ": " + std::string(name) + " given twice");
        out.values.emplace_back(name, std::string(v->value));
    }
    if (!out.value("--db")) return failure(std::string(subcommand) + " needs --db PATH");
    return out;
}

// The grant types this server serves, by the names grant_type takes (RFC 6749 4.3.2, 6,
// 4.4.2, 4.1.3; RFC 8628 3.4), and "device_code" for the last.
constexpr std::string_view device_code_grant_name = "urn:ietf:params:oauth:grant-type:device_code";
constexpr std::string_view served_grants[] = {"password", "refresh_token", "client_credentials", "authorization_code",
                                              device_code_grant_name};

result<std::string> grant_list(std::string_view text) {
    std::string list;
    for (std::size_t at = text.find_first_not_of(' '); at != std::string_view::npos;
         at = text.find_first_not_of(' ', at)) {
        const std::size_t end = std::min(text.find(' ', at), text.size());
        std::string_view grant = text.substr(at, end - at);
        at = end;
        if (grant == "device_code") grant = device_code_grant_name;
        if (std::find(std::begin(served_grants), std::end(served_grants), grant) == std::end(served_grants))
            return failure("--grants: unknown grant type " + std::string(grant) +
                           " (known: password refresh_token client_credentials authorization_code device_code)");
        if (oauthcore::scope_includes(list, grant)) continue;
        if (!list.empty()) list += ' ';
        list += grant;
    }
    if (list.empty()) return failure("--grants needs at least one grant type");
    return list;
}

// RFC 6749 3.1.2: an absolute URI without a fragment (oauthcore's is_redirect_uri, which
// the authorization endpoint applies to what clients send), and one of the kinds a code
// may be sent to: https (RFC 6749 3.1.2.1: the code travels in it); http only to a
// loopback host, a native app's own listener (RFC 8252 7.3; "localhost" too, which
// RFC 8252 8.3 discourages but does not forbid); or a private-use scheme, named by a
// reverse domain name (RFC 8252 7.1: "com.example.app:/cb", so with a '.'). Anything
// else is refused: a javascript: or data: URI would make the server's redirect run a
// script, and http to another host hands the code to the network. Kept as given: a
// token request's redirect_uri is compared with it exactly.
result<void> check_redirect_uri(std::string_view uri) {
    if (!oauthcore::is_redirect_uri(uri))
        return failure("--redirect-uri takes an absolute URI without a fragment (RFC 6749 3.1.2)");
    const oauthcore::uri_parts parts = oauthcore::split_uri(uri);
    std::string scheme(parts.scheme);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    if (scheme == "https" && parts.has_authority && oauthcore::is_host_authority(parts.authority)) return {};
    if (scheme == "http" && parts.has_authority && oauthcore::is_loopback_authority(parts.authority)) return {};
    if (scheme.find('.') != std::string::npos) return {};
    return failure(
        "--redirect-uri takes https, http to a loopback host (127.0.0.1, [::1], localhost) or a private-use "
        "scheme with a '.' such as com.example.app: (RFC 6749 3.1.2.1, RFC 8252 7)");
}

result<command> parse_add_client(std::span<const std::string_view> args) {
    constexpr std::string_view valued[] = {"--db", "--grants", "--redirect-uri", "--auth-method"};
    constexpr std::string_view repeatable[] = {"--redirect-uri"};
    constexpr std::string_view flags[] = {"--high-entropy-secret"};
    const auto a = collect("add-client", {valued, repeatable, flags, true}, args);
    if (!a) return failure(a.error());
    if (!a->positional) return failure("add-client needs a client ID");
    // RFC 6749 Appendix A.1: client_id = *VSCHAR; an empty one could never authenticate
    // (Basic and the body both refuse an empty id).
    if (a->positional->empty() ||
        !std::all_of(a->positional->begin(), a->positional->end(), [](char c) { return c >= ' ' && c <= '~'; }))
        return failure("add-client takes a client ID of printable ASCII characters (RFC 6749 Appendix A.1)");
    add_client_options o{*a->value("--db"),        *a->positional,        {},
                         a->all("--redirect-uri"), "client_secret_basic", a->flag("--high-entropy-secret")};
    auto grants = grant_list(a->value("--grants").value_or(std::string(default_client_grants)));
    if (!grants) return failure(grants.error());
    o.grants = std::move(*grants);
    for (const std::string& uri : o.redirect_uris)
        if (auto checked = check_redirect_uri(uri); !checked) return failure(checked.error());
    // RFC 6749 3.1.2.2 (and RFC 9700 2.1): a client gets codes at registered redirect URIs
    // only; without one it could never get a code.
    if (oauthcore::scope_includes(o.grants, "authorization_code") && o.redirect_uris.empty())
        return failure("--grants authorization_code needs at least one --redirect-uri (RFC 6749 3.1.2.2)");
    if (const auto method = a->value("--auth-method")) {
        if (*method != "client_secret_basic" && *method != "client_secret_post" && *method != "none")
            return failure("--auth-method takes client_secret_basic, client_secret_post or none");
        o.auth_method = *method;
    }
    // RFC 6749 4.4.2 and 4.3.2: these grants authenticate the client, which a public
    // client cannot.
    if (o.auth_method == "none" &&
        (oauthcore::scope_includes(o.grants, "client_credentials") || oauthcore::scope_includes(o.grants, "password")))
        return failure("--auth-method none (a public client) cannot have the password or client_credentials grant");
    if (o.auth_method == "none" && o.high_entropy_secret)
        return failure("--high-entropy-secret: a public client (--auth-method none) has no secret");
    return command(std::move(o));
}

result<command> parse_add_user(std::span<const std::string_view> args) {
    constexpr std::string_view valued[] = {"--db", "--username", "--email"};
    const auto a = collect("add-user", {valued, {}, {}, false}, args);
    if (!a) return failure(a.error());
    const auto username = a->value("--username");
    const auto email = a->value("--email");
    if (!username && !email) return failure("add-user needs --username, --email or both");
    // The sign-in page reads a name with '@' as an email address (sign_in_pages.cpp): a
    // username holding one could never sign in there.
    if (username && username->find('@') != std::string_view::npos)
        return failure(
            "--username cannot hold '@' (the sign-in page reads such a name as an email address: use "
            "--email)");
    if (username && username->empty()) return failure("--username cannot be empty");
    // What a user types on the sign-in page and what introspection reports (as JSON, which
    // carries text): no control character, and UTF-8 (PostgreSQL stores nothing else).
    const auto typable = [](std::string_view text) {
        return oauthcore::detail::is_utf8(text) && !oauthcore::any_in(oauthcore::char_class::control, text);
    };
    if (username && !typable(*username)) return failure("--username takes UTF-8 text without control characters");
    if (email && !typable(*email)) return failure("--email takes UTF-8 text without control characters");
    if (email && email->find('@') == std::string_view::npos)
        return failure("--email takes an email address (with '@')");
    return command(add_user_options{*a->value("--db"), username, email});
}

// --scope of mint-code and device-code, as --scopes is read; absent: `target` unchanged.
result<void> scope_option(const admin_arguments& a, std::string& target) {
    const auto text = a.value("--scope");
    if (!text) return {};
    auto list = scope_list("--scope", *text);
    if (!list) return failure(list.error());
    target = std::move(*list);
    return {};
}

result<std::uint64_t> seconds_option(const admin_arguments& a, std::string_view name, std::uint64_t fallback,
                                     std::uint64_t high) {
    const auto text = a.value(name);
    if (!text) return fallback;
    return bounded<std::uint64_t>(name, *text, 1, high);
}

result<command> parse_mint_code(std::span<const std::string_view> args) {
    constexpr std::string_view valued[] = {"--db",           "--client",         "--user",
                                           "--redirect-uri", "--code-challenge", "--code-challenge-method",
                                           "--scope",        "--expires-in"};
    const auto a = collect("mint-code", {valued, {}, {}, false}, args);
    if (!a) return failure(a.error());
    for (const std::string_view required : {"--client", "--user", "--redirect-uri"})
        if (!a->value(required)) return failure("mint-code needs " + std::string(required));
    mint_code_options o;
    o.db_path = *a->value("--db");
    o.client_id = *a->value("--client");
    o.user = *a->value("--user");
    o.redirect_uri = *a->value("--redirect-uri");
    o.code_challenge = a->value("--code-challenge").value_or("");
    o.code_challenge_method = a->value("--code-challenge-method").value_or("");
    if (!o.code_challenge_method.empty() && o.code_challenge.empty())
        return failure("--code-challenge-method needs --code-challenge");
    if (!o.code_challenge.empty()) {
        // The method defaults to plain in an authorization request (RFC 7636 4.3); this
        // command's default is S256, as RFC 9700 2.1.1 asks.
        if (o.code_challenge_method.empty()) o.code_challenge_method = "S256";
        const auto method = oauthcore::parse_code_challenge_method(o.code_challenge_method);
        if (!method) return failure("--code-challenge-method takes S256 or plain");
        if (!oauthcore::is_code_challenge(o.code_challenge, *method))
            return failure(*method == oauthcore::code_challenge_method::s256
                               ? "--code-challenge: an S256 challenge is 43 characters of base64url (RFC 7636 4.2)"
                               : "--code-challenge: a plain challenge is 43 to 128 characters of A-Z a-z 0-9 - . _ ~ "
                                 "(RFC 7636 4.1)");
    }
    if (auto checked = check_redirect_uri(o.redirect_uri); !checked) return failure(checked.error());
    if (auto scope = scope_option(*a, o.scope); !scope) return failure(scope.error());
    const auto expires_in = seconds_option(*a, "--expires-in", o.expires_in, 86400);
    if (!expires_in) return failure(expires_in.error());
    o.expires_in = *expires_in;
    return command(std::move(o));
}

result<command> parse_device_code(std::span<const std::string_view> args) {
    constexpr std::string_view valued[] = {"--db", "--client", "--scope", "--expires-in", "--interval"};
    const auto a = collect("device-code", {valued, {}, {}, false}, args);
    if (!a) return failure(a.error());
    if (!a->value("--client")) return failure("device-code needs --client");
    device_code_options o;
    o.db_path = *a->value("--db");
    o.client_id = *a->value("--client");
    if (auto scope = scope_option(*a, o.scope); !scope) return failure(scope.error());
    const auto expires_in = seconds_option(*a, "--expires-in", o.expires_in, 86400);
    if (!expires_in) return failure(expires_in.error());
    const auto interval = seconds_option(*a, "--interval", o.interval, 3600);
    if (!interval) return failure(interval.error());
    o.expires_in = *expires_in;
    o.interval = *interval;
    return command(std::move(o));
}

result<command> parse_purge(std::span<const std::string_view> args) {
    constexpr std::string_view valued[] = {"--db", "--grace"};
    const auto a = collect("purge", {valued, {}, {}, false}, args);
    if (!a) return failure(a.error());
    purge_options o;
    o.db_path = *a->value("--db");
    if (const auto grace = a->value("--grace")) {
        const auto n = bounded<std::uint64_t>("--grace", *grace, 0, 10ULL * 365 * 86400);
        if (!n) return failure(n.error());
        o.grace = *n;
    }
    return command(std::move(o));
}

result<command> parse_approve_device(std::span<const std::string_view> args) {
    constexpr std::string_view valued[] = {"--db", "--user-code", "--user"};
    constexpr std::string_view flags[] = {"--deny"};
    const auto a = collect("approve-device", {valued, {}, flags, false}, args);
    if (!a) return failure(a.error());
    if (!a->value("--user-code")) return failure("approve-device needs --user-code");
    const bool deny = a->flag("--deny");
    if (deny == a->value("--user").has_value()) return failure("approve-device needs --user USERNAME or --deny");
    return command(
        approve_device_options{*a->value("--db"), *a->value("--user-code"), a->value("--user").value_or(""), deny});
}

}  // namespace

result<command> parse_command_line(std::span<const std::string_view> args) {
    for (const std::string_view arg : args)
        if (arg == "--help" || arg == "-h") return command(show_help{});
    if (!args.empty()) {
        const auto rest = args.subspan(1);
        if (args[0] == "add-client") return parse_add_client(rest);
        if (args[0] == "add-user") return parse_add_user(rest);
        if (args[0] == "mint-code") return parse_mint_code(rest);
        if (args[0] == "device-code") return parse_device_code(rest);
        if (args[0] == "approve-device") return parse_approve_device(rest);
        if (args[0] == "purge") return parse_purge(rest);
    }
    return parse_serve(args);
}

}  // namespace token_server
