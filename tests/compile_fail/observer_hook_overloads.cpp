// Must not compile: an observer whose refresh_token_rejected is an overload set none of
// which takes the client id (an overload set is seen as a declaration of the name too).
#include "oauthcore/refresh_grant.hpp"

struct observer_with_wrong_overloads {
    void refresh_token_rejected(int /*not a client id*/) {}
    void refresh_token_rejected(double /*not a client id*/) {}
};

int main() {
    observer_with_wrong_overloads observer;
    oauthcore::notify_refresh_token_rejected(observer, "138");
}
