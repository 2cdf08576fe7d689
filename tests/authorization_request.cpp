#include "oauthcore/authorization_request.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catch.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/memory_stores.hpp"
#include "support.hpp"

using namespace oauthcore;

namespace {

// RFC 7636 Appendix B.
constexpr std::string_view verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
constexpr std::string_view issuer = "https://server.example.com";
constexpr std::string_view spa_cb = "https://spa.example/cb";

struct get_request {
    std::string target_;
    std::string method_ = "GET";
    std::string body_ = {};
    std::optional<std::string> content_type = std::nullopt;

    [[nodiscard]] std::string_view method() const { return method_; }
    [[nodiscard]] std::string_view target() const { return target_; }
    [[nodiscard]] std::string_view body() const { return body_; }
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
        if (oauthcore_test::lower(name) == "content-type" && content_type) return std::string_view(*content_type);
        return std::nullopt;
    }
};
static_assert(request_source<get_request>);

// What validate() hands back refers to the request (its query or body), like every view
// oauthcore returns; the requests made here live until the program ends, so that a test
// may use what it validated after the statement that made the request (ASan found
// tests reading a destroyed temporary).
const get_request& kept(get_request request) {
    static std::deque<get_request> requests;  // a deque: adding never moves the others
    return requests.emplace_back(std::move(request));
}

const get_request& get(std::string query) { return kept(get_request{"/authorize?" + std::move(query)}); }

const get_request& post(std::string body) {
    return kept(get_request{"/authorize", "POST", std::move(body), "application/x-www-form-urlencoded"});
}

// A request that passes every check for the public client "spa".
std::string spa_query(std::string extra = {}) {
    return "response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&state=xyz"
           "&code_challenge=" +
           std::string(challenge) + "&code_challenge_method=S256" + extra;
}

struct fixture {
    memory_client_registry registry;
    authorization_options options;
    exchange_storage storage;

    fixture() {
        options.issuer = issuer;
        // RFC 6749 4.1.1's example client, confidential, one redirect URI.
        registry.add("s6BhdRkqt3", {"https://client.example.com/cb"}, "authorization_code refresh_token");
        registry.add("spa", {std::string(spa_cb), "https://spa.example/other?lang=en"}, "authorization_code",
                     "read write", true);
        registry.add("no-uris", {}, "authorization_code");
        registry.add("fragment", {"https://client.example.com/cb#x"}, "authorization_code");
        registry.add("no-code", {"https://client.example.com/cb"}, "client_credentials");
    }

    template <class R>
    authorization_endpoint<memory_client_registry>::validation_type validate(const R& request) {
        authorization_endpoint endpoint{registry, options};
        return endpoint.validate(request, storage);
    }
};

// A registry that answers later, from a queue the test drains.
struct later_registry {
    memory_client_registry& real;
    std::deque<std::function<void()>>& queue;
    using client_type = memory_registered_client;
    template <class Then>
    void find_client(std::string_view id, Then then) {
        queue.emplace_back([this, id, then] { then(real.find_client(id)); });
    }
};
static_assert(client_registry<later_registry>);

// The parameters of a redirect's query, decoded.
std::map<std::string, std::string> query_parameters(std::string_view location) {
    std::map<std::string, std::string> out;
    const uri_parts parts = split_uri(location);
    for (const form_pair pair : form_pairs(parts.query)) {
        std::string name(decoded_size(pair.name), '\0');
        decode_form_component(pair.name, name.data());
        std::string value(decoded_size(pair.value), '\0');
        decode_form_component(pair.value, value.data());
        out[name] = value;
    }
    return out;
}

std::string location_of(const response& r) { return std::string(r.header("Location").value_or("")); }

// An error the user sees: a page, never a redirect (RFC 6749 4.1.2.1, 3.1.2.4).
void check_page(const response& r, reason why, int status = 400) {
    INFO("reason " << to_string(r.error.value_or(error{}).reason));
    CHECK(r.status == status);
    CHECK(!r.header("Location").has_value());
    REQUIRE(r.error.has_value());
    CHECK(r.error->reason == why);
    CHECK(r.header("Content-Type") == "application/json;charset=UTF-8");
    CHECK(r.body.starts_with("{\"error\":\""));
}

