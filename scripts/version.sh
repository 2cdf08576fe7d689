#!/usr/bin/env bash
# Prints the version from include/oauthcore/version.hpp, the one place it lives.
sed -n 's/^#define OAUTHCORE_VERSION_STRING "\(.*\)"$/\1/p' "$(dirname "$0")/../include/oauthcore/version.hpp"
