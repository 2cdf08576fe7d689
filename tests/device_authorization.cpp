#include "oauthcore/device_authorization.hpp"

#include <cctype>
#include <set>
#include <string>
#include <vector>

#include "catch.hpp"
#include "later_stores.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;
using oauthcore_test::basic;
using oauthcore_test::test_request;

namespace {

static_assert(validate_user_code_format(base20_user_code_format).has_value());
static_assert(!validate_user_code_format({"0123456789", 8, 4}).has_value());

// Random bytes from a counter: the tests need them repeatable, not secret.
struct counting_random {
    unsigned next = 0;
    void operator()(unsigned char* dest, std::size_t size) {
        for (std::size_t i = 0; i < size; ++i) dest[i] = static_cast<unsigned char>(next++ * 7);
    }
};

constexpr std::string_view device_uri = "https://example.com/device";

struct fixture {
    memory_client_store clients;
    memory_device_code_store devices;
    memory_device_authorization_issuer issuer{devices, counting_random{}, base20_user_code_format, 1800, 5};
    endpoint_options options;
    device_authorization_options device_options;
    exchange_storage storage;

    fixture() {
        // RFC 8628 3.1's example client, public.
        clients.add("1406020730", "", "urn:ietf:params:oauth:grant-type:device_code", "example_scope other", "none");
        clients.add("tv", "tv-secret", "urn:ietf:params:oauth:grant-type:device_code");
        clients.add("web", "web-secret", "authorization_code");
        options.allow_public_clients = true;
        device_options.verification_uri = device_uri;
    }

    static test_request request(std::string body) {
        test_request r;
        r.target_ = "/device_authorization";
        r.without_header("Authorization");
        r.with_body(std::move(body));
        return r;
    }

    template <class Issuer = memory_device_authorization_issuer>
    response handle(const test_request& r, Issuer* other = nullptr) {
        if constexpr (std::is_same_v<Issuer, memory_device_authorization_issuer>) {
            (void)other;
            device_authorization_endpoint endpoint{clients, issuer, options, device_options};
            return endpoint.handle(r, storage);
        } else {
            device_authorization_endpoint endpoint{clients, *other, options, device_options};
            return endpoint.handle(r, storage);
        }
    }
};

// The answer's members, by a small reading of the flat JSON object written here.
std::string member(std::string_view body, std::string_view name) {
    const std::string key = "\"" + std::string(name) + "\":";
    const std::size_t at = body.find(key);
    if (at == std::string_view::npos) return {};
    std::size_t from = at + key.size();
    if (body[from] == '"') {
        const std::size_t end = body.find('"', from + 1);
        return std::string(body.substr(from + 1, end - from - 1));
    }
    const std::size_t end = body.find_first_of(",}", from);
    return std::string(body.substr(from, end - from));
}

// An issuer that answers with whatever the test says.
struct scripted_issuer {
    struct codes_type {
        std::string_view device, user;
        std::uint64_t lifetime, poll;
        std::string_view device_code() const { return device; }
        std::string_view user_code() const { return user; }
        std::uint64_t expires_in() const { return lifetime; }
        std::uint64_t interval() const { return poll; }
    };
    outcome<codes_type> answer;
    template <class Client>
    outcome<codes_type> start_device_authorization(const Client&, std::string_view) const {
        return answer;
    }
};

struct later_device_issuer {
    memory_device_authorization_issuer& real;
    oauthcore_test::later_queue& queue;
    using codes_type = memory_device_authorization_issuer::codes_type;
    template <class Client, class Then>
    void start_device_authorization(const Client& client, std::string_view scope, Then then) {
        queue.work.emplace_back([this, client, scope, then] { then(real.start_device_authorization(client, scope)); });
    }
};
static_assert(device_authorization_issuer<later_device_issuer, memory_client>);

}  // namespace