// An error sent back to the client: a redirect to its URI with error, error_description,
// state and iss (RFC 6749 4.1.2.1, RFC 9207 2).
void check_redirect_error(const response& r, reason why, std::string_view code, std::string_view to = spa_cb,
                          std::string_view state = "xyz") {
    INFO("reason " << to_string(r.error.value_or(error{}).reason) << ", Location " << location_of(r));
    CHECK(r.status == 302);
    REQUIRE(r.error.has_value());
    CHECK(r.error->reason == why);
    const std::string location = location_of(r);
    CHECK(location.starts_with(std::string(to) + "?error="));
    const auto params = query_parameters(location);
    CHECK(params.at("error") == code);
    CHECK(!params.at("error_description").empty());
    if (state.empty())
        CHECK(params.count("state") == 0);
    else
        CHECK(params.at("state") == state);
    CHECK(params.at("iss") == issuer);
    CHECK(params.count("code") == 0);
    CHECK(r.body.empty());
}

}  // namespace

TEST_CASE("authorization request: RFC 6749 4.1.1's example request is valid", "[authorization_request][rfc6749]") {
    fixture f;
    f.registry.add("plain-ok", {"https://client.example.com/cb"}, "authorization_code");
    // The RFC's request has no PKCE: a confidential client may omit it (RFC 9700 2.1.1 only
    // RECOMMENDS it for them).
    const auto v = f.validate(get(
        "response_type=code&client_id=s6BhdRkqt3&state=xyz&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb"));
    REQUIRE(v.valid());
    CHECK(v.request->client_id == "s6BhdRkqt3");
    CHECK(v.request->redirect_uri == "https://client.example.com/cb");
    CHECK(v.request->requested_redirect_uri == "https://client.example.com/cb");
    CHECK(v.request->state == "xyz");
    CHECK(v.request->scope.empty());
    CHECK(v.request->code_challenge.empty());
    CHECK(v.request->code_challenge_method.empty());
    REQUIRE(v.client.has_value());
    CHECK(v.client->id == "s6BhdRkqt3");
}

TEST_CASE("authorization request: a public client with S256, by GET and by POST (RFC 6749 3.1, RFC 7636 4.3)",
          "[authorization_request][rfc7636]") {
    fixture f;
    for (const auto& request : {get(spa_query("&scope=read+write+read")), post(spa_query("&scope=read+write+read"))}) {
        const auto v = f.validate(request);
        REQUIRE(v.valid());
        CHECK(v.request->client_id == "spa");
        CHECK(v.request->redirect_uri == spa_cb);
        CHECK(v.request->scope == "read write");  // duplicates collapsed (RFC 6749 3.3)
        CHECK(v.request->code_challenge == challenge);
        CHECK(v.request->code_challenge_method == "S256");
        CHECK(!v.answer.error.has_value());
    }
}

namespace {

// A client that owns its redirect URIs, as a database's does, and is handed out by value:
// gone once validate() returns. Each copy has URIs of its own, in a buffer that outlives
// it (kept in `buffers`) and that its destructor scribbles over, so that a view into a
// client's URIs shows, without reading freed memory, that it outlived that client.
std::deque<std::vector<std::string>> buffers;

struct owning_client {
    std::vector<std::string>* uris;

    explicit owning_client(std::vector<std::string> u) : uris(&buffers.emplace_back(std::move(u))) {}
    owning_client(const owning_client& other) : uris(&buffers.emplace_back(*other.uris)) {}
    owning_client& operator=(const owning_client&) = delete;
    ~owning_client() {
        for (std::string& uri : *uris) std::fill(uri.begin(), uri.end(), 'X');
    }
    [[nodiscard]] const std::vector<std::string>& redirect_uris() const noexcept { return *uris; }
    [[nodiscard]] bool is_public() const noexcept { return false; }
    [[nodiscard]] bool allows_grant(std::string_view grant_type) const noexcept {
        return grant_type == "authorization_code";
    }
};

struct owning_registry {
    using client_type = owning_client;

    outcome<owning_client> find_client(std::string_view id) {
        if (id != "db-client") return outcome<owning_client>::reject();
        return outcome<owning_client>::accept(owning_client({"https://client.example.com/a-long-callback-path"}));
    }
};
static_assert(client_registry<owning_registry>);

}  // namespace

