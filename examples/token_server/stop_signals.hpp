#pragma once
// SIGINT and SIGTERM, received by one thread with sigtimedwait instead of a signal
// handler: cpp-httplib's stop() is not async-signal-safe, so it must not run inside a
// handler. block_stop_signals() must run before any other thread starts, so that every
// thread inherits the mask and the signal is left for the watcher.

#include <atomic>
#include <functional>
#include <thread>

namespace token_server {

void block_stop_signals();

class stop_signal_watcher {
public:
    // Calls on_signal(signal number) on the watcher thread when SIGINT or SIGTERM
    // arrives, once.
    explicit stop_signal_watcher(std::function<void(int)> on_signal);
    stop_signal_watcher(const stop_signal_watcher&) = delete;
    stop_signal_watcher& operator=(const stop_signal_watcher&) = delete;
    ~stop_signal_watcher();

private:
    std::atomic<bool> done_{false};
    std::thread thread_;
};

}  // namespace token_server
