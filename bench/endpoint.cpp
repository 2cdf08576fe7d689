// end_to_end/<implementation>/<case>: one whole token request, from the request's
// views to the response's status, headers and body, with in-memory stores holding the
// vendor's client and user and an issuer of fixed 64-hex tokens.
//  - oauthcore: handle_token_request, the one-call convenience, with one
//    exchange_storage reused across requests as a host thread would.
//  - boost_parts: the same checks glued from Boost.URL, Beast and Boost.JSON
//    (boost_parts.hpp), over the same stores.
// Cases: success (the vendor body) and error (the password missing: 400).
//  - oauthcore/{client_credentials,authorization_code,device_code}: the other grants'
//    success path, each on an endpoint of its own (as the password grant's is):
//    client_credentials by the vendor's client with Basic; authorization_code by a public
//    client with the RFC 7636 Appendix B verifier (S256), and, as
//    authorization_code_confidential, by the vendor's client with Basic and the same
//    verifier; device_code by a public client polling an approved device code. A code and
//    a device code work once, so these two ask stores that find the code (compared in
//    constant time, as memory_stores.hpp does) and do not spend it (the code store's
//    redemption answers accepted and stores nothing): every iteration redeems the same
//    code. Spending in the memory stores is one flag, and the memory code store's copy of
//    the tokens is the host's storage, not oauthcore's work.
// Every benchmark here reports allocs_per_iter, heap allocations per request.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/client_credentials_grant.hpp"
#include "oauthcore/constant_time.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/endpoint.hpp"
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

// Models oauthcore::request_source over views the benchmark launders per request.
struct request {
    std::string_view method_;
    std::string_view target_;
    std::string_view content_type_;
    std::optional<std::string_view> authorization_;
    std::string_view body_;

    std::string_view method() const noexcept { return method_; }
    std::string_view target() const noexcept { return target_; }
    std::string_view body() const noexcept { return body_; }
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        if (name == "Content-Type") return content_type_;
        if (name == "Authorization") return authorization_;
        return std::nullopt;
    }
};

request make_request(std::string_view body) noexcept {
    return {opaque(method), opaque(target), opaque(content_type), opaque(authorization), opaque(body)};
}

// A public client's request: client_id in the body, no Authorization header.
request make_public_request(std::string_view body) noexcept {
    return {opaque(method), opaque(target), opaque(content_type), std::nullopt, opaque(body)};
}

struct expected_response {
    int status;
    std::string_view body;
};

constexpr expected_response success{200, success_json};
constexpr expected_response error{400, missing_password_json};

void end_to_end_oauthcore(benchmark::State& state, const char* name, std::string_view body,
                          expected_response expected) {
    stores s;
    oauthcore::fixed_token_issuer issuer(s.token);
    oauthcore::exchange_storage storage;
    {
        const auto r = oauthcore::handle_token_request(make_request(body), s.clients, s.users, issuer, storage);
        check(r.status == expected.status, name, "status");
        check(r.body == expected.body, name, "body");
        check(r.header("Content-Type") == "application/json;charset=UTF-8", name, "Content-Type");
        check(r.header("Cache-Control") == "no-store", name, "Cache-Control");
        check(r.header("Pragma") == "no-cache", name, "Pragma");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const auto r = oauthcore::handle_token_request(make_request(body), s.clients, s.users, issuer, storage);
        escape(&r);
        escape(r.body.data());
        meter.stop();
    }
}

// RFC 7636 Appendix B.
constexpr std::string_view code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
constexpr std::string_view code = "SplxlOBeZQQYbYS6WxSbIA";                            // RFC 6749 4.1.2's example
constexpr std::string_view device_code = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";  // RFC 8628 3.2's example
constexpr std::string_view public_client_id = "s6BhdRkqt3";
constexpr std::uint64_t now_seconds = 1000;

constexpr std::string_view client_credentials_body = "grant_type=client_credentials";
constexpr std::string_view client_credentials_json =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":604800,)"
    R"("token_type":"bearer"})";
// What a PKCE client library sends (authlib's order), percent-encoding the redirect URI.
constexpr std::string_view public_code_body =
    "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"
    "&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&client_id=s6BhdRkqt3"
    "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view confidential_code_body =
    "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"
    "&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb"
    "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view device_code_body =
    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
    "&device_code=GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS&client_id=s6BhdRkqt3";

// Finds the one code it holds and never spends it: its redemption stores nothing (see the
// top of this file).
struct unspent_code_store {
    using record_type = oauthcore::memory_authorization_code_store::record_type;
    std::string code;
    record_type record;

    oauthcore::outcome<record_type> find_authorization_code(std::string_view presented) const {
        if (!oauthcore::constant_time_equal(presented, code)) return oauthcore::outcome<record_type>::reject();
        return oauthcore::outcome<record_type>::accept(record);
    }
    oauthcore::outcome_status redeem_authorization_code(const record_type& /*found*/,
                                                        const oauthcore::token_view& /*tokens*/) const {
        return oauthcore::outcome_status::accepted;
    }
};

