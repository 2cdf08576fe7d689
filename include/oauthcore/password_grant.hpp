#pragma once
// The Resource Owner Password Credentials grant (RFC 6749 4.3) as a grant handler:
// the vendor's endpoint, and the default grant set of handle_token_request.

#include <string_view>

#include "oauthcore/concepts.hpp"
#include "oauthcore/grant.hpp"
#include "oauthcore/grant_handler.hpp"

namespace oauthcore {

template <user_store Users, class Issuer>
class password_grant {
public:
    static constexpr std::string_view grant_type = password_grant_type;
    using request_type = password_parameters;

    password_grant(Users& users, Issuer& issuer) noexcept : users_(users), issuer_(issuer) {}

    [[nodiscard]] result<request_type> validate(const form_fields& fields, request_storage& storage) const noexcept {
        return validate_password_parameters(fields, storage);
    }

    // After the client: its scope hook, then the user's password, then the issuer.
    template <class Client, class Observer>
    requires token_issuer<Issuer, Client, typename Users::user_type>
    [[nodiscard]] response respond(const request_type& request, const grant_context<Client, Observer>& context) {
        if (const auto scope = check_scope_allowed(context.client, request.scope); !scope)
            return context.fail_with(scope.error());
        const auto user = users_.authenticate_user(request.identifier, request.password);
        if (const auto checked =
                check_user_outcome(user, context.authentication.credentials.id, request.identifier, context.observer);
            !checked)
            return context.fail_with(checked.error());
        return context.respond_with(issuer_.issue_token(context.client, user.value(), request.scope), request.scope);
    }

private:
    Users& users_;
    Issuer& issuer_;
};

}  // namespace oauthcore
