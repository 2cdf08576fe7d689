// Must not compile: an authorization code record without used_before(), so that a second
// use of a code could not be told from the first (RFC 6749 4.1.2). The error names the
// concept and the members.
#include <cstdint>
#include <string_view>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/memory_stores.hpp"

struct record_without_used_before {
    std::string_view client_id() const { return {}; }
    std::string_view redirect_uri() const { return {}; }
    std::string_view code_challenge() const { return {}; }
    std::string_view code_challenge_method() const { return {}; }
    std::string_view scope() const { return {}; }
    oauthcore::memory_user user() const { return {}; }
    std::uint64_t expires_at() const { return 0; }
};

struct codes_without_reuse {
    using record_type = record_without_used_before;
    oauthcore::outcome<record_type> find_authorization_code(std::string_view) {
        return oauthcore::outcome<record_type>::reject();
    }
};

int main() {
    codes_without_reuse codes;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::authorization_code_grant grant{codes, issuer, [] { return std::uint64_t{0}; }};
    (void)grant;
}
