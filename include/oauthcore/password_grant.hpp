#pragma once
// The Resource Owner Password Credentials grant (RFC 6749 4.3) as the vendor document
// describes it: the vendor's endpoint, and the grant of handle_token_request.
//
//   grant_type=password & (username=... | email_address=...) & password=... [& scope=...]
//
// Its parameters, checked before any store is asked (validate), in this order:
//  1. exactly one of username and email_address            400 invalid_request (saying
//     whether neither or both were given; the vendor's rule)
//  2. password given                                        400 invalid_request
//  3. scope, when given, is RFC 6749 3.3 syntax             400 invalid_scope
// After the client is authenticated and allowed the grant (respond):
//  4. the client's scope hook accepts the scope            400 invalid_scope
//  5. the user store accepts the user and password          profile social_id: 401
//     invalid_client; rfc6749: 400 invalid_grant; 500 when the store fails
//  6. the issuer makes the token                            500 when it fails
//
// RFC 9700 2.4 says the password grant MUST NOT be used; it is here for the vendor's
// first-party clients (README, Security).

#include <string_view>

#include "oauthcore/concepts.hpp"
#include "oauthcore/grant_handler.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/scope.hpp"

namespace oauthcore {

inline constexpr std::string_view password_grant_type = "password";

// The password grant's parameters, checked.
struct password_parameters {
    user_identifier identifier;
    std::string_view password;
    std::string_view scope;  // normalized (scope.hpp); empty when not requested
};

// Step 1.
template <class Form>
[[nodiscard]] constexpr result<user_identifier> validate_user_identifier(const Form& form) noexcept {
    const bool username = form.given(param<"username">);
    const bool email = form.given(param<"email_address">);
    if (username && email) return fail(reason::conflicting_identifiers);
    if (username) return user_identifier{identifier_kind::username, form[param<"username">]};
    if (email) return user_identifier{identifier_kind::email_address, form[param<"email_address">]};
    return fail(reason::missing_identifier);
}

// Steps 1-3.
template <class Form, class Storage>
[[nodiscard]] constexpr result<password_parameters> validate_password_parameters(const Form& form,
                                                                                 Storage& storage) noexcept {
    const auto identifier = validate_user_identifier(form);
    if (!identifier) return unexpected<error>(identifier.error());
    if (!form.given(param<"password">)) return fail(reason::missing_parameter, param<"password">);
    if (!form.given(param<"scope">)) return password_parameters{*identifier, form[param<"password">], {}};
    const auto scope = normalize_scope(form[param<"scope">], storage);
    if (!scope) return unexpected<error>(scope.error());
    return password_parameters{*identifier, form[param<"password">], *scope};
}

template <class Users, class Issuer>
class password_grant {
    static_assert(detail::check_user_store<Users>());

public:
    static constexpr std::string_view grant_type = password_grant_type;
    using parameters = parameter_list<"username", "email_address", "password", "scope">;
    using request_type = password_parameters;

    password_grant(Users& users, Issuer& issuer) noexcept : users_(users), issuer_(issuer) {}

    template <class Form>
    [[nodiscard]] result<request_type> validate(const Form& form, request_storage& storage) const noexcept {
        return validate_password_parameters(form, storage);
    }

    // Steps 4-6.
    template <class Context>
    void respond(const Context& context) {
        using client_type = std::remove_cvref_t<decltype(context.client())>;
        using user_type = typename Users::user_type;
        static_assert(detail::check_token_issuer<Issuer, client_type, user_type>());
        const password_parameters& request = context.request();
        if (const auto scope = check_scope_allowed(context.client(), request.scope); !scope)
            return context.fail(scope.error());
        ask_user_store(context, users_, request.identifier, request.password,
                       [this, context](const outcome<user_type>& user) {
                           switch (user.status()) {
                               case outcome_status::failed: return context.fail(error{reason::user_store_failure});
                               case outcome_status::rejected:
                                   context.observer().user_authentication_failed(context.authentication().id,
                                                                                 context.request().identifier);
                                   return context.fail(error{reason::user_rejected});
                               case outcome_status::accepted: break;
                           }
                           ask_issuer(context, issuer_, context.client(), user.value(), context.request().scope,
                                      [context](const outcome<typename Issuer::token_type>& token) {
                                          context.respond_with(token, context.request().scope);
                                      });
                       });
    }

private:
    Users& users_;
    Issuer& issuer_;
};

}  // namespace oauthcore
