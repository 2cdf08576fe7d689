#pragma once
// The revocation endpoint (RFC 7009): a client tells the server that it no longer needs a
// token (on sign-out, say), and the server invalidates it.
//
//   POST /revoke   Content-Type: application/x-www-form-urlencoded
//   token=...[&token_type_hint=access_token|refresh_token]     (+ client authentication)
//
// The order of checks. Steps 1-6 and 11-12 are the token endpoint's (client_endpoint.hpp:
// the client authenticates exactly as it does there, RFC 7009 2.1, and with
// endpoint_options::allow_public_clients a public client names itself with client_id);
// a public client may revoke its own tokens.
//   1-6. transport, form, client authentication               400 / 401 / 405
//   7. token given                                            400 invalid_request
//   8. token_type_hint: access_token or refresh_token orders the search (step 13); any
//      other value is ignored ("An invalid token type hint value is ignored by the
//      authorization server and does not influence the revocation response", RFC 7009 2.2)
//   --- no store has been asked anything before this line ---
//  11-12. the client store, the registered method             401 / 500
//  13. the token store finds the token: the hinted kind first, then the other (a wrong
//      hint does not stop the search, RFC 7009 2.1; token_store.hpp). None: 200 with an
//      empty body ("invalid tokens do not cause an error response", RFC 7009 2.2: the
//      client cannot tell whether the token existed). Failed:  500 server_error
//  14. the token was issued to this client (RFC 7009 2.1)     400 unauthorized_client
//  15. the store revokes it (and, for a refresh token, the access tokens issued with it:
//      the store's job, token_store.hpp)                      200; 500 when it fails
//
// Decisions where RFC 7009 leaves room:
//  - A token issued to another client is not revoked, and the request is refused: RFC
//    7009 2.1 says the server "verifies whether the token was issued to the client making
//    the revocation request. If this validation fails, the request is refused and the
//    client is informed of the error". The error is unauthorized_client (400; RFC 6749
//    5.2: "The authenticated client is not authorized to use this ... grant type"), the
//    closest of the registered codes: the client did authenticate (not invalid_client),
//    its request is well formed (not invalid_request), and RFC 7009 registers no code of
//    its own for this. The description is fixed and says nothing of the token.
//  - unsupported_token_type (RFC 7009 2.2.1) is for a server that cannot revoke a kind of
//    token it issues; this endpoint revokes both kinds, so it never sends it. (Until
//    2026-12-04 an unknown hint was answered with it, against RFC 7009 2.2.)
//  - The 200 has no body and no Content-Type; Cache-Control: no-store as everywhere.

#include <optional>
#include <string_view>
#include <utility>

#include "oauthcore/client_authentication.hpp"
#include "oauthcore/client_endpoint.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/response.hpp"
#include "oauthcore/token_store.hpp"

namespace oauthcore {

namespace detail {

// The 200 of a revocation (RFC 7009 2.2): no body.
constexpr void fill_revoked_response(response& r) noexcept {
    r.status = 200;
    r.reason_phrase = reason_phrase(200);
    r.body = {};
    (void)r.add_header("Cache-Control", "no-store");
    (void)r.add_header("Pragma", "no-cache");
}

}  // namespace detail

// The revocation endpoint over the token endpoint's client store and the host's
// revocable_token_store. Example:
//   oauthcore::revocation_endpoint revoke{clients, tokens, options};
//   oauthcore::response r = revoke.handle(request, storage);
// A client_authentication_methods value after the options replaces the default methods,
// as at the token endpoint.
template <class Clients, class Tokens, class Methods = default_client_authentication>
class revocation_endpoint : public detail::client_endpoint_api<revocation_endpoint<Clients, Tokens, Methods>> {
    static_assert(detail::is_client_authentication_methods<Methods>,
                  "oauthcore: revocation_endpoint: Methods is a client_authentication_methods<...>");
    static_assert(detail::check_client_store<Clients>());
    static_assert(detail::check_revocable_token_store<Tokens>());
    friend class detail::client_endpoint_api<revocation_endpoint>;

public:
    using client_type = typename Clients::client_type;
    using record_type = typename Tokens::record_type;
    using parameters =
        parameter_union<parameter_list<"client_id", "token", "token_type_hint">, typename Methods::parameters>;
    using form_type = form_fields<parameters>;

    revocation_endpoint(Clients& clients, Tokens& tokens, const endpoint_options& options) noexcept
        : clients_(clients), tokens_(tokens), options_(options) {}
    revocation_endpoint(Clients& clients, Tokens& tokens, const endpoint_options& options, Methods methods) noexcept
        : clients_(clients), tokens_(tokens), options_(options), methods_(std::move(methods)) {}

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
        const std::string_view token = form[param<"token">];
        if (token.empty()) return io.fail(error{reason::missing_parameter, param<"token">});
        // Step 8.
        const std::optional<token_kind> hint = parse_token_type_hint(form[param<"token_type_hint">]);
        // Step 11: the first store.
        const detail::store_asker<Later> asker{};
        ask_client_store(asker, clients_, presented, [this, asker, presented, token, hint, io](const auto& found) {
            // Steps 11-12.
            if (const auto checked = detail::check_found_client(found, presented, io.observer); !checked)
                return io.fail(checked.error());
            // Step 13.
            find_token_of_any_kind(asker, tokens_, token, hint,
                                   [this, asker, presented, io](const outcome<record_type>& located, token_kind) {
                                       switch (located.status()) {
                                           case outcome_status::failed:
                                               return io.fail(error{reason::token_store_failure});
                                           case outcome_status::rejected:
                                               detail::fill_revoked_response(io.out);
                                               return io.done();
                                           case outcome_status::accepted: break;
                                       }
                                       // Step 14.
                                       if (!detail::bytes_equal(located.value().client_id(), presented.id))
                                           return io.fail(error{reason::token_issued_to_another_client});
                                       // Step 15.
                                       ask_revoke_token(asker, tokens_, located.value(), [io](outcome_status revoked) {
                                           if (revoked == outcome_status::failed)
                                               return io.fail(error{reason::token_store_failure});
                                           detail::fill_revoked_response(io.out);
                                           io.done();
                                       });
                                   });
        });
    }

    Clients& clients_;
    Tokens& tokens_;
    endpoint_options options_;
    Methods methods_{};
};

template <class Clients, class Tokens>
revocation_endpoint(Clients&, Tokens&, const endpoint_options&)
    -> revocation_endpoint<Clients, Tokens, default_client_authentication>;

template <class Clients, class Tokens, class... Methods>
revocation_endpoint(Clients&, Tokens&, const endpoint_options&, client_authentication_methods<Methods...>)
    -> revocation_endpoint<Clients, Tokens, client_authentication_methods<Methods...>>;

}  // namespace oauthcore
