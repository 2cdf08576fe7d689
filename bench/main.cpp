// One binary for every benchmark, registered in the order of the issue so that the
// output reads like its list: form, basic, json, end to end, PKCE and SHA-256, floor.

#include <benchmark/benchmark.h>

#include "support.hpp"

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    bench::register_form();
    bench::register_basic_auth();
    bench::register_json();
    bench::register_endpoint();
    bench::register_pkce();
    bench::register_floor();
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
