#include "listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>

namespace token_server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

listener::listener(asio::io_context& io, connection_context& context)
    : io_(io), context_(context), acceptor_(asio::make_strand(io)), retry_(acceptor_.get_executor()) {}

result<std::shared_ptr<listener>> listener::open(asio::io_context& io, const tcp::endpoint& at,
                                                 connection_context& context) {
    auto self = std::make_shared<listener>(io, context);
    const std::string where = at.address().to_string() + " port " + std::to_string(at.port());
    boost::system::error_code ec;
    self->acceptor_.open(at.protocol(), ec);
    if (!ec) self->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) self->acceptor_.bind(at, ec);
    if (!ec) self->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return failure("cannot listen on " + where + ": " + ec.message());
    self->port_ = self->acceptor_.local_endpoint(ec).port();
    if (ec) return failure("cannot listen on " + where + ": " + ec.message());
    return self;
}

void listener::start() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void listener::stop() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
        self->retry_.cancel();
    });
}

void listener::accept() {
    // Each connection gets a strand: its handlers never run at once on two I/O threads.
    acceptor_.async_accept(asio::make_strand(io_),
                           [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
                               if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
                               if (ec) {
                                   // Out of descriptors or memory for a moment: try again shortly, not in a busy loop.
                                   self->retry_.expires_after(std::chrono::milliseconds(100));
                                   self->retry_.async_wait([self](const boost::system::error_code& e) {
                                       if (!e) self->accept();
                                   });
                                   return;
                               }
                               start_connection(std::move(socket), self->context_);
                               self->accept();
                           });
}

}  // namespace token_server
