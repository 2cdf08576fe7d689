#pragma once
// One line per request on stderr:
//   2024-05-01T12:00:00Z POST /v2/marketing/oauth/token 401 invalid_client client_rejected 183412us
// It names the method, the path (without the query, which might carry credentials:
// RFC 6749 3.2 forbids them there but clients send them anyway), the status, the
// oauthcore error code and oauthcore's reason for it (errors.hpp, to_string(reason);
// "- -" when there is no error) and the time spent. Never a header, a body, a secret,
// a password or a token.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace token_server {

// The error code the client got and the reason for it: oauthcore's to_string(code) and
// to_string(reason), or the transport's own names (transport_errors.hpp).
struct logged_error {
    std::string_view code;
    std::string_view reason;
};

struct request_log_entry {
    std::string_view method;
    std::string_view path;
    int status = 0;
    std::optional<logged_error> error;
    std::optional<std::chrono::microseconds> elapsed;  // nullopt: not measured
};

// The most bytes of a path a log line shows, then "..."; every path the server serves is
// shorter, and a client cannot fill the log with long lines.
inline constexpr std::size_t max_logged_path = 128;

// The line, with a newline. Bytes outside printable ASCII in the method and path are
// written as \xHH and the path is cut at max_logged_path bytes, so a client cannot forge
// lines.
[[nodiscard]] std::string format_log_line(const request_log_entry& entry);

// Queues one line for the thread that writes them to stderr, in order, whole: a caller
// never waits for stderr. When stderr is not read (a stalled log collector), lines past
// 256 KiB of queue are dropped, and their number is logged once it is read again.
void write_log_line(std::string_view line);

// The same for the server's own lines (started, stopping, a failure of the database):
// few, and never dropped.
void write_status_line(std::string_view line);

// A database call that failed while a request was answered (the request's own line says
// 500 and oauthcore's *_store_failure or issuer_failure reason): the database's message,
// printable ASCII, at most one line a second (a database that is down fails every
// request), with the number left out since the last. Dropped like a request's line when
// stderr is not read.
void write_database_error(std::string_view message);

// That a connection was closed at once because its address (or IPv6 /64) holds
// --max-connections-per-address already: at most one line a second, as above.
void write_connection_refused(std::string_view address_group);

// Waits until the queued lines are written, at most `within`: false if they were not.
bool flush_log(std::chrono::milliseconds within);

}  // namespace token_server
