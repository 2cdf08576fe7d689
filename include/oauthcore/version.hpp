#pragma once
// The one place the version lives; CMake, Meson and the .pc file read it from here.

#include "oauthcore/language.hpp"

#include <string_view>

#define OAUTHCORE_VERSION_MAJOR 0
#define OAUTHCORE_VERSION_MINOR 1
#define OAUTHCORE_VERSION_PATCH 0
#define OAUTHCORE_VERSION_STRING "0.1.0"

namespace oauthcore {
inline constexpr std::string_view version = OAUTHCORE_VERSION_STRING;
}  // namespace oauthcore
