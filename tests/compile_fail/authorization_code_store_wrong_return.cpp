// Must not compile: an authorization-code store whose find_authorization_code returns
// bool instead of outcome<record_type>. The error names the concept and the member.
#include <cstdint>
#include <string_view>

#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/memory_stores.hpp"

struct codes_answering_bool {
    using record_type = oauthcore::memory_authorization_code_store::record_type;
    bool find_authorization_code(std::string_view) { return true; }
};

int main() {
    codes_answering_bool codes;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::authorization_code_grant grant{codes, issuer, [] { return std::uint64_t{0}; }};
    (void)grant;
}
