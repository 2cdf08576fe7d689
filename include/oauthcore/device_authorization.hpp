#pragma once
// The device authorization endpoint (RFC 8628 3.1, 3.2): a device asks for a device code
// to poll the token endpoint with (device_code_grant.hpp), and a user code its user
// enters at the verification URI on another device.
//
//   POST /device_authorization   Content-Type: application/x-www-form-urlencoded
//   client_id=...[&scope=...]     (a public client; or a confidential one, authenticated)
//
//   200 {"device_code":"…","user_code":"WDJB-MJHT","verification_uri":"https://…/device",
//        "verification_uri_complete":"https://…/device?user_code=WDJB-MJHT",
//        "expires_in":1800,"interval":5}
//
// The host makes the codes and records the request (its device_authorization_issuer);
// oauthcore checks the user code against the format the host configured, a format that
// follows RFC 8628 6.1 (below), and writes the answer.
//
// The order of checks. Steps 1-6 and 11-12 are the token endpoint's (client_endpoint.hpp):
// with endpoint_options::allow_public_clients, a public client names itself with
// client_id alone (RFC 8628 3.1: "client_id REQUIRED if the client is not authenticating").
//   0. the endpoint's configuration: the user code format (RFC 8628 6.1) and the
//      verification URI; a misconfigured endpoint answers every request    500 server_error
//   1-6. transport, form, client authentication                             400 / 401 / 405
//   7. scope, when given, RFC 6749 3.3 syntax                               400 invalid_scope
//   --- no store has been asked anything before this line ---
//  11-12. the client store, the registered method                           401 / 500
//  13. the client may use the device_code grant                             400 unauthorized_client
//  14. the client's scope hook accepts the scope                            400 invalid_scope
//  15. the issuer makes and records the codes                               500 when it fails
//  16. what it made can be sent: a device code of VSCHAR (RFC 6749 Appendix A), a user
//      code in the configured format, a lifetime above zero                 500 server_error
//  17. 200 with the codes, verification_uri, verification_uri_complete (when enabled),
//      expires_in, and interval (left out when zero: the client then waits 5 seconds)
//
// User codes (RFC 8628 6.1: "The user code SHOULD have enough entropy that, when combined
// with rate-limiting and other mitigations, makes a brute-force attack infeasible"; its
// examples are 8 characters of the base-20 set BCDFGHJKLMNPQRSTVWXZ, about 34.5 bits,
// and 9 digits, about 29.9 bits). A user_code_format is checked (validate_user_code_format,
// usable in a static_assert), and refused when:
//  - its set holds anything but upper-case ASCII letters and digits (a user code is
//    compared case-insensitively: typed lower case is upper-cased, so a lower-case letter
//    would never match), or a character twice;
//  - its set holds characters easily confused with each other ("0" and "O"; two of "1",
//    "I" and "L", RFC 8628 6.1's example pairs), whichever of them a user reads;
//  - its codes carry fewer than min_user_code_bits bits (29: RFC 8628 6.1's 9 digits pass,
//    8 digits do not), or are longer than max_user_code_length characters (a user types it).
// What the user types is read back by normalize_user_code: upper-cased, every character
// outside the set ignored (the dashes, spaces; RFC 8628 6.1), so that the host's store can
// find the code by its compact form.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/client_authentication.hpp"
#include "oauthcore/client_endpoint.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/device_code_grant.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/scope.hpp"
#include "oauthcore/uri.hpp"

