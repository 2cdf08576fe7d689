#pragma once
// What every grant works with, and what a grant is. The endpoint (endpoint.hpp) runs the
// checks every grant shares and hands the grant a grant_context; the grant runs its own
// checks and stores and ends the exchange with fail(), respond_with(), or send_written()
// after write_response().
//
// A grant handler (example models: password_grant.hpp, refresh_grant.hpp,
// client_credentials_grant.hpp, authorization_code_grant.hpp, device_code_grant.hpp, and
// an RFC 8693 token exchange grant written outside the library in
// tests/token_exchange_grant.hpp):
//   static constexpr std::string_view grant_type = "...";          // RFC 6749 4.x / an URI
//   using parameters = parameter_list<"...", ...>;                  // what validate() reads
//   static constexpr bool allows_public_clients = false;           // optional; false if absent
//   using request_type = ...;                                       // its checked parameters
//   template <class Form>
//   result<request_type> validate(const Form& form, request_storage&) const;  // syntax, no I/O
//   template <class Context>
//   void respond(const Context& context);                          // stores, issuer
// validate runs before any store is asked; respond after the client is authenticated and
// allowed the grant type, with context.request() the value validate returned. respond
// asks its stores through the ask_* functions (concepts.hpp) or context.ask, so that they
// may answer now or later, and ends with exactly one call of context.fail(),
// context.respond_with(), or context.send_written() (after context.write_response(), for
// a token the grant stores itself). A continuation handed to a store captures the context
// by value and reads what it needs through it, or captures by value what it computed:
// when a store answers later, the stack it was asked from is gone.

#include <concepts>
#include <string_view>
#include <type_traits>

#include "oauthcore/concepts.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/json.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/scope.hpp"
#include "oauthcore/storage.hpp"

namespace oauthcore {

namespace detail {

// True when Client declares anything named allows_scope: a function, an overload set, a
// template or a data member. A class deriving from Client and from a class that has the
// name finds the name ambiguous exactly then. (A final class cannot be derived from; for
// one, only a single non-template member is seen.)
struct allows_scope_probe {
    int allows_scope;
};
template <class Client>
struct allows_scope_lookup : Client, allows_scope_probe {};
template <class Client>
[[nodiscard]] constexpr bool declares_allows_scope() noexcept {
    if constexpr (std::is_final_v<Client>) return requires {
            &Client::allows_scope;
        };
    else
        return !requires { &allows_scope_lookup<Client>::allows_scope; };
}

// The same for authentication_method (step 12, endpoint.hpp).
struct authentication_method_probe {
    int authentication_method;
};
template <class Client>
struct authentication_method_lookup : Client, authentication_method_probe {};
template <class Client>
[[nodiscard]] constexpr bool declares_authentication_method() noexcept {
    if constexpr (std::is_final_v<Client>) return requires {
            &Client::authentication_method;
        };
    else
        return !requires { &authentication_method_lookup<Client>::authentication_method; };
}

}  // namespace detail

// The scope hook (RFC 6749 3.3: the server may fully or partially ignore or refuse the
// requested scope). A client type that has `bool allows_scope(std::string_view token)
// const` is asked about each requested token; a refused one is 400 invalid_scope. A
// client type without it accepts any scope, and the issuer may still narrow it; a member
// of that name with another signature does not compile (static_assert), since silently
// skipping it would accept every scope.
template <class Client>
[[nodiscard]] constexpr result<void> check_scope_allowed(const Client& client, std::string_view scope) {
    constexpr bool callable = requires {
        { client.allows_scope(scope) } -> std::convertible_to<bool>;
    };
    static_assert(callable || !detail::declares_allows_scope<Client>(),
                  "oauthcore: a client's allows_scope must be callable on a const client with (std::string_view) "
                  "and return bool");
    if constexpr (callable) {
        bool allowed = true;
        for_each_scope_token(scope, [&](std::string_view token) { allowed = allowed && client.allows_scope(token); });
        if (!allowed) return fail(reason::scope_not_allowed, param<"scope">);
    }
    return {};
}

template <issued_token Token>
[[nodiscard]] constexpr token_fields fields_of(const Token& token) {
    token_fields fields;
    fields.access_token = token.access_token();
    fields.expires_in = token.expires_in();
    fields.refresh_token = token.refresh_token();
    fields.scope = token.scope();
    return fields;
}

// Whether a token the maker made can be sent (RFC 6749 5.1, Appendix A: VSCHAR tokens,
// scope syntax), for a grant written outside the library that checks a token apart from
// its answer. The library's grants that hand made tokens to their store write the answer
// first instead (grant_context::write_response), which checks the token as it copies it,
// so that a token the response would refuse (500 invalid_issued_token) is never stored
// in place of a grant that still worked.
template <issued_token Token>
[[nodiscard]] constexpr result<void> check_made_token(const Token& token) {
    if (!detail::is_valid_token(fields_of(token))) return fail(reason::invalid_issued_token);
    return {};
}

namespace detail {

// What the response sends of `token`: the granted scope only when it differs from the one
// the client requested (RFC 6749 5.1: scope is OPTIONAL if identical, REQUIRED otherwise).
template <issued_token Token>
[[nodiscard]] constexpr token_fields sent_fields(const Token& token, std::string_view requested_scope) {
    token_fields fields = fields_of(token);
    if (fields.scope == requested_scope) fields.scope = {};
    return fields;
}

// make_issuer_response's work, into `r` as constructed.
template <issued_token Token, class Storage>
constexpr void fill_issuer_response(response& r, const outcome<Token>& token, Storage& storage,
                                    const endpoint_options& options, std::string_view requested_scope) {
    if (!token.accepted()) return fill_error_response(r, error{reason::issuer_failure}, storage, options.responses());
    fill_token_response(r, sent_fields(token.value(), requested_scope), storage, options.responses());
}

}  // namespace detail

// The response for the issuer's outcome: 200 with the token, or 500. The granted scope
// is sent only when it differs from the one the client requested (RFC 6749 5.1: scope is
// OPTIONAL if identical, REQUIRED otherwise).
template <issued_token Token, class Storage>
[[nodiscard]] constexpr response make_issuer_response(const outcome<Token>& token, Storage& storage,
                                                      const endpoint_options& options = {},
                                                      std::string_view requested_scope = {}) {
    response r;
    detail::fill_issuer_response(r, token, storage, options, requested_scope);
    return r;
}

namespace detail {

// What a grant_context refers to: everything the exchange has established by the time
// the grant runs, and where its answer goes.
template <class Request, class Client, class Observer, class Finish>
struct exchange_refs {
    const client_authentication* authentication;
    const Request* request;
    const Client* client;
    response* out;
    response_storage* storage;
    const endpoint_options* options;
    Observer* observer;
    const Finish* finish;
};

// The same, held by value where it must outlive a store's answer.
template <class Request, class Client, class Observer, class Finish>
struct exchange_values {
    client_authentication authentication;
    Request request;
    Client client;
    response* out;
    response_storage* storage;
    const endpoint_options* options;
    Observer* observer;
    Finish finish;
};

}  // namespace detail

namespace detail {

// What a continuation keeps of a value it was handed (grant_context::keep).
template <class T, bool Later>
class kept {
public:
    constexpr explicit kept(const T& value) requires Later : value_(value) {}
    constexpr explicit kept(const T& value) requires(!Later) : value_(&value) {}

