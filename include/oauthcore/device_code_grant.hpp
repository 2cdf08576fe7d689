#pragma once
// The device authorization grant's token request (RFC 8628 3.4, 3.5): a device without a
// browser (a TV, a console, a command-line tool) polls the token endpoint while its user
// approves the request on another device.
//
//   grant_type=urn:ietf:params:oauth:grant-type:device_code & device_code=...
//   [& client_id=...]   (a public client names itself with it, RFC 8628 3.4)
//
// Before any store is asked (validate):
//  1. device_code given                                          400 invalid_request
// After the client is authenticated and allowed the grant (respond), in this order, with
// `now` read once from the grant's clock before the store is asked:
//  2. the store finds the device code and records this poll at `now`, in one atomic
//     operation that spends nothing; unknown or already spent        400 invalid_grant
//  3. the code was issued to this client (RFC 8628 3.4)              400 invalid_grant
//  4. it has not expired: now < expires_at (RFC 8628 3.2 expires_in)   400 expired_token
//  5. the user did not deny it                                        400 access_denied
//  6. still pending: polled again before `interval` seconds since the last poll
//                                                                      400 slow_down
//     otherwise                                                        400 authorization_pending
//  7. approved: the client's scope hook accepts the code's scope      400 invalid_scope
//  8. the maker makes the token for the approving user, and the 200 is written
//     (grant_context::write_response)                                 500 when it fails
//  9. the store redeems the device code: marks it spent unless it is spent already and
//     stores the tokens, in one atomic operation, so that a device code yields one token
//     (RFC 8628 3.5, 5.2); spent since step 2 (a concurrent poll got the token)
//                                                                      400 invalid_grant
//     the store could not (nothing changed: the device polls again)  500
// Nothing before step 9 spends the code, so a poll refused at steps 3-8 (another client's,
// a failing maker) leaves the user's approval for the device that polls next.
//
// Steps 4-6 compare times the store returns with the grant's clock, so that the rules
// are oauthcore's and tested here; the store only records. slow_down applies to a
// pending request alone ("a variant of authorization_pending", RFC 8628 3.5): a client
// that polls a little early after its user approved gets its token. RFC 8628 3.5 asks the
// client to add 5 seconds to its interval after slow_down; the store may raise the
// interval it returns as well, which makes step 6 stricter for that client.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/concepts.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/parameters.hpp"

