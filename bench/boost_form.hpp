#pragma once
// A token request body parsed with Boost.URL, as its documentation shows: params_view
// over the body with space_as_plus, iterated, each key and value decoded into a
// std::string. Shared by form_parse/boost_url and end_to_end/boost_parts.

#include <boost/url/params_view.hpp>

#include <array>
#include <string>
#include <string_view>
#include <utility>

namespace bench::boost_parts {

// The recognised parameters, decoded; an empty value counts as omitted.
struct form_fields {
    std::string grant_type;
    std::string username;
    std::string email_address;
    std::string password;
    std::string client_id;
    std::string client_secret;
    std::string scope;
};

// Parses a form body: false on a malformed body or a repeated recognised parameter.
inline bool parse_form(std::string_view body, form_fields& fields) {
    // The documented constructor throws on a malformed body. (The non-throwing route,
    // parse_query and params_view(params_view, encoding_opts), does not link against
    // Debian's libboost_url 1.81: that constructor is not exported.)
    try {
        const boost::urls::params_view params(body, boost::urls::encoding_opts(true));
        std::array<bool, 7> seen{};
        for (boost::urls::param p : params) {
            static constexpr std::array<std::string_view, 7> names = {
                "grant_type", "username", "email_address", "password", "client_id", "client_secret", "scope"};
            std::string* const slots[] = {&fields.grant_type, &fields.username,  &fields.email_address,
                                          &fields.password,   &fields.client_id, &fields.client_secret,
                                          &fields.scope};
            for (std::size_t i = 0; i < names.size(); ++i) {
                if (p.key != names[i]) continue;
                if (seen[i]) return false;
                seen[i] = true;
                *slots[i] = std::move(p.value);
            }
        }
        return true;
    } catch (const boost::system::system_error&) {
        return false;
    }
}

}  // namespace bench::boost_parts
