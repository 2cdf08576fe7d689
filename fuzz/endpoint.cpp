// Fuzz target for endpoint.hpp: the whole exchange, with in-memory stores, for every
// grant: the vendor's endpoint (handle_token_request, the password grant alone) and an
// endpoint with password, refresh_token, client_credentials, authorization_code and
// device_code, whose stores know refresh tokens, codes (with RFC 7636 Appendix B's S256
// challenge, a plain one, none; one spent, one expired) and device codes (approved,
// pending, polled a second ago, denied, expired).
//
// Input layout: one flags byte, then method, target, Content-Type and Authorization
// separated by '\n', then the body (the rest, any bytes). Flags:
//   bit 0 Content-Type present        bit 4 credential_decoding::raw
//   bit 1 Authorization present       bit 5 tight limits (body, parameters, header)
//   bit 2 profile rfc6749, and plain  bit 6 the token issuer fails
//         PKCE allowed                bit 7 the client store fails
//   bit 3 client_secret_post and
//         public clients allowed
//
// Invariants, for every input and both endpoints:
//  - the status is one of 200, 400, 401, 405, 500, with its reason phrase;
//  - Content-Type, Cache-Control: no-store and Pragma: no-cache are present, with their
//    fixed values; WWW-Authenticate iff 401, Allow iff 405, and no other header;
//  - the body is valid JSON (nlohmann/json, in this harness only); an error body is
//    exactly the fixed body of the error the response reports, so that no byte the
//    client sent can appear in it; a 200 body is exactly the issued token's (without its
//    refresh token for client_credentials);
//  - a 200 only when the client store was asked with credentials that match one of its
//    records, allowed the grant type, and those credentials are the ones the request
//    carried, read here independently (base64 and form decoding written out); and only
//    with what the grant needs, compared here with the harness's own tables: the user's
//    password, a refresh token of that client, or a code of that client, unspent and
//    unexpired, with its redirect_uri and a verifier that meets its challenge (the
//    Appendix B verifier for S256; plain only when allowed; none without a challenge, and
//    then only for a confidential client), or an approved device code of that client;
//  - no response contains the password, client secret, refresh token, code, code_verifier
//    or device_code sent (where it is not a substring of the fixed texts anyway);
//  - handle_async with stores that answer later gives the same bytes; when it finished
//    before any store was asked (a failure of steps 1-10, endpoint.hpp), handle() asked
//    no store either.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "oauthcore/oauthcore.hpp"
#include "reference_decoding.hpp"

