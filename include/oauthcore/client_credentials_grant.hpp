#pragma once
// The client credentials grant (RFC 6749 4.4): a client asks for a token for itself, a
// service calling another, with no user.
//
//   grant_type=client_credentials[&scope=...]
//
// Before any store is asked (validate):
//  1. scope, when given, is RFC 6749 3.3 syntax               400 invalid_scope
// After the client is authenticated and allowed the grant (respond):
//  2. the client's scope hook accepts the scope              400 invalid_scope
//  3. the issuer makes the token, told there is no user      500 when it fails
//     (no_user); its refresh token, if it makes one, is left out of the response
//     (RFC 6749 4.4.3: "A refresh token SHOULD NOT be included"), unless
//     client_credentials_options::issue_refresh_token says otherwise.
//
// Only confidential clients: RFC 6749 4.4.2 says "The client MUST authenticate", so the
// grant does not declare allows_public_clients, and a public client (method "none") is
// refused at the endpoint's step 9 with 401 invalid_client. Not unauthorized_client: that
// code is for an authenticated client (RFC 6749 5.2), and a public client has not
// authenticated. A client the store accepts but whose allows_grant refuses
// client_credentials is 400 unauthorized_client (step 13).

#include <cstdint>
#include <optional>
#include <string_view>
#include <type_traits>

#include "oauthcore/concepts.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/scope.hpp"

namespace oauthcore {

inline constexpr std::string_view client_credentials_grant_type = "client_credentials";

// The user a client_credentials token is issued for: nobody. The client acts on its own
// behalf (RFC 6749 4.4), and an issuer that overloads issue_token on no_user knows it.
struct no_user {};

struct client_credentials_parameters {
    std::string_view scope;  // normalized (scope.hpp); empty when not requested
};

struct client_credentials_options {
    // RFC 6749 4.4.3: a refresh token SHOULD NOT be included. true sends the one the
    // issuer makes.
    bool issue_refresh_token = false;
};

// A token the issuer made, without its refresh token: what the response is written from
// when the grant leaves it out. It refers to the issuer's token, which outlives it.
template <issued_token Token>
class without_refresh_token {
public:
    constexpr explicit without_refresh_token(const Token& token) noexcept : token_(&token) {}

    [[nodiscard]] constexpr std::string_view access_token() const { return token_->access_token(); }
    [[nodiscard]] constexpr std::optional<std::uint64_t> expires_in() const { return token_->expires_in(); }
    [[nodiscard]] constexpr std::string_view refresh_token() const noexcept { return {}; }
    [[nodiscard]] constexpr std::string_view scope() const { return token_->scope(); }

private:
    const Token* token_;
};

template <class Issuer>
class client_credentials_grant {
public:
    static constexpr std::string_view grant_type = client_credentials_grant_type;
    using parameters = parameter_list<"scope">;
    static constexpr bool allows_public_clients = false;  // RFC 6749 4.4.2 (see the top of this header)
    using request_type = client_credentials_parameters;

    explicit client_credentials_grant(Issuer& issuer, client_credentials_options options = {}) noexcept
        : issuer_(issuer), options_(options) {}

    // Step 1.
    template <class Form>
    [[nodiscard]] result<request_type> validate(const Form& form, request_storage& storage) const noexcept {
        const auto scope = normalize_scope(form[param<"scope">], storage);
        if (!scope) return unexpected<error>(scope.error());
        return client_credentials_parameters{*scope};
    }

    // Steps 2-3.
    template <class Context>
    void respond(const Context& context) {
        using client_type = std::remove_cvref_t<decltype(context.client())>;
        using token_type = typename Issuer::token_type;
        static_assert(detail::check_token_issuer<Issuer, client_type, no_user>());
        const std::string_view scope = context.request().scope;
        if (const auto allowed = check_scope_allowed(context.client(), scope); !allowed)
            return context.fail(allowed.error());
        ask_issuer(context, issuer_, context.client(), nobody, scope,
                   [context, keep_refresh_token = options_.issue_refresh_token](const outcome<token_type>& token) {
                       if (keep_refresh_token || !token.accepted())
                           return context.respond_with(token, context.request().scope);
                       context.respond_with(outcome<without_refresh_token<token_type>>::accept(
                                                without_refresh_token<token_type>(token.value())),
                                            context.request().scope);
                   });
    }

private:
    // Passed by reference to an issuer that may answer later: a static object outlives it.
    static constexpr no_user nobody{};

    Issuer& issuer_;
    client_credentials_options options_;
};

}  // namespace oauthcore
