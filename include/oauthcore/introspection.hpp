#pragma once
// The introspection endpoint (RFC 7662): a protected resource asks whether a token is
// active, and what it stands for.
//
//   POST /introspect   Content-Type: application/x-www-form-urlencoded
//   token=...[&token_type_hint=access_token|refresh_token]     (+ client authentication)
//
//   200 {"active":true,"scope":"…","client_id":"…","username":"…","token_type":"…",
//        "exp":…,"iat":…,"sub":"…"}      (RFC 7662 2.2, in its order; a member the token
//                                          lacks, or the caller may not see, left out)
//   200 {"active":false}                  anything else: unknown, revoked, expired, or not
//                                          the caller's to see (RFC 7662 2.2, 4)
//
// The order of checks. Steps 1-6 and 11-12 are the token endpoint's (client_endpoint.hpp).
//   1-6. transport, form, client authentication               400 / 401 / 405
//   7. the caller authenticated: a public client ("none")     401 invalid_client
//      cannot (RFC 7662 2.1: "the endpoint MUST also require some form of authorization")
//   8. token given                                            400 invalid_request
//   9. token_type_hint: access_token or refresh_token orders the search; any other value
//      is ignored ("An authorization server MAY ignore this parameter", RFC 7662 2.1)
//   --- no store has been asked anything before this line ---
//  11-12. the client store, the registered method             401 / 500
//  13. the token store finds the token, the hinted kind first, then the other
//      (token_store.hpp); none: {"active":false}; failed:    500 server_error
//  14. not expired: the clock reads before expires_at (when the token has one); else
//      {"active":false}
//  15. the host's policy says what this caller may see of this token (below); nothing:
//      {"active":false}
//  16. 200 with the members the policy allows and the token has
//
// What a caller may see is the host's decision, made per request by the policy it passes:
// a callable `introspection_disclosure (const Client& caller, const Record& token,
// token_kind kind) const`. oauthcore writes only the members it allows (never more), and
// an inactive answer whenever it does not allow `active`: RFC 7662 4 lets the server
// answer {"active":false} to a caller that may not know about a token, so that the
// answer does not tell it the token exists. A resource server typically sees the tokens
// meant for it; a client, perhaps, its own.
//
// Strings are written with json.hpp's writer (escaped; invalid UTF-8 as \ufffd).

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/client_authentication.hpp"
#include "oauthcore/client_endpoint.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/token_store.hpp"

