// Fuzz target for endpoint.hpp: the whole exchange, with in-memory stores.
//
// Input layout: one flags byte, then method, target, Content-Type and Authorization
// separated by '\n', then the body (the rest, any bytes). Flags:
//   bit 0 Content-Type present        bit 4 credential_decoding::raw
//   bit 1 Authorization present       bit 5 tight limits (body, parameters, header)
//   bit 2 profile rfc6749             bit 6 the token issuer fails
//   bit 3 client_secret_post and      bit 7 the client store fails
//         public clients allowed
//
// Invariants, for every input:
//  - the status is one of 200, 400, 401, 405, 500, with its reason phrase;
//  - Content-Type, Cache-Control: no-store and Pragma: no-cache are present, with their
//    fixed values; WWW-Authenticate iff 401, Allow iff 405, and no other header;
//  - the body is valid JSON (nlohmann/json, in this harness only); an error body is
//    exactly the fixed body of the error the response reports, so that no byte the
//    client sent can appear in it; a 200 body is exactly the issued token's;
//  - a 200 only when the stores were asked with credentials that match one of their
//    records, compared here as plain strings, and those credentials are the ones the
//    request carried, read here independently (base64 and form decoding written out);
//  - no response contains the password or client secret sent (where it is not a
//    substring of the fixed texts anyway);
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

struct client_record {
    std::string id;
    std::string secret;
    bool password_grant;
};
// The vendor's client, RFC 6749's example client (2.3.1), and ids and secrets that only
// one of the two credential decodings can reach.
const std::array<client_record, 5> client_records{{
    {"138", "e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf", true},
    {"no-password-grant", "other-secret", false},
    {"s6BhdRkqt3", "gX1fBat3bV", true},
    {"a:b c%", "s+cr%t:", true},
    {"raw+id%", "s+cr%t:", true},
}};

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
        for (const auto& r : client_records) inner.add(r.id, r.secret, r.password_grant ? "password" : "refresh_token");
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

static_assert(oauthcore::client_store<recording_client_store>);
static_assert(oauthcore::user_store<recording_user_store>);

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

// What the vendor's endpoint recognises (the names an error description may carry).
using endpoint_parameters = oauthcore::token_endpoint<
    recording_client_store, oauthcore::default_client_authentication,
    oauthcore::password_grant<recording_user_store, oauthcore::fixed_token_issuer>>::parameters;

// Every text a response may carry that no client chose: descriptions, codes, headers.
std::vector<std::string> fixed_texts() {
    std::vector<std::string> texts{std::string(token_body),
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
    recording_client_store clients;
    clients.failing = (flags & 128) != 0;
    recording_user_store users;
    oauthcore::fixed_token_issuer issuer({access_token, 604800, refresh_token, {}});
    issuer.set_failing((flags & 64) != 0);
    oauthcore::exchange_storage storage;

    const oauthcore::response r = oauthcore::handle_token_request(request, clients, users, issuer, storage, options);

    // Status, reason phrase, headers.
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

    // The body.
    const auto json = nlohmann::json::parse(r.body.begin(), r.body.end(), nullptr, false);
    require(!json.is_discarded() && json.is_object());
    if (r.status != 200) {
        require(r.error.has_value());
        const auto details = oauthcore::describe(*r.error, options.profile);
        require(details.status == r.status);
        require(r.body == error_body(details));
    } else {
        require(!r.error.has_value());
        require(r.body == token_body);
        require(issuer.issued() == 1);
    }

    // With stores that answer later, the same bytes; and no store is asked about a
    // request that fails before step 11.
    {
        pending queue;
        later_client_store later_clients{{}, &queue};
        later_clients.inner.failing = clients.failing;
        later_user_store later_users{{}, &queue};
        oauthcore::fixed_token_issuer later_issuer({access_token, 604800, refresh_token, {}});
        later_issuer.set_failing((flags & 64) != 0);
        oauthcore::password_grant password{later_users, later_issuer};
        oauthcore::token_endpoint endpoint{later_clients, options, password};
        oauthcore::exchange_storage later_storage;
        oauthcore::response later;
        int finished = 0;
        endpoint.handle_async(request, later_storage, later, [&finished](const oauthcore::response&) { ++finished; });
        if (queue.empty()) {
            require(finished == 1);
            require(!clients.asked && !users.asked && issuer.issued() == 0);
        }
        for (std::size_t i = 0; i < queue.size(); ++i) queue[i]();
        require(finished == 1);
        require(later.status == r.status && later.body == r.body && later.error == r.error);
        require(later.headers().size() == r.headers().size());
    }

    // A 200 only for credentials that match the records, and that the request carried.
    if (r.status == 200) {
        require(clients.answered == oauthcore::outcome_status::accepted &&
                users.answered == oauthcore::outcome_status::accepted);
        const auto& [id, secret] = *clients.asked;
        bool client_matches = false;
        for (const auto& record : client_records)
            client_matches = client_matches || (record.id == id && record.secret == secret && record.password_grant);
        require(client_matches);
        const auto& [who, password] = *users.asked;
        bool user_matches = false;
        for (const auto& record : user_records) {
            const std::string& key =
                who.kind == oauthcore::identifier_kind::username ? record.username : record.email_address;
            user_matches = user_matches || (!key.empty() && key == *users.asked_value && record.password == password);
        }
        require(user_matches);

        const std::string_view body = request.body();
        const std::string_view identifier_name =
            who.kind == oauthcore::identifier_kind::username ? "username" : "email_address";
        require(form_value(body, identifier_name) == *users.asked_value);
        require(form_value(body, "password") == password);
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
            if (const auto body_id = form_value(body, "client_id"); body_id && !body_id->empty())
                require(*body_id == id);
        } else {
            require(options.allow_body_client_auth);
            require(*clients.asked_method == "client_secret_post");
            require(form_value(body, "client_id") == id);
            require(form_value(body, "client_secret").value_or("") == secret);
        }
    }

    // Nothing secret comes back.
    if (const auto password = form_value(request.body(), "password")) must_not_contain(r, *password);
    if (const auto secret = form_value(request.body(), "client_secret")) must_not_contain(r, *secret);
    if (clients.asked) must_not_contain(r, clients.asked->second);
    if (users.asked) must_not_contain(r, users.asked->second);
    return 0;
}
