// end_to_end/<implementation>/<case>: one whole token request, from the request's
// views to the response's status, headers and body, with in-memory stores holding the
// vendor's client and user and an issuer of fixed 64-hex tokens.
//  - oauthcore: handle_token_request, the one-call convenience, with one
//    exchange_storage reused across requests as a host thread would; the request's five
//    views given as they are (a request_view), as the Boost glue gets them.
//    success_by_header_name: the same behind a request_source adapter that finds each
//    header by name.
//  - boost_parts: the same checks glued from Boost.URL, Beast and Boost.JSON
//    (boost_parts.hpp), over the same stores.
// Cases: success (the vendor body) and error (the password missing: 400).
//  - oauthcore/{client_credentials,authorization_code,device_code}: the other grants'
//    success path, each on an endpoint of its own (as the password grant's is):
//    client_credentials by the vendor's client with Basic; authorization_code by a public
//    client with the RFC 7636 Appendix B verifier (S256), and, as
//    authorization_code_confidential, by the vendor's client with Basic and the same
//    verifier; device_code by a public client polling an approved device code. The
//    requests, stores and endpoints are in endpoint_cases.hpp, which profile_driver.cpp
//    runs too; each grant's benchmark is in a file of its own (endpoint_<grant>.cpp), so
//    that its endpoint is not compiled in the password request's translation unit
//    (endpoint_grant.hpp says why).
// Every benchmark here reports allocs_per_iter, heap allocations per request.

#include <string>
#include <string_view>

#include "endpoint_cases.hpp"
#include "endpoint_grant.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

#if OAUTHCORE_BENCH_HAVE_BOOST_PARTS
#include "boost_parts.hpp"
#endif

namespace bench {
namespace {

struct stores {
    oauthcore::memory_client_store clients;
    oauthcore::memory_user_store users;
    oauthcore::token_view token{access_token, expires_in, refresh_token, {}};

    stores() {
        clients.add(std::string(client_id), std::string(client_secret));
        users.add(std::string(username), std::string(email_address), std::string(password));
    }
};

struct expected_response {
    int status;
    std::string_view body;
};

constexpr expected_response success{200, success_json};
constexpr expected_response error{400, missing_password_json};

// Handle: password_case::handle (the request's views as they are) or
// handle_by_header_name (behind a request_source adapter).
template <auto Handle = &password_case::handle>
void end_to_end_oauthcore(benchmark::State& state, const char* name, std::string_view body,
                          expected_response expected) {
    password_case request(body);
    oauthcore::exchange_storage storage;
    {
        const auto r = (request.*Handle)(storage);
        check(r.status == expected.status, name, "status");
        check(r.body == expected.body, name, "body");
        check(r.header("Content-Type") == "application/json;charset=UTF-8", name, "Content-Type");
        check(r.header("Cache-Control") == "no-store", name, "Cache-Control");
        check(r.header("Pragma") == "no-cache", name, "Pragma");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const auto r = (request.*Handle)(storage);
        escape(&r);
        escape(r.body.data());
        meter.stop();
    }
}

#if OAUTHCORE_BENCH_HAVE_BOOST_PARTS
boost_parts::request make_boost_request(std::string_view body) noexcept {
    return {opaque(method), opaque(target), opaque(content_type), opaque(authorization), opaque(body)};
}

void end_to_end_boost_parts(benchmark::State& state, const char* name, std::string_view body,
                            expected_response expected) {
    stores s;
    {
        const auto r = boost_parts::handle_token_request(make_boost_request(body), s.clients, s.users, s.token);
        check(r.status == expected.status, name, "status");
        check(r.body == expected.body, name, "body");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const auto r = boost_parts::handle_token_request(make_boost_request(body), s.clients, s.users, s.token);
        escape(&r);
        escape(r.body.data());
        meter.stop();
    }
}
#endif

template <class Function>
void register_cases(const char* implementation, Function function) {
    struct input {
        const char* name;
        std::string_view body;
        expected_response expected;
    };
    for (const input in : {input{"success", vendor_body, success}, input{"error", error_body, error}}) {
        const std::string name = std::string("end_to_end/") + implementation + "/" + in.name;
        benchmark::RegisterBenchmark(
            name.c_str(), [=](benchmark::State& state) { function(state, name.c_str(), in.body, in.expected); });
    }
}

}  // namespace

void register_endpoint() {
    register_cases("oauthcore", end_to_end_oauthcore<>);
    benchmark::RegisterBenchmark("end_to_end/oauthcore/success_by_header_name", [](benchmark::State& state) {
        end_to_end_oauthcore<&password_case::handle_by_header_name>(
            state, "end_to_end/oauthcore/success_by_header_name", vendor_body, success);
    });
    register_endpoint_client_credentials();
    register_endpoint_authorization_code();
    register_endpoint_device_code();
#if OAUTHCORE_BENCH_HAVE_BOOST_PARTS
    register_cases("boost_parts", end_to_end_boost_parts);
#endif
}

}  // namespace bench
