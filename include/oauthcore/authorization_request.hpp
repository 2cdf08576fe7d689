#pragma once
// The authorization endpoint (RFC 6749 3.1, 4.1.1, 4.1.2, 4.1.2.1) for the authorization
// code flow with PKCE (RFC 7636 4.3, 4.4.1; RFC 9700 2.1.1), naming the issuer in every
// response (RFC 9207):
//
//   GET /authorize?response_type=code&client_id=...&redirect_uri=...&scope=...&state=...
//                  &code_challenge=...&code_challenge_method=S256
//   (or POST with the same parameters as an application/x-www-form-urlencoded body)
//
// Staged, because between the request and the answer the user signs in and decides,
// which is the host's: validate() checks the request and hands the host an
// authorization_request (or the response that refuses it); the host signs the user in,
// asks for consent, keeps the request meanwhile (saved_authorization_request owns its
// bytes), and resumes with approve(request, code) or deny(request), which build the
// redirect. oauthcore does not make the code: the host makes it (a secret of enough
// entropy, RFC 6749 10.10) and stores it with what the request recorded before approve.
//
// The order of checks. Every request runs down this list and stops at the first failure.
// Errors about the client or the redirect URI are shown to the user, never redirected
// (RFC 6749 4.1.2.1, 3.1.2.4: an open redirector otherwise, RFC 9700 4.11): the response
// is a page, its body the error as JSON for the host to render. Every later error is a
// redirect to the client with error, error_description, state and iss.
//   1. method GET (the query) or POST (the body)            405 page (Allow: GET, POST)
//   2. POST: Content-Type application/x-www-form-urlencoded 400 page
//   3. the query or body within the limits: bytes, parameter 400 page
//      count, bytes per name or value (form_limits)
//   4. client_id given, once (RFC 6749 3.1: no parameter     400 page
//      more than once)
//   5. redirect_uri: at most once; when given, a redirect    400 page
//      URI (uri.hpp: absolute, no fragment, RFC 6749 3.1.2)
//   --- no store has been asked anything before this line ---
//   6. the client store knows the client                    400 page; 500 page when it fails
//   7. redirect_uri given: equal to one the client           400 page
//      registered (RFC 9700 2.1, 4.1.3: exact); not given:
//      the client registered exactly one (RFC 6749 3.1.2.3)
//   --- from here on, every error redirects (302) with error, error_description, state, iss ---
//   8. no other recognised parameter repeated (RFC 6749 3.1),  invalid_request (a repeated
//      no control character in state (RFC 6749 Appendix A.5)   or invalid state is not
//                                                               sent back)
//   9. response_type given, and "code"                       invalid_request, unsupported_response_type
//  10. the client may use the authorization_code grant       unauthorized_client
//  11. scope: RFC 6749 3.3 syntax, the client's scope hook   invalid_scope
//  12. PKCE (RFC 7636 4.3, 4.4.1; RFC 9700 2.1.1):           invalid_request
//      code_challenge_method without code_challenge; a method other than S256 and plain;
//      plain (also meant by a challenge without a method) unless the host allows it; a
//      challenge the method can never be met with (pkce.hpp); no challenge from a public
//      client, or from any client when the host requires PKCE
//  13. the request is valid: the host's turn
// Then approve(request, code) redirects with code, state, iss; deny(request) with
// access_denied (RFC 6749 4.1.2.1); a code outside VSCHAR (RFC 6749 Appendix A.11) is a
// server_error redirect.
//
// What we accept and why:
//  - Parameters are read as the token endpoint reads a body (form.hpp: WHATWG decoding,
//    an empty value counts as omitted, unknown parameters ignored, RFC 6749 3.1), except
//    that a repeated parameter does not stop the reading: whether an error may be
//    redirected depends on which parameter repeats, so every repeat is noted first.
//  - A request over the limits is answered with a page, not a redirect: oauthcore does
//    not read a request it refused to read far enough to trust its redirect_uri.
//  - The redirect's query keeps the registered URI's own (RFC 6749 3.1.2) and adds the
//    parameters form-encoded (uri.hpp). state goes back exactly as it came (RFC 6749
//    4.1.2: "the exact value received from the client").
//  - iss is options.issuer, in success and error redirects alike (RFC 9207 2); with no
//    issuer configured it is left out (and the metadata must not claim it, metadata.hpp).
//  - The status is 302 Found (RFC 6749 4.1.2's example) or, with
//    authorization_options::redirect_status, 303 See Other, which RFC 9700 4.12 recommends
//    when the redirect answers a POST that carried the user's credentials (never 307).

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/char_class.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/pkce.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/scope.hpp"
#include "oauthcore/storage.hpp"
#include "oauthcore/transport.hpp"
#include "oauthcore/uri.hpp"