TEST_CASE(
    "authorization request: the one registered redirect URI outlives a client the store gave by value "
    "(RFC 6749 3.1.2.3)",
    "[authorization_request][rfc6749]") {
    // A regression: the request kept a view into the store's client, which was destroyed
    // when validate() returned; approve and deny then redirected to freed bytes (found by
    // a hostile audit of token_server's sign-in pages, whose clients own their URIs).
    owning_registry registry;
    authorization_options options;
    options.issuer = issuer;
    exchange_storage storage;
    authorization_endpoint endpoint{registry, options};
    const auto v = endpoint.validate(get("response_type=code&client_id=db-client&state=s"), storage);
    REQUIRE(v.valid());
    CHECK(v.request->redirect_uri == "https://client.example.com/a-long-callback-path");
    CHECK(v.request->requested_redirect_uri.empty());
    response_storage out;
    const response approved = endpoint.approve(*v.request, "SplxlOBeZQQYbYS6WxSbIA", out);
    CHECK(location_of(approved).starts_with("https://client.example.com/a-long-callback-path?code="));
    const response denied = endpoint.deny(*v.request, out);
    CHECK(location_of(denied).starts_with("https://client.example.com/a-long-callback-path?error=access_denied"));
}

TEST_CASE("authorization request: redirect_uri may be left out only when exactly one is registered (RFC 6749 3.1.2.3)",
          "[authorization_request][rfc6749]") {
    fixture f;
    const auto one = f.validate(get("response_type=code&client_id=s6BhdRkqt3"));
    REQUIRE(one.valid());
    CHECK(one.request->redirect_uri == "https://client.example.com/cb");
    CHECK(one.request->requested_redirect_uri.empty());  // the code's record: none given (RFC 6749 4.1.3)
    const auto two = f.validate(get("response_type=code&client_id=spa&code_challenge=" + std::string(challenge) +
                                    "&code_challenge_method=S256"));
    check_page(two.answer, reason::missing_parameter);
    CHECK(two.answer.error->parameter == parameter_name("redirect_uri"));
}

TEST_CASE(
    "authorization request: errors about the client or redirect URI are pages, never redirects "
    "(RFC 6749 4.1.2.1, 3.1.2.4, RFC 9700 4.11 open redirector)",
    "[authorization_request][rfc6749][rfc9700]") {
    fixture f;
    const std::string rest = "&response_type=code&state=xyz";
    struct row {
        std::string query;
        reason why;
    };
    const std::vector<row> rows{
        // client_id missing, empty, repeated, unknown
        {"redirect_uri=https%3A%2F%2Fspa.example%2Fcb" + rest, reason::missing_parameter},
        {"client_id=&redirect_uri=https%3A%2F%2Fspa.example%2Fcb" + rest, reason::missing_parameter},
        {"client_id=spa&client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb" + rest, reason::duplicate_parameter},
        {"client_id=spa&client_id=&redirect_uri=https%3A%2F%2Fspa.example%2Fcb" + rest, reason::duplicate_parameter},
        {"client_id=evil&redirect_uri=https%3A%2F%2Fevil.example%2Fcb" + rest, reason::unknown_client},
        {"client_id=SPA&redirect_uri=https%3A%2F%2Fspa.example%2Fcb" + rest, reason::unknown_client},
        // redirect_uri repeated, malformed, not registered, missing among several, none registered
        {"client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&redirect_uri=https%3A%2F%2Fevil.example" + rest,
         reason::duplicate_parameter},
        {"client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb%23frag" + rest, reason::invalid_parameter},
        {"client_id=spa&redirect_uri=%2Fcb" + rest, reason::invalid_parameter},
        {"client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb%0D%0ASet-Cookie%3A+x" + rest,
         reason::invalid_parameter},
        {"client_id=spa&redirect_uri=https%3A%2F%2Fevil.example%2Fcb" + rest, reason::unregistered_redirect_uri},
        {"client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb%2F" + rest, reason::unregistered_redirect_uri},
        {"client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb%3Fx%3D1" + rest, reason::unregistered_redirect_uri},
        {"client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fother" + rest, reason::unregistered_redirect_uri},
        {"client_id=spa" + rest, reason::missing_parameter},
        {"client_id=no-uris" + rest, reason::unregistered_redirect_uri},
        {"client_id=no-uris&redirect_uri=https%3A%2F%2Fspa.example%2Fcb" + rest, reason::unregistered_redirect_uri},
        // the client's one registered URI has a fragment (the host's mistake, never followed)
        {"client_id=fragment" + rest, reason::invalid_parameter},
        {"client_id=fragment&redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb%23x" + rest, reason::invalid_parameter},
    };
    for (const row& r : rows) {
        INFO(r.query);
        check_page(f.validate(get(r.query)).answer, r.why);
    }
    // Everything else wrong as well: still a page, since the redirect URI cannot be trusted.
    check_page(f.validate(get("client_id=evil&redirect_uri=https%3A%2F%2Fevil.example&response_type=token")).answer,
               reason::unknown_client);
}

