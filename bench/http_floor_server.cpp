// The transport floor for scripts/load.sh: a minimal Boost.Beast HTTP/1.1 server that
// answers every request with a fixed token-shaped body and the token endpoint's headers,
// on one thread, without looking at the request beyond parsing it. What the example
// token server does on top of this (oauthcore, the secret check, a random token, a
// SQLite insert, a log line) is the difference scripts/load.sh measures.
//
// usage: http_floor_server PORT   (127.0.0.1 only; stops on SIGINT or SIGTERM)

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <cstdio>
#include <memory>
#include <string_view>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The shape of the example server's client_credentials answer (RFC 6749 5.1).
constexpr std::string_view token_body =
    R"({"access_token":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",)"
    R"("expires_in":604800,"token_type":"bearer"})";

class session : public std::enable_shared_from_this<session> {
public:
    explicit session(tcp::socket socket) : stream_(std::move(socket)) {}

    void start() { read(); }

private:
    void read() {
        request_ = {};
        http::async_read(stream_, buffer_, request_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec) self->answer();
        });
    }

    void answer() {
        response_ = {};
        response_.result(http::status::ok);
        response_.version(request_.version());
        response_.set(http::field::content_type, "application/json;charset=UTF-8");
        response_.set(http::field::cache_control, "no-store");
        response_.set(http::field::pragma, "no-cache");
        response_.body().assign(token_body.data(), token_body.size());
        response_.keep_alive(request_.keep_alive());
        response_.prepare_payload();
        http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (!ec && self->response_.keep_alive()) self->read();
        });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
        if (ec) return;
        socket.set_option(tcp::no_delay(true));
        std::make_shared<session>(std::move(socket))->start();
        accept(acceptor);
    });
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 0;
    const std::string_view arg = argc == 2 ? argv[1] : "";
    if (std::from_chars(arg.data(), arg.data() + arg.size(), port).ec != std::errc() || port == 0) {
        std::fprintf(stderr, "usage: http_floor_server PORT\n");
        return 2;
    }
    asio::io_context io(1);
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), port});
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](beast::error_code, int) { io.stop(); });
    accept(acceptor);
    std::fprintf(stderr, "http_floor_server: listening on http://127.0.0.1:%u\n", static_cast<unsigned>(port));
    io.run();
    return 0;
}
