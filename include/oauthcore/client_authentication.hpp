#pragma once
// Client authentication at the token endpoint (RFC 6749 2.3), as a set of methods named
// as RFC 7591 names them (token_endpoint_auth_method):
//  - client_secret_basic: HTTP Basic with the client id and secret (RFC 6749 2.3.1);
//    always on, the default.
//  - client_secret_post: client_id and client_secret in the body; RFC 6749 2.3.1 says it
//    is NOT RECOMMENDED, so endpoint_options::allow_body_client_auth turns it on.
//  - none (public_client): client_id in the body, no secret, for clients that cannot
//    keep one (RFC 6749 2.1); endpoint_options::allow_public_clients turns it on, and
//    only grants that declare allows_public_clients accept it.
// A host adds a method (RFC 7523 private_key_jwt, say) by writing a type like these and
// listing it in client_authentication_methods<...>; see tests/client_authentication.cpp.
//
// A method type has:
//   static constexpr std::string_view name;        // RFC 7591 name, or the host's own
//   using parameters = parameter_list<...>;        // the body parameters it reads
//   static constexpr bool carries_credentials;     // false only for "none"
//   template <class Form> bool presented(const request_view&, const Form&) const;
//       // the request carries this method's credentials
//   template <class Form, class Storage> result<client_authentication>
//       authenticate(const request_view&, const Form&, Storage&, const endpoint_options&) const;
//       // the id and credential, syntax only: the client store judges them
//
// How one method is chosen (select_client_authentication), in this order:
//  1. two or more methods that carry credentials are presented     400 invalid_request
//     (RFC 6749 2.3: "MUST NOT use more than one authentication method")
//  2. exactly one: its authenticate() (Basic: 401 on anything malformed), then a
//     client_id in the body must equal the id it names                400 invalid_request
//     (RFC 6749 3.2.1 lets a client send client_id to identify itself; requests-oauthlib
//     does, next to Basic)
//  3. none: the first method that carries no credentials and is presented (none:
//     client_id alone); otherwise                                     401 invalid_client

#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>

#include "oauthcore/basic_auth.hpp"
#include "oauthcore/detail/swar.hpp"
#include "oauthcore/concepts.hpp"
#include "oauthcore/errors.hpp"
#include "oauthcore/form.hpp"
#include "oauthcore/options.hpp"
#include "oauthcore/parameters.hpp"
#include "oauthcore/result.hpp"
#include "oauthcore/transport.hpp"

namespace oauthcore {

inline constexpr std::string_view public_client_method = "none";

// A client_id or client_secret from the body holds no control character (RFC 6749
// Appendix A.1, A.2: *VSCHAR; bytes from 0x80 pass, as they do in Basic credentials):
// form decoding makes them from "%0D%0A" or "%00", and no store, observer or log line is
// handed one. 400 invalid_request naming the parameter. The scan is the Basic parser's
// (a word or sixteen bytes a step): a public client's every request runs it.
template <detail::fixed_string... Names, class Form>
[[nodiscard]] constexpr result<void> check_body_credential(const Form& form) noexcept {
    result<void> checked;
    const auto check = [&](auto name) {
        if (checked && (detail::user_pass_flags(form[name]) & detail::user_pass_control) != 0)
            checked = fail(reason::invalid_parameter, name);
    };
    (check(param<Names>), ...);
    return checked;
}

struct client_secret_basic {
    static constexpr std::string_view name = "client_secret_basic";
    using parameters = parameter_list<>;
    static constexpr bool carries_credentials = true;

    template <class Form>
    [[nodiscard]] constexpr bool presented(const request_view& request, const Form& /*form*/) const noexcept {
        return request.authorization.has_value();
    }

    template <class Form, class Storage>
    [[nodiscard]] constexpr result<client_authentication> authenticate(const request_view& request,
                                                                       const Form& /*form*/, Storage& storage,
                                                                       const endpoint_options& options) const noexcept {
        return detail::filled<client_authentication>([&](client_authentication& out, error& failure) {
            out.method = name;
            return detail::parse_basic_authorization_into(*request.authorization, storage, options.basic, out, failure);
        });
    }
};

struct client_secret_post {
    static constexpr std::string_view name = "client_secret_post";
    using parameters = parameter_list<"client_id", "client_secret">;
    static constexpr bool carries_credentials = true;

    template <class Form>
    [[nodiscard]] constexpr bool presented(const request_view& /*request*/, const Form& form) const noexcept {
        return form.given(param<"client_secret">);
    }