    [[nodiscard]] constexpr const T& get() const noexcept {
        if constexpr (Later)
            return value_;
        else
            return *value_;
    }

private:
    std::conditional_t<Later, T, const T*> value_;
};

}  // namespace detail

// What a grant works with once the client is authenticated and allowed the grant, and how
// it ends the exchange. A grant captures the context by value in the continuations it
// hands its stores, and reads everything else through it.
//
// Two forms, one interface. When the exchange runs with stores that answer now
// (token_endpoint::handle), every continuation runs before the store call returns, so
// the context only points at what the endpoint holds on its stack (copies are a pointer).
// When stores may answer later (handle_async), the context holds the request, the client
// and the finish callback by value, so that a continuation run later finds them; the
// response, its storage, the options and the observer belong to the host, which keeps
// them alive until finish has run.
template <class Request, class Client, class Observer, class Finish, bool Later>
class grant_context {
    using refs = detail::exchange_refs<Request, Client, Observer, Finish>;
    using values = detail::exchange_values<Request, Client, Observer, Finish>;

public:
    // Stores may answer later: a context owning what it needs.
    constexpr explicit grant_context(values state) requires Later : state_(std::move(state)) {}
    // Stores answer now: a context pointing at the endpoint's locals.
    constexpr explicit grant_context(const refs& state) requires(!Later) : state_(&state) {}

    [[nodiscard]] constexpr const client_authentication& authentication() const noexcept {
        if constexpr (Later)
            return state_.authentication;
        else
            return *state_->authentication;
    }
    [[nodiscard]] constexpr const Request& request() const noexcept {
        if constexpr (Later)
            return state_.request;
        else
            return *state_->request;
    }
    [[nodiscard]] constexpr const Client& client() const noexcept {
        if constexpr (Later)
            return state_.client;
        else
            return *state_->client;
    }
    [[nodiscard]] constexpr Observer& observer() const noexcept { return *field(&values::observer, &refs::observer); }
    [[nodiscard]] constexpr const endpoint_options& options() const noexcept {
        return *field(&values::options, &refs::options);
    }

    // Calls `then` with the store's answer to `question` (detail::store_asker in
    // concepts.hpp): the ask_* functions take the context for this.
    template <class Question, class Then>
    constexpr void ask(Question&& question, Then&& then) const {
        detail::store_asker<Later>{}.ask(std::forward<Question>(question), std::forward<Then>(then));
    }

    // What a continuation keeps of `value` (a store's answer) to read it after the next
    // store answers: a copy when stores may answer later, since `value` is gone by then; a
    // pointer when they answer now, since every continuation then runs before the store
    // call that handed `value` returns. `.get()` reads it either way.
    template <class T>
    [[nodiscard]] constexpr detail::kept<T, Later> keep(const T& value) const {
        return detail::kept<T, Later>(value);
    }

