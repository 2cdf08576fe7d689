#pragma once
// The token endpoint (RFC 6749 3.2): one order of checks for every grant, written once
// (token_endpoint::run), run the same way whether the host's stores answer now or later.
//
// The order of checks. Every request runs down this list and stops at the first
// failure, so the same input always yields the same error. The README's table and the
// test matrix in tests/endpoint.cpp use these numbers.
//   1. method is POST                                    405 invalid_request
//   2. no query in the request target                    400 invalid_request
//   3. Content-Type is application/x-www-form-urlencoded 400 invalid_request
//   4. body within max_body_bytes                        400 invalid_request
//   5. form, left to right: parameter count, name/value  400 invalid_request
//      size, a recognised parameter repeated (named)
//   6. client authentication (client_authentication.hpp):
//      two methods carrying credentials                  400 invalid_request
//      Authorization too large, not Basic, malformed,    401 invalid_client
//      empty client id; body credentials while off; none
//      a body client_id other than the authenticated id  400 invalid_request
//   7. grant_type given                                  400 invalid_request
//   8. grant_type is one of the endpoint's grants        400 unsupported_grant_type
//   9. a public client (method "none") only for a grant  401 invalid_client
//      that allows public clients
//  10. the grant's parameters (its validate(): syntax)   400 invalid_request or
//                                                        invalid_scope (see the grant)
//  --- no store has been asked anything before this line ---
//  11. client store: rejected                            401 invalid_client
//                    failed                              500 server_error
//  12. the client's registered method, when it has one,  401 invalid_client
//      is the method used
//  13. the client may use the grant type                 400 unauthorized_client
//  14. the grant's own checks and stores (its respond(): password_grant.hpp,
//      refresh_grant.hpp, client_credentials_grant.hpp, authorization_code_grant.hpp,
//      device_code_grant.hpp, or the host's grant)
//  15. the issuer: failed, or a token outside VSCHAR      500 server_error
//  16. 200 with the token
// Syntax is checked before any store is asked, so malformed requests cost no database
// work, and the client is authenticated before the user's password is looked at.
//
// The stores are asked at steps 11 and 14: those are the points where the exchange waits
// for a store that answers later (concepts.hpp). handle() runs it with stores that answer
// now and returns the response; handle_async() lets any store answer later and calls the
// host's finish callback with the response, once, when the exchange is over.

#include <array>
#include <concepts>
#include <cstddef>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "oauthcore/client_authentication.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/password_grant.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/storage.hpp"
#include "oauthcore/transport.hpp"

