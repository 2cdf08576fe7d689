// Fuzz target for authorization_request.hpp (and uri.hpp's redirects): the authorization
// endpoint's validate, then approve and deny on what it accepts, against a registry of
// clients with one, two, no, a loopback and a broken (fragment) redirect URI.
//
// Input layout: one flags byte, then method, target and Content-Type separated by '\n',
// then the body (the rest, any bytes). Flags:
//   bit 0 Content-Type present          bit 4 tight limits (bytes, parameters)
//   bit 1 plain PKCE allowed            bit 5 the registry fails
//   bit 2 PKCE required of everyone     bit 6 303 instead of 302
//   bit 3 loopback ports may vary       bit 7 no issuer configured
//
// Invariants, for every input:
//  - the answer is a page (400, 405, 500: no Location, a JSON body that is exactly the
//    fixed body of its error, so that no byte the client sent is in it) or a redirect
//    (the configured status, a Location, an empty body);
//  - never a redirect for an error about the client or the redirect URI, or for a request
//    the endpoint would not read (method, media type, limits, a failing registry);
//  - a Location is written with URI characters only (no space, quote, CR, LF) and starts
//    with a URI the named client registered, followed by '?' or '&' (read here with the
//    harness's own WHATWG decoding of the request); its parameters are error (the code of
//    the reported error), error_description (its fixed text), state (the request's, when
//    sent once) and iss (the issuer, when configured), and nothing else;
//  - a valid request names a registered client and URI, and approve and deny redirect
//    there with the code, or access_denied, and the same state and iss;
//  - validate_async with a registry that answers later gives the same answer.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "oauthcore/oauthcore.hpp"
#include "reference_decoding.hpp"