namespace {

void require(bool condition) {
    if (!condition) std::abort();
}

constexpr std::string_view access_token = "6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88";
constexpr std::string_view refresh_token = "17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef";
constexpr std::string_view token_body =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":604800,)"
    R"("token_type":"bearer","refresh_token":"17ef19c3e1b7499eaf849d59f220250210b5c44c10c71033d253de8b61b2a3ef"})";
// RFC 6749 4.4.3: client_credentials leaves the refresh token out.
constexpr std::string_view service_token_body =
    R"({"access_token":"6814cd360205e1245d2834ffab3c3c9103b71a5075a9cda4626b4d5cffbabb88","expires_in":604800,)"
    R"("token_type":"bearer"})";

constexpr std::string_view device_grant_type = "urn:ietf:params:oauth:grant-type:device_code";
// RFC 7636 Appendix B, and a plain challenge (which is its verifier).
constexpr std::string_view s256_verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view s256_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
constexpr std::string_view plain_challenge = "plain-verifier-of-43-characters-0123456789_";
constexpr std::uint64_t now_seconds = 1000;

struct client_record {
    std::string id;
    std::string secret;
    std::string grant_types;
    std::string method;  // "none" for a public client
};
// The vendor's client, RFC 6749's example client (2.3.1), ids and secrets that only one
// of the two credential decodings can reach, and a public client.
const std::array<client_record, 6> client_records{{
    {"138", "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf",
     "password refresh_token client_credentials authorization_code urn:ietf:params:oauth:grant-type:device_code", ""},
    {"no-password-grant", "other-secret", "refresh_token", ""},
    {"s6BhdRkqt3", "gX1fBat3bV", "password client_credentials authorization_code", ""},
    {"a:b c%", "s+cr%t:", "password", ""},
    {"raw+id%", "s+cr%t:", "password", ""},
    {"spa", "", "refresh_token authorization_code urn:ietf:params:oauth:grant-type:device_code", "none"},
}};

bool has_token(std::string_view list, std::string_view token) {
    while (!list.empty()) {
        const auto space = list.find(' ');
        if (list.substr(0, space) == token) return true;
        list = space == std::string_view::npos ? std::string_view{} : list.substr(space + 1);
    }
    return false;
}

struct user_record {
    std::string username;
    std::string email_address;
    std::string password;
};
const std::array<user_record, 3> user_records{{
    {"john_doe", "john_doe@domain.com", "john_doe_secret"},
    {"johndoe", "", "A3ddj3w"},
    {"x y", "", "p%w+d\xc3\xa9"},
}};

struct refresh_record {
    std::string token;
    std::string client_id;
};
const std::array<refresh_record, 2> refresh_records{{{"rt-138", "138"}, {"rt-spa", "spa"}}};

struct code_record {
    std::string code;
    std::string client_id;
    std::string redirect_uri;
    std::string challenge;
    std::string method;
    std::uint64_t expires_at;
    bool spent;  // spent before the request
};
const std::array<code_record, 8> code_records{{
    {"code-spa", "spa", "https://spa.example/cb", std::string(s256_challenge), "S256", 2000, false},
    {"code-spa-plain", "spa", "https://spa.example/cb", std::string(plain_challenge), "plain", 2000, false},
    {"code-138", "138", "https://app.example/cb", "", "", 2000, false},
    {"code-138-s256", "138", "", std::string(s256_challenge), "S256", 2000, false},
    {"SplxlOBeZQQYbYS6WxSbIA", "s6BhdRkqt3", "https://client.example.com/cb", "", "", 2000, false},  // RFC 6749 4.1.3
    {"code-spa-none", "spa", "https://spa.example/cb", "", "", 2000, false},
    {"code-expired", "spa", "https://spa.example/cb", std::string(s256_challenge), "S256", now_seconds, false},
    {"code-spent", "spa", "https://spa.example/cb", std::string(s256_challenge), "S256", 2000, true},
}};

struct device_record {
    std::string device_code;
    std::string client_id;
    oauthcore::device_authorization_state state;
    std::uint64_t expires_at;
    bool polled_just_now;
};
const std::array<device_record, 6> device_records{{
    {"dc-spa", "spa", oauthcore::device_authorization_state::approved, 2000, false},
    {"dc-138", "138", oauthcore::device_authorization_state::approved, 2000, true},
    {"dc-pending", "spa", oauthcore::device_authorization_state::pending, 2000, false},
    {"dc-slow", "spa", oauthcore::device_authorization_state::pending, 2000, true},
    {"dc-denied", "spa", oauthcore::device_authorization_state::denied, 2000, false},
    {"dc-expired", "spa", oauthcore::device_authorization_state::approved, now_seconds, false},
}};

// The client store of the records above, which remembers what it was asked and can be
// told to fail.
struct recording_client_store {
    using client_type = oauthcore::memory_client;
    oauthcore::memory_client_store inner;
    bool failing = false;
    std::optional<std::pair<std::string, std::string>> asked;
    std::optional<std::string> asked_method;
    std::optional<oauthcore::outcome_status> answered;

    recording_client_store() {
        for (const auto& r : client_records) inner.add(r.id, r.secret, r.grant_types, {}, r.method);
    }
    oauthcore::outcome<client_type> authenticate_client(const oauthcore::client_authentication& presented) {
        require(!asked);
        asked.emplace(presented.id, presented.secret);
        asked_method = std::string(presented.method);
        auto outcome = failing ? oauthcore::outcome<client_type>::fail() : inner.authenticate_client(presented);
        answered = outcome.status();
        return outcome;
    }
};

struct recording_user_store {
    using user_type = oauthcore::memory_user;
    oauthcore::memory_user_store inner;
    std::optional<std::pair<oauthcore::user_identifier, std::string>> asked;
    std::optional<std::string> asked_value;
    std::optional<oauthcore::outcome_status> answered;

    recording_user_store() {
        for (const auto& r : user_records) inner.add(r.username, r.email_address, r.password);
    }
    oauthcore::outcome<user_type> authenticate_user(oauthcore::user_identifier who, std::string_view password) {
        require(!asked);
        asked.emplace(who, password);
        asked_value = std::string(who.value);
        auto outcome = inner.authenticate_user(who, password);
        answered = outcome.status();
        return outcome;
    }
};

// The refresh token, code and device code stores of the tables above, counting the
// questions they are asked.
struct grant_stores {
    oauthcore::memory_refresh_token_store refresh_tokens;
    oauthcore::memory_authorization_code_store codes;
    oauthcore::memory_device_code_store devices;
    int asked = 0;

