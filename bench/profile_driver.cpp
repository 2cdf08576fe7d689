// One end-to-end request of endpoint_cases.hpp, N times, for instruction counts and
// profiles of the same code the end_to_end benchmarks time:
//
//   oauthcore_profile_driver CASE [N [ROUNDS]]
//     CASE: password, client_credentials, authorization_code,
//           authorization_code_confidential, device_code
//
// With ROUNDS, it also times the N requests ROUNDS times and prints the fastest round's
// time per request (a rough figure; the benchmarks are the measurement). Instructions per
// request are the difference between two counts, which leaves out the program's start:
//
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null oauthcore_profile_driver authorization_code 1000
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null oauthcore_profile_driver authorization_code 3000
//   (second count - first count) / 2000
//
// valgrind does not run the SHA extensions (its CPU has none), so under it SHA-256 takes
// the portable path: about 4,100 of authorization_code's instructions are the portable
// rounds, where the CPU runs about 200 instructions and waits on their latency.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "endpoint_cases.hpp"

namespace {

template <class Case>
int run(Case& request, long n, int rounds) {
    oauthcore::exchange_storage storage;
    const auto first = request.handle(storage);
    if (first.status != 200 || first.body != request.expected_body()) {
        std::fprintf(stderr, "the request does not succeed: status %d\n", first.status);
        return 1;
    }
    double best = 0;
    for (int round = 0; round < (rounds > 0 ? rounds : 1); ++round) {
        const auto start = std::chrono::steady_clock::now();
        for (long i = 0; i < n; ++i) {
            const auto r = request.handle(storage);
            bench::escape(&r);
            bench::escape(r.body.data());
        }
        const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
        const double per_request = took.count() / static_cast<double>(n);
        if (round == 0 || per_request < best) best = per_request;
    }
    if (rounds > 0) std::printf("%.1f ns per request (fastest of %d rounds of %ld)\n", best, rounds, n);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CASE [N [ROUNDS]]\n", argv[0]);
        return 2;
    }
    const std::string_view which = argv[1];
    const long n = argc > 2 ? std::atol(argv[2]) : 1000;
    const int rounds = argc > 3 ? std::atoi(argv[3]) : 0;
    if (which == "password") {
        bench::password_case request(bench::vendor_body);
        return run(request, n, rounds);
    }
    if (which == "client_credentials") {
        bench::client_credentials_case request;
        return run(request, n, rounds);
    }
    if (which == "authorization_code" || which == "authorization_code_confidential") {
        bench::authorization_code_case request(which == "authorization_code_confidential");
        return run(request, n, rounds);
    }
    if (which == "device_code") {
        bench::device_code_case request;
        return run(request, n, rounds);
    }
    std::fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
