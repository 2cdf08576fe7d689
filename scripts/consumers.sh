#!/usr/bin/env bash
# Builds and runs a tiny user program once for every way a project can take oauthcore:
# install + find_package, add_subdirectory, FetchContent, pkg-config with a plain
# compiler command, a Meson subproject, and the single header with nothing but g++ -I.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh g++ cmake ninja-build meson pkg-config python3
source_dir=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
consumers=$source_dir/tests/consumers

echo "=== single header is up to date ==="
python3 scripts/amalgamate.py --check

echo "=== install, then find_package ==="
# The prefix given at install time, as the README says, not at configure time: the
# pkg-config file must point into it all the same.
cmake -S . -B "$work/install-build" -G Ninja -DOAUTHCORE_BUILD_TESTS=OFF -DOAUTHCORE_BUILD_EXAMPLES=OFF >/dev/null
cmake --install "$work/install-build" --prefix "$work/prefix" >/dev/null
cmake -S "$consumers/find_package" -B "$work/find_package" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/find_package" >/dev/null
"$work/find_package/app"

echo "=== add_subdirectory ==="
cmake -S "$consumers/add_subdirectory" -B "$work/add_subdirectory" -G Ninja -DOAUTHCORE_SOURCE_DIR="$source_dir" >/dev/null
cmake --build "$work/add_subdirectory" >/dev/null
"$work/add_subdirectory/app"

echo "=== FetchContent ==="
tar -C "$source_dir/.." --exclude-vcs --exclude="$(basename "$source_dir")/build" \
  -czf "$work/oauthcore.tar.gz" "$(basename "$source_dir")"
cmake -S "$consumers/fetchcontent" -B "$work/fetchcontent" -G Ninja -DOAUTHCORE_ARCHIVE="$work/oauthcore.tar.gz" >/dev/null
cmake --build "$work/fetchcontent" >/dev/null
"$work/fetchcontent/app"

echo "=== pkg-config with a plain compiler command, C++20 and C++23 ==="
for standard in c++20 c++23; do
  # shellcheck disable=SC2046
  g++ -std=$standard $(PKG_CONFIG_PATH="$work/prefix/share/pkgconfig" pkg-config --cflags oauthcore) \
    "$consumers/main.cpp" -o "$work/pkg_config_app"
  "$work/pkg_config_app"
done

echo "=== Meson subproject ==="
meson_project=$work/meson_consumer
mkdir -p "$meson_project/subprojects"
cp "$consumers/meson_subproject/meson.build" "$meson_project/"
cp "$consumers/main.cpp" "$meson_project/main.cpp"
cp "$consumers/meson_subproject/oauthcore.wrap" "$meson_project/subprojects/"
ln -s "$source_dir" "$meson_project/subprojects/oauthcore"
meson setup "$meson_project/build" "$meson_project" >/dev/null
meson test -C "$meson_project/build" | grep -E '^(Ok|Fail):'
"$meson_project/build/app"

echo "=== the single header with nothing but g++ -I ==="
g++ -std=c++20 -Wall -Wextra -Wpedantic -Werror -I single_include "$consumers/main.cpp" -o "$work/single_header_app"
"$work/single_header_app"

echo "every consumer built and ran"