    grant_stores() {
        for (const auto& r : refresh_records) refresh_tokens.add(r.token, r.client_id, "john_doe", "", "read", 2000);
        for (const auto& r : code_records) {
            codes.add(
                {r.code, r.client_id, r.redirect_uri, r.challenge, r.method, "john_doe", "", "read", r.expires_at});
            if (r.spent)
                (void)codes.redeem_authorization_code(codes.find_authorization_code(r.code).value(),
                                                      oauthcore::token_view{"earlier", {}, {}, {}});
        }
        for (const auto& r : device_records) {
            devices.add({r.device_code, r.client_id, "read", r.expires_at, 5});
            if (r.polled_just_now) (void)devices.poll_device_code(r.device_code, now_seconds - 1);
            if (r.state == oauthcore::device_authorization_state::approved)
                (void)devices.approve(r.device_code, "john_doe", "");
            if (r.state == oauthcore::device_authorization_state::denied) (void)devices.deny(r.device_code);
        }
    }
};

struct counted_refresh_tokens {
    using record_type = oauthcore::memory_refresh_token_store::record_type;
    grant_stores* stores;
    oauthcore::outcome<record_type> find_refresh_token(const oauthcore::memory_client& client, std::string_view token) {
        ++stores->asked;
        return stores->refresh_tokens.find_refresh_token(client, token);
    }
    oauthcore::outcome_status replace_refresh_token(const record_type& record, const oauthcore::token_view& tokens) {
        ++stores->asked;
        return stores->refresh_tokens.replace_refresh_token(record, tokens);
    }
};
struct counted_codes {
    using record_type = oauthcore::memory_authorization_code_store::record_type;
    grant_stores* stores;
    oauthcore::outcome<record_type> find_authorization_code(std::string_view code) {
        ++stores->asked;
        return stores->codes.find_authorization_code(code);
    }
    oauthcore::outcome_status redeem_authorization_code(const record_type& record,
                                                        const oauthcore::token_view& tokens) {
        ++stores->asked;
        return stores->codes.redeem_authorization_code(record, tokens);
    }
};
struct counted_devices {
    using record_type = oauthcore::memory_device_code_store::record_type;
    grant_stores* stores;
    oauthcore::outcome<record_type> poll_device_code(std::string_view device_code, std::uint64_t now) {
        ++stores->asked;
        return stores->devices.poll_device_code(device_code, now);
    }
    oauthcore::outcome_status redeem_device_code(const record_type& record, const oauthcore::token_view& tokens) {
        ++stores->asked;
        return stores->devices.redeem_device_code(record, tokens);
    }
};

// The same stores answering later: each question is queued and answered when the
// harness drains the queue.
using pending = std::vector<std::function<void()>>;
struct later_client_store {
    using client_type = oauthcore::memory_client;
    recording_client_store inner;
    pending* queue;
    template <class Then>
    void authenticate_client(const oauthcore::client_authentication& presented, Then then) {
        queue->push_back([this, presented, then] { then(inner.authenticate_client(presented)); });
    }
};
struct later_user_store {
    using user_type = oauthcore::memory_user;
    recording_user_store inner;
    pending* queue;
    template <class Then>
    void authenticate_user(oauthcore::user_identifier who, std::string_view password, Then then) {
        queue->push_back([this, who, password, then] { then(inner.authenticate_user(who, password)); });
    }
};
struct later_refresh_tokens {
    using record_type = oauthcore::memory_refresh_token_store::record_type;
    counted_refresh_tokens inner;
    pending* queue;
    template <class Then>
    void find_refresh_token(const oauthcore::memory_client& client, std::string_view token, Then then) {
        queue->push_back([this, client, token, then] { then(inner.find_refresh_token(client, token)); });
    }
    template <class Then>
    void replace_refresh_token(const record_type& record, const oauthcore::token_view& tokens, Then then) {
        queue->push_back([this, record, tokens, then] { then(inner.replace_refresh_token(record, tokens)); });
    }
};
struct later_codes {
    using record_type = oauthcore::memory_authorization_code_store::record_type;
    counted_codes inner;
    pending* queue;
    template <class Then>
    void find_authorization_code(std::string_view code, Then then) {
        queue->push_back([this, code, then] { then(inner.find_authorization_code(code)); });
    }
    template <class Then>
    void redeem_authorization_code(const record_type& record, const oauthcore::token_view& tokens, Then then) {
        queue->push_back([this, record, tokens, then] { then(inner.redeem_authorization_code(record, tokens)); });
    }
};
struct later_devices {
    using record_type = oauthcore::memory_device_code_store::record_type;
    counted_devices inner;
    pending* queue;
    template <class Then>
    void poll_device_code(std::string_view device_code, std::uint64_t now, Then then) {
        queue->push_back([this, device_code, now, then] { then(inner.poll_device_code(device_code, now)); });
    }
    template <class Then>
    void redeem_device_code(const record_type& record, const oauthcore::token_view& tokens, Then then) {
        queue->push_back([this, record, tokens, then] { then(inner.redeem_device_code(record, tokens)); });
    }
};

static_assert(oauthcore::client_store<recording_client_store>);
static_assert(oauthcore::user_store<recording_user_store>);
static_assert(oauthcore::refresh_token_store<later_refresh_tokens, oauthcore::memory_client, oauthcore::token_view>);
static_assert(oauthcore::authorization_code_store<later_codes, oauthcore::token_view>);
static_assert(oauthcore::device_code_store<later_devices, oauthcore::token_view>);

const auto fixed_clock = [] { return now_seconds; };

// Every grant on one endpoint, over the client and user stores given and the grant stores.
template <class Clients, class Users, class Refresh, class Codes, class Devices>
struct all_grants {
    oauthcore::password_grant<Users, oauthcore::fixed_token_issuer> password;
    oauthcore::refresh_token_grant<Refresh, oauthcore::fixed_token_issuer> refresh;
    oauthcore::client_credentials_grant<oauthcore::fixed_token_issuer> services;
    oauthcore::authorization_code_grant<Codes, oauthcore::fixed_token_issuer, decltype(fixed_clock)> code;
    oauthcore::device_code_grant<Devices, oauthcore::fixed_token_issuer, decltype(fixed_clock)> device;
    using endpoint_type =
        oauthcore::token_endpoint<Clients, oauthcore::default_client_authentication, decltype(password),
                                  decltype(refresh), decltype(services), decltype(code), decltype(device)>;
    endpoint_type endpoint;