namespace {

// Aborts, naming the line of the invariant that failed.
void require(bool condition, int line = __builtin_LINE()) {
    if (condition) return;
    std::fprintf(stderr, "authorization_request: invariant at line %d failed\n", line);
    std::abort();
}

constexpr std::string_view issuer_identifier = "https://as.example";

struct registered {
    std::string id;
    std::vector<std::string> uris;
    std::string grants;
    bool is_public;
};

const std::vector<registered>& registry_records() {
    static const std::vector<registered> records{
        {"spa", {"https://spa.example/cb", "https://spa.example/other?lang=en"}, "authorization_code", true},
        {"web", {"https://web.example/cb"}, "authorization_code refresh_token", false},
        {"native", {"http://127.0.0.1/cb"}, "authorization_code", true},
        {"frag", {"https://frag.example/cb#x"}, "authorization_code", false},
        {"nowhere", {}, "authorization_code", false},
        {"svc", {"https://svc.example/cb"}, "client_credentials", false},
    };
    return records;
}

oauthcore::memory_client_registry make_registry() {
    oauthcore::memory_client_registry registry;
    for (const auto& r : registry_records())
        registry.add(r.id, r.uris, r.grants, r.is_public ? "read write" : "", r.is_public);
    return registry;
}

struct failing_registry {
    using client_type = oauthcore::memory_registered_client;
    oauthcore::outcome<client_type> find_client(std::string_view) const {
        return oauthcore::outcome<client_type>::fail();
    }
};

struct later_registry {
    oauthcore::memory_client_registry& real;
    std::deque<std::function<void()>>& queue;
    bool failing;
    using client_type = oauthcore::memory_registered_client;
    template <class Then>
    void find_client(std::string_view id, Then then) {
        queue.emplace_back(
            [this, id, then] { then(failing ? oauthcore::outcome<client_type>::fail() : real.find_client(id)); });
    }
};

// The request's parameters as the harness reads them: every value of every name, in order.
std::map<std::string, std::vector<std::string>> reference_parameters(std::string_view input) {
    std::map<std::string, std::vector<std::string>> out;
    std::size_t at = 0;
    while (at <= input.size()) {
        const std::size_t amp = input.find('&', at);
        const std::string_view sequence =
            input.substr(at, amp == std::string_view::npos ? std::string_view::npos : amp - at);
        if (!sequence.empty()) {
            const std::size_t eq = sequence.find('=');
            const std::string name = fuzz_reference::form_decode(sequence.substr(0, eq));
            const std::string value =
                eq == std::string_view::npos ? std::string() : fuzz_reference::form_decode(sequence.substr(eq + 1));
            out[name].push_back(value);
        }
        if (amp == std::string_view::npos) break;
        at = amp + 1;
    }
    return out;
}

// RFC 3986 2 characters, written out.
// Whether `s` is UTF-8, by RFC 3629 4's rules written out (the shortest form, no
// surrogates, nothing above U+10FFFF): the model's own, apart from oauthcore's.
bool is_utf8_reference(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto lead = static_cast<unsigned char>(s[i]);
        std::size_t follow = 0;
        std::uint32_t point = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        }
        if ((lead & 0xE0) == 0xC0) {
            follow = 1;
            point = lead & 0x1Fu;
        } else if ((lead & 0xF0) == 0xE0) {
            follow = 2;
            point = lead & 0x0Fu;
        } else if ((lead & 0xF8) == 0xF0) {
            follow = 3;
            point = lead & 0x07u;
        } else {
            return false;
        }
        if (i + follow >= s.size()) return false;
        for (std::size_t k = 1; k <= follow; ++k) {
            const auto next = static_cast<unsigned char>(s[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            point = point << 6 | (next & 0x3Fu);
        }
        constexpr std::uint32_t shortest[] = {0, 0x80, 0x800, 0x10000};
        if (point < shortest[follow] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) return false;
        i += follow + 1;
    }
    return true;
}

bool is_uri_byte(char c) {
    const std::string_view allowed =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%";
    return allowed.find(c) != std::string_view::npos;
}

std::string description_text(const oauthcore::error& e) {
    const auto details = oauthcore::describe(e);
    std::string text(details.description_size(), '\0');
    oauthcore::write_description(details, text.data());
    return text;
}

std::string fixed_error_body(const oauthcore::error& e) {
    const auto details = oauthcore::describe(e);
    std::string body(oauthcore::error_json_size(details), '\0');
    oauthcore::write_error_json(details, body.data());
    return body;
}

// Errors that must never be redirected: about the client, the redirect URI, or a request
// the endpoint would not read.
bool is_page_only(const oauthcore::error& e) {
    using oauthcore::reason;
    switch (e.reason) {
        case reason::authorization_method_not_allowed:
        case reason::unsupported_content_type:
        case reason::body_too_large:
        case reason::too_many_parameters:
        case reason::parameter_too_large:
        case reason::unknown_client:
        case reason::unregistered_redirect_uri:
        case reason::client_store_failure: return true;
        default:
            return e.parameter == oauthcore::parameter_name("client_id") ||
                   e.parameter == oauthcore::parameter_name("redirect_uri");
    }
}

struct check_context {
    std::map<std::string, std::vector<std::string>> params;
    const registered* client = nullptr;  // the one client the request names, if any
    int redirect_status;
    std::string_view issuer;
    bool loopback;
};

// A Location: URI characters, a registered URI of the client, then '?' or '&'.
void check_location(std::string_view location, const check_context& c) {
    require(!location.empty());
    for (const char ch : location) require(is_uri_byte(ch));
    require(c.client != nullptr);
    bool registered_prefix = false;
    for (const auto& uri : c.client->uris) {
        std::string_view prefix = uri;
        if (c.loopback && uri.starts_with("http://127.0.0.1/")) prefix = "http://127.0.0.1";
        if (location.starts_with(prefix) && location.size() > prefix.size()) registered_prefix = true;
    }
    require(registered_prefix);
}

// The parameters oauthcore added to a Location (after the registered URI's own query).
std::map<std::string, std::vector<std::string>> added_parameters(std::string_view location) {
    const std::size_t question = location.find('?');
    require(question != std::string_view::npos);
    auto all = reference_parameters(location.substr(question + 1));
    all.erase("lang");  // the registered URI's own
    return all;
}

void check_redirect_parameters(std::string_view location, const check_context& c,
                               const std::map<std::string, std::string>& expected) {
    const auto added = added_parameters(location);
    std::map<std::string, std::string> expect = expected;
    const auto state = c.params.find("state");
    // Sent back only when given once, free of control characters (RFC 6749 Appendix A.5)
    // and UTF-8 (what a page can carry back unchanged).
    const auto is_control = [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F; };
    if (state != c.params.end() && state->second.size() == 1 && !state->second[0].empty() &&
        std::none_of(state->second[0].begin(), state->second[0].end(), is_control) &&
        is_utf8_reference(state->second[0]))
        expect["state"] = state->second[0];
    if (!c.issuer.empty()) expect["iss"] = std::string(c.issuer);
    require(added.size() == expect.size());
    for (const auto& [name, values] : added) {
        require(values.size() == 1);
        require(expect.count(name) == 1 && expect.at(name) == values[0]);
    }
}

template <class Validation>
void check_validation(const Validation& v, const check_context& c) {
    if (v.valid()) {
        const auto& r = *v.request;
        require(c.client != nullptr && r.client_id == c.client->id);
        bool registered_uri = false;
        for (const auto& uri : c.client->uris)
            registered_uri =
                registered_uri || uri == r.redirect_uri ||
                (c.loopback && uri.starts_with("http://127.0.0.1/") && r.redirect_uri.starts_with("http://127.0.0.1"));
        require(registered_uri);
        require(oauthcore::is_redirect_uri(r.redirect_uri));
        require(r.code_challenge.empty() == r.code_challenge_method.empty());
        require(!oauthcore::any_in(oauthcore::char_class::control, r.state));
        require(is_utf8_reference(r.state));
        return;
    }
    const oauthcore::response& a = v.answer;
    require(a.error.has_value());
    if (a.status == c.redirect_status) {
        require(!is_page_only(*a.error));
        require(a.body.empty());
        const auto location = a.header("Location");
        require(location.has_value());
        check_location(*location, c);
        check_redirect_parameters(*location, c,
                                  {{"error", std::string(oauthcore::to_string(oauthcore::describe(*a.error).code))},
                                   {"error_description", description_text(*a.error)}});
        return;
    }
    require(a.status == 400 || a.status == 405 || a.status == 500);
    require(!a.header("Location").has_value());
    require(a.body == fixed_error_body(*a.error));
    require(nlohmann::json::accept(a.body));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const unsigned flags = data[0];
    const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    std::string_view fields[3];
    std::size_t at = 0;
    for (auto& field : fields) {
        const std::size_t nl = rest.find('\n', at);
        if (nl == std::string_view::npos) return 0;
        field = rest.substr(at, nl - at);
        at = nl + 1;
    }
    const std::string_view body = rest.substr(at);
    oauthcore::request_view request{fields[0], fields[1], std::nullopt, std::nullopt, body};
    if ((flags & 1u) != 0) request.content_type = fields[2];

    oauthcore::authorization_options options;
    options.issuer = (flags & 128u) != 0 ? std::string_view{} : issuer_identifier;
    options.allow_plain = (flags & 2u) != 0;
    options.require_pkce = (flags & 4u) != 0;
    options.matching = (flags & 8u) != 0 ? oauthcore::redirect_uri_matching::loopback_port_may_vary
                                         : oauthcore::redirect_uri_matching::exact;
    if ((flags & 16u) != 0) options.limits = oauthcore::form_limits{256, 8, 128};
    options.redirect_status =
        (flags & 64u) != 0 ? oauthcore::redirect_status::see_other : oauthcore::redirect_status::found;
    const bool failing = (flags & 32u) != 0;

    // The harness's own reading of the request.
    check_context c;
    const std::size_t question = request.target.find('?');
    const std::string_view input =
        request.method == "POST"
            ? body
            : (question == std::string_view::npos ? std::string_view{} : request.target.substr(question + 1));
    c.params = reference_parameters(input);
    const auto ids = c.params.find("client_id");
    if (ids != c.params.end() && ids->second.size() == 1)
        for (const auto& r : registry_records())
            if (r.id == ids->second[0]) c.client = &r;
    c.redirect_status = static_cast<int>(options.redirect_status);
    c.issuer = options.issuer;
    c.loopback = (flags & 8u) != 0;

    oauthcore::memory_client_registry registry = make_registry();
    oauthcore::exchange_storage storage;
    using validation = oauthcore::authorization_endpoint<oauthcore::memory_client_registry>::validation_type;
    std::optional<validation> checked;
    if (failing) {
        failing_registry broken;
        oauthcore::authorization_endpoint endpoint{broken, options};
        const auto v = endpoint.validate(request, storage);
        require(!v.valid() && v.answer.status != c.redirect_status);
        check_validation(v, c);
    } else {
        oauthcore::authorization_endpoint endpoint{registry, options};
        checked = endpoint.validate(request, storage);
        check_validation(*checked, c);
        if (checked->valid()) {
            // The host's turn: approve, or deny.
            const oauthcore::saved_authorization_request saved(*checked->request);
            oauthcore::response_storage response_memory;
            const oauthcore::response approved = endpoint.approve(saved.view(), "c0de-1", response_memory);
            require(approved.status == c.redirect_status && !approved.error);
            const auto location = approved.header("Location");
            require(location && location->starts_with(saved.redirect_uri));
            check_location(*location, c);
            check_redirect_parameters(*location, c, {{"code", "c0de-1"}});
            response_memory.reset();  // another answer: the host would not send both
            const oauthcore::response denied = endpoint.deny(saved.view(), response_memory);
            require(denied.status == c.redirect_status &&
                    denied.error == oauthcore::error{oauthcore::reason::access_denied});
            check_redirect_parameters(
                *denied.header("Location"), c,
                {{"error", "access_denied"}, {"error_description", description_text(*denied.error)}});
        }
    }

    // The same answer from a registry that answers later.
    std::deque<std::function<void()>> queue;
    oauthcore::memory_client_registry later_records = make_registry();
    later_registry later{later_records, queue, failing};
    oauthcore::authorization_endpoint later_endpoint{later, options};
    oauthcore::exchange_storage later_storage;
    oauthcore::authorization_endpoint<later_registry>::validation_type out;
    int finished = 0;
    later_endpoint.validate_async(request, later_storage, out, [&finished](const auto&) { ++finished; });
    while (!queue.empty()) {
        auto next = std::move(queue.front());
        queue.pop_front();
        next();
    }
    require(finished == 1);
    check_validation(out, c);
    if (checked) {
        require(out.valid() == checked->valid());
        require(out.answer.status == checked->answer.status);
        require(out.answer.body == checked->answer.body);
        require(out.answer.header("Location") == checked->answer.header("Location"));
    }
    return 0;
}
