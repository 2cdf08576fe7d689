#pragma once
// The authorization_code grant (RFC 6749 4.1.3) with PKCE (RFC 7636), as RFC 9700 2.1.1
// and 4.8 ask:
//
//   grant_type=authorization_code & code=... [& redirect_uri=...] [& code_verifier=...]
//   [& client_id=...]   (a public client names itself with it: "none", client_authentication.hpp)
//
// Before any store is asked (validate), in this order:
//  1. code given                                                   400 invalid_request
//  2. code_verifier, when given, is 43*128unreserved (RFC 7636 4.1) 400 invalid_request
//     A malformed verifier is the request's fault, found before the code is looked at:
//     the answer cannot depend on the code, and the code is not spent.
// After the client is authenticated and allowed the grant (respond), in this order:
//  3. the store finds the code (and changes nothing); an unknown code  400 invalid_grant
//  4. the code has not been redeemed; if it has, the observer is told (below)
//                                                                     400 invalid_grant
//  5. the code was issued to this client (RFC 6749 4.1.3)             400 invalid_grant
//  6. the code has not expired: the grant's clock reads before its expires_at
//     (RFC 6749 4.1.2: codes MUST expire shortly after they are issued) 400 invalid_grant
//  7. redirect_uri: when the authorization request had one, it is given and identical,
//     byte for byte (RFC 6749 4.1.3); when it had none, it is not looked at
//                                                                     400 invalid_grant
//  8. PKCE (RFC 7636 4.6; RFC 9700 2.1.1, 4.8.2): a code with a code_challenge needs a
//     code_verifier that meets it, by S256, or by plain when the host enables plain;
//     a code_verifier for a code without a challenge is a downgrade and refused; a
//     public client (and every client when the host requires PKCE) needs a code with a
//     challenge                                                       400 invalid_grant
//  9. the client's scope hook accepts the code's scope               400 invalid_scope
// 10. the maker makes the tokens for the code's user and scope (and, normally, a refresh
//     token: the maker decides), and stores nothing                   500 when it fails
// 11. the store redeems the code: marks it spent and stores the tokens, in one atomic
//     operation, only if nobody has spent it since step 3, so that a code works once
//     (RFC 6749 4.1.2, 10.5). Spent meanwhile (a concurrent redemption): the observer is
//     told, as at step 4                                              400 invalid_grant
//     A store failure changes nothing                                 500
//
// Steps 3-8 and 11's refusal answer the client with the same bytes whichever failed
// (errors.hpp, code_rejection_reasons): nothing in the answer tells a client which check
// its code failed. The response's error keeps the reason for the host's logs.
//
// A code is spent only with the tokens it is redeemed for, never without them: a request
// refused at steps 5-10 (another client, another redirect_uri, a wrong verifier, a maker
// or store failure) leaves the code as it was. So a failure loses nothing (the client
// retries with its code), and whoever sees a code cannot burn it for the client it was
// issued to without passing that client's checks. Trying codes needs the client's
// credentials or, for a public client, a verifier of at least 256 bits, before a code
// expires (ARCHITECTURE.md, "Replacing a grant", says why this replaced "the code is spent
// as it is found").
//
// An observer that also has `void authorization_code_reused(std::string_view client_id,
// const record_type& record)` is told at steps 4 and 11, with the id of the client
// presenting the code and the store's record of it: RFC 6749 4.1.2 says the server SHOULD
// then revoke every token issued on that code, and the record is how the host finds them.
// Observers without the member are not asked; a member of that name with another
// signature does not compile (static_assert), rather than being silently skipped.

#include <concepts>
#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/client_authentication.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/pkce.hpp"

