#pragma once
// The host's issued tokens, as revocation (RFC 7009) and introspection (RFC 7662) find
// them by value: the token_store concept, the kinds of token and the token_type_hint that
// names one, and the search both endpoints run.
//
//   token_type_hint = "access_token" / "refresh_token"   ; RFC 7009 2.1, registered in 4.1.2
//
// The search (find_token_of_any_kind): the kind the hint names first, then the other, so
// that a wrong hint costs one more lookup and never stops the search (RFC 7009 2.1 and
// RFC 7662 2.1: "If the server is unable to locate the token using the given hint, it
// MUST extend its search across all of its supported token types"). Without a hint,
// access tokens first: they are the more numerous, and the ones resource servers ask
// about. The rule is oauthcore's, so the store answers one kind per question.

#include <concepts>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/concepts.hpp"

namespace oauthcore {

enum class token_kind : unsigned char { access_token, refresh_token };

// The registered hint value of `kind` (RFC 7009 4.1.2).
[[nodiscard]] constexpr std::string_view to_string(token_kind kind) noexcept {
    return kind == token_kind::refresh_token ? "refresh_token" : "access_token";
}

// The kind a token_type_hint names, or nullopt for any other value (case-sensitive, as
// the registry's values are).
[[nodiscard]] constexpr std::optional<token_kind> parse_token_type_hint(std::string_view hint) noexcept {
    if (hint == "access_token") return token_kind::access_token;
    if (hint == "refresh_token") return token_kind::refresh_token;
    return std::nullopt;
}

// What every found token says: the client it was issued to (RFC 7009 2.1 compares it with
// the client asking; RFC 7662 2.2 reports it).
template <class R>
concept token_record = requires(const R& record) {
    { record.client_id() } -> std::convertible_to<std::string_view>;
};

// Example model: memory_token_store in memory_stores.hpp.
//   using record_type = ...;  // models token_record (introspection asks more: introspection.hpp)
//   outcome<record_type> find_token(std::string_view token, token_kind kind);
//       accept: the token of that kind with that value (expired ones too: oauthcore
//       compares the times); reject: none, or revoked; fail: the store could not answer.
//       Compare token values in constant time (constant_time_equal), or look up a digest.
// Asynchronous form: void find_token(std::string_view, token_kind, K then).
template <class S>
concept token_store = requires {
    typename S::record_type;
}
&&token_record<typename S::record_type> &&
    (
        requires(S & store, std::string_view token, token_kind kind) {
            { store.find_token(token, kind) } -> std::same_as<outcome<typename S::record_type>>;
        } ||
        requires(S & store, std::string_view token, token_kind kind,
                 detail::answer_probe<outcome<typename S::record_type>> then) { store.find_token(token, kind, then); });

// A token_store that can also revoke (RFC 7009 2.1):
//   outcome_status revoke_token(const record_type& record);
//       accepted: revoked (now, or before: revoking is idempotent); failed: the store
//       could not answer (500); a rejected answer is taken as accepted (somebody revoked
//       it first). Revoking a refresh token revokes the access tokens issued with it as
//       well ("SHOULD also invalidate all access tokens based on the same authorization
//       grant", RFC 7009 2.1), and revoking an access token MAY revoke its refresh token:
//       which tokens go together is the store's to know, and its job.
// Asynchronous form: void revoke_token(const record_type&, K then), K called with an outcome_status.
template <class S>
concept revocable_token_store = token_store<S> &&(
    requires(S& store, const typename S::record_type& record) {
        { store.revoke_token(record) } -> std::same_as<outcome_status>;
    } ||
    requires(S & store, const typename S::record_type& record, detail::answer_probe<outcome_status> then) {
        store.revoke_token(record, then);
    });

namespace detail {

template <class S>
constexpr bool check_token_store() {
    if constexpr (!requires { typename S::record_type; }) {
        static_assert(always_false<S>, "oauthcore: token_store: the store needs a member type record_type");
        return false;
    } else if constexpr (!token_record<typename S::record_type>) {
        static_assert(always_false<S>,
                      "oauthcore: token_store: record_type needs the member client_id() (token_record)");
        return false;
    } else if constexpr (!token_store<S>) {
        static_assert(always_false<S>,
                      "oauthcore: token_store: the store needs the member find_token(std::string_view, token_kind) "
                      "returning outcome<record_type>, or taking a continuation as a third argument and calling it "
                      "with one");
        return false;
    } else {
        return true;
    }
}

template <class S>
constexpr bool check_revocable_token_store() {
    if constexpr (!check_token_store<S>()) {
        return false;
    } else if constexpr (!revocable_token_store<S>) {
        static_assert(always_false<S>,
                      "oauthcore: revocable_token_store: the store needs the member revoke_token(const record_type&) "
                      "returning outcome_status, or taking a continuation as a second argument and calling it with "
                      "one");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

template <class Asker, class Store, class Then>
constexpr void ask_find_token(const Asker& asker, Store& store, std::string_view token, token_kind kind, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.find_token(token, kind, std::forward<decltype(answer)>(answer)...)) {
            return store.find_token(token, kind, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

template <class Asker, class Store, class Record, class Then>
constexpr void ask_revoke_token(const Asker& asker, Store& store, const Record& record, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.revoke_token(record, std::forward<decltype(answer)>(answer)...)) {
            return store.revoke_token(record, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

// The search at the top of this header: `then(const outcome<record_type>&, token_kind)`
// is called once, with the first kind that found the token, or with the last answer
// (rejected: no such token of any kind; failed: a store failure stops the search). The
// token's bytes must stay valid until then (they are the request's).
template <class Asker, class Store, class Then>
constexpr void find_token_of_any_kind(const Asker& asker, Store& store, std::string_view token,
                                      std::optional<token_kind> hint, Then then) {
    using record_type = typename Store::record_type;
    const token_kind first = hint.value_or(token_kind::access_token);
    const token_kind second = first == token_kind::access_token ? token_kind::refresh_token : token_kind::access_token;
    ask_find_token(asker, store, token, first,
                   [asker, &store, token, first, second, then](const outcome<record_type>& found) {
                       if (found.status() != outcome_status::rejected) return then(found, first);
                       ask_find_token(asker, store, token, second,
                                      [then, second](const outcome<record_type>& other) { then(other, second); });
                   });
}

}  // namespace oauthcore