namespace oauthcore {

// What the token, revocation, introspection and device authorization endpoints' handle
// and handle_async take: a request_source (concepts.hpp), whose headers are found by
// name, or a request_view (transport.hpp), or what converts to one, that a transport
// holding its headers by field already (Beast's http::field, an HTTP/2 header table)
// fills directly, so that no header is looked up by name.
template <class R>
concept endpoint_request = request_source<R> || std::convertible_to<const R&, request_view>;

// Builds the request_view of a request_source.
template <request_source R>
[[nodiscard]] constexpr request_view view_of(const R& request) {
    return request_view{request.method(), request.target(), request.header("Content-Type"),
                        request.header("Authorization"), request.body()};
}
// A request_view as it is, by reference: returned by value, the copy measured 5 ns more on
// the password request and 22 on authorization_code (docs/PERFORMANCE.md, "What removing
// a part saves"); what converts to one, converted.
[[nodiscard]] constexpr const request_view& view_of(const request_view& request) noexcept { return request; }
template <class R>
requires(!request_source<R> && !std::same_as<R, request_view> && std::convertible_to<const R&, request_view>)
    [[nodiscard]] constexpr request_view view_of(const R& request) {
    return request;
}

namespace detail {

// Step 12: a client that says which method it is registered for must have used it. A
// member of that name that cannot be called so (not const, or not returning text) does
// not compile, as for allows_scope: skipping it would accept every method.
template <class Client>
[[nodiscard]] constexpr bool uses_registered_method(const Client& client, std::string_view method) noexcept {
    constexpr bool callable = requires {
        { client.authentication_method() } -> std::convertible_to<std::string_view>;
    };
    static_assert(callable || !declares_authentication_method<Client>(),
                  "oauthcore: a client's authentication_method must be callable on a const client with no "
                  "arguments and return something convertible to std::string_view");
    if constexpr (callable) {
        // Kept as returned (a std::string, perhaps) while it is viewed.
        const auto& returned = client.authentication_method();
        const std::string_view registered = returned;
        return registered.empty() || registered == method;
    } else {
        return true;
    }
}

}  // namespace detail

// A token endpoint over client authentication methods and grant handlers fixed at compile
// time. It reads grant_type once and dispatches to the handler of that name; a grant type
// outside the set is unsupported_grant_type. Example:
//   oauthcore::password_grant password{users, issuer};
//   oauthcore::refresh_token_grant refresh{refresh_tokens, issuer};
//   oauthcore::token_endpoint endpoint{clients, options, password, refresh};
//   oauthcore::response r = endpoint.handle(request, storage);
// The methods are default_client_authentication unless a client_authentication_methods
// value comes after the options.
template <class Clients, class Methods, class... Grants>
class token_endpoint {
    static_assert(detail::is_client_authentication_methods<Methods>,
                  "oauthcore: token_endpoint: Methods is a client_authentication_methods<...>");
    static_assert(sizeof...(Grants) > 0, "oauthcore: a token_endpoint needs at least one grant");
    static_assert(detail::check_client_store<Clients>());

public:
    using client_type = typename Clients::client_type;
    // What the endpoint recognises in a body: grant_type, client_id, and what its client
    // authentication methods and grants declare (RFC 6749 3.2: the rest is ignored).
    using parameters = parameter_union<parameter_list<"grant_type", "client_id">, typename Methods::parameters,
                                       typename Grants::parameters...>;
    using form_type = form_fields<parameters>;

    static_assert((detail::check_grant_handler<Grants, client_type>() && ...));
    // Dispatch takes the first grant of a name, so a second one could never be reached
    // (and metadata would list its name twice).
    static_assert(detail::all_distinct(std::array<std::string_view, sizeof...(Grants)>{Grants::grant_type...}),
                  "oauthcore: a token_endpoint has two grants of the same grant_type");

    token_endpoint(Clients& clients, const endpoint_options& options, Grants&... grants) noexcept
        : clients_(clients), options_(options), grants_(grants...) {}
    // A template, so that the class's implicit deduction guides never take a grant for
    // the methods (the guides below say which is which).
    template <class... Accepted>
    requires std::same_as<Methods, client_authentication_methods<Accepted...>> token_endpoint(
        Clients& clients, const endpoint_options& options, client_authentication_methods<Accepted...> methods,
        Grants&... grants)
    noexcept : clients_(clients), options_(options), methods_(std::move(methods)), grants_(grants...) {}

    [[nodiscard]] const endpoint_options& options() const noexcept { return options_; }

    // The whole exchange with stores that answer now: request in, response out. The
    // response's views point into `storage` (and static strings), valid until its next
    // reset().
    template <endpoint_request R, authentication_observer Observer = null_observer>
    [[nodiscard]] response handle(const R& request, exchange_storage& storage, Observer&& observer = {}) {
        response out;
        storage.reset();
        run<false>(view_of(request), storage, out, observer, [](const response&) {});
        return out;
    }

    // The same exchange with stores that may answer later. `finish(const response&)` is
    // called exactly once, with `out`, when the exchange is over: before handle_async
    // returns if every store answered now, else from the continuation of the last store
    // that answered. Until then the host keeps alive the request's bytes, `storage`,
    // `out`, the observer, this endpoint and its stores, and reads nothing in `out`: it
    // may hold a 200 written before its store answered (grant_context::write_response),
    // whose token that store may still refuse. `finish` is copied.
    template <endpoint_request R, class Finish, authentication_observer Observer>
    void handle_async(const R& request, exchange_storage& storage, response& out, Finish finish, Observer& observer) {
        out = response{};
        storage.reset();
        run<true>(view_of(request), storage, out, observer, finish);
    }