TEST_CASE("device authorization: RFC 8628 3.1's request gets 3.2's members", "[device_authorization][rfc8628]") {
    fixture f;
    const response r = f.handle(fixture::request("client_id=1406020730&scope=example_scope"));
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
    CHECK(r.header("Cache-Control") == "no-store");
    const std::string body(r.body);
    const std::string user_code = member(body, "user_code");
    CHECK(is_user_code(user_code, base20_user_code_format));
    CHECK(user_code.size() == 9);
    CHECK(user_code[4] == '-');
    CHECK(member(body, "device_code").size() == 43);
    CHECK(member(body, "verification_uri") == device_uri);
    CHECK(member(body, "verification_uri_complete") == "https://example.com/device?user_code=" + user_code);
    CHECK(member(body, "expires_in") == "1800");
    CHECK(member(body, "interval") == "5");
    // In RFC 8628 3.2's order.
    CHECK(body.starts_with("{\"device_code\":\""));
    CHECK(body.find("\"user_code\"") < body.find("\"verification_uri\""));
    CHECK(body.find("\"verification_uri_complete\"") < body.find("\"expires_in\""));
    CHECK(body.ends_with(",\"interval\":5}"));
}

TEST_CASE("device authorization: the code flows to a token (RFC 8628 3.1-3.5)", "[device_authorization][rfc8628]") {
    fixture f;
    f.issuer.set_now(100);
    const response started = f.handle(fixture::request("client_id=1406020730&scope=example_scope"));
    const std::string body(started.body);
    const std::string device_code = member(body, "device_code");
    // The user types the code in any case, with or without the dash (RFC 8628 6.1).
    std::string typed = member(body, "user_code");
    for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    typed.erase(typed.find('-'), 1);
    CHECK(f.issuer.device_code_for(typed) == device_code);
    CHECK(f.issuer.device_code_for(" " + typed + " ") == device_code);
    CHECK(f.issuer.device_code_for("BBBB-BBBB").empty());
    CHECK(f.devices.approve(f.issuer.device_code_for(typed), "john_doe", ""));
    // The device polls the token endpoint.
    fixed_token_issuer tokens({"at", 3600, "", {}});
    const auto clock = [] { return std::uint64_t{200}; };
    device_code_grant grant{f.devices, tokens, clock};
    token_endpoint endpoint{f.clients, f.options, grant};
    test_request poll;
    poll.without_header("Authorization");
    poll.with_body(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=1406020730&device_code=" +
        device_code);
    const response token = endpoint.handle(poll, f.storage);
    CHECK(token.status == 200);
    CHECK(member(token.body, "access_token") == "at");
    CHECK(f.devices.spent(device_code));
}

TEST_CASE(
    "device authorization: an interval of 0 is not sent, and polls are held to the client's 5 seconds "
    "(RFC 8628 3.2, 3.5)",
    "[device_authorization][rfc8628]") {
    fixture f;
    memory_device_authorization_issuer unpaced{f.devices, counting_random{}, base20_user_code_format, 1800, 0};
    unpaced.set_now(100);
    device_authorization_endpoint starting{f.clients, unpaced, f.options, f.device_options};
    const response started = starting.handle(fixture::request("client_id=1406020730"), f.storage);
    REQUIRE(started.status == 200);
    CHECK(std::string(started.body).find("\"interval\"") == std::string::npos);
    const std::string device_code = member(std::string(started.body), "device_code");
    std::uint64_t now = 100;
    fixed_token_issuer tokens({"at", 3600, "", {}});
    device_code_grant grant{f.devices, tokens, [&now] { return now; }};
    token_endpoint endpoint{f.clients, f.options, grant};
    test_request poll;
    poll.without_header("Authorization");
    poll.with_body(
        "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=1406020730&device_code=" +
        device_code);
    CHECK(endpoint.handle(poll, f.storage).error == error{reason::authorization_pending});
    now += 1;
    CHECK(endpoint.handle(poll, f.storage).error == error{reason::slow_down});
    now += 5;
    CHECK(endpoint.handle(poll, f.storage).error == error{reason::authorization_pending});
}