TEST_CASE("authorization request: a client store failure is a 500 page, never a redirect", "[authorization_request]") {
    struct failing_registry {
        memory_client_registry real;
        using client_type = memory_registered_client;
        outcome<client_type> find_client(std::string_view) const { return outcome<client_type>::fail(); }
    } registry;
    authorization_endpoint endpoint{registry};
    exchange_storage storage;
    check_page(endpoint.validate(get(spa_query()), storage).answer, reason::client_store_failure, 500);
}

TEST_CASE(
    "authorization request: the method, media type and limits are checked before anything, as pages "
    "(RFC 6749 3.1)",
    "[authorization_request][rfc6749]") {
    fixture f;
    auto put = get(spa_query());
    put.method_ = "PUT";
    const auto refused = f.validate(put);
    check_page(refused.answer, reason::authorization_method_not_allowed, 405);
    CHECK(refused.answer.header("Allow") == "GET, POST");
    auto lowercase = get(spa_query());
    lowercase.method_ = "get";  // RFC 9110 9.1: methods are case-sensitive
    check_page(f.validate(lowercase).answer, reason::authorization_method_not_allowed, 405);
    auto json = post(spa_query());
    json.content_type = "application/json";
    check_page(f.validate(json).answer, reason::unsupported_content_type);
    auto none = post(spa_query());
    none.content_type.reset();
    check_page(f.validate(none).answer, reason::unsupported_content_type);
    // POST reads the body, never the query.
    auto both = post("");
    both.target_ = "/authorize?" + spa_query();
    check_page(f.validate(both).answer, reason::missing_parameter);
    f.options.limits.max_body_bytes = 64;
    check_page(f.validate(get(spa_query())).answer, reason::body_too_large);
    f.options.limits = form_limits{};
    f.options.limits.max_parameters = 3;
    check_page(f.validate(get(spa_query())).answer, reason::too_many_parameters);
    f.options.limits = form_limits{};
    f.options.limits.max_parameter_bytes = 20;
    check_page(f.validate(get(spa_query())).answer, reason::parameter_too_large);
    // No query at all.
    check_page(f.validate(get_request{"/authorize"}).answer, reason::missing_parameter);
}

TEST_CASE(
    "authorization request: every later error redirects with error, error_description, state, iss "
    "(RFC 6749 4.1.2.1, RFC 9207 2)",
    "[authorization_request][rfc6749][rfc9207]") {
    fixture f;
    const std::string base = "client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&state=xyz";
    const std::string s256 = "&code_challenge=" + std::string(challenge) + "&code_challenge_method=S256";
    // RFC 6749 4.1.2.1: response_type missing or not code.
    check_redirect_error(f.validate(get(base + s256)).answer, reason::missing_parameter, "invalid_request");
    check_redirect_error(f.validate(get(base + "&response_type=token" + s256)).answer,
                         reason::unsupported_response_type, "unsupported_response_type");
    check_redirect_error(f.validate(get(base + "&response_type=code+id_token" + s256)).answer,
                         reason::unsupported_response_type, "unsupported_response_type");
    // RFC 6749 3.1: a repeated parameter.
    check_redirect_error(f.validate(get(base + "&response_type=code&response_type=code" + s256)).answer,
                         reason::duplicate_parameter, "invalid_request");
    check_redirect_error(f.validate(get(base + "&response_type=code&scope=read&scope=write" + s256)).answer,
                         reason::duplicate_parameter, "invalid_request");
    // RFC 6749 4.1.2.1 invalid_scope: the grammar, and the client's hook.
    check_redirect_error(f.validate(get(base + "&response_type=code&scope=read++write" + s256)).answer,
                         reason::invalid_scope_syntax, "invalid_scope");
    check_redirect_error(f.validate(get(base + "&response_type=code&scope=admin" + s256)).answer,
                         reason::scope_not_allowed, "invalid_scope");
    // RFC 6749 4.1.2.1 unauthorized_client: the client may not use this grant.
    check_redirect_error(f.validate(get("response_type=code&client_id=no-code&state=xyz")).answer,
                         reason::unauthorized_client, "unauthorized_client", "https://client.example.com/cb");
    // A repeated state is not sent back: nothing says which one the client meant.
    check_redirect_error(f.validate(get(base + "&state=abc&response_type=code" + s256)).answer,
                         reason::duplicate_parameter, "invalid_request", spa_cb, "");
    // RFC 6749 Appendix A.5: state = 1*VSCHAR. A NUL, a line feed, a tab or a DEL would
    // not come back unchanged through the host's page, nor bytes that are not UTF-8
    // (RFC 3629 4: a stray continuation byte, an overlong form, a surrogate, a cut
    // sequence), which a browser posts back as U+FFFD: refused, and not sent back.
    // (UTF-8 passes: the next test case.)
    const std::string no_state = "client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&response_type=code";
    for (const std::string bad :
         {"a%00b", "a%0Ab", "%7F", "tab%09", "%1F", "a%FFb", "%80", "%C0%AF", "%ED%A0%80", "a%C3", "%F4%90%80%80"}) {
        INFO("state=" << bad);
        check_redirect_error(f.validate(get(no_state + "&state=" + bad + s256)).answer, reason::invalid_parameter,
                             "invalid_request", spa_cb, "");
    }
    // Every VSCHAR is state's, the space and the punctuation included.
    const auto valid = f.validate(get(no_state + "&state=%20~%21%22%27%3C%3E%5C" + s256));
    REQUIRE(valid.request.has_value());
    CHECK(valid.request->state == " ~!\"'<>\\");
}

