#include "oauthcore/errors.hpp"

#include <set>
#include <string>
#include <vector>

#include "catch.hpp"
#include "support.hpp"

using namespace oauthcore;

static_assert(detail::is_description_text("A plain sentence."));
static_assert(!detail::is_description_text("has \"quotes\""));
static_assert(!detail::is_description_text("back\\slash"));
static_assert(!detail::is_description_text("tab\there"));
static_assert(!detail::is_description_text(""));
static_assert(describe(error{reason::user_rejected}, profile::social_id).status == 401);
static_assert(describe(error{reason::user_rejected}, profile::rfc6749).code == error_code::invalid_grant);

TEST_CASE("errors: codes are the RFC 6749 5.2 strings plus server_error", "[errors][rfc6749]") {
    CHECK(to_string(error_code::invalid_request) == "invalid_request");
    CHECK(to_string(error_code::invalid_client) == "invalid_client");
    CHECK(to_string(error_code::invalid_grant) == "invalid_grant");
    CHECK(to_string(error_code::unauthorized_client) == "unauthorized_client");
    CHECK(to_string(error_code::unsupported_grant_type) == "unsupported_grant_type");
    CHECK(to_string(error_code::invalid_scope) == "invalid_scope");
    CHECK(to_string(error_code::server_error) == "server_error");
}

TEST_CASE("errors: the device flow's codes are the RFC 8628 3.5 strings, each 400 in both profiles",
          "[errors][device_code]") {
    CHECK(to_string(error_code::authorization_pending) == "authorization_pending");
    CHECK(to_string(error_code::slow_down) == "slow_down");
    CHECK(to_string(error_code::access_denied) == "access_denied");
    CHECK(to_string(error_code::expired_token) == "expired_token");
    struct row {
        reason why;
        error_code code;
    };
    for (const row r :
         {row{reason::authorization_pending, error_code::authorization_pending},
          row{reason::slow_down, error_code::slow_down}, row{reason::access_denied, error_code::access_denied},
          row{reason::expired_token, error_code::expired_token}}) {
        for (const auto p : {profile::social_id, profile::rfc6749}) {
            const auto d = describe(error{r.why}, p);
            CHECK(d.code == r.code);
            CHECK(d.status == 400);
        }
    }
}

TEST_CASE("errors: every refused code, and every refused device code, has one answer (RFC 6749 5.2, no oracle)",
          "[errors][authorization_code][device_code]") {
    for (const auto& group :
         {std::vector<reason>(detail::code_rejection_reasons.begin(), detail::code_rejection_reasons.end()),
          std::vector<reason>(detail::device_code_rejection_reasons.begin(),
                              detail::device_code_rejection_reasons.end())}) {
        std::set<std::string> bodies;
        std::set<std::string> names;
        for (const auto p : {profile::social_id, profile::rfc6749}) {
            for (const reason r : group) {
                const auto d = describe(error{r}, p);
                CHECK(d.code == error_code::invalid_grant);
                CHECK(d.status == 400);
                bodies.insert(oauthcore_test::description_of(d));
                names.insert(std::string(to_string(r)));
            }
        }
        CHECK(bodies.size() == 1);
        CHECK(names.size() == group.size());
    }
}

TEST_CASE("errors: every reason maps to a documented status and code in both profiles", "[errors]") {
    for (std::size_t i = 0; i < reason_count; ++i) {
        for (const auto p : {profile::social_id, profile::rfc6749}) {
            const auto d = describe(error{static_cast<reason>(i)}, p);
            CHECK((d.status == 400 || d.status == 401 || d.status == 405 || d.status == 500));
            CHECK(detail::is_description_text(d.description));
            // RFC 6749 5.2: invalid_client may be 401; every other code is 400, and ours
            // adds only 405 for the method and 500 for server_error.
            if (d.code == error_code::invalid_client) CHECK(d.status == 401);
            if (d.code == error_code::server_error) CHECK(d.status == 500);
            if (d.status == 401) CHECK(d.code == error_code::invalid_client);
        }
    }
}

TEST_CASE("errors: profiles differ only for wrong user credentials (README: Errors and profiles)", "[errors]") {
    for (std::size_t i = 0; i < reason_count; ++i) {
        const auto r = static_cast<reason>(i);
        const auto a = describe(error{r}, profile::social_id);
        const auto b = describe(error{r}, profile::rfc6749);
        if (r == reason::user_rejected) {
            CHECK(a.code == error_code::invalid_client);
            CHECK(a.status == 401);
            CHECK(b.code == error_code::invalid_grant);
            CHECK(b.status == 400);
        } else {
            CHECK(a.code == b.code);
            CHECK(a.status == b.status);
            CHECK(a.description == b.description);
        }
    }
}

