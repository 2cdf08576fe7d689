// form_parse/<implementation>/<input>: a token request body to its decoded parameters.
//  - oauthcore: parse_form, the form stage of the endpoint: limits, duplicates, and
//    the recognised parameters, decoded (views into the body when nothing needs it).
//    Unrecognised parameters are skipped without decoding, as RFC 6749 3.2 lets it.
//  - boost_url: params_view with space_as_plus, iterated; every key and value is
//    decoded into a std::string, which is how one finds the parameters with it.
// Bytes/s is the body size over time.

#include <string>
#include <string_view>

#include "oauthcore/form.hpp"
#include "oauthcore/storage.hpp"
#include "support.hpp"

#if OAUTHCORE_BENCH_HAVE_BOOST_URL
#include "boost_form.hpp"
#endif

namespace bench {
namespace {

struct expected_form {
    std::string_view username;
    std::string_view password;
};

constexpr expected_form vendor_expected{username, password};
constexpr expected_form percent_heavy_expected{percent_heavy_username, percent_heavy_password};

// What the vendor's endpoint recognises: its grant's, its client authentication
// methods' and the endpoint's own parameters.
using vendor_endpoint_parameters = oauthcore::parameter_list<"grant_type", "client_id", "client_secret", "username",
                                                             "email_address", "password", "scope">;

void form_parse_oauthcore(benchmark::State& state, const char* name, std::string_view body, expected_form expected) {
    oauthcore::request_storage storage;
    {
        const auto fields = oauthcore::parse_form<vendor_endpoint_parameters>(body, storage);
        check(fields.has_value(), name, "parse_form failed");
        check((*fields)[oauthcore::param<"grant_type">] == "password", name, "grant_type");
        check((*fields)[oauthcore::param<"username">] == expected.username, name, "username");
        check((*fields)[oauthcore::param<"password">] == expected.password, name, "password");
        check(!fields->given(oauthcore::param<"email_address">), name, "email_address");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        storage.reset();
        const auto fields = oauthcore::parse_form<vendor_endpoint_parameters>(opaque(body), storage);
        escape(&fields);
        meter.stop();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}

#if OAUTHCORE_BENCH_HAVE_BOOST_URL
void form_parse_boost_url(benchmark::State& state, const char* name, std::string_view body, expected_form expected) {
    {
        boost_parts::form_fields fields;
        check(boost_parts::parse_form(body, fields), name, "parse failed");
        check(fields.grant_type == "password", name, "grant_type");
        check(fields.username == expected.username, name, "username");
        check(fields.password == expected.password, name, "password");
        check(fields.email_address.empty(), name, "email_address");
    }
    allocation_meter meter(state);
    for (auto _ : state) {
        meter.start();
        boost_parts::form_fields fields;
        const bool ok = boost_parts::parse_form(opaque(body), fields);
        escape(&ok);
        escape(&fields);
        meter.stop();
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
#endif

template <class Function>
void register_inputs(const char* implementation, Function function) {
    struct input {
        const char* name;
        std::string_view body;
        expected_form expected;
    };
    const input inputs[] = {{"vendor", vendor_body, vendor_expected},
                            {"percent_heavy", percent_heavy_body, percent_heavy_expected},
                            {"large", large_body(), vendor_expected}};
    for (const input& in : inputs) {
        const std::string name = std::string("form_parse/") + implementation + "/" + in.name;
        benchmark::RegisterBenchmark(
            name.c_str(), [=](benchmark::State& state) { function(state, name.c_str(), in.body, in.expected); });
    }
}

}  // namespace

void register_form() {
    register_inputs("oauthcore", form_parse_oauthcore);
#if OAUTHCORE_BENCH_HAVE_BOOST_URL
    register_inputs("boost_url", form_parse_boost_url);
#endif
}

}  // namespace bench