    all_grants(Clients& clients, Users& users, Refresh& refresh_tokens, Codes& codes, Devices& devices,
               oauthcore::fixed_token_issuer& issuer, const oauthcore::endpoint_options& options,
               oauthcore::authorization_code_options code_options)
        : password(users, issuer),
          refresh(refresh_tokens, issuer),
          services(issuer),
          code(codes, issuer, fixed_clock, code_options),
          device(devices, issuer, fixed_clock),
          endpoint(clients, options, password, refresh, services, code, device) {}
};

// The request, each part in its own exact-size heap block so that reads past any of
// them are caught.
struct fuzz_request {
    std::vector<char> method_, target_, content_type_, authorization_, body_;
    bool has_content_type = false;
    bool has_authorization = false;

    static std::string_view view(const std::vector<char>& v) { return {v.data(), v.size()}; }
    std::string_view method() const { return view(method_); }
    std::string_view target() const { return view(target_); }
    std::string_view body() const { return view(body_); }
    std::optional<std::string_view> header(std::string_view name) const {
        if (name == "Content-Type" && has_content_type) return view(content_type_);
        if (name == "Authorization" && has_authorization) return view(authorization_);
        return std::nullopt;
    }
};

// The decoded value of the first occurrence of `name` in a form body, if any.
std::optional<std::string> form_value(std::string_view body, std::string_view name) {
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view sequence = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        const auto eq = sequence.find('=');
        if (fuzz_reference::form_decode(sequence.substr(0, eq)) == name)
            return eq == std::string_view::npos ? std::string{} : fuzz_reference::form_decode(sequence.substr(eq + 1));
    }
    return std::nullopt;
}

// Lenient base64 decoding of the credentials of a Basic header (it is only used on
// headers that oauthcore accepted).
std::optional<std::string> basic_user_pass(std::string_view header) {
    while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
    while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
    if (header.size() < 6) return std::nullopt;
    header.remove_prefix(6);
    while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (const char c : header) {
        const auto position =
            std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/").find(c);
        if (position == std::string_view::npos) break;
        bits = (bits << 6) | static_cast<unsigned>(position);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xFF);
        }
    }
    return out;
}

