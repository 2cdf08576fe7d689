#pragma once
// The end-to-end requests of endpoint.cpp, each with the stores, issuer and endpoint it
// runs on, so that the benchmarks and profile_driver.cpp (callgrind and perf, one request
// N times) measure the same thing.
//  - password_case: handle_token_request, the one-call convenience for the vendor's
//    endpoint, with memory_client_store and memory_user_store holding the vendor's client
//    and user (one record each) and an issuer of fixed 64-hex tokens.
//  - client_credentials_case, authorization_code_case, device_code_case: each grant on an
//    endpoint of its own (as the password grant's is), `handle` with stores that answer
//    now. client_credentials by the vendor's client with Basic; authorization_code by a
//    public client with the RFC 7636 Appendix B verifier (S256), or (confidential) by the
//    vendor's client with Basic and the same verifier; device_code by a public client
//    polling an approved device code.
// The stores are of the password case's cost: one record each, found by one comparison.
// A code and a device code work once, so their stores find the code (compared in constant
// time, as memory_stores.hpp does) and do not spend it: every iteration redeems the same
// code (spending in the memory stores is one flag).

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

namespace bench {

// The request as the Boost glue gets it (boost_parts::request): its five views, laundered
// per request, which the endpoint reads as they are (oauthcore::request_view, what a
// transport that holds its headers by field passes).
inline oauthcore::request_view make_request(std::string_view body) noexcept {
    return {opaque(method), opaque(target), opaque(content_type), opaque(authorization), opaque(body)};
}

// A public client's request: client_id in the body, no Authorization header.
inline oauthcore::request_view make_public_request(std::string_view body) noexcept {
    return {opaque(method), opaque(target), opaque(content_type), std::nullopt, opaque(body)};
}

// The same views behind header(name), as an adapter that finds headers by name presents
// them (oauthcore::request_source): end_to_end/oauthcore/success_by_header_name, the cost
// of that lookup.
struct by_header_name {
    oauthcore::request_view view;

    std::string_view method() const noexcept { return view.method; }
    std::string_view target() const noexcept { return view.target; }
    std::string_view body() const noexcept { return view.body; }
    std::optional<std::string_view> header(std::string_view name) const noexcept {
        if (name == "Content-Type") return view.content_type;
        if (name == "Authorization") return view.authorization;
        return std::nullopt;
    }
};

// RFC 7636 Appendix B.
inline constexpr std::string_view code_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr std::string_view code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
inline constexpr std::string_view code = "SplxlOBeZQQYbYS6WxSbIA";  // RFC 6749 4.1.2's example
inline constexpr std::string_view device_code = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";  // RFC 8628 3.2
inline constexpr std::string_view public_client_id = "s6BhdRkqt3";
inline constexpr std::uint64_t now_seconds = 1000;

inline constexpr std::string_view client_credentials_body = "grant_type=client_credentials";
inline constexpr std::string_view client_credentials_json =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":604800,)"
    R"("token_type":"bearer"})";
// What a PKCE client library sends (authlib's order), percent-encoding the redirect URI.
inline constexpr std::string_view public_code_body =
    "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"
    "&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb&client_id=s6BhdRkqt3"
    "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr std::string_view confidential_code_body =
    "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"
    "&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb"
    "&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
inline constexpr std::string_view device_code_body =
    "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
    "&device_code=GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS&client_id=s6BhdRkqt3";

// Finds the one code it holds and never spends it (see the top of this file).
struct unspent_code_store {
    using record_type = oauthcore::memory_authorization_code_store::record_type;
    std::string code;
    record_type record;

