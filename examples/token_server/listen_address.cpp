#include "listen_address.hpp"

namespace token_server {

result<boost::asio::ip::address> listen_address_of(const std::string& host) {
    if (host == "localhost") return boost::asio::ip::address(boost::asio::ip::address_v4::loopback());
    boost::system::error_code ec;
    const boost::asio::ip::address address = boost::asio::ip::make_address(host, ec);
    if (ec) return failure("--host takes an IPv4 or IPv6 address or localhost, not a name to resolve");
    return address;
}

bool is_loopback(const boost::asio::ip::address& address) noexcept {
    if (address.is_v6()) {
        const auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
        return v6.is_loopback();
    }
    return address.is_loopback();
}

std::string url_of(const boost::asio::ip::address& address, std::uint16_t port, bool tls) {
    // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict, a false positive) on
    // "[" + std::string + "]".
    std::string url = tls ? "https://" : "http://";
    if (address.is_v6()) url += '[';
    url += address.to_string();
    if (address.is_v6()) url += ']';
    url += ':';
    url += std::to_string(port);
    return url;
}

}  // namespace token_server
