#include "request_log.hpp"

#include <unistd.h>

#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

namespace token_server {

namespace {

// `text` with bytes outside printable ASCII (and the space, unless `spaces`) as \xHH.
void append_printable(std::string& out, std::string_view text, std::size_t limit, bool spaces = false) {
    constexpr std::string_view digits = "0123456789abcdef";
    const bool cut = text.size() > limit;
    for (const char c : text.substr(0, limit)) {
        const auto u = static_cast<unsigned char>(c);
        if ((u > 0x20 || (spaces && u == 0x20)) && u < 0x7F && u != '\\') {
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
    append_printable(line, entry.path.empty() ? std::string_view("-") : entry.path, max_logged_path);
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

namespace {

void write_all(std::string_view text) {
    while (!text.empty()) {
        const ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
        if (n <= 0) return;
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Lines wait here for the one thread that writes them, so that a reader of stderr that
// stops reading (a stalled journald, a full pipe) stalls that thread alone, never a
// request or the signal handler. Past max_queued_bytes lines are dropped and counted,
// and the count is logged once stderr takes lines again.
class log_writer {
public:
    static constexpr std::size_t max_queued_bytes = 256 * 1024;

    // Never destroyed: its thread may be blocked in write(2) when the process exits.
    static log_writer& instance() {
        static log_writer* const writer = new log_writer();
        return *writer;
    }

    void push(std::string_view line, bool droppable) {
        const std::lock_guard lock(mutex_);
        if (droppable && queued_bytes_ + line.size() > max_queued_bytes) {
            ++dropped_;
            return;
        }
        queue_.emplace_back(line);
        queued_bytes_ += line.size();
        ready_.notify_one();
    }

    bool flush(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return drained_.wait_until(lock, deadline, [&] { return queue_.empty() && dropped_ == 0 && !writing_; });
    }

private:
    log_writer() {
        std::thread([this] { run(); }).detach();
    }

    [[noreturn]] void run() {
        std::unique_lock lock(mutex_);
        for (;;) {
            ready_.wait(lock, [&] { return !queue_.empty() || dropped_ != 0; });
            std::string text;
            for (; !queue_.empty(); queue_.pop_front()) text += queue_.front();
            queued_bytes_ = 0;
            if (dropped_ != 0)
                text += "token_server: " + std::to_string(dropped_) +
                        " log lines dropped: stderr was not read fast enough\n";
            dropped_ = 0;
            writing_ = true;
            lock.unlock();
            write_all(text);
            lock.lock();
            writing_ = false;
            drained_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    std::condition_variable drained_;
    std::deque<std::string> queue_;
    std::size_t queued_bytes_ = 0;
    std::size_t dropped_ = 0;
    bool writing_ = false;
};

}  // namespace

void write_log_line(std::string_view line) { log_writer::instance().push(line, true); }

void write_status_line(std::string_view line) { log_writer::instance().push(line, false); }

namespace {

// A kind of line written at most once a second, with the count of those left out since:
// what a flood makes many of must not flood the log.
class once_a_second {
public:
    void write(std::string_view start, std::string_view detail) {
        std::string line(start);
        {
            const std::lock_guard lock(mutex_);
            const auto now = std::chrono::steady_clock::now();
            if (last_ && now - *last_ < std::chrono::seconds(1)) {
                ++left_out_;
                return;
            }
            last_ = now;
            append_printable(line, detail, 300, true);
            if (left_out_ != 0) line += " (and " + std::to_string(left_out_) + " more since the last one logged)";
            left_out_ = 0;
        }
        line += '\n';
        write_log_line(line);
    }

private:
    std::mutex mutex_;
    std::optional<std::chrono::steady_clock::time_point> last_;
    std::size_t left_out_ = 0;
};

}  // namespace

void write_database_error(std::string_view message) {
    static once_a_second lines;
    lines.write("token_server: database error: ", message);
}

void write_connection_refused(std::string_view address_group) {
    static once_a_second lines;
    lines.write("token_server: connection refused: --max-connections-per-address reached by ", address_group);
}

bool flush_log(std::chrono::milliseconds within) {
    return log_writer::instance().flush(std::chrono::steady_clock::now() + within);
}

}  // namespace token_server