    template <endpoint_request R, class Finish>
    void handle_async(const R& request, exchange_storage& storage, response& out, Finish finish) {
        static null_observer none;
        handle_async(request, storage, out, std::move(finish), none);
    }

    // A temporary request source would be gone before a store that answers later reads
    // its bytes. (A request_view owns no bytes: a temporary one is taken, its views being
    // the host's to keep alive, as for any view.)
    template <request_source R, class Finish, class... Observer>
    void handle_async(const R&& request, exchange_storage& storage, response& out, Finish finish,
                      Observer&... observer) = delete;

private:
    // Where one exchange's answer goes and who hears of failures: what every step passes
    // on. When stores may answer later, it holds the finish callback by value, since a
    // continuation that copies it outlives handle_async's frame.
    template <bool Later, class Observer, class Finish>
    struct exchange_io {
        exchange_storage& storage;
        response& out;
        Observer& observer;
        std::conditional_t<Later, Finish, const Finish&> finish;
    };

    template <class Io>
    void fail(error e, const Io& io) const {
        detail::fill_error_response(io.out, e, io.storage.response, options_.responses());
        io.finish(io.out);
    }

    // Steps 1-8. Later: whether stores may answer later (handle_async).
    template <bool Later, class Observer, class Finish>
    void run(const request_view& request, exchange_storage& storage, response& out, Observer& observer,
             const Finish& finish) {
        const exchange_io<Later, Observer, Finish> io{storage, out, observer, finish};
        // Steps 1-3.
        if (const auto transport = check_transport(request); !transport) return fail(transport.error(), io);
        // The form's values and the Basic credentials share storage.request, whose heap
        // block, once made, cannot grow: so both bounds are announced before the first
        // byte is taken (the form's raw body; at most twice the header for the
        // credentials and their decoded id and secret), each within its limit. The parsers
        // announce theirs again, which only makes a needed heap block larger.
        const auto at_most = [](std::size_t n, std::size_t limit) { return n < limit ? n : limit; };
        const std::size_t header_bound =
            request.authorization ? at_most(request.authorization->size(), options_.basic.max_header_bytes) : 0;
        storage.request.expect_more(at_most(request.body.size(), options_.limits.max_body_bytes) + 2 * header_bound);
        // Steps 4-5.
        form_type form;
        if (error failure; !detail::parse_form_into(request.body, storage.request, options_.limits, form, failure))
            return fail(failure, io);
        // Step 6.
        const auto client = select_client_authentication(methods_, request, form, storage.request, options_);
        if (!client) return fail(client.error(), io);
        if (!client_id_matches(form, *client)) return fail(error{reason::client_id_mismatch}, io);
        // Step 7.
        const std::string_view grant_type = form[param<"grant_type">];
        if (grant_type.empty()) return fail(error{reason::missing_parameter, param<"grant_type">}, io);
        // Step 8.
        dispatch<0>(grant_type, form, *client, io);
    }

    // grant_type is compared with each handler's name in the order the handlers were given.
    template <std::size_t I, class Io>
    void dispatch(std::string_view grant_type, const form_type& form, const client_authentication& client,
                  const Io& io) {
        if constexpr (I == sizeof...(Grants)) {
            fail(error{reason::unsupported_grant_type}, io);
        } else {
            using Grant = std::tuple_element_t<I, std::tuple<Grants...>>;
            if (detail::bytes_equal(grant_type, Grant::grant_type))
                return run_grant(std::get<I>(grants_), form, client, io);
            dispatch<I + 1>(grant_type, form, client, io);
        }
    }

