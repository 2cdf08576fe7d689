#pragma once
// The open connections: how many (against the cap) and which, so that shutdown can
// reach each one.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace token_server {

// What shutdown asks of a connection. stop() may be called from any thread; the
// connection does the work on its own strand.
class stoppable {
public:
    virtual void stop() = 0;

protected:
    ~stoppable() = default;
};

class connection_registry {
public:
    explicit connection_registry(std::size_t max_connections) noexcept : max_(max_connections) {}

    // An id for `c`, or 0 when max_connections are open already or stop_all() has run.
    [[nodiscard]] std::uint64_t try_add(std::weak_ptr<stoppable> c);
    void remove(std::uint64_t id);
    // Stops every open connection, and refuses new ones from now on.
    void stop_all();

private:
    std::size_t max_;
    std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    bool stopping_ = false;
    std::unordered_map<std::uint64_t, std::weak_ptr<stoppable>> open_;
};

}  // namespace token_server
