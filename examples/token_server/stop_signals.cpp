#include "stop_signals.hpp"

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace token_server {

namespace {

sigset_t stop_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

}  // namespace

void block_stop_signals() {
    const sigset_t set = stop_signal_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    // A client that goes away mid-response must not kill the server.
    signal(SIGPIPE, SIG_IGN);
}

stop_signal_watcher::stop_signal_watcher(std::function<void(int)> on_signal)
    : thread_([this, on_signal = std::move(on_signal)] {
          const sigset_t set = stop_signal_set();
          // Wakes up every 100 ms to notice the destructor, so it never blocks exit.
          const timespec tick{0, 100'000'000};
          while (!done_.load()) {
              const int signal_number = sigtimedwait(&set, nullptr, &tick);
              if (signal_number > 0) {
                  on_signal(signal_number);
                  return;
              }
          }
      }) {}

stop_signal_watcher::~stop_signal_watcher() {
    done_.store(true);
    thread_.join();
}

}  // namespace token_server
