#include "request_log.hpp"

#include <unistd.h>

#include <ctime>

namespace token_server {

namespace {

void append_printable(std::string& out, std::string_view text, std::size_t limit) {
    constexpr std::string_view digits = "0123456789abcdef";
    const bool cut = text.size() > limit;
    for (const char c : text.substr(0, limit)) {
        const auto u = static_cast<unsigned char>(c);
        if (u > 0x20 && u < 0x7F && u != '\\') {
            out += c;
        } else {
            out += "\\x";
            out += digits[u >> 4];
            out += digits[u & 0x0F];
        }
    }
    if (cut) out += "...";
}

std::string utc_timestamp() {
    const std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char text[32];
    const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return std::string(text, n);
}

}  // namespace

std::string format_log_line(const request_log_entry& entry) {
    std::string line = utc_timestamp();
    line += ' ';
    append_printable(line, entry.method.empty() ? std::string_view("-") : entry.method, 16);
    line += ' ';
    append_printable(line, entry.path.empty() ? std::string_view("-") : entry.path, 200);
    line += ' ';
    line += std::to_string(entry.status);
    line += ' ';
    line += entry.error ? entry.error->code : std::string_view("-");
    line += ' ';
    line += entry.error ? entry.error->reason : std::string_view("-");
    line += ' ';
    line += entry.elapsed ? std::to_string(entry.elapsed->count()) + "us" : std::string("-");
    line += '\n';
    return line;
}

void write_log_line(std::string_view line) {
    // One write(2) per line: stderr is unbuffered, and iostreams would split the line.
    while (!line.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, line.data(), line.size());
        if (n <= 0) return;
        line.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace token_server
