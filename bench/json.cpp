// json_success/<implementation>/vendor: the 208-byte success body of the vendor's
// example (two 64-hex tokens, expires_in 604800, token_type bearer).
//  - oauthcore: write_token_json into a buffer with its capacity (one pass that copies the
//    strings and checks that none needs escaping, falling back to the escaping writer).
//  - boost_json: a json::object built and serialized to a std::string.
//  - nlohmann: an ordered_json (the member order of the vendor) dumped to a std::string.
//  - append_floor: hand-written appends into a reserved std::string, no escaping at
//    all: the practical floor for producing these bytes.

#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include "oauthcore/json.hpp"
#include "support.hpp"

#if OAUTHCORE_BENCH_HAVE_BOOST_JSON
#include <boost/json.hpp>
#endif
#if OAUTHCORE_BENCH_HAVE_NLOHMANN
#include <nlohmann/json.hpp>
#endif

namespace bench {
namespace {

void check_body(std::string_view body, const char* name) { check(body == success_json, name, "body bytes"); }

oauthcore::token_fields vendor_token() noexcept {
    oauthcore::token_fields token;
    token.access_token = opaque(access_token);
    token.expires_in = expires_in;
    token.refresh_token = opaque(refresh_token);
    return token;
}

void json_success_oauthcore(benchmark::State& state) {
    const char* name = "json_success/oauthcore/vendor";
    std::array<char, 512> buffer;
    {
        const auto token = vendor_token();
        check(oauthcore::token_json_size(token) == success_json.size(), name, "size pass");
        const std::size_t written = oauthcore::write_token_json(token, buffer.data());
        check_body({buffer.data(), written}, name);
        buffer.fill('#');
        const std::size_t one_pass = oauthcore::write_token_json(token, buffer.data(), buffer.size());
        check_body({buffer.data(), one_pass}, name);
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const auto token = vendor_token();
        const std::size_t size = oauthcore::write_token_json(token, buffer.data(), buffer.size());
        if (size > buffer.size()) wrong_output(name, "body larger than the buffer");
        escape(&size);
        escape(buffer.data());
        meter.stop();
    }
}

#if OAUTHCORE_BENCH_HAVE_BOOST_JSON
std::string boost_json_body() {
    boost::json::object body;
    body["access_token"] = opaque(access_token);
    body["expires_in"] = expires_in;
    body["token_type"] = "bearer";
    body["refresh_token"] = opaque(refresh_token);
    return boost::json::serialize(body);
}

void json_success_boost_json(benchmark::State& state) {
    check_body(boost_json_body(), "json_success/boost_json/vendor");
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const std::string body = boost_json_body();
        escape(body.data());
        meter.stop();
    }
}
#endif

#if OAUTHCORE_BENCH_HAVE_NLOHMANN
std::string nlohmann_body() {
    nlohmann::ordered_json body;
    body["access_token"] = opaque(access_token);
    body["expires_in"] = expires_in;
    body["token_type"] = "bearer";
    body["refresh_token"] = opaque(refresh_token);
    return body.dump();
}

void json_success_nlohmann(benchmark::State& state) {
    check_body(nlohmann_body(), "json_success/nlohmann/vendor");
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const std::string body = nlohmann_body();
        escape(body.data());
        meter.stop();
    }
}
#endif

void append_floor(std::string& out) {
    out.clear();
    out += R"({"access_token":")";
    out += opaque(access_token);
    out += R"(","expires_in":)";
    std::array<char, 20> digits;
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), expires_in).ptr;
    out.append(digits.data(), end);
    out += R"(,"token_type":"bearer","refresh_token":")";
    out += opaque(refresh_token);
    out += R"("})";
}

void json_success_append_floor(benchmark::State& state) {
    std::string out;
    out.reserve(512);
    append_floor(out);
    check_body(out, "json_success/append_floor/vendor");
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        append_floor(out);
        escape(out.data());
        meter.stop();
    }
}

}  // namespace

void register_json() {
    benchmark::RegisterBenchmark("json_success/oauthcore/vendor", json_success_oauthcore);
#if OAUTHCORE_BENCH_HAVE_BOOST_JSON
    benchmark::RegisterBenchmark("json_success/boost_json/vendor", json_success_boost_json);
#endif
#if OAUTHCORE_BENCH_HAVE_NLOHMANN
    benchmark::RegisterBenchmark("json_success/nlohmann/vendor", json_success_nlohmann);
#endif
    benchmark::RegisterBenchmark("json_success/append_floor/vendor", json_success_append_floor);
}

}  // namespace bench