std::string_view header_value(const oauthcore::response& r, std::string_view name) {
    const auto value = r.header(name);
    require(value.has_value());
    return *value;
}

// The error body the response reports, written independently of the response.
std::string error_body(const oauthcore::error_details& details) {
    std::string description(details.description_size(), '\0');
    oauthcore::write_description(details, description.data());
    std::string body(oauthcore::error_json_size(details.code, description), '\0');
    oauthcore::write_error_json(details.code, description, body.data());
    return body;
}

// What the endpoint of every grant recognises (a superset of the vendor's endpoint's):
// the names an error description may carry.
using endpoint_parameters = all_grants<recording_client_store, recording_user_store, counted_refresh_tokens,
                                       counted_codes, counted_devices>::endpoint_type::parameters;

// Every text a response may carry that no client chose: descriptions, codes, headers.
std::vector<std::string> fixed_texts() {
    std::vector<std::string> texts{std::string(token_body),
                                   std::string(service_token_body),
                                   "application/json;charset=UTF-8",
                                   "no-store",
                                   "no-cache",
                                   "Basic realm=\"oauthcore\"",
                                   "POST"};
    std::vector<oauthcore::parameter_name> names{oauthcore::parameter_name{}};
    for (const std::string_view name : endpoint_parameters::names)
        names.push_back(oauthcore::detail::declared_name(name));
    for (std::size_t i = 0; i < oauthcore::reason_count; ++i)
        for (const auto& name : names)
            for (const auto profile : {oauthcore::profile::social_id, oauthcore::profile::rfc6749})
                texts.push_back(error_body(oauthcore::describe({static_cast<oauthcore::reason>(i), name}, profile)));
    return texts;
}

bool is_fixed_text(const std::string& s) {
    static const std::vector<std::string> texts = fixed_texts();
    for (const auto& text : texts)
        if (text.find(s) != std::string::npos) return true;
    return false;
}

void must_not_contain(const oauthcore::response& r, const std::string& sent) {
    if (sent.size() < 4 || is_fixed_text(sent)) return;
    require(r.body.find(sent) == std::string_view::npos);
    for (const auto& h : r.headers()) require(h.value.find(sent) == std::string_view::npos);
}

// Status, headers and body, whatever the grant.
void check_response(const oauthcore::response& r, const fuzz_request& request,
                    const oauthcore::endpoint_options& options, const oauthcore::fixed_token_issuer& issuer,
                    std::string_view grant_type) {
    require(r.status == 200 || r.status == 400 || r.status == 401 || r.status == 405 || r.status == 500);
    require(r.reason_phrase == oauthcore::reason_phrase(r.status));
    require(header_value(r, "Content-Type") == "application/json;charset=UTF-8");
    require(header_value(r, "Cache-Control") == "no-store");
    require(header_value(r, "Pragma") == "no-cache");
    require(r.header("WWW-Authenticate").has_value() == (r.status == 401));
    if (r.status == 401) require(header_value(r, "WWW-Authenticate") == "Basic realm=\"oauthcore\"");
    require(r.header("Allow").has_value() == (r.status == 405));
    if (r.status == 405) require(header_value(r, "Allow") == "POST");
    require(r.headers().size() == 3u + (r.status == 401) + (r.status == 405));
    require((r.status == 405) == (request.method() != "POST"));

    const auto json = nlohmann::json::parse(r.body.begin(), r.body.end(), nullptr, false);
    require(!json.is_discarded() && json.is_object());
    if (r.status != 200) {
        require(r.error.has_value());
        const auto details = oauthcore::describe(*r.error, options.profile);
        require(details.status == r.status);
        require(r.body == error_body(details));
    } else {
        require(!r.error.has_value());
        require(r.body == (grant_type == "client_credentials" ? service_token_body : token_body));
        require(issuer.issued() == 1);
    }

    // Nothing secret comes back.
    for (const char* name : {"password", "client_secret", "refresh_token", "code", "code_verifier", "device_code"})
        if (const auto sent = form_value(request.body(), name)) must_not_contain(r, *sent);
}