    oauthcore::outcome<record_type> find_authorization_code(std::string_view presented) const {
        if (!oauthcore::constant_time_equal(presented, code)) return oauthcore::outcome<record_type>::reject();
        return oauthcore::outcome<record_type>::accept(record);
    }
    // Redeems without spending or storing: every iteration redeems the same code. The
    // memory code store's copy of the tokens is the host's storage, not oauthcore's work.
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
    oauthcore::outcome_status redeem_device_code(const record_type& /*record*/,
                                                 const oauthcore::token_view& /*tokens*/) const {
        return oauthcore::outcome_status::accepted;
    }
};

struct fixed_clock {
    std::uint64_t operator()() const noexcept { return now_seconds; }
};

inline oauthcore::token_view fixed_token() noexcept { return {access_token, expires_in, refresh_token, {}}; }

inline oauthcore::endpoint_options public_clients() {
    oauthcore::endpoint_options options;
    options.allow_public_clients = true;
    return options;
}

// Each case holds what its endpoint points to, so it is neither copied nor moved.
class endpoint_case {
public:
    endpoint_case() = default;
    endpoint_case(const endpoint_case&) = delete;
    endpoint_case& operator=(const endpoint_case&) = delete;
};

class password_case : endpoint_case {
public:
    explicit password_case(std::string_view body) : body_(body) {
        clients_.add(std::string(client_id), std::string(client_secret));
        users_.add(std::string(username), std::string(email_address), std::string(password));
    }
    oauthcore::response handle(oauthcore::exchange_storage& storage) {
        return oauthcore::handle_token_request(make_request(body_), clients_, users_, issuer_, storage);
    }
    oauthcore::response handle_by_header_name(oauthcore::exchange_storage& storage) {
        return oauthcore::handle_token_request(by_header_name{make_request(body_)}, clients_, users_, issuer_, storage);
    }
    std::string_view expected_body() const noexcept { return success_json; }

private:
    std::string_view body_;
    oauthcore::memory_client_store clients_;
    oauthcore::memory_user_store users_;
    oauthcore::fixed_token_issuer issuer_{fixed_token()};
};

class client_credentials_case : endpoint_case {
public:
    client_credentials_case() {
        clients_.add(std::string(client_id), std::string(client_secret), "client_credentials");
    }
    oauthcore::response handle(oauthcore::exchange_storage& storage) {
        return endpoint_.handle(make_request(client_credentials_body), storage);
    }
    std::string_view expected_body() const noexcept { return client_credentials_json; }

private:
    oauthcore::memory_client_store clients_;
    oauthcore::fixed_token_issuer issuer_{fixed_token()};
    oauthcore::client_credentials_grant<oauthcore::fixed_token_issuer> grant_{issuer_};
    oauthcore::token_endpoint<oauthcore::memory_client_store, oauthcore::default_client_authentication,
                              decltype(grant_)>
        endpoint_{clients_, oauthcore::endpoint_options{}, grant_};
};

class authorization_code_case : endpoint_case {
public:
    explicit authorization_code_case(bool confidential)
        : confidential_(confidential),
          codes_{std::string(code),
                 {confidential ? client_id : public_client_id,
                  "https://client.example.com/cb",
                  code_challenge,
                  "S256",
                  {},
                  {username, email_address},
                  now_seconds + 600,
                  false}} {
        clients_.add(std::string(confidential ? client_id : public_client_id),
                     confidential ? std::string(client_secret) : "", "authorization_code", {},
                     confidential ? "" : "none");
    }
    oauthcore::response handle(oauthcore::exchange_storage& storage) {
        if (confidential_) return endpoint_.handle(make_request(confidential_code_body), storage);
        return endpoint_.handle(make_public_request(public_code_body), storage);
    }
    std::string_view expected_body() const noexcept { return success_json; }

private:
    bool confidential_;
    oauthcore::memory_client_store clients_;
    unspent_code_store codes_;
    oauthcore::fixed_token_issuer issuer_{fixed_token()};
    oauthcore::authorization_code_grant<unspent_code_store, oauthcore::fixed_token_issuer, fixed_clock> grant_{
        codes_, issuer_, fixed_clock{}};
    oauthcore::token_endpoint<oauthcore::memory_client_store, oauthcore::default_client_authentication,
                              decltype(grant_)>
        endpoint_{clients_, public_clients(), grant_};
};

class device_code_case : endpoint_case {
public:
    device_code_case()
        : devices_{std::string(device_code),
                   {public_client_id,
                    oauthcore::device_authorization_state::approved,
                    {username, email_address},
                    {},
                    now_seconds + 600,
                    now_seconds - 5,
                    5}} {
        clients_.add(std::string(public_client_id), "", "urn:ietf:params:oauth:grant-type:device_code", {}, "none");
    }
    oauthcore::response handle(oauthcore::exchange_storage& storage) {
        return endpoint_.handle(make_public_request(device_code_body), storage);
    }
    std::string_view expected_body() const noexcept { return success_json; }

private:
    oauthcore::memory_client_store clients_;
    unspent_device_store devices_;
    oauthcore::fixed_token_issuer issuer_{fixed_token()};
    oauthcore::device_code_grant<unspent_device_store, oauthcore::fixed_token_issuer, fixed_clock> grant_{
        devices_, issuer_, fixed_clock{}};
    oauthcore::token_endpoint<oauthcore::memory_client_store, oauthcore::default_client_authentication,
                              decltype(grant_)>
        endpoint_{clients_, public_clients(), grant_};
};

}  // namespace bench