    template <class Form, class Storage>
    [[nodiscard]] constexpr result<client_authentication> authenticate(const request_view& /*request*/,
                                                                       const Form& form, Storage& /*storage*/,
                                                                       const endpoint_options& options) const noexcept {
        if (!options.allow_body_client_auth) return fail(reason::body_client_authentication_disabled);
        if (!form.given(param<"client_id">)) return fail(reason::empty_client_id);
        if (const auto checked = check_body_credential<"client_id", "client_secret">(form); !checked)
            return unexpected<error>(checked.error());
        return client_authentication{name, form[param<"client_id">], form[param<"client_secret">]};
    }
};

// "none": the client names itself with client_id and proves nothing.
struct public_client {
    static constexpr std::string_view name = public_client_method;
    using parameters = parameter_list<"client_id">;
    static constexpr bool carries_credentials = false;

    template <class Form>
    [[nodiscard]] constexpr bool presented(const request_view& /*request*/, const Form& form) const noexcept {
        return form.given(param<"client_id">);
    }

    // A client_id alone, while public clients are off: with client_secret_post on, it is
    // that method with an empty secret, which RFC 6749 2.3.1 lets a client omit; otherwise
    // body credentials are off (401, saying to use Basic), as before methods existed.
    template <class Form, class Storage>
    [[nodiscard]] constexpr result<client_authentication> authenticate(const request_view& /*request*/,
                                                                       const Form& form, Storage& /*storage*/,
                                                                       const endpoint_options& options) const noexcept {
        if (!options.allow_public_clients && !options.allow_body_client_auth)
            return fail(reason::body_client_authentication_disabled);
        if (const auto checked = check_body_credential<"client_id">(form); !checked)
            return unexpected<error>(checked.error());
        if (options.allow_public_clients) return client_authentication{name, form[param<"client_id">], {}};
        return client_authentication{client_secret_post::name, form[param<"client_id">], {}};
    }
};

// The methods an endpoint accepts, tried in this order.
template <class... Methods>
struct client_authentication_methods {
    static_assert(((!Methods::name.empty()) && ...), "oauthcore: a client authentication method needs a name");

    using parameters = parameter_union<parameter_list<"client_id">, typename Methods::parameters...>;
    std::tuple<Methods...> methods;
};

namespace detail {
template <class T>
inline constexpr bool is_client_authentication_methods = false;
template <class... Methods>
inline constexpr bool is_client_authentication_methods<client_authentication_methods<Methods...>> = true;
}  // namespace detail

using default_client_authentication =
    client_authentication_methods<client_secret_basic, client_secret_post, public_client>;

namespace detail {

// The authenticate() of the first method at or after I that is presented and carries
// credentials exactly when `with_credentials`; client_authentication_missing when there is
// none. Each result is returned as it is made (no copy of it).
template <std::size_t I, class... Methods, class Form, class Storage>
[[nodiscard]] constexpr result<client_authentication> authenticate_first(
    const client_authentication_methods<Methods...>& accepted, bool with_credentials, const request_view& request,
    const Form& form, Storage& storage, const endpoint_options& options) noexcept {
    if constexpr (I == sizeof...(Methods)) {
        return fail(reason::client_authentication_missing);
    } else {
        const auto& method = std::get<I>(accepted.methods);
        if (std::remove_cvref_t<decltype(method)>::carries_credentials == with_credentials &&
            method.presented(request, form))
            return method.authenticate(request, form, storage, options);
        return authenticate_first<I + 1>(accepted, with_credentials, request, form, storage, options);
    }
}

}  // namespace detail

// The one method of `accepted` the request uses, and the id and credential it carries
// (steps 1-3 at the top of this header; step 2's comparison with a body client_id is
// client_id_matches). Syntax only: no store is asked.
template <class... Methods, class Form, class Storage>
[[nodiscard]] constexpr result<client_authentication> select_client_authentication(
    const client_authentication_methods<Methods...>& accepted, const request_view& request, const Form& form,
    Storage& storage, const endpoint_options& options) noexcept {
    const std::size_t with_credentials = std::apply(
        [&](const auto&... method) {
            return (std::size_t{0} + ... +
                    (std::remove_cvref_t<decltype(method)>::carries_credentials && method.presented(request, form)));
        },
        accepted.methods);
    if (with_credentials > 1) return fail(reason::multiple_client_authentication_methods);
    return detail::authenticate_first<0>(accepted, with_credentials == 1, request, form, storage, options);
}

// Step 2's second half: a client_id in the body names the client the credentials name
// (an empty one names none).
template <class Form>
[[nodiscard]] constexpr bool client_id_matches(const Form& form, const client_authentication& client) noexcept {
    const std::string_view body_id = form[param<"client_id">];
    return body_id.empty() || detail::bytes_equal(body_id, client.id);
}

}  // namespace oauthcore