// Finds the one approved device code it holds and never spends it.
struct unspent_device_store {
    using record_type = oauthcore::memory_device_code_store::record_type;
    std::string device_code;
    record_type record;

    oauthcore::outcome<record_type> poll_device_code(std::string_view presented, std::uint64_t /*now*/) const {
        if (!oauthcore::constant_time_equal(presented, device_code)) return oauthcore::outcome<record_type>::reject();
        return oauthcore::outcome<record_type>::accept(record);
    }
};

// One grant's success path: `handle` on an endpoint of that grant alone.
template <class Endpoint, class Make>
void end_to_end_grant(benchmark::State& state, const char* name, Endpoint& endpoint, Make make, std::string_view body,
                      std::string_view expected_json) {
    oauthcore::exchange_storage storage;
    {
        const auto r = endpoint.handle(make(body), storage);
        check(r.status == 200, name, "status");
        check(r.body == expected_json, name, "body");
        check(r.header("Cache-Control") == "no-store", name, "Cache-Control");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        const auto r = endpoint.handle(make(body), storage);
        escape(&r);
        escape(r.body.data());
        meter.stop();
    }
}

oauthcore::endpoint_options public_clients() {
    oauthcore::endpoint_options options;
    options.allow_public_clients = true;
    return options;
}

void end_to_end_client_credentials(benchmark::State& state, const char* name) {
    oauthcore::memory_client_store clients;
    clients.add(std::string(client_id), std::string(client_secret), "client_credentials");
    oauthcore::fixed_token_issuer issuer({access_token, expires_in, refresh_token, {}});
    oauthcore::client_credentials_grant grant{issuer};
    oauthcore::token_endpoint endpoint{clients, oauthcore::endpoint_options{}, grant};
    end_to_end_grant(state, name, endpoint, make_request, client_credentials_body, client_credentials_json);
}

void end_to_end_authorization_code(benchmark::State& state, const char* name, bool confidential) {
    oauthcore::memory_client_store clients;
    clients.add(std::string(client_id), std::string(client_secret), "authorization_code");
    clients.add(std::string(public_client_id), "", "authorization_code", {}, "none");
    unspent_code_store codes{std::string(code),
                             {confidential ? client_id : public_client_id,
                              "https://client.example.com/cb",
                              code_challenge,
                              "S256",
                              {},
                              {username, email_address},
                              now_seconds + 600,
                              false}};
    oauthcore::fixed_token_issuer issuer({access_token, expires_in, refresh_token, {}});
    oauthcore::authorization_code_grant grant{codes, issuer, [] { return now_seconds; }};
    oauthcore::token_endpoint endpoint{clients, public_clients(), grant};
    if (confidential)
        end_to_end_grant(state, name, endpoint, make_request, confidential_code_body, success_json);
    else
        end_to_end_grant(state, name, endpoint, make_public_request, public_code_body, success_json);
}

void end_to_end_device_code(benchmark::State& state, const char* name) {
    oauthcore::memory_client_store clients;
    clients.add(std::string(public_client_id), "", "urn:ietf:params:oauth:grant-type:device_code", {}, "none");
    unspent_device_store devices{std::string(device_code),
                                 {public_client_id,
                                  oauthcore::device_authorization_state::approved,
                                  {username, email_address},
                                  {},
                                  now_seconds + 600,
                                  now_seconds - 5,
                                  5}};
    oauthcore::fixed_token_issuer issuer({access_token, expires_in, refresh_token, {}});
    oauthcore::device_code_grant grant{devices, issuer, [] { return now_seconds; }};
    oauthcore::token_endpoint endpoint{clients, public_clients(), grant};
    end_to_end_grant(state, name, endpoint, make_public_request, device_code_body, success_json);
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
    register_cases("oauthcore", end_to_end_oauthcore);
    benchmark::RegisterBenchmark("end_to_end/oauthcore/client_credentials", [](benchmark::State& state) {
        end_to_end_client_credentials(state, "end_to_end/oauthcore/client_credentials");
    });
    benchmark::RegisterBenchmark("end_to_end/oauthcore/authorization_code", [](benchmark::State& state) {
        end_to_end_authorization_code(state, "end_to_end/oauthcore/authorization_code", false);
    });
    benchmark::RegisterBenchmark("end_to_end/oauthcore/authorization_code_confidential", [](benchmark::State& state) {
        end_to_end_authorization_code(state, "end_to_end/oauthcore/authorization_code_confidential", true);
    });
    benchmark::RegisterBenchmark("end_to_end/oauthcore/device_code", [](benchmark::State& state) {
        end_to_end_device_code(state, "end_to_end/oauthcore/device_code");
    });
#if OAUTHCORE_BENCH_HAVE_BOOST_PARTS
    register_cases("boost_parts", end_to_end_boost_parts);
#endif
}

}  // namespace bench
