// Must not compile: oauthcore in C++17 mode (the test compiles it with -std=c++17). The
// first error says which language mode the library needs (oauthcore/language.hpp).
#include "oauthcore/oauthcore.hpp"

int main() { return 0; }
