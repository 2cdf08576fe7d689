// Must not compile: an observer whose authorization_code_reused cannot take the client id
// and the record. Silently not calling it would hide the second use of a code, after
// which RFC 6749 4.1.2 says the host SHOULD revoke the tokens the code produced.
#include "oauthcore/authorization_code_grant.hpp"
#include "oauthcore/memory_stores.hpp"

struct observer_with_wrong_hook {
    void authorization_code_reused(std::string_view /*client_id*/) {}
};

int main() {
    observer_with_wrong_hook observer;
    const oauthcore::memory_authorization_code_store::record_type record{};
    oauthcore::notify_authorization_code_reused(observer, "spa", record);
}