TEST_CASE("device authorization: the client authenticates as at the token endpoint (RFC 8628 3.1)",
          "[device_authorization][rfc8628]") {
    fixture f;
    CHECK(f.handle(fixture::request("").with_header("Authorization", basic("tv:tv-secret"))).status == 200);
    CHECK(f.handle(fixture::request("").with_header("Authorization", basic("tv:nope"))).status == 401);
    CHECK(f.handle(fixture::request("")).status == 401);  // no client at all
    f.options.allow_public_clients = false;
    const response r = f.handle(fixture::request("client_id=1406020730"));
    CHECK(r.status == 401);
    CHECK(r.error == error{reason::body_client_authentication_disabled});
}

TEST_CASE(
    "device authorization: the client may use the grant, and the scope passes its hook (RFC 8628 3.2, "
    "RFC 6749 5.2)",
    "[device_authorization][rfc8628]") {
    fixture f;
    const response unauthorized = f.handle(fixture::request("").with_header("Authorization", basic("web:web-secret")));
    CHECK(unauthorized.status == 400);
    CHECK(unauthorized.error == error{reason::unauthorized_client});
    const response syntax = f.handle(fixture::request("client_id=1406020730&scope=a++b"));
    CHECK(syntax.status == 400);
    CHECK(syntax.error == error{reason::invalid_scope_syntax, param<"scope">});
    const response hook = f.handle(fixture::request("client_id=1406020730&scope=admin"));
    CHECK(hook.status == 400);
    CHECK(hook.error == error{reason::scope_not_allowed, param<"scope">});
    CHECK(std::string(hook.body).starts_with("{\"error\":\"invalid_scope\""));
    CHECK(f.handle(fixture::request("client_id=1406020730&scope=other+example_scope+other")).status == 200);
}

TEST_CASE("device authorization: POST with a form body only (RFC 8628 3.1)", "[device_authorization][rfc8628]") {
    fixture f;
    auto get = fixture::request("client_id=1406020730");
    get.method_ = "GET";
    const response r = f.handle(get);
    CHECK(r.status == 405);
    CHECK(r.error == error{reason::post_required});
    CHECK(f.handle(fixture::request("client_id=1406020730&client_id=1406020730")).error ==
          error{reason::duplicate_parameter, param<"client_id">});
}

TEST_CASE("device authorization: a user code format follows RFC 8628 6.1, or is refused",
          "[device_authorization][rfc8628]") {
    using e = user_code_format_error;
    const auto problem = [](user_code_format f) { return validate_user_code_format(f).error(); };
    CHECK(validate_user_code_format(base20_user_code_format).has_value());
    CHECK(validate_user_code_format(numeric_user_code_format).has_value());
    CHECK(validate_user_code_format({"BCDFGHJKLMNPQRSTVWXZ23456789", 7, 0}).has_value());
    // Entropy: 8 digits are 26.6 bits; base-20 needs 7 characters (30.3 bits).
    CHECK(problem({"0123456789", 8, 4}) == e::too_little_entropy);
    CHECK(problem({"BCDFGHJKLMNPQRSTVWXZ", 6, 3}) == e::too_little_entropy);
    CHECK(validate_user_code_format({"BCDFGHJKLMNPQRSTVWXZ", 7, 0}).has_value());
    CHECK(problem({"A", 16, 4}) == e::too_little_entropy);
    CHECK(problem({"", 8, 4}) == e::too_little_entropy);
    CHECK(problem({"BCDFGHJKLMNPQRSTVWXZ", 17, 4}) == e::too_long);
    // Case-insensitive: upper-case letters and digits only.
    CHECK(problem({"bcdfghjklmnpqrstvwxz", 8, 4}) == e::charset_not_upper_case_alphanumeric);
    CHECK(problem({"BCDF-GHJK", 8, 4}) == e::charset_not_upper_case_alphanumeric);
    CHECK(problem({"BCDFGHJKLMNPQRSTVWXZB", 8, 4}) == e::repeated_character);
    // Confusable pairs: 0 and O; two of 1, I, L.
    CHECK(problem({"0123456789O", 9, 3}) == e::confusable_characters);
    CHECK(problem({"BCDFGHJKLMNPQRSTVWXZ1", 8, 4}) == e::confusable_characters);
    CHECK(problem({"ABCDEFGHIJKLMNPQRSTUVWXYZ", 8, 4}) == e::confusable_characters);   // I and L
    CHECK(validate_user_code_format({"ABCDEFGHJKMNOPQRSTUVWXYZ", 8, 4}).has_value());  // O alone, I alone
    CHECK(to_string(e::confusable_characters) == "confusable_characters");
}