    // Steps 9-11.
    template <class Grant, bool Later, class Observer, class Finish>
    void run_grant(Grant& grant, const form_type& form, const client_authentication& client,
                   const exchange_io<Later, Observer, Finish>& io) {
        // Step 9.
        if (!detail::allows_public_clients<Grant>() && client.method == public_client_method)
            return fail(error{reason::public_client_not_allowed}, io);
        // Step 10.
        const auto validated =
            grant.validate(declared_parameters<typename Grant::parameters, parameters>(form), io.storage.request);
        if (!validated) return fail(validated.error(), io);
        // Step 11: the first store. When it may answer later, the continuation keeps its
        // own copies of what this stack frame holds.
        if constexpr (Later) {
            ask_client_store(detail::store_asker<true>{}, clients_, client,
                             [this, &grant, client, request = *validated, io](const outcome<client_type>& found) {
                                 after_client(grant, found, client, request, io);
                             });
        } else {
            ask_client_store(detail::store_asker<false>{}, clients_, client, [&](const outcome<client_type>& found) {
                after_client(grant, found, client, *validated, io);
            });
        }
    }

    // Steps 11-14, once the client store has answered.
    template <class Grant, bool Later, class Observer, class Finish>
    void after_client(Grant& grant, const outcome<client_type>& found, const client_authentication& client,
                      const typename Grant::request_type& request, const exchange_io<Later, Observer, Finish>& io) {
        // Step 11.
        switch (found.status()) {
            case outcome_status::failed: return fail(error{reason::client_store_failure}, io);
            case outcome_status::rejected:
                io.observer.client_authentication_failed(client.id);
                return fail(error{reason::client_rejected}, io);
            case outcome_status::accepted: break;
        }
        // Step 12.
        if (!detail::uses_registered_method(found.value(), client.method)) {
            io.observer.client_authentication_failed(client.id);
            return fail(error{reason::client_authentication_method_mismatch}, io);
        }
        // Step 13.
        if (!found.value().allows_grant(Grant::grant_type)) return fail(error{reason::unauthorized_client}, io);
        // Steps 14-16: the grant's own.
        using request_type = typename Grant::request_type;
        using context = grant_context<request_type, client_type, Observer, Finish, Later>;
        if constexpr (Later) {
            grant.respond(context(detail::exchange_values<request_type, client_type, Observer, Finish>{
                client, request, found.value(), &io.out, &io.storage.response, &options_, &io.observer, io.finish}));
        } else {
            const detail::exchange_refs<request_type, client_type, Observer, Finish> refs{
                &client, &request, &found.value(), &io.out, &io.storage.response, &options_, &io.observer, &io.finish};
            grant.respond(context(refs));
        }
    }

    Clients& clients_;
    endpoint_options options_;
    Methods methods_{};
    std::tuple<Grants&...> grants_;
};

template <class Clients, class... Grants>
token_endpoint(Clients&, const endpoint_options&, Grants&...)
    -> token_endpoint<Clients, default_client_authentication, Grants...>;

template <class Clients, class... Methods, class... Grants>
token_endpoint(Clients&, const endpoint_options&, client_authentication_methods<Methods...>, Grants&...)
    -> token_endpoint<Clients, client_authentication_methods<Methods...>, Grants...>;

// The vendor's endpoint in one call: the password grant alone, with stores that answer now.
template <endpoint_request R, class Clients, class Users, class Issuer,
          authentication_observer Observer = null_observer>
[[nodiscard]] response handle_token_request(const R& request, Clients& clients, Users& users, Issuer& issuer,
                                            exchange_storage& storage, const endpoint_options& options = {},
                                            Observer&& observer = {}) {
    password_grant<Users, Issuer> password{users, issuer};
    token_endpoint<Clients, default_client_authentication, password_grant<Users, Issuer>> endpoint{clients, options,
                                                                                                   password};
    return endpoint.handle(request, storage, observer);
}

}  // namespace oauthcore
