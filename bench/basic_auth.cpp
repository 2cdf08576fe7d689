// basic_decode/<implementation>/vendor: an Authorization header value to the client
// id and secret (the vendor's "--user 138:e8b9…92cf").
//  - oauthcore: parse_basic_authorization: scheme, strict base64, control characters,
//    split at the first ':', RFC 6749 2.3.1 form-decoding of id and secret.
//  - libsodium (sodium_base642bin) and boost_beast (Beast's base64::decode): the scheme
//    check, the base64 decoding into a stack buffer and the split, nothing more. The
//    peers do less than oauthcore, so the ratios are, if anything, unfair to it.

#include <array>
#include <string>
#include <string_view>

#include "oauthcore/basic_auth.hpp"
#include "oauthcore/storage.hpp"
#include "support.hpp"

#if OAUTHCORE_BENCH_HAVE_SODIUM
#include <sodium.h>
#endif
#if OAUTHCORE_BENCH_HAVE_BEAST
#include <boost/beast/core/detail/base64.hpp>
#endif

namespace bench {
namespace {

struct split_credentials {
    std::string_view id;
    std::string_view secret;
};

// The scheme and the token68 of a Basic header, as the peers' glue finds them.
bool basic_token(std::string_view header, std::string_view& token) noexcept {
    const auto space = header.find(' ');
    if (space == std::string_view::npos || !iequals(header.substr(0, space), "Basic")) return false;
    token = header.substr(space + 1);
    return true;
}

bool split(std::string_view user_pass, split_credentials& out) noexcept {
    const auto colon = user_pass.find(':');
    if (colon == std::string_view::npos) return false;
    out = {user_pass.substr(0, colon), user_pass.substr(colon + 1)};
    return true;
}

void check_credentials(bool ok, std::string_view id, std::string_view secret, const char* name) {
    check(ok, name, "decoding failed");
    check(id == client_id, name, "client id");
    check(secret == client_secret, name, "client secret");
}

void basic_decode_oauthcore(benchmark::State& state) {
    const char* name = "basic_decode/oauthcore/vendor";
    oauthcore::request_storage storage;
    {
        const auto credentials = oauthcore::parse_basic_authorization(authorization, storage);
        check(credentials.has_value(), name, "parse failed");
        check_credentials(true, credentials->id, credentials->secret, name);
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        storage.reset();
        const auto credentials = oauthcore::parse_basic_authorization(opaque(authorization), storage);
        escape(&credentials);
        meter.stop();
    }
}

#if OAUTHCORE_BENCH_HAVE_SODIUM
bool sodium_decode(std::string_view header, std::array<char, 256>& buffer, split_credentials& out) noexcept {
    std::string_view token;
    if (!basic_token(header, token)) return false;
    std::size_t size = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(buffer.data()), buffer.size(), token.data(), token.size(),
                          nullptr, &size, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
        return false;
    return split({buffer.data(), size}, out);
}

void basic_decode_libsodium(benchmark::State& state) {
    const char* name = "basic_decode/libsodium/vendor";
    std::array<char, 256> buffer;
    {
        split_credentials credentials;
        const bool ok = sodium_decode(authorization, buffer, credentials);
        check_credentials(ok, credentials.id, credentials.secret, name);
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        split_credentials credentials;
        const bool ok = sodium_decode(opaque(authorization), buffer, credentials);
        escape(&ok);
        escape(&credentials);
        meter.stop();
    }
}
#endif

#if OAUTHCORE_BENCH_HAVE_BEAST
bool beast_decode(std::string_view header, std::array<char, 256>& buffer, split_credentials& out) noexcept {
    namespace base64 = boost::beast::detail::base64;
    std::string_view token;
    if (!basic_token(header, token)) return false;
    if (token.size() % 4 != 0 || base64::decoded_size(token.size()) > buffer.size()) return false;
    const auto [written, read] = base64::decode(buffer.data(), token.data(), token.size());
    // Beast stops at the first '=' or invalid character: only padding may be left.
    const std::string_view rest = token.substr(read);
    if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) return false;
    return split({buffer.data(), written}, out);
}

void basic_decode_boost_beast(benchmark::State& state) {
    const char* name = "basic_decode/boost_beast/vendor";
    std::array<char, 256> buffer;
    {
        split_credentials credentials;
        const bool ok = beast_decode(authorization, buffer, credentials);
        check_credentials(ok, credentials.id, credentials.secret, name);
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        split_credentials credentials;
        const bool ok = beast_decode(opaque(authorization), buffer, credentials);
        escape(&ok);
        escape(&credentials);
        meter.stop();
    }
}
#endif

}  // namespace

void register_basic_auth() {
    benchmark::RegisterBenchmark("basic_decode/oauthcore/vendor", basic_decode_oauthcore);
#if OAUTHCORE_BENCH_HAVE_SODIUM
    if (sodium_init() < 0) wrong_output("basic_decode/libsodium/vendor", "sodium_init failed");
    benchmark::RegisterBenchmark("basic_decode/libsodium/vendor", basic_decode_libsodium);
#endif
#if OAUTHCORE_BENCH_HAVE_BEAST
    benchmark::RegisterBenchmark("basic_decode/boost_beast/vendor", basic_decode_boost_beast);
#endif
}

}  // namespace bench