    // Ends the exchange with the error response for `e`. A response write_response wrote
    // is replaced, and its body, the last block taken from the storage, given back.
    constexpr void fail(error e) const {
        response& out = *field(&values::out, &refs::out);
        response_storage& storage = *field(&values::storage, &refs::storage);
        if (out.status == 200) storage.give_back(out.body.data(), out.body.size());
        detail::fill_error_response(out, e, storage, options().responses());
        finish(out);
    }

    // Ends the exchange with the issuer's answer: 200 with the token, or 500.
    template <issued_token Token>
    constexpr void respond_with(const outcome<Token>& token, std::string_view requested_scope) const {
        response& out = *field(&values::out, &refs::out);
        detail::fill_issuer_response(out, token, *field(&values::storage, &refs::storage), options(), requested_scope);
        finish(out);
    }

    // For a grant that hands a made token to its store (refresh_token, authorization_code,
    // device_code):
    // writes the 200 response for `token` without ending the exchange, so that it is
    // written before the store takes the token. A token the response cannot carry (RFC
    // 6749 5.1, Appendix A: reason::invalid_issued_token) or has no room for
    // (reason::out_of_memory) is then refused before anything is stored, and a token the
    // store took is always the one sent. End with send_written() once the store accepted,
    // or with fail(), which replaces what was written.
    template <issued_token Token>
    [[nodiscard]] constexpr result<void> write_response(const Token& token, std::string_view requested_scope) const {
        reason failure{};
        const std::string_view body = detail::write_token_body(detail::sent_fields(token, requested_scope),
                                                               *field(&values::storage, &refs::storage), failure);
        if (body.data() == nullptr) return oauthcore::fail(failure);
        detail::fill_success_response(*field(&values::out, &refs::out), body);
        return {};
    }

    // Ends the exchange with the response write_response wrote.
    constexpr void send_written() const { finish(*field(&values::out, &refs::out)); }

private:
    template <class T>
    [[nodiscard]] constexpr T field(T values::*owned, T refs::*pointed) const noexcept {
        if constexpr (Later)
            return state_.*owned;
        else
            return state_->*pointed;
    }
    constexpr void finish(const response& out) const {
        if constexpr (Later)
            state_.finish(out);
        else
            (*state_->finish)(out);
    }

    std::conditional_t<Later, values, const refs*> state_;
};

namespace detail {

// The finish callback the concept check hands a grant.
struct finish_probe {
    constexpr void operator()(const response&) const noexcept {}
};

template <class Request, class Client>
using probe_context = grant_context<Request, Client, null_observer, finish_probe, true>;

template <class G>
[[nodiscard]] consteval bool allows_public_clients() {
    if constexpr (requires { G::allows_public_clients; })
        return G::allows_public_clients;
    else
        return false;
}

}  // namespace detail

// A grant handler for clients of type Client (see the top of this header).
template <class G, class Client>
concept grant_handler_for = requires(G& grant, const G& const_grant, const form_fields<typename G::parameters>& form,
                                     request_storage& storage,
                                     const detail::probe_context<typename G::request_type, Client>& context) {
    { G::grant_type } -> std::convertible_to<std::string_view>;
    requires parameter_set<typename G::parameters>;
    {
        const_grant.validate(declared_parameters<typename G::parameters, typename G::parameters>(form), storage)
        } -> std::same_as<result<typename G::request_type>>;
    grant.respond(context);
};

namespace detail {

// grant_handler_for, member by member, each with a message naming it.
template <class G, class Client>
constexpr bool check_grant_handler() {
    if constexpr (
        !requires { G::grant_type; } ||
        !requires { typename std::integral_constant<std::size_t, std::string_view(G::grant_type).size()>; }) {
        // Constant: the endpoint compares the grants' names while compiling.
        static_assert(always_false<G>,
                      "oauthcore: grant_handler_for: the grant needs static constexpr std::string_view grant_type");
        return false;
    } else if constexpr (
        !requires { typename G::parameters; } || !requires { typename G::request_type; }) {
        static_assert(always_false<G>,
                      "oauthcore: grant_handler_for: the grant needs the member types parameters (a parameter_list) "
                      "and request_type");
        return false;
    } else if constexpr (!requires(const G& g, const form_fields<typename G::parameters>& form,
                                   request_storage& storage) {
                             {
                                 g.validate(declared_parameters<typename G::parameters, typename G::parameters>(form),
                                            storage)
                                 } -> std::same_as<result<typename G::request_type>>;
                         }) {
        static_assert(always_false<G>,
                      "oauthcore: grant_handler_for: the grant needs the const member validate(const Form&, "
                      "request_storage&) returning result<request_type>");
        return false;
    } else if constexpr (!grant_handler_for<G, Client>) {
        static_assert(always_false<G>,
                      "oauthcore: grant_handler_for: the grant needs the member template <class Context> void "
                      "respond(const Context&)");
        return false;
    } else {
        return true;
    }
}

}  // namespace detail

}  // namespace oauthcore