namespace oauthcore {

// What introspection reports of a token (RFC 7662 2.2). Empty strings and nullopt times
// are left out of the answer.
//   scope()       the scope granted (RFC 6749 3.3)
//   username()    the resource owner's human-readable name; empty when none
//   subject()     sub: the resource owner's identifier; empty when none
//   token_type()  e.g. "bearer", as the token response named it (RFC 6749 5.1); empty for none
//   issued_at()   iat, expires_at() exp: seconds since the epoch (RFC 7662 2.2: "integer
//                 timestamp, measured in the number of seconds since January 1 1970 UTC"),
//                 in the clock's seconds; std::optional<std::uint64_t> (or a std::uint64_t)
// plus client_id() (token_record).
template <class R>
concept introspection_record = token_record<R> && requires(const R& record) {
    { record.scope() } -> std::convertible_to<std::string_view>;
    { record.username() } -> std::convertible_to<std::string_view>;
    { record.subject() } -> std::convertible_to<std::string_view>;
    { record.token_type() } -> std::convertible_to<std::string_view>;
    { record.issued_at() } -> std::convertible_to<std::optional<std::uint64_t>>;
    { record.expires_at() } -> std::convertible_to<std::optional<std::uint64_t>>;
};

// Which members of an active token's answer a caller may see. `active` false: the caller
// is answered {"active":false}, whatever else is set.
struct introspection_disclosure {
    bool active = false;
    bool scope = false;
    bool client_id = false;
    bool username = false;
    bool token_type = false;
    bool exp = false;
    bool iat = false;
    bool sub = false;
};

inline constexpr introspection_disclosure disclose_nothing{};
inline constexpr introspection_disclosure disclose_active_only{true};
inline constexpr introspection_disclosure disclose_everything{true, true, true, true, true, true, true, true};

// The host's policy (see the top of this header).
template <class P, class Client, class Record>
concept introspection_policy = requires(const P& policy, const Client& caller, const Record& token, token_kind kind) {
    { policy(caller, token, kind) } -> std::convertible_to<introspection_disclosure>;
};

// The members one answer carries: what the policy allows of what the token has.
struct introspection_fields {
    std::string_view scope;
    std::string_view client_id;
    std::string_view username;
    std::string_view token_type;
    std::optional<std::uint64_t> exp;
    std::optional<std::uint64_t> iat;
    std::string_view sub;
};

namespace detail {

inline constexpr std::string_view inactive_json = "{\"active\":false}";

// Counts when dest is nullptr, writes otherwise (json.hpp's json_writer).
constexpr std::size_t introspection_json(const introspection_fields& f, char* dest) noexcept {
    json_writer json(dest);
    json.raw("{\"active\":true");
    const auto member = [&json](std::string_view name, std::string_view value) {
        if (value.empty()) return;
        json.raw(",\"");
        json.raw(name);
        json.raw("\":");
        json.string(value);
    };
    const auto number = [&json](std::string_view name, std::optional<std::uint64_t> value) {
        if (!value) return;
        json.raw(",\"");
        json.raw(name);
        json.raw("\":");
        json.number(*value);
    };
    member("scope", f.scope);
    member("client_id", f.client_id);
    member("username", f.username);
    member("token_type", f.token_type);
    number("exp", f.exp);
    number("iat", f.iat);
    member("sub", f.sub);
    json.raw("}");
    return json.size();
}

constexpr void add_json_headers(response& r) noexcept {
    (void)r.add_header("Content-Type", json_content_type);
    (void)r.add_header("Cache-Control", "no-store");
    (void)r.add_header("Pragma", "no-cache");
}

}  // namespace detail

// The exact bytes write_introspection_json writes for an active token's answer.
[[nodiscard]] constexpr std::size_t introspection_json_size(const introspection_fields& fields) noexcept {
    return detail::introspection_json(fields, nullptr);
}

// Writes an active token's answer into `dest` (room for introspection_json_size bytes).
constexpr std::size_t write_introspection_json(const introspection_fields& fields, char* dest) noexcept {
    return detail::introspection_json(fields, dest);
}

// The fields of `record` that `disclosure` allows.
template <introspection_record Record>
[[nodiscard]] constexpr introspection_fields disclosed_fields(const Record& record,
                                                              const introspection_disclosure& disclosure) {
    introspection_fields fields;
    if (disclosure.scope) fields.scope = record.scope();
    if (disclosure.client_id) fields.client_id = record.client_id();
    if (disclosure.username) fields.username = record.username();
    if (disclosure.token_type) fields.token_type = record.token_type();
    if (disclosure.exp) fields.exp = record.expires_at();
    if (disclosure.iat) fields.iat = record.issued_at();
    if (disclosure.sub) fields.sub = record.subject();
    return fields;
}

namespace detail {

constexpr void fill_inactive_response(response& r) noexcept {
    r.status = 200;
    r.reason_phrase = reason_phrase(200);
    r.body = inactive_json;
    add_json_headers(r);
}

template <class Storage>
constexpr void fill_introspection_response(response& r, const introspection_fields& fields, Storage& storage,
                                           const response_options& options) noexcept {
    const std::size_t size = introspection_json_size(fields);
    storage.expect_more(size);
    char* const dest = storage.take(size);
    if (dest == nullptr) return fill_error_response(r, error{reason::out_of_memory}, storage, options);
    r.status = 200;
    r.reason_phrase = reason_phrase(200);
    r.body = {dest, write_introspection_json(fields, dest)};
    add_json_headers(r);
}

}  // namespace detail

// The introspection endpoint over the token endpoint's client store, the host's
// token_store (whose records model introspection_record), its policy and a clock.
// Example:
//   const auto policy = [](const my_client& caller, const auto& /*token*/, oauthcore::token_kind kind) {
//       return caller.is_resource_server() && kind == oauthcore::token_kind::access_token
//                  ? oauthcore::disclose_everything : oauthcore::disclose_nothing;
//   };
//   oauthcore::introspection_endpoint introspect{clients, tokens, policy, clock, options};
//   oauthcore::response r = introspect.handle(request, storage);
template <class Clients, class Tokens, class Policy, class Clock, class Methods = default_client_authentication>
class introspection_endpoint
    : public detail::client_endpoint_api<introspection_endpoint<Clients, Tokens, Policy, Clock, Methods>> {
    static_assert(detail::is_client_authentication_methods<Methods>,
                  "oauthcore: introspection_endpoint: Methods is a client_authentication_methods<...>");
    static_assert(detail::check_client_store<Clients>());
    static_assert(detail::check_token_store<Tokens>());
    static_assert(introspection_record<typename Tokens::record_type>,
                  "oauthcore: introspection_endpoint: the token store's record_type needs the members client_id(), "
                  "scope(), username(), subject(), token_type(), issued_at() and expires_at() "
                  "(introspection_record)");
    static_assert(introspection_policy<Policy, typename Clients::client_type, typename Tokens::record_type>,
                  "oauthcore: introspection_endpoint: the policy must be callable as policy(const client_type& "
                  "caller, const record_type& token, token_kind) const, returning introspection_disclosure");
    static_assert(detail::check_seconds_clock<Clock>());
    friend class detail::client_endpoint_api<introspection_endpoint>;

public:
    using client_type = typename Clients::client_type;
    using record_type = typename Tokens::record_type;
    using parameters =
        parameter_union<parameter_list<"client_id", "token", "token_type_hint">, typename Methods::parameters>;
    using form_type = form_fields<parameters>;

    introspection_endpoint(Clients& clients, Tokens& tokens, Policy policy, Clock clock,
                           const endpoint_options& options)
        : clients_(clients), tokens_(tokens), policy_(std::move(policy)), clock_(std::move(clock)), options_(options) {}
    introspection_endpoint(Clients& clients, Tokens& tokens, Policy policy, Clock clock,
                           const endpoint_options& options, Methods methods)
        : clients_(clients),
          tokens_(tokens),
          policy_(std::move(policy)),
          clock_(std::move(clock)),
          options_(options),
          methods_(std::move(methods)) {}

    [[nodiscard]] const endpoint_options& options() const noexcept { return options_; }

private:
    template <bool Later, class Observer, class Finish>
    void run(const request_view& request, exchange_storage& storage, response& out, Observer& observer,
             const Finish& finish) {
        const detail::client_endpoint_io<Later, Observer, Finish> io{storage, out, observer, finish, &options_};
        // Steps 1-6.
        form_type form;
        client_authentication presented;
        if (error failure; !detail::read_client_request(request, methods_, options_, storage, form, presented, failure))
            return io.fail(failure);
        // Step 7.
        if (presented.method == public_client_method) return io.fail(error{reason::client_authentication_required});
        // Step 8.
        const std::string_view token = form[param<"token">];
        if (token.empty()) return io.fail(error{reason::missing_parameter, param<"token">});
        // Step 9.
        const std::optional<token_kind> hint = parse_token_type_hint(form[param<"token_type_hint">]);
        // Step 11: the first store.
        const detail::store_asker<Later> asker{};
        ask_client_store(asker, clients_, presented, [this, asker, presented, token, hint, io](const auto& found) {
            // Steps 11-12.
            if (const auto checked = detail::check_found_client(found, presented, io.observer); !checked)
                return io.fail(checked.error());
            // Step 13. The caller is copied into the continuation: the client store's
            // outcome is gone when the token store answers later.
            find_token_of_any_kind(
                asker, tokens_, token, hint,
                [this, caller = found.value(), io](const outcome<record_type>& located, token_kind kind) {
                    answer(located, kind, caller, io);
                });
        });
    }

    // Steps 13-16.
    template <class Io>
    void answer(const outcome<record_type>& located, token_kind kind, const client_type& caller, const Io& io) {
        switch (located.status()) {
            case outcome_status::failed: return io.fail(error{reason::token_store_failure});
            case outcome_status::rejected: detail::fill_inactive_response(io.out); return io.done();
            case outcome_status::accepted: break;
        }
        const record_type& record = located.value();
        // Step 14.
        const std::optional<std::uint64_t> expires_at = record.expires_at();
        if (expires_at && static_cast<std::uint64_t>(clock_()) >= *expires_at) {
            detail::fill_inactive_response(io.out);
            return io.done();
        }
        // Step 15.
        const introspection_disclosure disclosure = policy_(caller, record, kind);
        if (!disclosure.active) {
            detail::fill_inactive_response(io.out);
            return io.done();
        }
        // Step 16.
        detail::fill_introspection_response(io.out, disclosed_fields(record, disclosure), io.storage.response,
                                            options_.responses());
        io.done();
    }

    Clients& clients_;
    Tokens& tokens_;
    Policy policy_;
    Clock clock_;
    endpoint_options options_;
    Methods methods_{};
};

template <class Clients, class Tokens, class Policy, class Clock>
introspection_endpoint(Clients&, Tokens&, Policy, Clock, const endpoint_options&)
    -> introspection_endpoint<Clients, Tokens, Policy, Clock, default_client_authentication>;

template <class Clients, class Tokens, class Policy, class Clock, class... Methods>
introspection_endpoint(Clients&, Tokens&, Policy, Clock, const endpoint_options&,
                       client_authentication_methods<Methods...>)
    -> introspection_endpoint<Clients, Tokens, Policy, Clock, client_authentication_methods<Methods...>>;

}  // namespace oauthcore
