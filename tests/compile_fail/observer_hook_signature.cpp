// Must not compile: an observer whose refresh_token_rejected cannot take the client id.
// Silently not calling it would hide the RFC 9700 4.14.2 reuse signal the host asked for.
#include "oauthcore/refresh_grant.hpp"

struct observer_with_wrong_hook {
    void refresh_token_rejected(int /*not a client id*/) {}
};

int main() {
    observer_with_wrong_hook observer;
    oauthcore::notify_refresh_token_rejected(observer, "138");
}