namespace oauthcore {

inline constexpr std::string_view device_code_grant_type = "urn:ietf:params:oauth:grant-type:device_code";

// The user's decision on a device authorization request (RFC 8628 3.3).
enum class device_authorization_state : unsigned char { pending, approved, denied };

// A device authorization request as the store finds it, before the poll that found it:
//   client_id()       the client the device code was issued to
//   state()           pending, approved or denied
//   user()            the user who approved (passed to the token maker; unused otherwise)
//   scope()           the scope of the device authorization request, as approved
//   expires_at()      in the seconds of the grant's clock; good while now < expires_at
//   last_polled_at()  when the previous poll came (nullopt: this is the first)
//   interval()        the least number of seconds between polls (RFC 8628 3.2; 5 by default)
template <class R>
concept device_code_record = requires(const R& record) {
    { record.client_id() } -> std::convertible_to<std::string_view>;
    { record.state() } -> std::convertible_to<device_authorization_state>;
    record.user();
    { record.scope() } -> std::convertible_to<std::string_view>;
    { record.expires_at() } -> std::convertible_to<std::uint64_t>;
    { record.last_polled_at() } -> std::convertible_to<std::optional<std::uint64_t>>;
    { record.interval() } -> std::convertible_to<std::uint64_t>;
};

// Example model: memory_device_code_store in memory_stores.hpp. `Token` is the token
// maker's token_type.
//   using record_type = ...;  // models device_code_record
//   outcome<record_type> poll_device_code(std::string_view device_code, std::uint64_t now);
//       atomically: find the device code and record `now` as its last poll; spend
//       nothing. accept: the record as it was before this poll; reject: unknown, or
//       spent already; fail: the store could not answer (500).
//   outcome_status redeem_device_code(const record_type&, const Token& tokens);
//       in one transaction: mark the device code spent unless it is spent already, and
//       store the tokens. accepted: both done; rejected: spent since it was polled (a
//       concurrent poll got the token), nothing stored; failed: the store could not,
//       nothing changed (500).
// Asynchronous forms take a continuation as the last argument and call it with the
// outcome (with the outcome_status for redeem_device_code).
template <class S, class Token>
concept device_code_store = requires {
    typename S::record_type;
}
&&device_code_record<typename S::record_type> &&
    (
        requires(S & store, std::string_view device_code, std::uint64_t now) {
            { store.poll_device_code(device_code, now) } -> std::same_as<outcome<typename S::record_type>>;
        } ||
        requires(S & store, std::string_view device_code, std::uint64_t now,
                 detail::answer_probe<outcome<typename S::record_type>> then) {
            store.poll_device_code(device_code, now, then);
        }) &&
    (
        requires(S & store, const typename S::record_type& record, const Token& tokens) {
            { store.redeem_device_code(record, tokens) } -> std::same_as<outcome_status>;
        } ||
        requires(S & store, const typename S::record_type& record, const Token& tokens,
                 detail::answer_probe<outcome_status> then) { store.redeem_device_code(record, tokens, then); });

namespace detail {

template <class S>
constexpr bool check_device_code_store() {
    if constexpr (!requires { typename S::record_type; }) {
        static_assert(always_false<S>, "oauthcore: device_code_store: the store needs a member type record_type");
        return false;
    } else if constexpr (!device_code_record<typename S::record_type>) {
        static_assert(always_false<S>,
                      "oauthcore: device_code_store: record_type needs the members client_id(), state(), user(), "
                      "scope(), expires_at(), last_polled_at() and interval() (device_code_record)");
        return false;
    } else if constexpr (!(
                             requires(S & store, std::string_view device_code, std::uint64_t now) {
                                 {
                                     store.poll_device_code(device_code, now)
                                     } -> std::same_as<outcome<typename S::record_type>>;
                             } ||
                             requires(S & store, std::string_view device_code, std::uint64_t now,
                                      answer_probe<outcome<typename S::record_type>> then) {
                                 store.poll_device_code(device_code, now, then);
                             })) {
        static_assert(always_false<S>,
                      "oauthcore: device_code_store: the store needs the member poll_device_code(std::string_view, "
                      "std::uint64_t now) returning outcome<record_type>, or taking a continuation as a third "
                      "argument and calling it with one");
        return false;
    } else {
        return true;
    }
}

template <class S>
using device_user_t = std::remove_cvref_t<decltype(std::declval<const typename S::record_type&>().user())>;

// Then the maker of the tokens the store is handed (for the approving user), and the
// store's redeem_device_code for the maker's token_type (what respond checks).
template <class S, class Client, class Maker>
constexpr bool check_device_code_redeem() {
    if constexpr (!check_device_code_store<S>()) {
        return false;
    } else if constexpr (!check_token_maker<Maker, Client, device_user_t<S>>()) {
        return false;
    } else if constexpr (!device_code_store<S, typename Maker::token_type>) {
        static_assert(always_false<S>,
                      "oauthcore: device_code_store: the store needs the member redeem_device_code(const "
                      "record_type&, const Token&) returning outcome_status, or taking a continuation as a third "
                      "argument and calling it with one (Token: the token maker's token_type)");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

template <class Asker, class Store, class Then>
constexpr void ask_poll_device_code(const Asker& asker, Store& store, std::string_view device_code, std::uint64_t now,
                                    Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.poll_device_code(device_code, now,
                                                                 std::forward<decltype(answer)>(answer)...)) {
            return store.poll_device_code(device_code, now, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

template <class Asker, class Store, class Record, class Token, class Then>
constexpr void ask_redeem_device_code(const Asker& asker, Store& store, const Record& record, const Token& tokens,
                                      Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.redeem_device_code(record, tokens,
                                                                   std::forward<decltype(answer)>(answer)...)) {
            return store.redeem_device_code(record, tokens, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

struct device_code_parameters {
    std::string_view device_code;
};

// Steps 4-6 alone: what a poll at `now` is answered, for a request in `state` that expires
// at `expires_at`, last polled at `last_polled_at`, with `interval` seconds between polls.
// Success means approved: the token may be issued.
[[nodiscard]] constexpr result<void> check_device_poll(device_authorization_state state, std::uint64_t now,
                                                       std::uint64_t expires_at,
                                                       std::optional<std::uint64_t> last_polled_at,
                                                       std::uint64_t interval) noexcept {
    if (now >= expires_at) return fail(reason::expired_token);
    switch (state) {
        case device_authorization_state::denied: return fail(reason::access_denied);
        case device_authorization_state::approved: return {};
        case device_authorization_state::pending: break;
    }
    // A clock that reads earlier than the last poll counts as too soon, as does any poll
    // within `interval` of it (written without now - last, which would wrap).
    const bool too_soon = last_polled_at && (now < *last_polled_at || now - *last_polled_at < interval);
    return fail(too_soon ? reason::slow_down : reason::authorization_pending);
}

template <class Devices, class Maker, class Clock>
class device_code_grant {
    static_assert(detail::check_device_code_store<Devices>());
    static_assert(detail::check_seconds_clock<Clock>());

public:
    static constexpr std::string_view grant_type = device_code_grant_type;
    using parameters = parameter_list<"device_code">;
    // RFC 8628 3.4: the devices this grant is for usually cannot keep a secret.
    static constexpr bool allows_public_clients = true;
    using request_type = device_code_parameters;

    device_code_grant(Devices& devices, Maker& maker, Clock clock)
        : devices_(devices), maker_(maker), clock_(std::move(clock)) {}

    // Step 1.
    template <class Form>
    [[nodiscard]] result<request_type> validate(const Form& form, request_storage& /*storage*/) const noexcept {
        if (!form.given(param<"device_code">)) return fail(reason::missing_parameter, param<"device_code">);
        return device_code_parameters{form[param<"device_code">]};
    }

    // Steps 2-9.
    template <class Context>
    void respond(const Context& context) {
        using client_type = std::remove_cvref_t<decltype(context.client())>;
        using record_type = typename Devices::record_type;
        static_assert(detail::check_device_code_redeem<Devices, client_type, Maker>());
        const auto now = static_cast<std::uint64_t>(clock_());
        ask_poll_device_code(context, devices_, context.request().device_code, now,
                             [this, context, now](const outcome<record_type>& found) {
                                 switch (found.status()) {
                                     case outcome_status::failed:
                                         return context.fail(error{reason::device_store_failure});
                                     case outcome_status::rejected:
                                         return context.fail(error{reason::device_code_rejected});
                                     case outcome_status::accepted: break;
                                 }
                                 redeem(found.value(), now, context);
                             });
    }

private:
    // Steps 3-9, with the record the store found.
    template <class Record, class Context>
    void redeem(const Record& record, std::uint64_t now, const Context& context) {
        using token_type = typename Maker::token_type;
        if (!detail::bytes_equal(record.client_id(), context.authentication().id))
            return context.fail(error{reason::device_code_issued_to_another_client});
        if (const auto approved =
                check_device_poll(record.state(), now, record.expires_at(), record.last_polled_at(), record.interval());
            !approved)
            return context.fail(approved.error());
        if (const auto allowed = check_scope_allowed(context.client(), record.scope()); !allowed)
            return context.fail(allowed.error());
        ask_make_token(context, maker_, context.client(), record.user(), record.scope(),
                       [this, context, device = context.keep(record)](const outcome<token_type>& made) {
                           if (!made.accepted()) return context.fail(error{reason::issuer_failure});
                           // The approved scope may be less than the client asked for: always
                           // sent (RFC 6749 5.1).
                           if (const auto written = context.write_response(made.value(), {}); !written)
                               return context.fail(written.error());
                           ask_redeem_device_code(context, devices_, device.get(), made.value(),
                                                  [context](outcome_status redeemed) {
                                                      switch (redeemed) {
                                                          case outcome_status::failed:
                                                              return context.fail(error{reason::device_store_failure});
                                                          case outcome_status::rejected:
                                                              return context.fail(error{reason::device_code_rejected});
                                                          case outcome_status::accepted: break;
                                                      }
                                                      context.send_written();
                                                  });
                       });
    }

    Devices& devices_;
    Maker& maker_;
    Clock clock_;
};

}  // namespace oauthcore