namespace oauthcore {

// A client as the authorization endpoint sees it: registered, not authenticated (the user
// agent brings the request, RFC 6749 3.1). Example model: memory_registered_client.
//   bool allows_grant(std::string_view grant_type) const;   // asked for "authorization_code"
//   bool is_public() const;                                  // RFC 6749 2.1: PKCE is then required
//   R redirect_uris() const;  // a range of the registered redirect URIs (std::vector<std::string>,
//                             // std::span<const std::string_view>, ...): elements convert to string_view
// Optional, as at the token endpoint: bool allows_scope(std::string_view token) const.
template <class C>
concept registered_client = requires(const C& client, std::string_view grant_type) {
    { client.allows_grant(grant_type) } -> std::convertible_to<bool>;
    { client.is_public() } -> std::convertible_to<bool>;
    client.redirect_uris().begin() != client.redirect_uris().end();
    { *client.redirect_uris().begin() } -> std::convertible_to<std::string_view>;
};

// Where the authorization endpoint finds a client by its id. Example model:
// memory_client_registry in memory_stores.hpp.
//   using client_type = ...;  // models registered_client
//   outcome<client_type> find_client(std::string_view client_id);
//       accept: the client; reject: no such client (shown to the user, never redirected);
//       fail: the store could not answer (a 500 page).
// Asynchronous form: void find_client(std::string_view, K then).
template <class S>
concept client_registry = requires {
    typename S::client_type;
}
&&registered_client<typename S::client_type> &&
    (
        requires(S & store, std::string_view client_id) {
            { store.find_client(client_id) } -> std::same_as<outcome<typename S::client_type>>;
        } ||
        requires(S & store, std::string_view client_id, detail::answer_probe<outcome<typename S::client_type>> then) {
            store.find_client(client_id, then);
        });

namespace detail {

template <class S>
constexpr bool check_client_registry() {
    if constexpr (!requires { typename S::client_type; }) {
        static_assert(always_false<S>, "oauthcore: client_registry: the store needs a member type client_type");
        return false;
    } else if constexpr (!registered_client<typename S::client_type>) {
        static_assert(always_false<S>,
                      "oauthcore: client_registry: client_type needs the members bool allows_grant(std::string_view) "
                      "const, bool is_public() const and redirect_uris() const, a range of URIs (registered_client)");
        return false;
    } else if constexpr (!client_registry<S>) {
        static_assert(always_false<S>,
                      "oauthcore: client_registry: the store needs the member find_client(std::string_view) "
                      "returning outcome<client_type>, or taking a continuation as a second argument and calling it "
                      "with one");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

template <class Asker, class Store, class Then>
constexpr void ask_find_client(const Asker& asker, Store& store, std::string_view client_id, Then&& then) {
    asker.ask(
        [&](auto&&... answer) -> decltype(store.find_client(client_id, std::forward<decltype(answer)>(answer)...)) {
            return store.find_client(client_id, std::forward<decltype(answer)>(answer)...);
        },
        std::forward<Then>(then));
}

// What the authorization endpoint reads (RFC 6749 4.1.1, RFC 7636 4.3).
using authorization_parameters = parameter_list<"response_type", "client_id", "redirect_uri", "scope", "state",
                                                "code_challenge", "code_challenge_method">;

// A valid authorization request: what the host keeps while the user signs in and decides,
// and records with the code it makes (authorization_code_grant.hpp's record). Views into
// the request's bytes and the exchange_storage it was validated with; for longer, copy it
// (saved_authorization_request).
struct authorization_request {
    std::string_view client_id;
    // Where the response goes: the redirect_uri of the request, or the one URI the client
    // registered when the request named none.
    std::string_view redirect_uri;
    // The redirect_uri of the request; empty when it named none. Record this one with the
    // code: the token request must repeat it exactly when it was given (RFC 6749 4.1.3).
    std::string_view requested_redirect_uri;
    std::string_view scope;                  // the requested scope, duplicates collapsed (RFC 6749 3.3); empty if none
    std::string_view state;                  // empty if none
    std::string_view code_challenge;         // empty if none
    std::string_view code_challenge_method;  // "S256" or "plain" when there is a challenge; empty otherwise
};

// An authorization_request that owns its bytes: kept in the host's session across the
// sign-in and consent pages, and turned back into the view for approve or deny. Its
// strings are the host's to store as they are (a row, a signed cookie: they are what the
// client sent, checked, and what the client registered).
struct saved_authorization_request {
    std::string client_id;
    std::string redirect_uri;
    std::string requested_redirect_uri;
    std::string scope;
    std::string state;
    std::string code_challenge;
    std::string code_challenge_method;

    saved_authorization_request() = default;
    explicit saved_authorization_request(const authorization_request& request)
        : client_id(request.client_id),
          redirect_uri(request.redirect_uri),
          requested_redirect_uri(request.requested_redirect_uri),
          scope(request.scope),
          state(request.state),
          code_challenge(request.code_challenge),
          code_challenge_method(request.code_challenge_method) {}

    [[nodiscard]] authorization_request view() const noexcept {
        return {client_id, redirect_uri, requested_redirect_uri, scope, state, code_challenge, code_challenge_method};
    }
};

// The longest error_description an error redirect carries (see fill_error_redirect).
inline constexpr std::size_t max_redirect_description_bytes = 256;

// The status of a redirect (see the top of this header).
enum class redirect_status : int { found = 302, see_other = 303 };

struct authorization_options {
    // The issuer identifier sent as iss in every response (RFC 9207 2): the issuer of the
    // metadata document (RFC 8414 2), e.g. "https://as.example.com". Empty: iss is not sent.
    std::string_view issuer;
    // RFC 7636 4.2 allows plain only to clients that cannot do S256, RFC 9700 2.1.1 says
    // to use S256: off, plain (and a challenge without a method, which means plain,
    // RFC 7636 4.3) is invalid_request. Match authorization_code_options::allow_plain.
    bool allow_plain = false;
    // Public clients always need PKCE (RFC 9700 2.1.1); true requires it of every client
    // (OAuth 2.1). Match authorization_code_options::require_pkce.
    bool require_pkce = false;
    redirect_uri_matching matching = redirect_uri_matching::exact;
    oauthcore::redirect_status redirect_status = redirect_status::found;
    // Of the query (GET) or the body (POST).
    form_limits limits{};
};

// What validate() answers: the valid request (and the client the store found), or the
// response that refuses it, an error page or an error redirect, to send as it is.
template <class Client>
struct authorization_validation {
    std::optional<authorization_request> request;
    std::optional<Client> client;
    response answer;  // when !request

    [[nodiscard]] constexpr bool valid() const noexcept { return request.has_value(); }
};

namespace detail {

// The parameters of one authorization request, with the ones given more than once.
struct authorization_form {
    form_fields<authorization_parameters> fields;
    std::uint64_t repeated = 0;  // bit i: authorization_parameters::names[i] was given more than once

    template <fixed_string Name>
    [[nodiscard]] constexpr std::string_view operator[](param_t<Name> p) const noexcept {
        return fields[p];
    }
    template <fixed_string Name>
    [[nodiscard]] constexpr bool given(param_t<Name> p) const noexcept {
        return fields.given(p);
    }
    template <fixed_string Name>
    [[nodiscard]] constexpr bool is_repeated(param_t<Name>) const noexcept {
        constexpr std::size_t position = position_of(authorization_parameters::names, Name.view());
        static_assert(position != not_declared);
        return (repeated >> position & 1u) != 0;
    }
};

// Step 3: the form.hpp reading of `input`, noting every repeat instead of stopping at the
// first. Decoded values go to `storage`.
template <class Storage>
[[nodiscard]] constexpr bool parse_authorization_form_into(std::string_view input, Storage& storage,
                                                           const form_limits& limits, authorization_form& out,
                                                           error& failure) noexcept {
    using names = authorization_parameters;
    if (input.size() > limits.max_body_bytes) {
        failure = error{reason::body_too_large};
        return false;
    }
    form_splitter splitter(input);
    form_pair pair;
    std::size_t count = 0;
    while (splitter.next(pair)) {
        if (++count > limits.max_parameters) {
            failure = error{reason::too_many_parameters};
            return false;
        }
        if (pair.name.size() > limits.max_parameter_bytes || pair.value.size() > limits.max_parameter_bytes) {
            failure = error{reason::parameter_too_large};
            return false;
        }
        std::size_t p = name_lookup<names::names>::find(pair.name);
        if (p == name_not_found) p = recognise_encoded<names>(pair.name);
        if (p == name_not_found) continue;
        if (out.fields.present(p)) {
            out.repeated |= std::uint64_t{1} << p;
            continue;
        }
        std::string_view value = pair.value;
        if (needs_decoding(value)) {
            const auto decoded = decode_to_storage(value, storage);
            if (!decoded) {
                failure = decoded.error();
                return false;
            }
            value = *decoded;
        }
        out.fields.set(p, value);
    }
    return true;
}

// The error page: the error as JSON (RFC 6749 5.2's shape) for the host to render, never
// a redirect; the token endpoint's error response but for the methods a 405 allows.
template <class Storage>
constexpr void fill_authorization_page(response& r, error e, Storage& storage) noexcept {
    fill_error_response(r, e, storage, response_options{}, "GET, POST");
}

}  // namespace detail

// The authorization endpoint over a client registry. Example:
//   oauthcore::authorization_endpoint authorize{registry, {.issuer = "https://as.example.com"}};
//   auto checked = authorize.validate(request, storage);
//   if (!checked.valid()) return send(checked.answer);
//   session.pending = oauthcore::saved_authorization_request(*checked.request);
//   ... the user signs in and approves; the host makes `code` and stores its record ...
//   send(authorize.approve(session.pending.view(), code, storage.response));
template <class Clients>
class authorization_endpoint {
    static_assert(detail::check_client_registry<Clients>());

public:
    using client_type = typename Clients::client_type;
    using validation_type = authorization_validation<client_type>;

    explicit authorization_endpoint(Clients& clients, const authorization_options& options = {}) noexcept
        : clients_(clients), options_(options) {}

    [[nodiscard]] const authorization_options& options() const noexcept { return options_; }

    // Steps 1-13 with a store that answers now. The views of the answer point into the
    // request's bytes and `storage`, valid until its next reset().
    [[nodiscard]] validation_type validate(const request_view& request, exchange_storage& storage) {
        validation_type out;
        storage.reset();
        run<false>(request, storage, out, [](const validation_type&) {});
        return out;
    }
    template <request_source R>
    [[nodiscard]] validation_type validate(const R& request, exchange_storage& storage) {
        return validate(view_of_authorization_request(request), storage);
    }

    // The same with a store that may answer later: `finish(const validation_type&)` is
    // called once, with `out`. Until then the host keeps the request's bytes, `storage`,
    // `out`, this endpoint and its store alive.
    template <class Finish>
    void validate_async(const request_view& request, exchange_storage& storage, validation_type& out, Finish finish) {
        out = validation_type{};
        storage.reset();
        run<true>(request, storage, out, finish);
    }
    template <request_source R, class Finish>
    void validate_async(const R& request, exchange_storage& storage, validation_type& out, Finish finish) {
        validate_async(view_of_authorization_request(request), storage, out, std::move(finish));
    }
    // A temporary request would be gone before a store that answers later reads it.
    template <request_source R, class Finish>
    void validate_async(const R&& request, exchange_storage& storage, validation_type& out, Finish finish) = delete;

    // The user approved: the redirect with `code` (made and stored by the host), state and
    // iss (RFC 6749 4.1.2, RFC 9207 2). `request` is what validate() gave (or its saved
    // copy), unchanged. approve, deny and redirect_error each make the one response the
    // host sends, and reset `storage` first, as validate() resets its exchange_storage: a
    // storage reused across consent posts never fills up (views into a response made with
    // it before become invalid; `request` does not point into it).
    [[nodiscard]] response approve(const authorization_request& request, std::string_view code,
                                   response_storage& storage) const noexcept {
        storage.reset();
        // RFC 6749 Appendix A.11: code = 1*VSCHAR.
        if (code.empty() || !detail::is_vschar_text(code))
            return redirect_error(request, error{reason::invalid_issued_token}, storage);
        const std::array<query_parameter, 3> parameters{
            {{"code", code}, {"state", request.state}, {"iss", options_.issuer}}};
        response r;
        fill_redirect(r, request.redirect_uri, parameters, storage);
        return r;
    }

    // The user denied: the redirect with access_denied (RFC 6749 4.1.2.1).
    [[nodiscard]] response deny(const authorization_request& request, response_storage& storage) const noexcept {
        return redirect_error(request, error{reason::access_denied}, storage);
    }

    // Any other error after validation (the host could not store the code: a store
    // failure reason, answered as server_error), redirected with state and iss.
    [[nodiscard]] response redirect_error(const authorization_request& request, error e,
                                          response_storage& storage) const noexcept {
        storage.reset();
        response r;
        fill_error_redirect(r, e, request.redirect_uri, request.state, storage);
        return r;
    }

private:
    template <request_source R>
    [[nodiscard]] static constexpr request_view view_of_authorization_request(const R& request) {
        return request_view{request.method(), request.target(), request.header("Content-Type"), std::nullopt,
                            request.body()};
    }

    // The query of a request target (origin-form, RFC 9112 3.2.1): after the first "?".
    [[nodiscard]] static constexpr std::string_view query_of(std::string_view target) noexcept {
        const std::size_t question = target.find('?');
        return question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    }

    template <std::size_t N>
    void fill_redirect(response& r, std::string_view redirect_uri, const std::array<query_parameter, N>& parameters,
                       response_storage& storage) const noexcept {
        const auto location = build_redirect(redirect_uri, parameters, storage);
        if (!location) return detail::fill_authorization_page(r, location.error(), storage);
        r.status = static_cast<int>(options_.redirect_status);
        r.reason_phrase = reason_phrase(r.status);
        (void)r.add_header("Location", *location);
        (void)r.add_header("Cache-Control", "no-store");
        r.body = {};
    }

    // RFC 6749 4.1.2.1: error, error_description, state; RFC 9207 2: iss. The description
    // is written on the stack, so that the redirect is the one block the storage gives
    // (a second block may not fit where the first went); one too long for it, which no
    // error of this endpoint has, is left out (error_description is OPTIONAL).
    void fill_error_redirect(response& r, error e, std::string_view redirect_uri, std::string_view state,
                             response_storage& storage) const noexcept {
        const error_details details = describe(e);
        std::array<char, max_redirect_description_bytes> text;
        const std::string_view description =
            details.description_size() <= text.size()
                ? std::string_view(text.data(), write_description(details, text.data()))
                : std::string_view{};
        const std::array<query_parameter, 4> parameters{{{"error", to_string(details.code)},
                                                         {"error_description", description},
                                                         {"state", state},
                                                         {"iss", options_.issuer}}};
        fill_redirect(r, redirect_uri, parameters, storage);
        if (r.status == static_cast<int>(options_.redirect_status)) r.error = e;
    }

    template <bool Later, class Finish>
    void run(const request_view& request, exchange_storage& storage, validation_type& out, const Finish& finish) {
        const auto page = [&](error e) {
            detail::fill_authorization_page(out.answer, e, storage.response);
            finish(out);
        };
        // Step 1.
        std::string_view input;
        if (request.method == "GET") {
            input = query_of(request.target);
        } else if (request.method == "POST") {
            // Step 2.
            if (!request.content_type || !is_form_content_type(*request.content_type))
                return page(error{reason::unsupported_content_type});
            input = request.body;
        } else {
            return page(error{reason::authorization_method_not_allowed});
        }
        // Step 3. Decoded values take at most the input's size, and a normalized scope as
        // much again: announced before the first byte is taken, so one heap block serves.
        storage.request.expect_more(
            2 * (input.size() < options_.limits.max_body_bytes ? input.size() : options_.limits.max_body_bytes));
        detail::authorization_form form;
        if (error failure;
            !detail::parse_authorization_form_into(input, storage.request, options_.limits, form, failure))
            return page(failure);
        // Step 4.
        if (form.is_repeated(param<"client_id">)) return page(error{reason::duplicate_parameter, param<"client_id">});
        if (!form.given(param<"client_id">)) return page(error{reason::missing_parameter, param<"client_id">});
        // Step 5.
        if (form.is_repeated(param<"redirect_uri">))
            return page(error{reason::duplicate_parameter, param<"redirect_uri">});
        if (form.given(param<"redirect_uri">) && !is_redirect_uri(form[param<"redirect_uri">]))
            return page(error{reason::invalid_parameter, param<"redirect_uri">});
        // Step 6: the store. When it may answer later, the continuation keeps its own copies.
        const std::string_view client_id = form[param<"client_id">];
        if constexpr (Later) {
            ask_find_client(detail::store_asker<true>{}, clients_, client_id,
                            [this, form, &storage, &out, finish](const outcome<client_type>& found) {
                                after_client(found, form, storage, out, finish);
                            });
        } else {
            ask_find_client(detail::store_asker<false>{}, clients_, client_id, [&](const outcome<client_type>& found) {
                after_client(found, form, storage, out, finish);
            });
        }
    }

    // Steps 6-13, once the store has answered.
    template <class Finish>
    void after_client(const outcome<client_type>& found, const detail::authorization_form& form,
                      exchange_storage& storage, validation_type& out, const Finish& finish) {
        const auto page = [&](error e) {
            detail::fill_authorization_page(out.answer, e, storage.response);
            finish(out);
        };
        // Step 6.
        switch (found.status()) {
            case outcome_status::failed: return page(error{reason::client_store_failure});
            case outcome_status::rejected: return page(error{reason::unknown_client});
            case outcome_status::accepted: break;
        }
        const client_type& client = found.value();
        // Step 7.
        const std::string_view requested = form[param<"redirect_uri">];
        std::string_view redirect_uri;
        std::size_t registered = 0;
        const auto& uris = client.redirect_uris();
        for (const auto& uri : uris) {
            const std::string_view candidate = uri;
            ++registered;
            if (requested.empty()) {
                redirect_uri = candidate;
            } else if (redirect_uri.empty() && redirect_uri_matches(candidate, requested, options_.matching)) {
                redirect_uri = requested;
            }
        }
        if (requested.empty()) {
            if (registered == 0) return page(error{reason::unregistered_redirect_uri});
            if (registered > 1) return page(error{reason::missing_parameter, param<"redirect_uri">});
            // The one URI the client registered: the host's, checked like a request's.
            if (!is_redirect_uri(redirect_uri)) return page(error{reason::invalid_parameter, param<"redirect_uri">});
            // Copied: it is a view into the client the store answered with, which may be a
            // value gone when this returns, while the request answered with lives as long
            // as the storage (the host's sign-in pages built the approval from freed bytes).
            storage.request.expect_more(redirect_uri.size());
            char* const copy = storage.request.take(redirect_uri.size());
            if (copy == nullptr) return page(error{reason::out_of_memory});
            std::memcpy(copy, redirect_uri.data(), redirect_uri.size());
            redirect_uri = std::string_view(copy, redirect_uri.size());
        } else if (redirect_uri.empty()) {
            return page(error{reason::unregistered_redirect_uri});
        }
        // From here on, errors go back to the client.
        // A state sent back must be the one received (RFC 6749 4.1.2): a repeated one is
        // not, nor one holding a control character or bytes that are not UTF-8, which a
        // page (the host's sign-in form, in UTF-8) cannot carry unchanged: a browser
        // posts U+FFFD for them. RFC 6749 Appendix A.5 says 1*VSCHAR; UTF-8 is let
        // through, as oauthlib and fosite do, for clients that put it in their state (it
        // goes back percent-encoded).
        const std::string_view sent_state = form[param<"state">];
        const bool state_unusable =
            form.is_repeated(param<"state">) || any_in(char_class::control, sent_state) || !detail::is_utf8(sent_state);
        const std::string_view state = state_unusable ? std::string_view{} : sent_state;
        const auto redirect = [&](error e) {
            fill_error_redirect(out.answer, e, redirect_uri, state, storage.response);
            finish(out);
        };
        // Step 8.
        if (form.is_repeated(param<"state">)) return redirect(error{reason::duplicate_parameter, param<"state">});
        if (state_unusable) return redirect(error{reason::invalid_parameter, param<"state">});
        if (form.is_repeated(param<"response_type">))
            return redirect(error{reason::duplicate_parameter, param<"response_type">});
        if (form.is_repeated(param<"scope">)) return redirect(error{reason::duplicate_parameter, param<"scope">});
        if (form.is_repeated(param<"code_challenge">))
            return redirect(error{reason::duplicate_parameter, param<"code_challenge">});
        if (form.is_repeated(param<"code_challenge_method">))
            return redirect(error{reason::duplicate_parameter, param<"code_challenge_method">});
        // Step 9.
        if (!form.given(param<"response_type">))
            return redirect(error{reason::missing_parameter, param<"response_type">});
        if (form[param<"response_type">] != "code") return redirect(error{reason::unsupported_response_type});
        // Step 10.
        if (!client.allows_grant(authorization_code_grant_type)) return redirect(error{reason::unauthorized_client});
        // Step 11.
        const auto scope = normalize_scope(form[param<"scope">], storage.request);
        if (!scope) return redirect(scope.error());
        if (const auto allowed = check_scope_allowed(client, *scope); !allowed) return redirect(allowed.error());
        // Step 12.
        const std::string_view challenge = form[param<"code_challenge">];
        const std::string_view method_name = form[param<"code_challenge_method">];
        std::string_view method_recorded;
        if (challenge.empty()) {
            if (!method_name.empty() || static_cast<bool>(client.is_public()) || options_.require_pkce)
                return redirect(error{reason::missing_parameter, param<"code_challenge">});
        } else {
            const std::optional<code_challenge_method> method =
                method_name.empty() ? code_challenge_method::plain : parse_code_challenge_method(method_name);
            if (!method || (*method == code_challenge_method::plain && !options_.allow_plain))
                return redirect(error{reason::code_challenge_method_not_supported});
            if (!is_code_challenge(challenge, *method))
                return redirect(error{reason::invalid_parameter, param<"code_challenge">});
            method_recorded = code_challenge_method_name(*method);
        }
        // Step 13.
        out.request = authorization_request{form[param<"client_id">], redirect_uri, requested, *scope, state, challenge,
                                            method_recorded};
        out.client.emplace(client);
        finish(out);
    }

    Clients& clients_;
    authorization_options options_;
};

}  // namespace oauthcore
