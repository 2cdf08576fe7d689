// Must not compile: a user store whose authenticate_user returns bool instead of
// outcome<user_type>. The error names the concept and the member.
#include <string_view>

#include "oauthcore/password_grant.hpp"
#include "oauthcore/memory_stores.hpp"

struct users_returning_bool {
    using user_type = oauthcore::memory_user;
    bool authenticate_user(oauthcore::user_identifier, std::string_view) { return false; }
};

int main() {
    users_returning_bool users;
    oauthcore::fixed_token_issuer issuer({"t", 60, {}, {}});
    oauthcore::password_grant password{users, issuer};
    return sizeof(password) == 0 ? 1 : 0;
}