TEST_CASE(
    "device authorization: a weak format or a bad verification URI answers every request 500 "
    "(RFC 8628 6.1, 3.2)",
    "[device_authorization][rfc8628]") {
    fixture f;
    f.device_options.user_code = {"0123456789", 6, 3};
    device_authorization_endpoint endpoint{f.clients, f.issuer, f.options, f.device_options};
    CHECK(endpoint.configuration().error() == error{reason::weak_user_code_format});
    const response r = endpoint.handle(fixture::request("client_id=1406020730"), f.storage);
    CHECK(r.status == 500);
    CHECK(r.error == error{reason::weak_user_code_format});
    CHECK(r.body == R"({"error":"server_error","error_description":"An unknown error happened."})");
    f.device_options.user_code = {};
    for (const std::string_view uri : {"", "/device", "https://example.com/device#x"}) {
        f.device_options.verification_uri = uri;
        device_authorization_endpoint bad{f.clients, f.issuer, f.options, f.device_options};
        CHECK(bad.configuration().error() == error{reason::invalid_verification_uri});
        CHECK(bad.handle(fixture::request("client_id=1406020730"), f.storage).status == 500);
    }
}

TEST_CASE("device authorization: what the issuer made is checked before it is sent (RFC 8628 3.2, 6.1)",
          "[device_authorization][rfc8628]") {
    using codes = scripted_issuer::codes_type;
    struct row {
        outcome<codes> answer;
        reason why;
    };
    for (const row& r : {row{outcome<codes>::fail(), reason::device_authorization_failure},
                         row{outcome<codes>::reject(), reason::device_authorization_failure},
                         row{outcome<codes>::accept({"dc", "WDJB-MJH", 600, 5}), reason::user_code_outside_format},
                         row{outcome<codes>::accept({"dc", "wdjb-mjht", 600, 5}), reason::user_code_outside_format},
                         row{outcome<codes>::accept({"dc", "WDJ-BMJHT", 600, 5}), reason::user_code_outside_format},
                         row{outcome<codes>::accept({"dc", "WDJB-MJHA", 600, 5}), reason::user_code_outside_format},
                         row{outcome<codes>::accept({"", "WDJB-MJHT", 600, 5}), reason::invalid_issued_token},
                         row{outcome<codes>::accept({"d\nc", "WDJB-MJHT", 600, 5}), reason::invalid_issued_token},
                         row{outcome<codes>::accept({"dc", "WDJB-MJHT", 0, 5}), reason::invalid_issued_token}}) {
        fixture f;
        scripted_issuer issuer{r.answer};
        const response answered = f.handle(fixture::request("client_id=1406020730"), &issuer);
        CHECK(answered.status == 500);
        CHECK(answered.error == error{r.why});
    }
    // Compact codes are fine; an interval of zero is left out (the client waits 5 seconds).
    fixture f;
    scripted_issuer issuer{outcome<codes>::accept({"dc", "WDJBMJHT", 600, 0})};
    f.device_options.verification_uri = "https://example.com/device?lang=en";
    const response r = f.handle(fixture::request("client_id=1406020730"), &issuer);
    CHECK(r.body ==
          R"({"device_code":"dc","user_code":"WDJBMJHT","verification_uri":"https://example.com/device?lang=en",)"
          R"("verification_uri_complete":"https://example.com/device?lang=en&user_code=WDJBMJHT",)"
          R"("expires_in":600})");
    f.device_options.send_verification_uri_complete = false;
    CHECK(f.handle(fixture::request("client_id=1406020730"), &issuer).body.find("verification_uri_complete") ==
          std::string_view::npos);
}