TEST_CASE("authorization request: PKCE rules (RFC 7636 4.3, 4.4.1, RFC 9700 2.1.1)",
          "[authorization_request][rfc7636][rfc9700]") {
    fixture f;
    const std::string base = "response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&state=xyz";
    const std::string ch = "&code_challenge=" + std::string(challenge);
    // A public client must send a challenge (RFC 9700 2.1.1; RFC 7636 4.4.1 invalid_request).
    check_redirect_error(f.validate(get(base)).answer, reason::missing_parameter, "invalid_request");
    // No method means plain (RFC 7636 4.3), refused unless allowed: so an error by default.
    check_redirect_error(f.validate(get(base + ch)).answer, reason::code_challenge_method_not_supported,
                         "invalid_request");
    check_redirect_error(f.validate(get(base + ch + "&code_challenge_method=plain")).answer,
                         reason::code_challenge_method_not_supported, "invalid_request");
    // Method names are case-sensitive (RFC 7636 4.3); others are not supported (4.4.1).
    check_redirect_error(f.validate(get(base + ch + "&code_challenge_method=s256")).answer,
                         reason::code_challenge_method_not_supported, "invalid_request");
    check_redirect_error(f.validate(get(base + ch + "&code_challenge_method=S512")).answer,
                         reason::code_challenge_method_not_supported, "invalid_request");
    // A method without a challenge.
    check_redirect_error(f.validate(get(base + "&code_challenge_method=S256")).answer, reason::missing_parameter,
                         "invalid_request");
    // A challenge S256 can never meet (pkce.hpp): 42 characters, a stray bit, a '~'.
    for (const std::string& bad : {std::string(challenge.substr(0, 42)), std::string(challenge.substr(0, 42)) + "N",
                                   std::string(challenge.substr(0, 42)) + "~", std::string(43, '.')}) {
        INFO(bad);
        check_redirect_error(f.validate(get(base + "&code_challenge=" + bad + "&code_challenge_method=S256")).answer,
                             reason::invalid_parameter, "invalid_request");
    }
    // plain when the host allows it: with or without the method, 43 to 128 unreserved.
    f.options.allow_plain = true;
    const std::string plain_challenge(43, 'p');
    for (const std::string_view method : {"", "&code_challenge_method=plain"}) {
        const auto v = f.validate(get(base + "&code_challenge=" + plain_challenge + std::string(method)));
        REQUIRE(v.valid());
        CHECK(v.request->code_challenge_method == "plain");
        CHECK(v.request->code_challenge == plain_challenge);
    }
    check_redirect_error(f.validate(get(base + "&code_challenge=" + std::string(42, 'p'))).answer,
                         reason::invalid_parameter, "invalid_request");
    check_redirect_error(f.validate(get(base + "&code_challenge=" + std::string(129, 'p'))).answer,
                         reason::invalid_parameter, "invalid_request");
    // A confidential client may omit PKCE, unless the host requires it of everyone.
    const std::string confidential = "response_type=code&client_id=s6BhdRkqt3&state=xyz";
    CHECK(f.validate(get(confidential)).valid());
    f.options.require_pkce = true;
    check_redirect_error(f.validate(get(confidential)).answer, reason::missing_parameter, "invalid_request",
                         "https://client.example.com/cb");
    CHECK(f.validate(get(confidential + ch + "&code_challenge_method=S256")).valid());
}