TEST_CASE("errors: the vendor's status classes (vendor Response Status)", "[errors][vendor]") {
    CHECK(describe(error{reason::missing_parameter, param<"password">}).status == 400);
    CHECK(describe(error{reason::missing_parameter, param<"password">}).code == error_code::invalid_request);
    CHECK(describe(error{reason::client_rejected}).status == 401);
    CHECK(describe(error{reason::client_rejected}).code == error_code::invalid_client);
    CHECK(describe(error{reason::unsupported_grant_type}).code == error_code::unsupported_grant_type);
    CHECK(describe(error{reason::client_store_failure}).status == 500);
    CHECK(describe(error{reason::client_store_failure}).description == "An unknown error happened.");
}

TEST_CASE("errors: descriptions that name a parameter name it, nothing else (RFC 6749 5.2)", "[errors]") {
    using oauthcore_test::description_of;
    std::set<std::string> seen;
    for (const parameter_name p : {parameter_name(param<"grant_type">), parameter_name(param<"code_verifier">),
                                   parameter_name("client_assertion_type"), parameter_name("x")}) {
        for (const reason r : {reason::duplicate_parameter, reason::missing_parameter, reason::invalid_parameter}) {
            const std::string text = description_of(describe(error{r, p}));
            CHECK(text.find(std::string(p.text())) != std::string::npos);
            CHECK(detail::is_description_text(text));
            seen.insert(text);
        }
    }
    CHECK(seen.size() == 12);
    CHECK(description_of(describe(error{reason::missing_parameter, param<"password">})) ==
          "The password parameter is required.");
    CHECK(description_of(describe(error{reason::duplicate_parameter, param<"scope">})) ==
          "The scope parameter is included more than once.");
    // A reason whose description names no parameter keeps its fixed text.
    CHECK(description_of(describe(error{reason::invalid_scope_syntax, param<"scope">})) == "The scope is malformed.");
}

TEST_CASE("errors: an out-of-range reason is a server_error, not undefined behaviour", "[errors]") {
    const auto d = describe(error{static_cast<reason>(200)});
    CHECK(d.code == error_code::server_error);
    CHECK(d.status == 500);
    CHECK(reason_phrase(999) == "Internal Server Error");
}

TEST_CASE("errors: a reason outside the enum, or a naming reason without a name, still gets a fixed description",
          "[errors]") {
    const auto unknown = describe(error{static_cast<reason>(250)});
    CHECK(unknown.code == error_code::server_error);
    CHECK(unknown.status == 500);
    CHECK(unknown.description == "An unknown error happened.");
    const auto duplicate = describe(error{reason::duplicate_parameter});
    CHECK(duplicate.status == 400);
    CHECK(oauthcore_test::description_of(duplicate) == "A parameter is included more than once.");
    CHECK(to_string(static_cast<error_code>(200)) == "server_error");
    CHECK(error{reason::duplicate_parameter, param<"scope">} != error{reason::duplicate_parameter, param<"password">});
    CHECK(error{reason::missing_parameter, param<"password">} != error{reason::missing_parameter, param<"grant_type">});
}

TEST_CASE("errors: every reason has a distinct name for the host's logs", "[errors]") {
    std::set<std::string> names;
    for (std::size_t i = 0; i < reason_count; ++i) names.insert(std::string(to_string(static_cast<reason>(i))));
    CHECK(names.size() == reason_count);
    CHECK(to_string(reason::client_rejected) == "client_rejected");
    CHECK(to_string(reason::user_rejected) == "user_rejected");
    CHECK(to_string(static_cast<reason>(250)) == "unknown");
}

TEST_CASE("errors: the authorization endpoint's and revocation's codes are the RFC strings, 400 in both profiles",
          "[errors][authorization_request][revocation]") {
    // RFC 6749 4.1.2.1 and RFC 7009 2.2.1.
    CHECK(to_string(error_code::unsupported_response_type) == "unsupported_response_type");
    CHECK(to_string(error_code::unsupported_token_type) == "unsupported_token_type");
    CHECK(to_string(error_code::access_denied) == "access_denied");
    struct row {
        reason why;
        error_code code;
        int status;
    };
    for (const row r : {row{reason::unsupported_response_type, error_code::unsupported_response_type, 400},
                        row{reason::unsupported_token_type, error_code::unsupported_token_type, 400},
                        row{reason::token_issued_to_another_client, error_code::unauthorized_client, 400},
                        row{reason::unknown_client, error_code::invalid_request, 400},
                        row{reason::unregistered_redirect_uri, error_code::invalid_request, 400},
                        row{reason::code_challenge_method_not_supported, error_code::invalid_request, 400},
                        row{reason::authorization_method_not_allowed, error_code::invalid_request, 405},
                        row{reason::post_required, error_code::invalid_request, 405},
                        row{reason::token_store_failure, error_code::server_error, 500},
                        row{reason::user_code_outside_format, error_code::server_error, 500},
                        row{reason::weak_user_code_format, error_code::server_error, 500}}) {
        for (const auto p : {profile::social_id, profile::rfc6749}) {
            const auto d = describe(error{r.why}, p);
            CHECK(d.code == r.code);
            CHECK(d.status == r.status);
        }
    }
    CHECK(reason_phrase(302) == "Found");
    CHECK(reason_phrase(303) == "See Other");
}
