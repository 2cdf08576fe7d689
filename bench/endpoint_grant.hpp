#pragma once
// What the grant benchmarks' files share: one grant's success path, `handle` on an
// endpoint of that grant alone (endpoint_cases.hpp), checked before it is timed.
//
// Each grant's benchmark is compiled in a translation unit of its own, apart from the
// password request's (endpoint.cpp), as a host compiles the one endpoint it serves. In
// one translation unit with the password request, the four other endpoints used up
// g++'s unit-wide inlining budget (--param inline-unit-growth: 156 calls left out of line
// for it in endpoint.cpp), and the password request's small steps (view_of,
// check_transport, basic_storage::take, constant_time_equal, string_view comparisons, ...)
// became calls: end_to_end/oauthcore/success took 123 instead of 100 ns, which
// was the benchmark's layout, not oauthcore's code (docs/PERFORMANCE.md).

#include "endpoint_cases.hpp"
#include "support.hpp"

namespace bench {

template <class Case>
void end_to_end_grant(benchmark::State& state, const char* name, Case& request) {
    oauthcore::exchange_storage storage;
    {
        const auto r = request.handle(storage);
        check(r.status == 200, name, "status");
        check(r.body == request.expected_body(), name, "body");
        check(r.header("Cache-Control") == "no-store", name, "Cache-Control");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const auto r = request.handle(storage);
        escape(&r);
        escape(r.body.data());
        meter.stop();
    }
}

// Registers end_to_end/oauthcore/<grant>: a Case made from `args` for each run.
template <class Case, class... Args>
void register_grant(const char* name, Args... args) {
    benchmark::RegisterBenchmark(name, [=](benchmark::State& state) {
        Case request(args...);
        end_to_end_grant(state, name, request);
    });
}

// Each in its own file (endpoint_<grant>.cpp); register_endpoint() calls them.
void register_endpoint_client_credentials();
void register_endpoint_authorization_code();
void register_endpoint_device_code();

}  // namespace bench
