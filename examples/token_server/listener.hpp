#pragma once
// The listening socket: accepts connections and starts each on a strand of its own.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>

#include "connection.hpp"
#include "result.hpp"

namespace token_server {

class listener : public std::enable_shared_from_this<listener> {
public:
    // Binds and listens; an error names the address.
    [[nodiscard]] static result<std::shared_ptr<listener>> open(boost::asio::io_context& io,
                                                                const boost::asio::ip::tcp::endpoint& at,
                                                                connection_context& context);

    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    void start();
    // Closes the listening socket; from any thread.
    void stop();

    listener(boost::asio::io_context& io, connection_context& context);

private:
    void accept();

    boost::asio::io_context& io_;
    connection_context& context_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::uint16_t port_ = 0;
};

}  // namespace token_server
