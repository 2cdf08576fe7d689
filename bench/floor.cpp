// floor/memcpy/request_response: copying the bytes oauthcore reads (method, target,
// Content-Type and Authorization values, body) and the bytes it writes (reason phrase,
// header names and values, body) for the vendor's success case, each side as one
// contiguous block: the physical floor of handling a request without looking at it.

#include <array>
#include <cstring>
#include <string>
#include <string_view>

#include "support.hpp"

namespace bench {
namespace {

std::string concatenate(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const std::string_view part : parts) out += part;
    return out;
}

void floor_memcpy(benchmark::State& state) {
    const std::string request_bytes = concatenate({method, target, content_type, authorization, vendor_body});
    const std::string response_bytes = concatenate({"OK", "Content-Type", "application/json;charset=UTF-8",
                                                    "Cache-Control", "no-store", "Pragma", "no-cache", success_json});
    std::array<char, 1024> request_copy;
    std::array<char, 1024> response_copy;
    check(request_bytes.size() <= request_copy.size() && response_bytes.size() <= response_copy.size(),
          "floor/memcpy/request_response", "buffers too small");
    std::memcpy(request_copy.data(), request_bytes.data(), request_bytes.size());
    std::memcpy(response_copy.data(), response_bytes.data(), response_bytes.size());
    check(std::string_view(request_copy.data(), request_bytes.size()) == request_bytes &&
              std::string_view(response_copy.data(), response_bytes.size()) == response_bytes,
          "floor/memcpy/request_response", "copies differ");
    for (auto _ : state) {
        const std::string_view in = opaque(request_bytes);
        const std::string_view out = opaque(response_bytes);
        std::memcpy(request_copy.data(), in.data(), in.size());
        std::memcpy(response_copy.data(), out.data(), out.size());
        escape(request_copy.data());
        escape(response_copy.data());
    }
    state.SetBytesProcessed(state.iterations() *
                            static_cast<std::int64_t>(request_bytes.size() + response_bytes.size()));
}

}  // namespace

void register_floor() { benchmark::RegisterBenchmark("floor/memcpy/request_response", floor_memcpy); }

}  // namespace bench
