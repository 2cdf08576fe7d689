#!/usr/bin/env bash
# Compile cost of the header-only library: the time g++ takes for a translation unit
# that includes oauthcore/oauthcore.hpp and handles one request, against one that
# includes only <string>, <string_view> and <array>. Median of 5 compilations each,
# at -O0 and -O2. Also fails when a heavy standard header (<iostream>, <regex>,
# <format>, <ranges>) is reachable from oauthcore.hpp, directly or not.
#   bash bench/compile_cost.sh [compiler]
set -euo pipefail
cd "$(dirname "$0")/.."
cxx=${1:-g++}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/oauthcore_tu.cpp" <<'CPP'
#include <optional>
#include <string_view>
#include "oauthcore/oauthcore.hpp"

struct one_request {
    std::string_view method() const { return "POST"; }
    std::string_view target() const { return "/v2/marketing/oauth/token"; }
    std::string_view body() const { return "grant_type=password&username=john_doe&password=john_doe_secret"; }
    std::optional<std::string_view> header(std::string_view name) const {
        if (name == "Content-Type") return "application/x-www-form-urlencoded";
        if (name == "Authorization") return "Basic MTM4OnMzY3JldA==";
        return std::nullopt;
    }
};

int main() {
    oauthcore::memory_client_store clients;
    clients.add("138", "s3cret");
    oauthcore::memory_user_store users;
    users.add("john_doe", "john_doe@domain.com", "john_doe_secret");
    oauthcore::fixed_token_issuer issuer({"an-access-token", 604800, "a-refresh-token", {}});
    oauthcore::exchange_storage storage;
    return oauthcore::handle_token_request(one_request{}, clients, users, issuer, storage).status == 200 ? 0 : 1;
}
CPP

cat >"$work/baseline_tu.cpp" <<'CPP'
#include <array>
#include <string>
#include <string_view>

int main() {
    const std::array<std::string_view, 2> parts{"grant_type=", "password"};
    std::string body;
    for (const auto part : parts) body += part;
    return body.size() == 19 ? 0 : 1;
}
CPP

median_ms() {  # flags, source: median wall time of 5 compilations, in ms
  local times=()
  for _ in 1 2 3 4 5; do
    local start end
    start=$(date +%s%N)
    "$cxx" -std=c++20 $1 -I include -c "$2" -o "$work/out.o"
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

echo "compiler: $("$cxx" --version | head -n 1)"
echo "| translation unit | -O0 (ms) | -O2 (ms) |"
echo "| --- | ---: | ---: |"
for tu in baseline oauthcore; do
  echo "| $tu ($( [ $tu = baseline ] && echo '<string>, <string_view>, <array>' || echo 'oauthcore.hpp, one request')) | $(median_ms -O0 "$work/${tu}_tu.cpp") | $(median_ms -O2 "$work/${tu}_tu.cpp") |"
done

# Every header the library pulls in, transitively (-H prints one per line on stderr).
heavy=$("$cxx" -std=c++20 -I include -H -fsyntax-only "$work/oauthcore_tu.cpp" 2>&1 >/dev/null |
  grep -E '/(iostream|regex|format|ranges)$' || true)
if [ -n "$heavy" ]; then
  echo "heavy standard headers reachable from oauthcore.hpp:"
  echo "$heavy"
  exit 1
fi
echo "no <iostream>, <regex>, <format> or <ranges> reachable from oauthcore.hpp"