namespace oauthcore {

inline constexpr std::string_view authorization_code_grant_type = "authorization_code";

// What the authorization endpoint recorded when it issued a code (RFC 6749 4.1.1,
// RFC 7636 4.3), as the store finds it:
//   client_id()              the client the code was issued to
//   redirect_uri()           the redirect_uri of the authorization request; empty if it had none
//   code_challenge()         empty if the request had none
//   code_challenge_method()  "S256", "plain", or empty (plain, RFC 7636 4.3, when there is a challenge)
//   scope()                  the scope the user granted
//   user()                   the user, passed to the issuer
//   expires_at()             in the seconds of the grant's clock; the code is good while now < expires_at
//   used_before()            true when the code has been redeemed (spent) already
template <class R>
concept authorization_code_record = requires(const R& record) {
    { record.client_id() } -> std::convertible_to<std::string_view>;
    { record.redirect_uri() } -> std::convertible_to<std::string_view>;
    { record.code_challenge() } -> std::convertible_to<std::string_view>;
    { record.code_challenge_method() } -> std::convertible_to<std::string_view>;
    { record.scope() } -> std::convertible_to<std::string_view>;
    record.user();
    { record.expires_at() } -> std::convertible_to<std::uint64_t>;
    { record.used_before() } -> std::convertible_to<bool>;
};

// Example model: memory_authorization_code_store in memory_stores.hpp. `Token` is the
// token maker's token_type.
//   using record_type = ...;  // models authorization_code_record
//   outcome<record_type> find_authorization_code(std::string_view code);
//       find the code and change nothing. accept: the record, with used_before() true
//       when the code has been redeemed already (keep redeemed codes, or their digests,
//       until they expire, so that a second use can be told); reject: unknown code;
//       fail: the store could not answer (500).
//   outcome_status redeem_authorization_code(const record_type&, const Token& tokens);
//       in one transaction: mark the code spent unless it is spent already, and store
//       the tokens (with a reference to the code, so that a reuse can revoke them).
//       accepted: both done; rejected: spent since it was found (a concurrent
//       redemption), nothing stored; failed: the store could not, nothing changed (500).
// Asynchronous forms take a continuation as the last argument and call it with the
// outcome (with the outcome_status for redeem_authorization_code).
template <class S, class Token>
concept authorization_code_store = requires {
    typename S::record_type;
}
&&authorization_code_record<typename S::record_type> &&
    (
        requires(S & store, std::string_view code) {
            { store.find_authorization_code(code) } -> std::same_as<outcome<typename S::record_type>>;
        } ||
        requires(S & store, std::string_view code, detail::answer_probe<outcome<typename S::record_type>> then) {
            store.find_authorization_code(code, then);
        }) &&
    (
        requires(S & store, const typename S::record_type& record, const Token& tokens) {
            { store.redeem_authorization_code(record, tokens) } -> std::same_as<outcome_status>;
        } ||
        requires(S & store, const typename S::record_type& record, const Token& tokens,
                 detail::answer_probe<outcome_status> then) { store.redeem_authorization_code(record, tokens, then); });

namespace detail {

template <class S>
using code_user_t = std::remove_cvref_t<decltype(std::declval<const typename S::record_type&>().user())>;

// The store's record and find_authorization_code (what the grant's class checks).
template <class S>
constexpr bool check_authorization_code_store() {
    if constexpr (!requires { typename S::record_type; }) {
        static_assert(always_false<S>,
                      "oauthcore: authorization_code_store: the store needs a member type record_type");
        return false;
    } else if constexpr (!authorization_code_record<typename S::record_type>) {
        static_assert(always_false<S>,
                      "oauthcore: authorization_code_store: record_type needs the members client_id(), "
                      "redirect_uri(), code_challenge(), code_challenge_method(), scope(), user(), expires_at() "
                      "and used_before() (authorization_code_record)");
        return false;
    } else if constexpr (!(
                             requires(S & store, std::string_view code) {
                                 {
                                     store.find_authorization_code(code)
                                     } -> std::same_as<outcome<typename S::record_type>>;
                             } ||
                             requires(S & store, std::string_view code,
                                      answer_probe<outcome<typename S::record_type>> then) {
                                 store.find_authorization_code(code, then);
                             })) {
        static_assert(always_false<S>,
                      "oauthcore: authorization_code_store: the store needs the member "
                      "find_authorization_code(std::string_view) returning outcome<record_type>, or taking a "
                      "continuation as a second argument and calling it with one");
        return false;
    } else {
        return true;
    }
}

// Then the maker of the tokens the store is handed (for the code's user), and the store's
// redeem_authorization_code for the maker's token_type (what respond checks).
template <class S, class Client, class Maker>
constexpr bool check_authorization_code_redeem() {
    if constexpr (!check_authorization_code_store<S>()) {
        return false;
    } else if constexpr (!check_token_maker<Maker, Client, code_user_t<S>>()) {
        return false;
    } else if constexpr (!authorization_code_store<S, typename Maker::token_type>) {
        static_assert(always_false<S>,
                      "oauthcore: authorization_code_store: the store needs the member "
                      "redeem_authorization_code(const record_type&, const Token&) returning outcome_status, or "
                      "taking a continuation as a third argument and calling it with one (Token: the token maker's "
                      "token_type)");
        return false;
    } else {
        return true;
    }
}

// True when Observer declares anything named authorization_code_reused (see
// declares_allows_scope in grant_handler.hpp for how).
struct authorization_code_reused_probe {
    int authorization_code_reused;
};
template <class Observer>
struct authorization_code_reused_lookup : Observer, authorization_code_reused_probe {};
template <class Observer>
[[nodiscard]] constexpr bool declares_authorization_code_reused() noexcept {
    if constexpr (std::is_final_v<Observer>) return requires {
            &Observer::authorization_code_reused;
        };
    else
        return !requires { &authorization_code_reused_lookup<Observer>::authorization_code_reused; };
}

}  // namespace detail

template <class Observer, class Record>
constexpr void notify_authorization_code_reused(Observer& observer, std::string_view client_id, const Record& record) {
    constexpr bool callable = requires { observer.authorization_code_reused(client_id, record); };
    // A member of that name that cannot take these is a mistake, not an opt-out.
    static_assert(callable || !detail::declares_authorization_code_reused<std::remove_cv_t<Observer>>(),
                  "oauthcore: an observer's authorization_code_reused must be callable on the observer as passed "
                  "(a const observer needs a const member) with (std::string_view client_id, const record_type&)");
    if constexpr (callable) observer.authorization_code_reused(client_id, record);
}

template <class Asker, class Store, class Then>
constexpr void ask_find_authorization_code(const Asker& asker, Store& store, std::string_view code, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.find_authorization_code(code,
                                                                        std::forward<decltype(answer)>(answer)...)) {
            return store.find_authorization_code(code, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

template <class Asker, class Store, class Record, class Token, class Then>
constexpr void ask_redeem_authorization_code(const Asker& asker, Store& store, const Record& record,
                                             const Token& tokens, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.redeem_authorization_code(record, tokens,
                                                                          std::forward<decltype(answer)>(answer)...)) {
            return store.redeem_authorization_code(record, tokens, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

struct authorization_code_parameters {
    std::string_view code;
    std::string_view redirect_uri;   // empty when not given
    std::string_view code_verifier;  // empty when not given; else a code-verifier (RFC 7636 4.1)
};

// Steps 1-2.
template <class Form>
[[nodiscard]] constexpr result<authorization_code_parameters> validate_authorization_code_parameters(
    const Form& form) noexcept {
    if (!form.given(param<"code">)) return fail(reason::missing_parameter, param<"code">);
    const std::string_view verifier = form[param<"code_verifier">];
    if (form.given(param<"code_verifier">) && !is_code_verifier(verifier))
        return fail(reason::invalid_parameter, param<"code_verifier">);
    return authorization_code_parameters{form[param<"code">], form[param<"redirect_uri">], verifier};
}

struct authorization_code_options {
    // RFC 9700 2.1.1: clients SHOULD use a challenge method that does not expose the
    // verifier, and S256 is the one; RFC 7636 4.2 allows plain only to clients that
    // cannot do S256. Off: a code with a plain challenge never redeems.
    bool allow_plain = false;
    // Public clients MUST use PKCE (RFC 9700 2.1.1), always. For confidential clients it
    // is RECOMMENDED there, and required by OAuth 2.1; true requires it of them too.
    bool require_pkce = false;
};

namespace detail {

// check_pkce; VerifierChecked: `code_verifier` is empty or known to be a code-verifier
// (the grant's step 2 checked it), so that step 8 does not scan it again.
template <bool VerifierChecked>
[[nodiscard]] inline result<void> check_pkce_of(std::string_view code_verifier, std::string_view code_challenge,
                                                std::string_view method_name, bool required,
                                                const authorization_code_options& options) noexcept {
    if (code_challenge.empty()) {
        // RFC 9700 4.8.2: a verifier is accepted only for a code issued with a challenge.
        if (!code_verifier.empty()) return fail(reason::pkce_downgrade);
        if (required) return fail(reason::pkce_missing);
        return {};
    }
    // RFC 9700 2.1.1: a code issued with a challenge is redeemed only with its verifier.
    if (code_verifier.empty()) return fail(reason::pkce_missing);
    const std::optional<code_challenge_method> method =
        method_name.empty() ? code_challenge_method::plain : parse_code_challenge_method(method_name);
    if (!method || (*method == code_challenge_method::plain && !options.allow_plain) ||
        !(VerifierChecked ? code_verifier_meets(code_verifier, code_challenge, *method)
                          : verify_code_verifier(code_verifier, code_challenge, *method)))
        return fail(reason::code_verifier_mismatch);
    return {};
}

}  // namespace detail

// Step 8 alone: whether `code_verifier` (empty when not given) meets the challenge a
// code was issued with (empty when none). `required`: the client must use PKCE.
[[nodiscard]] inline result<void> check_pkce(std::string_view code_verifier, std::string_view code_challenge,
                                             std::string_view method_name, bool required,
                                             const authorization_code_options& options) noexcept {
    return detail::check_pkce_of<false>(code_verifier, code_challenge, method_name, required, options);
}

template <class Codes, class Maker, class Clock>
class authorization_code_grant {
    static_assert(detail::check_authorization_code_store<Codes>());
    static_assert(detail::check_seconds_clock<Clock>());

public:
    static constexpr std::string_view grant_type = authorization_code_grant_type;
    using parameters = parameter_list<"code", "redirect_uri", "code_verifier">;
    // RFC 6749 4.1.3 and RFC 9700 2.1.1: public clients redeem codes, with PKCE (step 8).
    static constexpr bool allows_public_clients = true;
    using request_type = authorization_code_parameters;

    authorization_code_grant(Codes& codes, Maker& maker, Clock clock, authorization_code_options options = {})
        : codes_(codes), maker_(maker), clock_(std::move(clock)), options_(options) {}

    template <class Form>
    [[nodiscard]] result<request_type> validate(const Form& form, request_storage& /*storage*/) const noexcept {
        return validate_authorization_code_parameters(form);
    }

    // Steps 3-11.
    template <class Context>
    void respond(const Context& context) {
        using client_type = std::remove_cvref_t<decltype(context.client())>;
        static_assert(detail::check_authorization_code_redeem<Codes, client_type, Maker>());
        using record_type = typename Codes::record_type;
        ask_find_authorization_code(context, codes_, context.request().code,
                                    [this, context](const outcome<record_type>& found) {
                                        switch (found.status()) {
                                            case outcome_status::failed:
                                                return context.fail(error{reason::code_store_failure});
                                            case outcome_status::rejected:
                                                return context.fail(error{reason::code_rejected});
                                            case outcome_status::accepted: break;
                                        }
                                        redeem(found.value(), context);
                                    });
    }

private:
    // Steps 4-11, with the record the store found.
    template <class Record, class Context>
    void redeem(const Record& record, const Context& context) {
        using token_type = typename Maker::token_type;
        if (const auto redeemable = check_code(record, context); !redeemable) [[unlikely]]
            return context.fail(redeemable.error());
        if (const auto allowed = check_scope_allowed(context.client(), record.scope()); !allowed) [[unlikely]]
            return context.fail(allowed.error());
        ask_make_token(context, maker_, context.client(), record.user(), record.scope(),
                       [this, context, code = context.keep(record)](const outcome<token_type>& made) {
                           if (!made.accepted()) [[unlikely]]
                               return context.fail(error{reason::issuer_failure});
                           // The code's scope is what the user granted, which may be less than the
                           // client asked for: always sent (RFC 6749 5.1).
                           if (const auto written = context.write_response(made.value(), {}); !written) [[unlikely]]
                               return context.fail(written.error());
                           ask_redeem_authorization_code(
                               context, codes_, code.get(), made.value(), [context, code](outcome_status redeemed) {
                                   switch (redeemed) {
                                       case outcome_status::failed:
                                           return context.fail(error{reason::code_store_failure});
                                       case outcome_status::rejected: return reused(code.get(), context);
                                       case outcome_status::accepted: break;
                                   }
                                   context.send_written();
                               });
                       });
    }

    // Steps 4-8, on the record of a code the store has found.
    template <class Record, class Context>
    [[nodiscard]] result<void> check_code(const Record& record, const Context& context) {
        const client_authentication& client = context.authentication();
        if (record.used_before()) {
            notify_authorization_code_reused(context.observer(), client.id, record);
            return fail(reason::code_reused);
        }
        if (!detail::bytes_equal(record.client_id(), client.id)) [[unlikely]]
            return fail(reason::code_issued_to_another_client);
        if (static_cast<std::uint64_t>(clock_()) >= static_cast<std::uint64_t>(record.expires_at()))
            return fail(reason::code_expired);
        const std::string_view redirect_uri = record.redirect_uri();
        if (!redirect_uri.empty() && !detail::bytes_equal(context.request().redirect_uri, redirect_uri))
            return fail(reason::redirect_uri_mismatch);
        const bool required = options_.require_pkce || detail::bytes_equal(client.method, public_client_method);
        // The verifier is empty or a code-verifier: validate checked it (step 2).
        return detail::check_pkce_of<true>(context.request().code_verifier, record.code_challenge(),
                                           record.code_challenge_method(), required, options_);
    }

    // Step 11's refusal: spent by a concurrent redemption since step 3, a reuse as at step 4.
    template <class Record, class Context>
    static void reused(const Record& record, const Context& context) {
        notify_authorization_code_reused(context.observer(), context.authentication().id, record);
        context.fail(error{reason::code_reused});
    }

    Codes& codes_;
    Maker& maker_;
    Clock clock_;
    authorization_code_options options_;
};

}  // namespace oauthcore