// A 200 only for a client that matches its record and may use the grant, with the
// credentials the request carried.
void check_client(const recording_client_store& clients, const fuzz_request& request,
                  const oauthcore::endpoint_options& options, std::string_view grant_type) {
    require(clients.answered == oauthcore::outcome_status::accepted);
    const auto& [id, secret] = *clients.asked;
    const client_record* record = nullptr;
    for (const auto& r : client_records)
        if (r.id == id) record = &r;
    require(record != nullptr && has_token(record->grant_types, grant_type));
    const std::string_view body = request.body();
    if (*clients.asked_method == "none") {
        // RFC 6749 2.1: a public client, only where public clients are on, on a grant that
        // takes them, naming itself in the body.
        require(options.allow_public_clients && record->method == "none");
        require(grant_type == "refresh_token" || grant_type == "authorization_code" || grant_type == device_grant_type);
        require(!request.has_authorization);
        require(form_value(body, "client_id") == id);
        return;
    }
    require(record->method.empty() && record->secret == secret);
    if (request.has_authorization) {
        const auto user_pass = basic_user_pass(*request.header("Authorization"));
        require(user_pass.has_value());
        const auto colon = user_pass->find(':');
        require(colon != std::string::npos);
        const std::string_view raw_id = std::string_view(*user_pass).substr(0, colon);
        const std::string_view raw_secret = std::string_view(*user_pass).substr(colon + 1);
        const bool raw = options.basic.decoding == oauthcore::credential_decoding::raw;
        require(id == (raw ? std::string(raw_id) : fuzz_reference::form_decode(raw_id)));
        require(secret == (raw ? std::string(raw_secret) : fuzz_reference::form_decode(raw_secret)));
        // A body client_id next to Basic names the same client (RFC 6749 3.2.1).
        if (const auto body_id = form_value(body, "client_id"); body_id && !body_id->empty()) require(*body_id == id);
    } else {
        require(options.allow_body_client_auth);
        require(*clients.asked_method == "client_secret_post");
        require(form_value(body, "client_id") == id);
        require(form_value(body, "client_secret").value_or("") == secret);
    }
}

// A 200 for the password grant only for a user that matches its record, as sent.
void check_user(const recording_user_store& users, const fuzz_request& request) {
    require(users.answered == oauthcore::outcome_status::accepted);
    const auto& [who, password] = *users.asked;
    bool user_matches = false;
    for (const auto& record : user_records) {
        const std::string& key =
            who.kind == oauthcore::identifier_kind::username ? record.username : record.email_address;
        user_matches = user_matches || (!key.empty() && key == *users.asked_value && record.password == password);
    }
    require(user_matches);
    const std::string_view identifier_name =
        who.kind == oauthcore::identifier_kind::username ? "username" : "email_address";
    require(form_value(request.body(), identifier_name) == *users.asked_value);
    require(form_value(request.body(), "password") == password);
}

