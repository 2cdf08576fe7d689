#include "connection.hpp"

#include <poll.h>

#include <array>
#include <iterator>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detect_ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "commit_batch.hpp"
#include "http_framing.hpp"
#include "request_log.hpp"

namespace token_server {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using plain_stream = beast::tcp_stream;
using tls_stream = asio::ssl::stream<beast::tcp_stream>;

// The address the brute-force limit counts: an IPv4 client of a dual-stack socket as
// IPv4, so that it is one name whichever way it came.
// The peer's address, an IPv4 one as itself rather than mapped into IPv6; nullopt when
// the socket cannot say (the peer is gone already).
std::optional<asio::ip::address> peer_address_of(const tcp::socket& socket) {
    boost::system::error_code ec;
    const tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) return std::nullopt;
    asio::ip::address address = peer.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    return address;
}

std::string source_address_of(const tcp::socket& socket) {
    const auto address = peer_address_of(socket);
    return address ? address->to_string() : "-";
}

// What --max-connections-per-address counts against: an IPv4 address, or the /64 of an
// IPv6 one (RFC 4291 2.5.4: the interface identifier is the low 64 bits, which a client
// given a /64 chooses freely, so single IPv6 addresses would not hold one client to the
// cap). Peers the socket cannot name share "-".
std::string address_group_of(const tcp::socket& socket) {
    const auto address = peer_address_of(socket);
    if (!address) return "-";
    if (address->is_v4()) return address->to_string();
    asio::ip::address_v6::bytes_type bytes = address->to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return asio::ip::address_v6(bytes).to_string() + "/64";
}

// False once the client has closed or reset its side of the connection. Checked by the
// worker just before the password checks: a client that gave up costs no argon2id.
// Only the socket's state is asked (poll, no read), so pipelined bytes stay where they are.
bool peer_still_there(int fd) {
    pollfd p{fd, POLLRDHUP, 0};
    if (::poll(&p, 1, 0) < 0) return true;
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) == 0;
}

// RFC 9110 10.1.1: a client that sent "Expect: 100-continue" waits for this (or for a
// while) before it sends the body.
constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";

bool iequals(beast::string_view a, std::string_view b) {
    return beast::iequals(a, beast::string_view(b.data(), b.size()));
}

std::string_view view(beast::string_view s) noexcept { return {s.data(), s.size()}; }

// Errors of Beast's HTTP parser that mean the client sent something invalid (answered
// 400), as opposed to the connection ending or timing out (closed without an answer).
bool is_syntax_error(const beast::error_code& ec) {
    return ec.category() == http::make_error_code(http::error::bad_chunk).category() &&
           ec != http::error::end_of_stream && ec != http::error::partial_message;
}

template <class Stream>
class connection final : public stoppable, public std::enable_shared_from_this<connection<Stream>> {
public:
    static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

    connection(tcp::socket&& socket, connection_context& context)
        : context_(context),
          source_address_(source_address_of(socket)),
          address_group_(address_group_of(socket)),
          stream_(make_stream(std::move(socket), context)),
          buffer_(std::max<std::size_t>(2 * context.limits.max_header_bytes, 16 * 1024)) {}

    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    ~connection() {
        if (id_ != 0) context_.registry.remove(id_);
    }

    [[nodiscard]] const std::string& address_group() const noexcept { return address_group_; }

    void start(std::uint64_t id) {
        id_ = id;
        // On the connection's strand, like everything after it (stop() included).
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
    }

    void stop() override {
        asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->on_stop(); });
    }

