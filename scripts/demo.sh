#!/usr/bin/env bash
# The demo: installs what is missing, builds examples/token_server (Release), starts it
# on a free loopback port with a new database, and runs the vendor document's two curl
# examples verbatim (only host and port differ) and one failing request, printing each
# request and response. Then it stops the server and shows the server's log.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh g++ cmake ninja-build catch2 libboost1.81-dev libssl-dev libsqlite3-dev libsodium-dev \
  libpq-dev pkg-config curl

echo "building examples/token_server (Release)..."
cmake -S . -B build/demo -G Ninja -DCMAKE_BUILD_TYPE=Release -DOAUTHCORE_BUILD_TESTS=OFF >/dev/null
# vendor_demo is the library-only demo (in-memory stores, no HTTP); it is built too.
cmake --build build/demo -j2 --target token_server vendor_demo >/dev/null
server=build/demo/examples/token_server/token_server

work=$(mktemp -d)
server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || echo "token_server exited with status $?"
  fi
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

# --port 0: the server picks a free port and says which on stderr. --demo: the new
# database gets the vendor document's client 138 and user john_doe.
"$server" --host 127.0.0.1 --port 0 --db "$work/tokens.db" --demo 2>"$work/server.log" &
server_pid=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/server.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  cat "$work/server.log" >&2
  echo "token_server did not start" >&2
  exit 1
fi
echo "token_server listening on 127.0.0.1:$port, database $work/tokens.db"
echo

# The commands run exactly as printed; a private .curlrc only turns off curl's progress
# meter (which it draws when its output is not a terminal).
printf 'silent\nshow-error\n' >"$work/.curlrc"
run() {
  echo "\$ $1"
  CURL_HOME=$work bash -c "$1"
  printf '\n\n'
}

echo "=== vendor example 1: username and password ==="
run "curl -iX POST 'http://127.0.0.1:$port/v2/marketing/oauth/token' -d 'grant_type=password&username=john_doe&password=john_doe_secret' --user 138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"
echo "=== vendor example 2: email_address and password ==="
run "curl -iX POST 'http://127.0.0.1:$port/v2/marketing/oauth/token' -d 'grant_type=password&email_address=john_doe@domain.com&password=john_doe_secret' --user 138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"
echo "=== a failing request: wrong password ==="
run "curl -iX POST 'http://127.0.0.1:$port/v2/marketing/oauth/token' -d 'grant_type=password&username=john_doe&password=wrong_secret' --user 138:e8b9ca24f1b590af67e6271297d6e1f7226625d61c5b5daa1b2f215464e292cf"

stop_server
echo "=== the server's log (stderr): no secret, password or token in it ==="
cat "$work/server.log"
