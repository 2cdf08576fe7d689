#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL: initdb into a new temporary folder (as
# the unprivileged user nobody when run as root, as CI runs), a server on a unix socket
# in that folder only (no TCP port), stopped and removed when the command ends, or if
# this script is killed. The command gets the database's URI in TOKEN_SERVER_POSTGRES:
#   bash scripts/throwaway-postgres.sh -- build/gcc/examples/token_server/token_server \
#     --db '$TOKEN_SERVER_POSTGRES'        (quote it in the command: it is expanded there)
#   bash scripts/throwaway-postgres.sh -- sh -c 'token_server --db "$TOKEN_SERVER_POSTGRES" --port 0'
# Installs postgresql-15 first if it is missing. The tests use the same helper
# (examples/token_server/tests/throwaway_postgres.py) from Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh postgresql-15 python3
exec python3 examples/token_server/tests/throwaway_postgres.py "$@"