// A 200 for the other grants only with what each needs, by the tables above.
void check_grant(std::string_view grant_type, const std::string& client_id, bool public_client,
                 const fuzz_request& request, bool allow_plain) {
    const std::string_view body = request.body();
    if (grant_type == "client_credentials") {
        require(!public_client);  // RFC 6749 4.4.2
    } else if (grant_type == "refresh_token") {
        const auto token = form_value(body, "refresh_token");
        bool known = false;
        for (const auto& r : refresh_records) known = known || (token == r.token && r.client_id == client_id);
        require(known);
    } else if (grant_type == "authorization_code") {
        const auto code = form_value(body, "code");
        const code_record* record = nullptr;
        for (const auto& r : code_records)
            if (code == r.code) record = &r;
        require(record != nullptr && record->client_id == client_id && !record->spent &&
                now_seconds < record->expires_at);
        if (!record->redirect_uri.empty()) require(form_value(body, "redirect_uri") == record->redirect_uri);
        const std::string verifier = form_value(body, "code_verifier").value_or("");
        if (record->challenge.empty())
            require(verifier.empty() && !public_client);
        else if (record->method == "S256")
            require(verifier == s256_verifier);
        else
            require(allow_plain && verifier == record->challenge);
    } else if (grant_type == device_grant_type) {
        const auto device_code = form_value(body, "device_code");
        bool approved = false;
        for (const auto& r : device_records)
            approved =
                approved || (device_code == r.device_code && r.client_id == client_id &&
                             r.state == oauthcore::device_authorization_state::approved && now_seconds < r.expires_at);
        require(approved);
    } else {
        require(false);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const unsigned flags = data[0];
    std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto next_line = [&rest] {
        const auto newline = rest.find('\n');
        const std::string_view line = rest.substr(0, newline);
        rest = newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
        return std::vector<char>(line.begin(), line.end());
    };
    fuzz_request request;
    request.method_ = next_line();
    request.target_ = next_line();
    request.content_type_ = next_line();
    request.authorization_ = next_line();
    request.body_.assign(rest.begin(), rest.end());
    request.has_content_type = (flags & 1) != 0;
    request.has_authorization = (flags & 2) != 0;

    oauthcore::endpoint_options options;
    options.profile = (flags & 4) != 0 ? oauthcore::profile::rfc6749 : oauthcore::profile::social_id;
    options.allow_body_client_auth = (flags & 8) != 0;
    options.allow_public_clients = (flags & 8) != 0;
    options.basic.decoding =
        (flags & 16) != 0 ? oauthcore::credential_decoding::raw : oauthcore::credential_decoding::form_urlencoded;
    if ((flags & 32) != 0) {
        options.limits = {256, 8, 64};
        options.basic.max_header_bytes = 128;
    }
    oauthcore::authorization_code_options code_options;
    code_options.allow_plain = (flags & 4) != 0;
    const bool client_store_fails = (flags & 128) != 0;
    const bool issuer_fails = (flags & 64) != 0;
    const std::string grant_type = form_value(request.body(), "grant_type").value_or("");

    // The vendor's endpoint: the password grant alone.
    {
        recording_client_store clients;
        clients.failing = client_store_fails;
        recording_user_store users;
        oauthcore::fixed_token_issuer issuer({access_token, 604800, refresh_token, {}});
        issuer.set_failing(issuer_fails);
        oauthcore::exchange_storage storage;
        const oauthcore::response r =
            oauthcore::handle_token_request(request, clients, users, issuer, storage, options);
        check_response(r, request, options, issuer, grant_type);
        if (r.status == 200) {
            require(grant_type == "password");
            check_client(clients, request, options, grant_type);
            check_user(users, request);
        }
    }

    // Every grant, with stores that answer now.
    recording_client_store clients;
    clients.failing = client_store_fails;
    recording_user_store users;
    grant_stores stores;
    counted_refresh_tokens refresh_tokens{&stores};
    counted_codes codes{&stores};
    counted_devices devices{&stores};
    oauthcore::fixed_token_issuer issuer({access_token, 604800, refresh_token, {}});
    issuer.set_failing(issuer_fails);
    oauthcore::exchange_storage storage;
    all_grants now(clients, users, refresh_tokens, codes, devices, issuer, options, code_options);
    const oauthcore::response r = now.endpoint.handle(request, storage);
    check_response(r, request, options, issuer, grant_type);
    if (r.status == 200) {
        check_client(clients, request, options, grant_type);
        if (grant_type == "password")
            check_user(users, request);
        else
            check_grant(grant_type, clients.asked->first, *clients.asked_method == "none", request,
                        code_options.allow_plain);
    }

    // With stores that answer later, the same bytes; and no store is asked about a
    // request that fails before step 11.
    pending queue;
    later_client_store later_clients{{}, &queue};
    later_clients.inner.failing = client_store_fails;
    later_user_store later_users{{}, &queue};
    grant_stores later_stores;
    later_refresh_tokens later_refresh{{&later_stores}, &queue};
    later_codes later_code_store{{&later_stores}, &queue};
    later_devices later_device_store{{&later_stores}, &queue};
    oauthcore::fixed_token_issuer later_issuer({access_token, 604800, refresh_token, {}});
    later_issuer.set_failing(issuer_fails);
    all_grants later(later_clients, later_users, later_refresh, later_code_store, later_device_store, later_issuer,
                     options, code_options);
    oauthcore::exchange_storage later_storage;
    oauthcore::response out;
    int finished = 0;
    later.endpoint.handle_async(request, later_storage, out, [&finished](const oauthcore::response&) { ++finished; });
    if (queue.empty()) {
        require(finished == 1);
        require(!clients.asked && !users.asked && stores.asked == 0 && issuer.issued() == 0);
    }
    for (std::size_t i = 0; i < queue.size(); ++i) queue[i]();
    require(finished == 1);
    require(out.status == r.status && out.body == r.body && out.error == r.error);
    require(out.headers().size() == r.headers().size());
    return 0;
}
