#pragma once
// The server's one clock: Unix seconds, the times the database keeps.

#include <chrono>
#include <cstdint>

namespace token_server {

[[nodiscard]] inline std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace token_server