private:
    void begin() {
        if (stopping_) return close();
        // The first request's deadline runs from the accept, the TLS handshake included.
        lowest().expires_after(context_.limits.request_timeout);
        if constexpr (is_tls) {
            // The first bytes say whether a TLS handshake starts (a handshake record, RFC
            // 8446 5.1). Anything else, a client that sent plain HTTP to the HTTPS port
            // most likely, is told so in plain HTTP, as nginx does, and logged, rather
            // than dropped by a failed handshake that neither side explains.
            beast::async_detect_ssl(lowest(), buffer_,
                                    [self = this->shared_from_this()](const beast::error_code& ec, bool handshake) {
                                        if (ec) return self->close();
                                        if (!handshake) return self->refuse_plain_http();
                                        self->handshake();
                                    });
        } else {
            read_header();
        }
    }

    // The handshake, from the bytes async_detect_ssl read into buffer_ and then the socket.
    void handshake() {
        if constexpr (is_tls) {
            stream_.async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                                    [self = this->shared_from_this()](const beast::error_code& ec, std::size_t used) {
                                        if (ec) return self->close();
                                        self->buffer_.consume(used);
                                        self->read_header();
                                    });
        }
    }

    // The 400 of plain_http_on_tls_port, written on the TCP stream beneath TLS; then the
    // connection closes as finish() closes a plain one.
    void refuse_plain_http() {
        http_response& message = prepare(token_service::transport_reply(transport_error::plain_http_on_tls_port), true);
        http::async_write(lowest(), message,
                          [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) {
                              if (ec) return self->close();
                              self->linger();
                          });
    }

    static Stream make_stream(tcp::socket&& socket, connection_context& context) {
        if constexpr (is_tls)
            return Stream(beast::tcp_stream(std::move(socket)), *context.tls);
        else
            return Stream(std::move(socket));
    }

    beast::tcp_stream& lowest() noexcept { return beast::get_lowest_layer(stream_); }

    std::string_view buffered() const noexcept {
        const auto data = buffer_.data();
        return {static_cast<const char*>(data.data()), data.size()};
    }

    // The request line and header fields, up to the empty line that ends them, within
    // max_header_bytes (RFC 9112 2.2; over it 431, RFC 6585 5).
    void read_header() {
        if (stopping_) return close();
        // RFC 9112 2.2: empty lines before the request line (a client's stray CRLF after a
        // body) are ignored; the request timeout, which runs from the first byte, bounds them.
        while (buffered().starts_with("\r\n")) buffer_.consume(2);
        const std::size_t limit = context_.limits.max_header_bytes;
        const header_scan scan = scan_header_block(buffered().substr(0, limit));
        if (scan.outcome == header_scan::state::complete) return on_header(scan.size);
        if (scan.outcome == header_scan::state::refused) return refuse(transport_error::bare_line_ending);
        if (buffer_.size() >= limit) return refuse(transport_error::header_too_large);
        stream_.async_read_some(buffer_.prepare(limit - buffer_.size()),
                                [self = this->shared_from_this()](const beast::error_code& ec, std::size_t n) {
                                    self->on_header_bytes(ec, n);
                                });
    }

    void on_header_bytes(const beast::error_code& ec, std::size_t n) {
        // A timeout, the client's close or a reset: nobody to answer.
        if (ec) return close();
        buffer_.commit(n);
        if (awaiting_first_byte_) {
            // The idle wait is over: the whole request must now arrive in request_timeout.
            awaiting_first_byte_ = false;
            lowest().expires_after(context_.limits.request_timeout);
        }
        read_header();
    }

    void on_header(std::size_t size) {
        const std::string_view block = buffered().substr(0, size);
        if (const auto refusal = check_header_block(block, context_.limits.max_header_fields)) return refuse(*refusal);
        // "HTTP/1.2" and later minor versions are given to Beast as HTTP/1.1, which they are
        // read as (RFC 9110 2.5).
        if (const auto minor_at = later_minor_version_at(block))
            static_cast<char*>(buffer_.data().data())[*minor_at] = '1';
        parser_.emplace();
        framed_body_bytes_ = 0;
        parser_->header_limit(static_cast<std::uint32_t>(context_.limits.max_header_bytes));
        // Counted as the body arrives, for Content-Length (refused before any of it is
        // read when the declared length is over) and chunked bodies alike.
        parser_->body_limit(context_.limits.max_body_bytes);
        beast::error_code ec;
        const std::size_t used = parser_->put(asio::buffer(block.data(), block.size()), ec);
        buffer_.consume(size);
        // A Content-Length over the limit is refused here, before any of the body is read,
        // with the same answer as a chunked body that grows past it (on_body). Beast finds
        // it once the fields are read (the request line and fields are in the message) and
        // stops there, so the parser does not count the header as done.
        if (ec == http::error::body_limit) {
            note_request_line();
            return respond(context_.service.body_too_large(), true);
        }
        if (ec || used != size || !parser_->is_header_done()) return refuse(transport_error::malformed_request);

        // RFC 9112 3.2.2: an absolute-form target is accepted, and read as its origin-form.
        if (const auto origin = origin_form_of(view(parser_->get().target())))
            parser_->get().target(std::string(*origin));
        note_request_line();
        const auto& header = parser_->get();
        const std::string_view target = view(header.target());
        header_fields_ = static_cast<std::size_t>(std::distance(header.begin(), header.end()));
        if (token_service::serves(target)) {
            // Nothing is decompressed: a body is read and limited as sent.
            if (header.find(http::field::content_encoding) != header.end())
                return refuse(transport_error::content_encoding);
            if (header.method() == http::verb::post && !parser_->content_length() && !parser_->chunked()) {
                // Complete without a body (RFC 9112 6.3 (7)): the connection stays in step.
                request_ = parser_->release();
                parser_.reset();
                request_done_ = true;
                return refuse(transport_error::length_required);
            }
        }
        if (parser_->is_done()) return on_request();
        const auto expect = header.find(http::field::expect);
        if (expect != header.end() && iequals(expect->value(), "100-continue") && header.version() == 11) {
            return asio::async_write(stream_, asio::buffer(continue_response.data(), continue_response.size()),
                                     [self = this->shared_from_this()](const beast::error_code& e, std::size_t) {
                                         if (e) return self->close();
                                         self->read_body();
                                     });
        }
        read_body();
    }

    // What the log line and a HEAD answer need from the parsed request line.
    void note_request_line() {
        started_ = std::chrono::steady_clock::now();
        const auto& header = parser_->get();
        const std::string_view target = view(header.target());
        log_method_ = view(header.method_string());
        // A query may carry credentials: never logged (format_log_line cuts a long path).
        log_path_ = target.substr(0, target.find('?'));
        head_ = header.method() == http::verb::head;
    }

    // The body a part at a time (what arrived, parsed), so that the chunk framing can be
    // looked at between parts.
    void read_body() {
        http::async_read_some(stream_, buffer_, *parser_,
                              [self = this->shared_from_this()](const beast::error_code& ec, std::size_t used) {
                                  self->on_body_part(ec, used);
                              });
    }

    // What a body may take with its chunk framing (sizes, extensions, CRLFs), which Beast
    // does not count against the body limit: a body of a few bytes in chunks with 8 KB
    // extensions each had the server parse 142 MB within one request's deadline. Eight
    // times the limit leaves room for any honest chunking: a body sent in 1-byte chunks,
    // the worst there is, takes 6 bytes per byte.
    std::size_t max_framed_body_bytes() const noexcept { return 8 * context_.limits.max_body_bytes + 4096; }

    void on_body_part(const beast::error_code& ec, std::size_t used) {
        framed_body_bytes_ += used;
        if (!ec && !parser_->is_done() && framed_body_bytes_ > max_framed_body_bytes())
            return respond(context_.service.body_too_large(), true);
        if (ec || parser_->is_done()) return on_body(ec);
        // Beast takes the body's bytes as they come, and leaves unconsumed only a line of
        // chunk framing it cannot finish: a chunk-size line or the CRLF after a chunk's
        // data. It skips a bare LF there and waits for a CRLF that may never come (until
        // the request's deadline, with no answer); such a line is refused at once, as a
        // bare LF in the header block is (RFC 9112 2.2, 7.1).
        if (scan_header_block(buffered()).outcome == header_scan::state::refused)
            return refuse(transport_error::bare_line_ending);
        read_body();
    }

    void on_body(const beast::error_code& ec) {
        if (ec == http::error::body_limit) return respond(context_.service.body_too_large(), true);
        if (ec && is_syntax_error(ec)) return refuse(transport_error::malformed_request);
        if (ec) return close();
        // Beast adds a chunked body's trailer fields to the header's; a client could slip
        // an Authorization or a Content-Type past whatever checked the header. None is
        // accepted (RFC 9110 6.5.1 lets a recipient refuse to merge them).
        const auto& fields = parser_->get();
        if (static_cast<std::size_t>(std::distance(fields.begin(), fields.end())) != header_fields_)
            return refuse(transport_error::trailer_fields);
        on_request();
    }

    void on_request() {
        request_ = parser_->release();
        parser_.reset();
        request_done_ = true;
        if (!token_service::needs_work(request_)) return respond(context_.service.answer(request_, source_address_));
        if (auto refused = context_.service.refuse_early(request_, source_address_))
            return respond(std::move(*refused));

        // While the request waits and is worked on, this connection reads nothing and
        // has no deadline running; the executor is kept busy so that shutdown waits.
        lowest().expires_never();
        working_ = true;
        auto self = this->shared_from_this();
        auto work = asio::prefer(stream_.get_executor(), asio::execution::outstanding_work.tracked);
        const int fd = lowest().socket().native_handle();
        const bool queued = context_.pool.try_submit([self, work, fd] {
            std::optional<reply> answer;
            if (peer_still_there(fd)) answer = self->context_.service.answer(self->request_, self->source_address_);
            // Group commit: the reply leaves once what the request wrote is committed
            // (at once without a batch). A failed commit may have undone it: then the
            // reply is the one a failed database call gets.
            commit_batch::after_commit([self, work, answer = std::move(answer)](bool committed) mutable {
                if (!committed && answer) answer = self->context_.service.commit_failure();
                asio::post(work, [self, answer = std::move(answer)]() mutable { self->on_worked(std::move(answer)); });
            });
        });
        if (!queued) {
            working_ = false;
            respond(token_service::transport_reply(transport_error::busy, std::chrono::seconds(1)));
        }
    }

    void on_worked(std::optional<reply> answer) {
        working_ = false;
        if (!answer) {
            // Logged with nginx's 499 ("client closed request"), which no client is sent.
            write_log_line(format_log_line({log_method_, log_path_, 499, logged_error{"-", "client_gone"}, elapsed()}));
            return close();
        }
        respond(std::move(*answer));
    }

    void refuse(transport_error error) { respond(token_service::transport_reply(error)); }

    void respond(reply answer, bool close_after = false) {
        http_response& message = prepare(std::move(answer), close_after);
        http::async_write(
            stream_, message,
            [self = this->shared_from_this()](const beast::error_code& ec, std::size_t) { self->on_write(ec); });
    }

    // The response of `answer` framed for this connection, logged, in response_, with the
    // write's deadline set.
    http_response& prepare(reply answer, bool close_after) {
        http_response& message = answer.message;
        message.version(11);
        // Kept alive only after a request read to its end, and only if both sides want it.
        const bool keep_alive =
            !close_after && !stopping_ && message.keep_alive() && request_done_ && request_.keep_alive();
        message.keep_alive(keep_alive);
        message.content_length(message.body().size());
        if (head_) message.body().clear();  // the length of what GET would get, no body (RFC 9110 9.3.2)
        keep_alive_ = keep_alive;
        const std::optional<logged_error> error = answer.log_code == "-" && answer.log_name == "-"
                                                      ? std::nullopt
                                                      : std::optional(logged_error{answer.log_code, answer.log_name});
        write_log_line(
            format_log_line({log_method_, log_path_, static_cast<int>(message.result_int()), error, elapsed()}));
        response_.emplace(std::move(message));
        lowest().expires_after(context_.limits.request_timeout);
        return *response_;
    }

    std::optional<std::chrono::microseconds> elapsed() const {
        if (!started_) return std::nullopt;
        return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - *started_);
    }

    void on_write(const beast::error_code& ec) {
        response_.reset();
        if (ec) return close();
        if (!keep_alive_ || stopping_) return finish();
        // The next request: pipelined bytes may be here already (RFC 9112 9.3.2: answered
        // in order, one at a time).
        request_ = {};
        request_done_ = false;
        head_ = false;
        started_.reset();
        log_method_ = log_path_ = {};
        if (buffer_.size() > 0) {
            lowest().expires_after(context_.limits.request_timeout);
        } else {
            awaiting_first_byte_ = true;
            lowest().expires_after(context_.limits.idle_timeout);
        }
        read_header();
    }

    // Closing after a response (RFC 9112 9.6): the sending side first, then what the
    // client still sends is read and dropped, for a bounded time and count, so that its
    // unread bytes do not make our close a reset that destroys the response in flight.
    void finish() {
        if constexpr (is_tls) {
            lowest().expires_after(context_.limits.linger_timeout);
            stream_.async_shutdown([self = this->shared_from_this()](const beast::error_code&) { self->close(); });
        } else {
            linger();
        }
    }

    // The TCP side of finish(): also how a TLS port closes after its plain-HTTP answer.
    void linger() {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
        lowest().expires_after(context_.limits.linger_timeout);
        drain();
    }

    void drain() {
        lowest().async_read_some(
            asio::buffer(drain_), [self = this->shared_from_this()](const beast::error_code& ec, std::size_t n) {
                self->drained_ += n;
                if (ec || self->stopping_ || self->drained_ >= self->context_.limits.max_linger_bytes)
                    return self->close();
                self->drain();
            });
    }

    void close() {
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().close();
    }

    // Shutdown: a request being worked on is answered (then the connection closes);
    // anything else, an idle or slow client included, is closed now.
    void on_stop() {
        stopping_ = true;
        if (!working_) close();
    }

    connection_context& context_;
    std::string source_address_;
    std::string address_group_;  // for the cap per address (address_group_of)
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http_request request_;
    bool request_done_ = false;
    std::optional<http_response> response_;
    std::optional<std::chrono::steady_clock::time_point> started_;
    std::string log_method_;
    std::string log_path_;
    std::array<char, 4096> drain_{};
    std::uint64_t drained_ = 0;
    std::size_t framed_body_bytes_ = 0;  // of the request being read, framing included
    std::uint64_t id_ = 0;
    std::size_t header_fields_ = 0;
    bool head_ = false;
    bool keep_alive_ = false;
    bool working_ = false;
    bool stopping_ = false;
    bool awaiting_first_byte_ = false;
};

template <class Stream>
void start(tcp::socket&& socket, connection_context& context) {
    auto c = std::make_shared<connection<Stream>>(std::move(socket), context);
    const auto admitted = context.registry.try_add(c, c->address_group());
    // Over a cap (or stopping): c is destroyed on return, which closes the socket.
    if (admitted.id != 0) return c->start(admitted.id);
    if (admitted.address_full) write_connection_refused(c->address_group());
}

}  // namespace

void start_connection(tcp::socket socket, connection_context& context) {
    if (context.tls != nullptr)
        start<tls_stream>(std::move(socket), context);
    else
        start<plain_stream>(std::move(socket), context);
}

}  // namespace token_server