TEST_CASE("device authorization: a long verification URI: both blocks announced before the first is taken",
          "[device_authorization][regression]") {
    fixture f;
    const std::string uri = "https://example.com/device?x=" + std::string(1100, 'a');
    f.device_options.verification_uri = uri;
    const response r = f.handle(fixture::request("client_id=1406020730"));
    REQUIRE(r.status == 200);
    CHECK(member(r.body, "verification_uri_complete").starts_with(uri + "&user_code="));
}

TEST_CASE("device authorization: user codes are checked, made and read back as RFC 8628 6.1 says",
          "[device_authorization][rfc8628]") {
    CHECK(is_user_code("WDJB-MJHT", base20_user_code_format));  // RFC 8628 3.2's example
    CHECK(is_user_code("WDJBMJHT", base20_user_code_format));
    CHECK(is_user_code("019-450-730", numeric_user_code_format));  // RFC 8628 6.1's example
    CHECK(!is_user_code("WDJB-MJH", base20_user_code_format));
    CHECK(!is_user_code("WDJB--JHT", base20_user_code_format));
    CHECK(!is_user_code("-WDJBMJHT", base20_user_code_format));
    CHECK(!is_user_code("WDJB MJHT", base20_user_code_format));
    CHECK(!is_user_code("", base20_user_code_format));
    CHECK(user_code_size(base20_user_code_format) == 9);
    CHECK(user_code_size(numeric_user_code_format) == 11);
    CHECK(user_code_size({"AB", 8, 0}) == 8);
    // Made from random bytes: every character of the set reached, evenly, bytes that
    // would bias it skipped (256 = 12 * 20 + 16: the last 16 byte values).
    std::string all;
    for (unsigned b = 0; b < 256; ++b) all += static_cast<char>(b);
    std::set<char> seen;
    std::size_t made = 0;
    for (std::size_t from = 0; from + 8 <= 240; from += 8) {
        std::string code(9, '\0');
        const auto size = write_user_code(base20_user_code_format, std::string_view(all).substr(from, 8), code.data());
        REQUIRE(size == 9u);
        CHECK(is_user_code(code, base20_user_code_format));
        seen.insert(code.begin(), code.end());
        ++made;
    }
    CHECK(made == 30);
    CHECK(seen.size() == 21);  // 20 characters and '-'
    std::string code(9, '\0');
    CHECK(!write_user_code(base20_user_code_format, std::string_view(all).substr(240), code.data()).has_value());
    CHECK(write_user_code(base20_user_code_format, std::string(7, 'a'), code.data()) == std::nullopt);
    // Read back: any case, anything outside the set ignored.
    std::array<char, 16> compact{};
    for (const std::string_view typed : {"wdjb-mjht", "WDJB MJHT", "w-d-j-b-m-j-h-t", " WdJb_MjHt "}) {
        const std::size_t n = normalize_user_code(typed, base20_user_code_format, compact.data(), compact.size());
        CHECK(std::string_view(compact.data(), n) == "WDJBMJHT");
    }
    CHECK(normalize_user_code("WDJB-MJHT-BB", base20_user_code_format, compact.data(), 8) == 10);
}

TEST_CASE("device authorization: stores that answer later give the same responses", "[device_authorization][staged]") {
    for (const std::string_view body : {"client_id=1406020730&scope=example_scope", "client_id=1406020730&scope=admin",
                                        "client_id=nobody", "scope=x", "client_id=1406020730&scope=a++b"}) {
        INFO(body);
        fixture now;
        const response expected = now.handle(fixture::request(std::string(body)));
        fixture f;
        oauthcore_test::later_queue queue;
        oauthcore_test::later_clients clients{f.clients, queue};
        later_device_issuer issuer{f.issuer, queue};
        device_authorization_endpoint endpoint{clients, issuer, f.options, f.device_options};
        response out;
        int finished = 0;
        const test_request request = fixture::request(std::string(body));
        endpoint.handle_async(request, f.storage, out, [&finished](const response&) { ++finished; });
        CHECK(finished == (queue.work.empty() ? 1 : 0));
        queue.run_all();
        CHECK(finished == 1);
        CHECK(out.status == expected.status);
        CHECK(out.body == expected.body);
        CHECK(out.error == expected.error);
    }
}