TEST_CASE("authorization request: approve redirects with code, state and iss (RFC 6749 4.1.2, RFC 9207 2)",
          "[authorization_request][rfc6749][rfc9207]") {
    fixture f;
    authorization_endpoint endpoint{f.registry, f.options};
    const auto v = endpoint.validate(
        get("response_type=code&client_id=s6BhdRkqt3&state=xyz&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb"),
        f.storage);
    REQUIRE(v.valid());
    const saved_authorization_request saved(*v.request);
    response_storage storage;
    const response r = endpoint.approve(saved.view(), "SplxlOBeZQQYbYS6WxSbIA", storage);
    CHECK(r.status == 302);
    CHECK(r.reason_phrase == "Found");
    CHECK(!r.error.has_value());
    // RFC 6749 4.1.2's example, with RFC 9207's iss.
    CHECK(location_of(r) ==
          "https://client.example.com/cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz&iss=https%3A%2F%2Fserver.example.com");
    CHECK(r.header("Cache-Control") == "no-store");
    CHECK(r.body.empty());
}

TEST_CASE(
    "authorization request: one response_storage serves any number of approve and deny calls (regression: the "
    "26th approval, or a deny after an approve with a long state, was a 500 page)",
    "[authorization_request][regression]") {
    fixture f;
    authorization_endpoint endpoint{f.registry, f.options};
    const std::string long_state(4000, 's');
    const auto v = endpoint.validate(get("response_type=code&client_id=s6BhdRkqt3&state=" + long_state), f.storage);
    REQUIRE(v.valid());
    const saved_authorization_request saved(*v.request);
    response_storage storage;
    for (int i = 0; i < 100; ++i) {
        const response approved = endpoint.approve(saved.view(), "code-" + std::to_string(i), storage);
        REQUIRE(approved.status == 302);
        CHECK(location_of(approved).find("code=code-" + std::to_string(i) + "&state=" + long_state) !=
              std::string::npos);
        const response denied = endpoint.deny(saved.view(), storage);
        REQUIRE(denied.status == 302);
        CHECK(location_of(denied).find("error=access_denied") != std::string::npos);
    }
}

TEST_CASE(
    "authorization request: the registered URI's query is kept, state comes back exactly "
    "(RFC 6749 3.1.2, 4.1.2)",
    "[authorization_request][rfc6749]") {
    fixture f;
    authorization_endpoint endpoint{f.registry, f.options};
    const auto v = endpoint.validate(get("response_type=code&client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2F"
                                         "other%3Flang%3Den&state=a%20b%2Bc%26d%3D%F0%9F%94%91&code_challenge=" +
                                         std::string(challenge) + "&code_challenge_method=S256"),
                                     f.storage);
    REQUIRE(v.valid());
    CHECK(v.request->state == "a b+c&d=\xf0\x9f\x94\x91");
    response_storage storage;
    const response r = endpoint.approve(*v.request, "code-1", storage);
    const std::string location = location_of(r);
    CHECK(location.starts_with("https://spa.example/other?lang=en&code=code-1&state="));
    const auto params = query_parameters(location);
    CHECK(params.at("lang") == "en");
    CHECK(params.at("state") == "a b+c&d=\xf0\x9f\x94\x91");
    CHECK(params.at("iss") == issuer);
}

TEST_CASE("authorization request: deny redirects with access_denied (RFC 6749 4.1.2.1)",
          "[authorization_request][rfc6749]") {
    fixture f;
    authorization_endpoint endpoint{f.registry, f.options};
    const auto v = endpoint.validate(get(spa_query()), f.storage);
    REQUIRE(v.valid());
    response_storage storage;
    check_redirect_error(endpoint.deny(*v.request, storage), reason::access_denied, "access_denied");
    // The host's own failure after consent (its code store), as server_error (RFC 6749 4.1.2.1).
    check_redirect_error(endpoint.redirect_error(*v.request, error{reason::code_store_failure}, storage),
                         reason::code_store_failure, "server_error");
    // A code outside VSCHAR (RFC 6749 Appendix A.11) is never sent.
    check_redirect_error(endpoint.approve(*v.request, "bad\ncode", storage), reason::invalid_issued_token,
                         "server_error");
    check_redirect_error(endpoint.approve(*v.request, "", storage), reason::invalid_issued_token, "server_error");
}

