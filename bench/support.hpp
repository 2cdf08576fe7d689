#pragma once
// What every benchmark file shares: the issue's exact inputs, an optimization barrier
// that g++ 12 compiles correctly, the allocation counter, and the check that aborts a
// benchmark whose output is wrong before it is timed.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace bench {

// The vendor document's example data (the same bytes as tests/support.hpp).
inline constexpr std::string_view method = "POST";
inline constexpr std::string_view target = "/v2/marketing/oauth/token";
inline constexpr std::string_view content_type = "application/x-www-form-urlencoded";
inline constexpr std::string_view authorization =
    "Basic MTM4OmU4YjljYTI0ZjFiNTkwYWY2N2U2MjcxMjk3ZDZlMWY3MjI2NjI1ZDYxYzViNWRhYTFiMmYyMTU0NjRlMjkyY2Y=";
inline constexpr std::string_view client_id = "138";
inline constexpr std::string_view client_secret = "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf";
inline constexpr std::string_view username = "john_doe";
inline constexpr std::string_view email_address = "john_doe@domain.com";
inline constexpr std::string_view password = "john_doe_secret";

inline constexpr std::string_view vendor_body = "grant_type=password&username=john_doe&password=john_doe_secret";
inline constexpr std::string_view percent_heavy_body =
    "grant_type=password&username=john.doe%40example.com&password=p%40ss%21w%C3%B6rd+%23%24%25%26%2B%2C%2F%3A%3B%3D"
    "%3F%5B%5D+%7E%60%5E%7B%7D%7C%5C%22%27+end";
inline constexpr std::string_view percent_heavy_username = "john.doe@example.com";
inline constexpr std::string_view percent_heavy_password = "p@ss!w\xC3\xB6rd #$%&+,/:;=?[] ~`^{}|\\\"' end";
inline constexpr std::string_view error_body = "grant_type=password&username=john_doe";

// The vendor body followed by 28 unrelated parameters, 4096 bytes in all.
const std::string& large_body();
inline constexpr std::size_t large_extra_parameters = 28;

inline constexpr std::string_view access_token = "6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88";
inline constexpr std::string_view refresh_token = "17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef";
inline constexpr std::uint64_t expires_in = 604800;
inline constexpr std::string_view success_json =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":604800,)"
    R"("token_type":"bearer","refresh_token":"17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef"})";
inline constexpr std::string_view missing_password_json =
    R"({"error":"invalid_request","error_description":"The password parameter is required."})";

// Case-insensitive ASCII comparison, for the peers' glue (scheme and media type).
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// The optimization barrier. Debian's Google Benchmark 1.7.1 DoNotOptimize uses the
// multi-alternative constraints "+m,r" / "r,m", which g++ 12 has been seen to
// miscompile (a null pointer crash), so it is not used here. Instead, the classic
// escape/clobber pair: an asm volatile that takes only the object's address in a
// register ("r") and clobbers "memory". The compiler must then materialise the object
// in memory and assume the asm read it, which is all we need and has one alternative.
inline void escape(const void* p) noexcept { asm volatile("" : : "r"(p) : "memory"); }
inline void clobber() noexcept { asm volatile("" : : : "memory"); }

// Hides where an input lives, so that the compiler cannot evaluate the (constexpr)
// parsers at compile time on a known string: "+r" makes the pointer and length
// unknown values on every iteration.
inline std::string_view opaque(std::string_view s) noexcept {
    const char* data = s.data();
    std::size_t size = s.size();
    asm volatile("" : "+r"(data), "+r"(size));
    return {data, size};
}

// A benchmark that computes the wrong thing must not report a time.
[[noreturn]] inline void wrong_output(const char* benchmark, const char* what) {
    std::fprintf(stderr, "benchmark %s computes the wrong thing: %s\n", benchmark, what);
    std::abort();
}

inline void check(bool ok, const char* benchmark, const char* what) {
    if (!ok) wrong_output(benchmark, what);
}

// Heap allocations made through the replaced global operator new (alloc_counter.cpp)
// since the program started. A plain counter: the benchmarks run on one thread, and an
// atomic would add a locked instruction to every allocation the peers make.
inline std::uint64_t allocation_count = 0;

// Counts the allocations of the code under test, iteration by iteration (start() and
// stop() around it, so that Google Benchmark's own bookkeeping is not counted), and
// reports them as the counter allocs_per_iter.
class allocation_meter {
public:
    explicit allocation_meter(benchmark::State& state) noexcept : state_(state) {}
    ~allocation_meter() {
        const auto iterations = static_cast<double>(state_.iterations());
        state_.counters["allocs_per_iter"] =
            benchmark::Counter(iterations > 0 ? static_cast<double>(made_) / iterations : 0.0);
    }
    allocation_meter(const allocation_meter&) = delete;
    allocation_meter& operator=(const allocation_meter&) = delete;

    void start() noexcept { before_ = allocation_count; }
    void stop() noexcept { made_ += allocation_count - before_; }

private:
    benchmark::State& state_;
    std::uint64_t before_ = 0;
    std::uint64_t made_ = 0;
};

// Each file registers its benchmarks; main() calls these in the issue's order.
void register_form();
void register_basic_auth();
void register_json();
void register_endpoint();
void register_pkce();
void register_floor();

}  // namespace bench
