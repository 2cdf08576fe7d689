#pragma once
// The open connections: how many (against the caps, in all and per source address) and
// which, so that shutdown can reach each one.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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
    // `max_per_address` 0: no cap per address.
    connection_registry(std::size_t max_connections, std::size_t max_per_address) noexcept
        : max_(max_connections), max_per_address_(max_per_address) {}

    struct admission {
        std::uint64_t id = 0;       // 0: refused
        bool address_full = false;  // refused because `address` holds max_per_address
    };
    // An id for `c`, from `address`, or 0 when max_connections are open already, or
    // max_per_address from that address, or stop_all() has run.
    [[nodiscard]] admission try_add(std::weak_ptr<stoppable> c, std::string_view address);
    void remove(std::uint64_t id);
    // Stops every open connection, and refuses new ones from now on.
    void stop_all();

private:
    struct entry {
        std::weak_ptr<stoppable> connection;
        std::string address;
    };

    std::size_t max_;
    std::size_t max_per_address_;
    std::mutex mutex_;
    std::uint64_t next_id_ = 1;
    bool stopping_ = false;
    std::unordered_map<std::uint64_t, entry> open_;
    // Open connections per source address, only while the cap per address is on; an
    // address leaves when its last connection closes.
    std::unordered_map<std::string, std::size_t> per_address_;
};

}  // namespace token_server
