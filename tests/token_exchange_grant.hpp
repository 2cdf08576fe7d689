#pragma once
// A grant written outside the library, as a host would write one: RFC 8693 token
// exchange, with three parameters of its own (subject_token, subject_token_type and RFC
// 9396 authorization_details, 21 bytes), and a store of its own that answers now or
// later. Nothing in include/oauthcore/ knows of it: tests/grant_handler.cpp runs it
// through the one-call API, tests/staged.cpp through handle_async with every store
// answering later.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "oauthcore/oauthcore.hpp"

namespace oauthcore_test {

// RFC 8693 3: the token types a subject_token may be.
inline constexpr std::string_view access_token_type = "urn:ietf:params:oauth:token-type:access_token";

struct exchange_subject {
    std::string_view name;
};

// The subject tokens the host knows (here two fixed ones).
struct subject_store {
    using subject_type = exchange_subject;
    int asked = 0;

    [[nodiscard]] oauthcore::outcome<subject_type> find_subject(std::string_view token) {
        ++asked;
        if (token == "subject-token-of-alice") return oauthcore::outcome<subject_type>::accept({"alice"});
        if (token == "broken-store") return oauthcore::outcome<subject_type>::fail();
        return oauthcore::outcome<subject_type>::reject();
    }
};

template <class Subjects, class Issuer>
class token_exchange_grant {
public:
    static constexpr std::string_view grant_type = "urn:ietf:params:oauth:grant-type:token-exchange";
    using parameters = oauthcore::parameter_list<"subject_token", "subject_token_type", "authorization_details">;
    using request_type = std::pair<std::string_view, std::string_view>;  // subject token, authorization details

    token_exchange_grant(Subjects& subjects, Issuer& issuer) : subjects_(subjects), issuer_(issuer) {}

    // RFC 8693 2.1: subject_token and subject_token_type are REQUIRED; an unsupported type
    // is invalid_request (2.2.2). authorization_details is RFC 9396 JSON: an array.
    template <class Form>
    [[nodiscard]] oauthcore::result<request_type> validate(const Form& form, oauthcore::request_storage&) const {
        using oauthcore::param;
        if (!form.given(param<"subject_token">))
            return oauthcore::fail(oauthcore::reason::missing_parameter, param<"subject_token">);
        if (!form.given(param<"subject_token_type">))
            return oauthcore::fail(oauthcore::reason::missing_parameter, param<"subject_token_type">);
        if (form[param<"subject_token_type">] != access_token_type)
            return oauthcore::fail(oauthcore::reason::invalid_parameter, param<"subject_token_type">);
        const std::string_view details = form[param<"authorization_details">];
        if (!details.empty() && details.front() != '[')
            return oauthcore::fail(oauthcore::reason::invalid_parameter, param<"authorization_details">);
        return request_type{form[param<"subject_token">], details};
    }

    template <class Context>
    void respond(const Context& context) {
        using subject_outcome = oauthcore::outcome<typename Subjects::subject_type>;
        const std::string_view token = context.request().first;
        context.ask(
            [this, token](auto&&... answer) -> decltype(subjects_.find_subject(token, answer...)) {
                return subjects_.find_subject(token, answer...);
            },
            [this, context](const subject_outcome& subject) {
                switch (subject.status()) {
                    case oauthcore::outcome_status::failed:
                        return context.fail(oauthcore::error{oauthcore::reason::issuer_failure});
                    case oauthcore::outcome_status::rejected:
                        return context.fail(
                            oauthcore::error{oauthcore::reason::invalid_parameter, oauthcore::param<"subject_token">});
                    case oauthcore::outcome_status::accepted: break;
                }
                oauthcore::ask_issuer(context, issuer_, context.client(), subject.value(), {},
                                      [context](const oauthcore::outcome<typename Issuer::token_type>& token) {
                                          context.respond_with(token, {});
                                      });
            });
    }

private:
    Subjects& subjects_;
    Issuer& issuer_;
};

}  // namespace oauthcore_test