TEST_CASE("authorization request: without an issuer no iss, 303 when asked (RFC 9207 2, RFC 9700 4.12)",
          "[authorization_request][rfc9207][rfc9700]") {
    fixture f;
    f.options.issuer = {};
    f.options.redirect_status = redirect_status::see_other;
    authorization_endpoint endpoint{f.registry, f.options};
    const auto v = endpoint.validate(get(spa_query()), f.storage);
    REQUIRE(v.valid());
    response_storage storage;
    const response r = endpoint.approve(*v.request, "c", storage);
    CHECK(r.status == 303);
    CHECK(r.reason_phrase == "See Other");
    CHECK(location_of(r) == "https://spa.example/cb?code=c&state=xyz");
    const response e =
        endpoint.validate(get("client_id=spa&redirect_uri=https%3A%2F%2Fspa.example%2Fcb"), f.storage).answer;
    CHECK(e.status == 303);
    CHECK(query_parameters(location_of(e)).count("iss") == 0);
}

TEST_CASE("authorization request: a loopback redirect URI's port may vary when the host says so (RFC 8252 7.3)",
          "[authorization_request][rfc8252]") {
    fixture f;
    f.registry.add("native", {"http://127.0.0.1/cb"}, "authorization_code", {}, true);
    const std::string query =
        "response_type=code&client_id=native&redirect_uri=http%3A%2F%2F127.0.0.1%3A51004%2Fcb"
        "&code_challenge=" +
        std::string(challenge) + "&code_challenge_method=S256";
    check_page(f.validate(get(query)).answer, reason::unregistered_redirect_uri);
    f.options.matching = redirect_uri_matching::loopback_port_may_vary;
    const auto v = f.validate(get(query));
    REQUIRE(v.valid());
    CHECK(v.request->redirect_uri == "http://127.0.0.1:51004/cb");  // the app's own port
}

TEST_CASE(
    "authorization request: from the redirect to a token, through the token endpoint "
    "(RFC 6749 4.1, RFC 7636 4.6)",
    "[authorization_request][authorization_code][rfc6749][rfc7636]") {
    fixture f;
    authorization_endpoint authorize{f.registry, f.options};
    const auto v = authorize.validate(get(spa_query("&scope=read")), f.storage);
    REQUIRE(v.valid());
    const saved_authorization_request pending(*v.request);
    // The user signs in and approves; the host makes the code and records the request.
    memory_authorization_code_store codes;
    const authorization_request& r = pending.view();
    codes.add({"the-code", std::string(r.client_id), std::string(r.requested_redirect_uri),
               std::string(r.code_challenge), std::string(r.code_challenge_method), "john_doe", "",
               std::string(r.scope), 100});
    response_storage response_memory;
    const auto params = query_parameters(location_of(authorize.approve(pending.view(), "the-code", response_memory)));
    CHECK(params.at("state") == "xyz");
    // The client redeems it (RFC 6749 4.1.3) with its verifier.
    memory_client_store clients;
    clients.add("spa", "", "authorization_code", "read", "none");
    fixed_token_issuer issuer_store({"at", 3600, "", {}});
    const auto clock = [] { return std::uint64_t{10}; };
    authorization_code_grant grant{codes, issuer_store, clock};
    endpoint_options options;
    options.allow_public_clients = true;
    token_endpoint token{clients, options, grant};
    const auto redeemed = token.handle(
        oauthcore_test::test_request{}
            .without_header("Authorization")
            .with_body("grant_type=authorization_code&client_id=spa&code=" + params.at("code") +
                       "&redirect_uri=https%3A%2F%2Fspa.example%2Fcb&code_verifier=" + std::string(verifier)),
        f.storage);
    CHECK(redeemed.status == 200);
    CHECK(std::string(redeemed.body).find("\"access_token\":\"at\"") != std::string::npos);
}

TEST_CASE("authorization request: a store that answers later gives the same answers",
          "[authorization_request][staged]") {
    fixture f;
    std::deque<std::function<void()>> queue;
    later_registry later{f.registry, queue};
    authorization_endpoint now_endpoint{f.registry, f.options};
    authorization_endpoint later_endpoint{later, f.options};
    for (const auto& request : {get(spa_query()), get(spa_query("&scope=admin")), get("client_id=evil"),
                                get("client_id=spa&redirect_uri=https%3A%2F%2Fevil.example"), get("client_id=spa"),
                                get("redirect_uri=x"), get(spa_query("&state=2"))}) {
        INFO(request.target_);
        exchange_storage later_storage;
        authorization_endpoint<later_registry>::validation_type out;
        int finished = 0;
        later_endpoint.validate_async(request, later_storage, out, [&finished](const auto&) { ++finished; });
        const bool answered_before_store = queue.empty();
        CHECK(finished == (answered_before_store ? 1 : 0));
        while (!queue.empty()) {
            auto next = std::move(queue.front());
            queue.pop_front();
            next();
        }
        CHECK(finished == 1);
        const auto expected = now_endpoint.validate(request, f.storage);
        CHECK(out.valid() == expected.valid());
        CHECK(out.answer.status == expected.answer.status);
        CHECK(location_of(out.answer) == location_of(expected.answer));
        CHECK(out.answer.body == expected.answer.body);
        if (out.valid()) CHECK(saved_authorization_request(*out.request).view().state == expected.request->state);
    }
}

