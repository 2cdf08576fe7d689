#pragma once
// What the endpoints beside the token endpoint share when they authenticate their client
// exactly as it does (RFC 7009 2.1, RFC 7662 2.1, RFC 8628 3.1): revocation.hpp,
// introspection.hpp and device_authorization.hpp. Their first steps are the token
// endpoint's (endpoint.hpp), with the same numbers:
//   1. method is POST                                    405 invalid_request (Allow: POST)
//   2. no query in the request target                    400 invalid_request
//   3. Content-Type is application/x-www-form-urlencoded 400 invalid_request
//   4. body within max_body_bytes                        400 invalid_request
//   5. form: parameter count, name/value size, a         400 invalid_request
//      recognised parameter repeated (named)
//   6. client authentication (client_authentication.hpp): the same methods, options and
//      answers; a body client_id other than the authenticated id 400 invalid_request
// then the endpoint's own syntax checks, and, once no store has been asked before,
//  11. client store: rejected                            401 invalid_client
//                    failed                              500 server_error
//  12. the client's registered method, when it has one,  401 invalid_client
//      is the method used
// (the observer hears of each failure of 11 and 12, as at the token endpoint). Each
// endpoint then runs its own steps. The same code runs whether the stores answer now
// (handle) or later (handle_async), as at the token endpoint.

#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "oauthcore/client_authentication.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/endpoint.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/transport.hpp"

namespace oauthcore::detail {

// Where one exchange's answer goes and who hears of failures (as endpoint.hpp's): the
// finish callback by value when stores may answer later, since a continuation that copies
// it outlives the frame that made it.
template <bool Later, class Observer, class Finish>
struct client_endpoint_io {
    exchange_storage& storage;
    response& out;
    Observer& observer;
    std::conditional_t<Later, Finish, const Finish&> finish;
    const endpoint_options* options;

    void fail(error e) const {
        fill_error_response(out, e, storage.response, options->responses());
        finish(out);
    }
    void done() const { finish(out); }
};

// handle and handle_async, as token_endpoint has them, for an endpoint whose
// run<Later>(request, storage, out, observer, finish) holds its order of checks.
template <class Endpoint>
class client_endpoint_api {
public:
    // The whole exchange with stores that answer now. The response's views point into
    // `storage` (and static strings), valid until its next reset().
    template <endpoint_request R, authentication_observer Observer = null_observer>
    [[nodiscard]] response handle(const R& request, exchange_storage& storage, Observer&& observer = {}) {
        response out;
        storage.reset();
        self().template run<false>(view_of(request), storage, out, observer, [](const response&) {});
        return out;
    }

    // The same with stores that may answer later: `finish(const response&)` is called once,
    // with `out`. Until then the host keeps alive the request's bytes, `storage`, `out`,
    // the observer, the endpoint and its stores.
    template <endpoint_request R, class Finish, authentication_observer Observer>
    void handle_async(const R& request, exchange_storage& storage, response& out, Finish finish, Observer& observer) {
        out = response{};
        storage.reset();
        self().template run<true>(view_of(request), storage, out, observer, finish);
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
    Endpoint& self() noexcept { return static_cast<Endpoint&>(*this); }
};

// Steps 1-6 into `form` and `client`; false with `failure` set on an error.
template <class Methods, parameter_set Set>
[[nodiscard]] bool read_client_request(const request_view& request, const Methods& methods,
                                       const endpoint_options& options, exchange_storage& storage,
                                       form_fields<Set>& form, client_authentication& client, error& failure) {
    // Steps 1-3. The token endpoint's description of a wrong method names it; these
    // endpoints have their own.
    if (const auto transport = check_transport(request); !transport) {
        failure =
            transport.error().reason == reason::method_not_allowed ? error{reason::post_required} : transport.error();
        return false;
    }
    // The form and the Basic credentials share storage.request: both bounds first (see
    // token_endpoint::run).
    const auto at_most = [](std::size_t n, std::size_t limit) { return n < limit ? n : limit; };
    const std::size_t header_bound =
        request.authorization ? at_most(request.authorization->size(), options.basic.max_header_bytes) : 0;
    storage.request.expect_more(at_most(request.body.size(), options.limits.max_body_bytes) + 2 * header_bound);
    // Steps 4-5.
    if (!parse_form_into(request.body, storage.request, options.limits, form, failure)) return false;
    // Step 6.
    const auto presented = select_client_authentication(methods, request, form, storage.request, options);
    if (!presented) {
        failure = presented.error();
        return false;
    }
    if (!client_id_matches(form, *presented)) {
        failure = error{reason::client_id_mismatch};
        return false;
    }
    client = *presented;
    return true;
}

// Steps 11-12 on the client store's answer; the observer hears of the failures.
template <class Client, class Observer>
[[nodiscard]] result<void> check_found_client(const outcome<Client>& found, const client_authentication& presented,
                                              Observer& observer) {
    switch (found.status()) {
        case outcome_status::failed: return fail(reason::client_store_failure);
        case outcome_status::rejected:
            observer.client_authentication_failed(presented.id);
            return fail(reason::client_rejected);
        case outcome_status::accepted: break;
    }
    if (!uses_registered_method(found.value(), presented.method)) {
        observer.client_authentication_failed(presented.id);
        return fail(reason::client_authentication_method_mismatch);
    }
    return {};
}

}  // namespace oauthcore::detail
