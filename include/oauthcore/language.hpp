#pragma once
// oauthcore is C++20 (concepts, std::is_constant_evaluated, class types as template
// arguments). An older language mode otherwise fails with hundreds of errors deep in the
// headers; this says what to do first. Included by every header that includes no other
// oauthcore header, so every header reaches it before any of its code.

#if defined(_MSVC_LANG) ? _MSVC_LANG < 202002L : __cplusplus < 202002L
#error "oauthcore needs C++20 or later: compile with -std=c++20 (g++, clang++) or /std:c++20 (MSVC)"
#endif
