#include "command_line.hpp"

#include <algorithm>
#include <charconv>

#include "oauthcore/scope.hpp"

namespace token_server {

const std::string_view usage_text = R"(usage:
  token_server [--host 127.0.0.1] [--port 8080] [--db PATH] [--profile social_id|rfc6749]
               [--expires-in 604800] [--refresh-expires-in 2592000] [--scopes "read write"]
               [--allow-body-client-auth]
  token_server add-client --db PATH ID
  token_server add-user --db PATH (--username U | --email E | --username U --email E)
  token_server --help

Serves the OAuth 2.0 password grant (RFC 6749 4.3) and the refresh_token grant
(RFC 6749 6) at POST /v2/marketing/oauth/token and POST /oauth/token, with clients,
users and issued tokens in a SQLite database. A refresh token works once: using it
revokes it (and the access token issued with it) and hands out a new pair.

server options:
  --host H                 address to listen on (default 127.0.0.1, loopback only)
  --port N                 port (default 8080; 0 picks a free port, printed on stderr)
  --db PATH                database file (default token_server.db); a new file gets the
                           vendor document's demo client 138 and user john_doe
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

subcommands:
  add-client --db PATH ID  adds client ID; its secret is read from stdin (one line),
                           or, when stdin is empty, generated and printed once
  add-user --db PATH ...   adds a user named by --username, --email or both; the
                           password is read from stdin (one line)

Secrets and passwords are stored only as argon2id hashes, tokens only as SHA-256
digests. One line per request is logged to stderr: method, path, status, error code,
oauthcore's reason for it and microseconds, never a secret, a password or a token.
SIGINT or SIGTERM stops the server after the requests in flight are answered.
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

result<command> parse_serve(std::span<const std::string_view> args) {
    serve_options o;
    for (std::size_t i = 0; i < args.size();) {
        const std::string_view arg = args[i];
        if (arg == "--allow-body-client-auth") {
            o.allow_body_client_auth = true;
            ++i;
            continue;
        }
        const char* const known[] = {"--host",  "--port", "--db", "--profile", "--expires-in", "--refresh-expires-in",
                                     "--scopes"};
        std::string_view name;
        for (const char* k : known)
            if (names(k, arg)) name = k;
        if (name.empty()) return failure("unknown argument: " + std::string(arg));
        const auto v = value_of(name, args, i);
        if (!v) return failure(std::string(name) + " needs a value");
        i += v->used;
        if (name == "--host") {
            o.host = v->value;
        } else if (name == "--port") {
            const auto port = number_in<int>(v->value, 0, 65535);
            if (!port) return failure("--port takes a number from 0 to 65535");
            o.port = *port;
        } else if (name == "--db") {
            o.db_path = v->value;
        } else if (name == "--profile") {
            if (v->value == "social_id")
                o.profile = oauthcore::profile::social_id;
            else if (v->value == "rfc6749")
                o.profile = oauthcore::profile::rfc6749;
            else
                return failure("--profile takes social_id or rfc6749");
        } else if (name == "--scopes") {
            auto scopes = scope_list(v->value);
            if (!scopes) return failure(scopes.error());
            o.scopes = std::move(*scopes);
        } else {
            // Bounded so that issued_at + lifetime fits SQLite's 64-bit integers.
            const auto seconds = number_in<std::uint64_t>(v->value, 1, 0x7FFFFFFF);
            if (!seconds) return failure(std::string(name) + " takes a number of seconds from 1 to 2147483647");
            (name == "--expires-in" ? o.expires_in : o.refresh_expires_in) = *seconds;
        }
    }
    if (o.db_path.empty()) return failure("--db needs a path");
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