namespace oauthcore {

inline constexpr unsigned min_user_code_bits = 29;
inline constexpr std::size_t max_user_code_length = 16;

// How the host's user codes look: `length` characters of `charset`, shown in groups of
// `group` joined by "-" (0: one group).
struct user_code_format {
    std::string_view charset = "BCDFGHJKLMNPQRSTVWXZ";  // RFC 8628 6.1's base-20: no vowels, nothing confusable
    std::size_t length = 8;
    std::size_t group = 4;
};

// RFC 8628 6.1's two examples: "WDJB-MJHT", and "019-450-730".
inline constexpr user_code_format base20_user_code_format{};
inline constexpr user_code_format numeric_user_code_format{"0123456789", 9, 3};

enum class user_code_format_error : unsigned char {
    charset_not_upper_case_alphanumeric,
    repeated_character,
    confusable_characters,
    too_little_entropy,
    too_long,
};

[[nodiscard]] constexpr std::string_view to_string(user_code_format_error e) noexcept {
    switch (e) {
        case user_code_format_error::charset_not_upper_case_alphanumeric: return "charset_not_upper_case_alphanumeric";
        case user_code_format_error::repeated_character: return "repeated_character";
        case user_code_format_error::confusable_characters: return "confusable_characters";
        case user_code_format_error::too_little_entropy: return "too_little_entropy";
        case user_code_format_error::too_long: return "too_long";
    }
    return "unknown";
}

// Whether `format` follows RFC 8628 6.1 (see the top of this header).
[[nodiscard]] constexpr basic_result<void, user_code_format_error> validate_user_code_format(
    const user_code_format& format) noexcept {
    using failure = unexpected<user_code_format_error>;
    const std::string_view set = format.charset;
    for (std::size_t i = 0; i < set.size(); ++i) {
        const char c = set[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return failure(user_code_format_error::charset_not_upper_case_alphanumeric);
        if (set.find(c, i + 1) != std::string_view::npos) return failure(user_code_format_error::repeated_character);
    }
    const auto has = [set](char c) { return set.find(c) != std::string_view::npos; };
    if ((has('0') && has('O')) || int{has('1')} + int{has('I')} + int{has('L')} > 1)
        return failure(user_code_format_error::confusable_characters);
    if (format.length > max_user_code_length) return failure(user_code_format_error::too_long);
    // size^length >= 2^min_user_code_bits, without overflow: stop multiplying once there.
    constexpr std::uint64_t needed = std::uint64_t{1} << min_user_code_bits;
    std::uint64_t codes = 1;
    for (std::size_t i = 0; i < format.length && codes < needed; ++i) codes *= set.size();
    if (set.size() < 2 || codes < needed) return failure(user_code_format_error::too_little_entropy);
    return {};
}

static_assert(validate_user_code_format(base20_user_code_format).has_value());
static_assert(validate_user_code_format(numeric_user_code_format).has_value());

// The characters of a user code shown in `format`: the code and a "-" between groups.
[[nodiscard]] constexpr std::size_t user_code_size(const user_code_format& format) noexcept {
    return format.length + (format.group == 0 || format.length == 0 ? 0 : (format.length - 1) / format.group);
}

// True when `code` is a user code of `format`: `length` characters of its set, either
// compact or with a "-" at each group boundary (and nowhere else).
[[nodiscard]] constexpr bool is_user_code(std::string_view code, const user_code_format& format) noexcept {
    const auto in_set = [&format](char c) { return format.charset.find(c) != std::string_view::npos; };
    if (code.size() == format.length) {
        for (const char c : code)
            if (!in_set(c)) return false;
        return true;
    }
    if (format.group == 0 || code.size() != user_code_size(format)) return false;
    for (std::size_t i = 0; i < code.size(); ++i) {
        const bool separator_here = (i + 1) % (format.group + 1) == 0;
        if (separator_here ? code[i] != '-' : !in_set(code[i])) return false;
    }
    return true;
}

// A user code of `format` written from `random` bytes (from the host's CSPRNG) into
// `dest` (room for user_code_size bytes), with the group dashes: each character takes one
// byte, those that would bias the choice are skipped (rejection sampling). Returns the
// size written, or nullopt when the bytes ran out (2 * length bytes almost never do;
// call again with fresh ones).
[[nodiscard]] constexpr std::optional<std::size_t> write_user_code(const user_code_format& format,
                                                                   std::string_view random, char* dest) noexcept {
    const std::size_t n = format.charset.size();
    if (n == 0) return std::nullopt;
    const std::size_t limit = 256 - 256 % n;  // bytes below it map to characters evenly
    std::size_t out = 0;
    std::size_t written = 0;
    for (const char r : random) {
        if (written == format.length) break;
        const auto byte = static_cast<unsigned char>(r);
        if (byte >= limit) continue;
        if (format.group != 0 && written != 0 && written % format.group == 0) dest[out++] = '-';
        dest[out++] = format.charset[byte % n];
        ++written;
    }
    if (written != format.length) return std::nullopt;
    return out;
}

// What a user typed at the verification page, as the host's store finds it: upper-cased
// (RFC 8628 6.1: case-insensitive), every character outside the set ignored, written to
// `dest` (room for `capacity` bytes). Returns the number of the set's characters typed
// (more than capacity when they did not all fit); a code of the format has `length`.
[[nodiscard]] constexpr std::size_t normalize_user_code(std::string_view typed, const user_code_format& format,
                                                        char* dest, std::size_t capacity) noexcept {
    std::size_t count = 0;
    for (char c : typed) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (format.charset.find(c) == std::string_view::npos) continue;
        if (count < capacity) dest[count] = c;
        ++count;
    }
    return count;
}

// What the host made for one device authorization request (RFC 8628 3.2):
//   device_code()   the code the device polls with: a secret of high entropy (RFC 8628 5.2)
//   user_code()     in the endpoint's user_code_format (write_user_code makes one)
//   expires_in()    seconds until both expire
//   interval()      the least seconds between polls; 0: not sent (the client waits 5)
template <class A>
concept device_authorization_codes = requires(const A& codes) {
    { codes.device_code() } -> std::convertible_to<std::string_view>;
    { codes.user_code() } -> std::convertible_to<std::string_view>;
    { codes.expires_in() } -> std::convertible_to<std::uint64_t>;
    { codes.interval() } -> std::convertible_to<std::uint64_t>;
};

// Example model: memory_device_authorization_issuer in memory_stores.hpp.
//   using codes_type = ...;  // models device_authorization_codes
//   outcome<codes_type> start_device_authorization(const Client& client, std::string_view scope);
//       makes the codes and records the request as pending, for the client and the scope,
//       where the device_code_store (device_code_grant.hpp) will find it; accept: the
//       codes; reject or fail: the request cannot be started (500).
// Asynchronous form: void start_device_authorization(const Client&, std::string_view, K then).
template <class I, class Client>
concept device_authorization_issuer = requires {
    typename I::codes_type;
}
&&device_authorization_codes<typename I::codes_type> &&
    (
        requires(I & issuer, const Client& client, std::string_view scope) {
            { issuer.start_device_authorization(client, scope) } -> std::same_as<outcome<typename I::codes_type>>;
        } ||
        requires(I & issuer, const Client& client, std::string_view scope,
                 detail::answer_probe<outcome<typename I::codes_type>> then) {
            issuer.start_device_authorization(client, scope, then);
        });

namespace detail {

template <class I, class Client>
constexpr bool check_device_authorization_issuer() {
    if constexpr (!requires { typename I::codes_type; }) {
        static_assert(always_false<I>,
                      "oauthcore: device_authorization_issuer: the issuer needs a member type codes_type");
        return false;
    } else if constexpr (!device_authorization_codes<typename I::codes_type>) {
        static_assert(always_false<I>,
                      "oauthcore: device_authorization_issuer: codes_type needs the members device_code(), "
                      "user_code(), expires_in() and interval() (device_authorization_codes)");
        return false;
    } else if constexpr (!device_authorization_issuer<I, Client>) {
        static_assert(always_false<I>,
                      "oauthcore: device_authorization_issuer: the issuer needs the member "
                      "start_device_authorization(const Client&, std::string_view scope) returning "
                      "outcome<codes_type>, or taking a continuation as a third argument and calling it with one");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

template <class Asker, class Issuer, class Client, class Then>
constexpr void ask_start_device_authorization(const Asker& asker, Issuer& issuer, const Client& client,
                                              std::string_view scope, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(issuer.start_device_authorization(
                                  client, scope, std::forward<decltype(answer)>(answer)...)) {
            return issuer.start_device_authorization(client, scope, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

struct device_authorization_options {
    // RFC 8628 3.2 verification_uri: where the user goes, e.g. "https://as.example.com/device"
    // (an absolute URI without a fragment; short, since the user may type it).
    std::string_view verification_uri;
    // RFC 8628 3.3.1: also send verification_uri_complete, the verification URI with
    // user_code in its query (for a QR code, say).
    bool send_verification_uri_complete = true;
    user_code_format user_code{};
};

// The members of the answer (RFC 8628 3.2).
struct device_authorization_fields {
    std::string_view device_code;
    std::string_view user_code;
    std::string_view verification_uri;
    std::string_view verification_uri_complete;  // left out when empty
    std::uint64_t expires_in = 0;
    std::uint64_t interval = 0;  // left out when zero
};

namespace detail {

constexpr std::size_t device_authorization_json(const device_authorization_fields& f, char* dest) noexcept {
    json_writer json(dest);
    json.raw("{\"device_code\":");
    json.string(f.device_code);
    json.raw(",\"user_code\":");
    json.string(f.user_code);
    json.raw(",\"verification_uri\":");
    json.string(f.verification_uri);
    if (!f.verification_uri_complete.empty()) {
        json.raw(",\"verification_uri_complete\":");
        json.string(f.verification_uri_complete);
    }
    json.raw(",\"expires_in\":");
    json.number(f.expires_in);
    if (f.interval != 0) {
        json.raw(",\"interval\":");
        json.number(f.interval);
    }
    json.raw("}");
    return json.size();
}

}  // namespace detail

[[nodiscard]] constexpr std::size_t device_authorization_json_size(const device_authorization_fields& f) noexcept {
    return detail::device_authorization_json(f, nullptr);
}
constexpr std::size_t write_device_authorization_json(const device_authorization_fields& f, char* dest) noexcept {
    return detail::device_authorization_json(f, dest);
}

// Step 0 alone: whether `options` can serve requests.
[[nodiscard]] constexpr result<void> check_device_authorization_options(
    const device_authorization_options& options) noexcept {
    if (!validate_user_code_format(options.user_code)) return fail(reason::weak_user_code_format);
    if (!is_redirect_uri(options.verification_uri)) return fail(reason::invalid_verification_uri);
    return {};
}

// The device authorization endpoint over the token endpoint's client store and the host's
// device_authorization_issuer. Example:
//   oauthcore::device_authorization_endpoint start{clients, issuer, options,
//                                                  {.verification_uri = "https://as.example.com/device"}};
//   if (!start.configuration()) ...   // at startup: the format and the URI
//   oauthcore::response r = start.handle(request, storage);
template <class Clients, class Issuer, class Methods = default_client_authentication>
class device_authorization_endpoint
    : public detail::client_endpoint_api<device_authorization_endpoint<Clients, Issuer, Methods>> {
    static_assert(detail::is_client_authentication_methods<Methods>,
                  "oauthcore: device_authorization_endpoint: Methods is a client_authentication_methods<...>");
    static_assert(detail::check_client_store<Clients>());
    static_assert(detail::check_device_authorization_issuer<Issuer, typename Clients::client_type>());
    friend class detail::client_endpoint_api<device_authorization_endpoint>;

public:
    using client_type = typename Clients::client_type;
    using codes_type = typename Issuer::codes_type;
    using parameters = parameter_union<parameter_list<"client_id", "scope">, typename Methods::parameters>;
    using form_type = form_fields<parameters>;

    device_authorization_endpoint(Clients& clients, Issuer& issuer, const endpoint_options& options,
                                  const device_authorization_options& device_options) noexcept
        : clients_(clients), issuer_(issuer), options_(options), device_options_(device_options) {}
    device_authorization_endpoint(Clients& clients, Issuer& issuer, const endpoint_options& options,
                                  const device_authorization_options& device_options, Methods methods) noexcept
        : clients_(clients),
          issuer_(issuer),
          options_(options),
          device_options_(device_options),
          methods_(std::move(methods)) {}

    // Step 0, for the host to check at startup: an error here answers every request 500.
    [[nodiscard]] result<void> configuration() const noexcept {
        return check_device_authorization_options(device_options_);
    }

private:
    template <bool Later, class Observer, class Finish>
    void run(const request_view& request, exchange_storage& storage, response& out, Observer& observer,
             const Finish& finish) {
        const detail::client_endpoint_io<Later, Observer, Finish> io{storage, out, observer, finish, &options_};
        // Step 0.
        if (const auto configured = configuration(); !configured) return io.fail(configured.error());
        // Steps 1-6.
        form_type form;
        client_authentication presented;
        if (error failure; !detail::read_client_request(request, methods_, options_, storage, form, presented, failure))
            return io.fail(failure);
        // Step 7.
        const auto scope = normalize_scope(form[param<"scope">], storage.request);
        if (!scope) return io.fail(scope.error());
        // Step 11: the first store.
        const detail::store_asker<Later> asker{};
        ask_client_store(asker, clients_, presented, [this, asker, presented, scope = *scope, io](const auto& found) {
            // Steps 11-12.
            if (const auto checked = detail::check_found_client(found, presented, io.observer); !checked)
                return io.fail(checked.error());
            const client_type& client = found.value();
            // Step 13.
            if (!client.allows_grant(device_code_grant_type)) return io.fail(error{reason::unauthorized_client});
            // Step 14.
            if (const auto allowed = check_scope_allowed(client, scope); !allowed) return io.fail(allowed.error());
            // Step 15.
            ask_start_device_authorization(asker, issuer_, client, scope, [this, io](const outcome<codes_type>& made) {
                if (!made.accepted()) return io.fail(error{reason::device_authorization_failure});
                answer(made.value(), io);
            });
        });
    }

    // Steps 16-17.
    template <class Io>
    void answer(const codes_type& codes, const Io& io) const {
        device_authorization_fields fields;
        fields.device_code = codes.device_code();
        fields.user_code = codes.user_code();
        fields.verification_uri = device_options_.verification_uri;
        fields.expires_in = static_cast<std::uint64_t>(codes.expires_in());
        fields.interval = static_cast<std::uint64_t>(codes.interval());
        // Step 16.
        if (fields.device_code.empty() || !detail::is_vschar_text(fields.device_code) || fields.expires_in == 0)
            return io.fail(error{reason::invalid_issued_token});
        if (!is_user_code(fields.user_code, device_options_.user_code))
            return io.fail(error{reason::user_code_outside_format});
        // Step 17. Both blocks are announced before the first is taken (storage.hpp: a heap
        // block, once made, does not grow): verification_uri_complete is URI characters,
        // which JSON writes as they are, so its member adds its length, the quotes and the
        // name to the body.
        response_storage& storage = io.storage.response;
        const std::array<query_parameter, 1> user_code{{{"user_code", fields.user_code}}};
        const std::size_t complete_size = device_options_.send_verification_uri_complete
                                              ? redirect_size(fields.verification_uri, user_code).value_or(0)
                                              : 0;
        constexpr std::string_view complete_member = ",\"verification_uri_complete\":\"\"";
        storage.expect_more(2 * complete_size + complete_member.size() + device_authorization_json_size(fields));
        if (complete_size != 0) {
            const auto complete = build_redirect(fields.verification_uri, user_code, storage);
            if (!complete) return io.fail(error{reason::out_of_memory});
            fields.verification_uri_complete = *complete;
        }
        const std::size_t size = device_authorization_json_size(fields);
        char* const dest = storage.take(size);
        if (dest == nullptr) return io.fail(error{reason::out_of_memory});
        response& r = io.out;
        r.status = 200;
        r.reason_phrase = reason_phrase(200);
        r.body = {dest, write_device_authorization_json(fields, dest)};
        (void)r.add_header("Content-Type", detail::json_content_type);
        (void)r.add_header("Cache-Control", "no-store");
        (void)r.add_header("Pragma", "no-cache");
        io.done();
    }

    Clients& clients_;
    Issuer& issuer_;
    endpoint_options options_;
    device_authorization_options device_options_;
    Methods methods_{};
};

template <class Clients, class Issuer>
device_authorization_endpoint(Clients&, Issuer&, const endpoint_options&, const device_authorization_options&)
    -> device_authorization_endpoint<Clients, Issuer, default_client_authentication>;

template <class Clients, class Issuer, class... Methods>
device_authorization_endpoint(Clients&, Issuer&, const endpoint_options&, const device_authorization_options&,
                              client_authentication_methods<Methods...>)
    -> device_authorization_endpoint<Clients, Issuer, client_authentication_methods<Methods...>>;

}  // namespace oauthcore