TEST_CASE(
    "authorization request: whatever the request, a redirect goes only to a URI the client registered "
    "(RFC 9700 4.1, 4.11)",
    "[authorization_request][rfc9700]") {
    fixture f;
    const std::vector<std::string> pieces{"response_type=code",
                                          "response_type=token",
                                          "client_id=spa",
                                          "client_id=s6BhdRkqt3",
                                          "client_id=evil",
                                          "redirect_uri=https%3A%2F%2Fspa.example%2Fcb",
                                          "redirect_uri=https%3A%2F%2Fevil.example%2Fcb",
                                          "redirect_uri=https%3A%2F%2Fspa.example%2Fother%3Flang%3Den",
                                          "state=s",
                                          "scope=read",
                                          "scope=admin",
                                          "code_challenge=" + std::string(challenge),
                                          "code_challenge_method=S256",
                                          "code_challenge_method=plain",
                                          "redirect_uri=https%3A%2F%2Fclient.example.com%2Fcb"};
    const std::vector<std::string> registered{"https://spa.example/cb", "https://spa.example/other?lang=en",
                                              "https://client.example.com/cb"};
    int redirects = 0;
    // Every subset of up to four pieces, in order, some repeated.
    const std::size_t n = pieces.size();
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = a; b < n; ++b)
            for (std::size_t c = b; c < n; ++c)
                for (std::size_t d = c; d < n; ++d) {
                    const std::string query = pieces[a] + "&" + pieces[b] + "&" + pieces[c] + "&" + pieces[d];
                    const auto v = f.validate(get(query));
                    if (v.answer.status != 302) continue;
                    ++redirects;
                    const std::string location = location_of(v.answer);
                    bool to_registered = false;
                    for (const auto& uri : registered)
                        to_registered = to_registered || (location.starts_with(uri) &&
                                                          (location[uri.size()] == '?' || location[uri.size()] == '&'));
                    if (!to_registered) FAIL_CHECK(query << " -> " << location);
                }
    CHECK(redirects > 100);
}

TEST_CASE(
    "authorization request: redirects longer than the inline storage take one heap block (fuzz finding: "
    "the description's block left the redirect no room)",
    "[authorization_request][regression]") {
    fixture f;
    authorization_endpoint endpoint{f.registry, f.options};
    for (const std::size_t bytes : {std::size_t{300}, std::size_t{400}, std::size_t{1000}}) {
        // U+00B8, UTF-8 (a state must be: see the state test above), three bytes per byte
        // once encoded.
        std::string state;
        std::string encoded;
        for (std::size_t i = 0; i < bytes / 2; ++i) {
            state += "\xC2\xB8";
            encoded += "%C2%B8";
        }
        const auto v = endpoint.validate(get("response_type=code&client_id=s6BhdRkqt3&state=" + encoded), f.storage);
        REQUIRE(v.valid());
        response_storage storage;
        const response approved = endpoint.approve(*v.request, "c0de-1", storage);
        CHECK(approved.status == 302);
        CHECK(query_parameters(location_of(approved)).at("state") == state);
        // The first answer fills the inline bytes: the next one in the same storage, before
        // a reset, still gets its redirect when it needs one block.
        if (bytes == 300) {
            const response denied = endpoint.deny(*v.request, storage);
            CHECK(denied.status == 302);
            CHECK(denied.error == error{reason::access_denied});
            CHECK(query_parameters(location_of(denied)).at("state") == state);
        }
        storage.reset();
        const response denied = endpoint.deny(*v.request, storage);
        CHECK(denied.status == 302);
        CHECK(denied.error == error{reason::access_denied});
        CHECK(query_parameters(location_of(denied)).at("state") == state);
    }
}

TEST_CASE("authorization request: every error this endpoint redirects fits its description in the redirect",
          "[authorization_request]") {
    for (std::size_t i = 0; i < reason_count; ++i) {
        for (const std::string_view name : authorization_parameters::names) {
            const error_details d = describe(error{static_cast<reason>(i), detail::declared_name(name)});
            CHECK(d.description_size() <= max_redirect_description_bytes);
        }
    }
}
