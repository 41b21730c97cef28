#!/usr/bin/env bash
# Property-based API testing (issue 6): schemathesis against the live app and its own schema.
#
# Starts the app with gunicorn on loopback over a throwaway SQLite database seeded with the
# demo (seed_demo, plus one report per product), gets tokens for two users of different
# organizations through POST /api/v1/auth/token/ (Northwind's admin, Contoso's leader),
# and runs every check of schemathesis on every operation of /api/schema/, including
# `object_level_authorization`: each object Northwind's admin reads is read again as
# Contoso's leader, who must not get it. Seeded, so a failure reproduces.
#
# Five seeds (issue 16 item 4), not one tuned configuration: the first runs every phase
# (examples, coverage, fuzzing, stateful); the others draw new fuzzing and stateful data. Four
# examples per operation and seed keep the whole run within a few minutes on two cores. The coverage
# phase derives its cases from the schema, not from the seed: once is enough.
#
# Usage: scripts/schemathesis.sh [extra schemathesis options]   (exit 0 = 0 failures on every seed)
#   SCHEMATHESIS_SEEDS="1 2 3"   the seeds (default below)
#   SCHEMATHESIS_EXAMPLES=N      examples per operation and seed (default 4)
# The configuration is .schemathesis/schemathesis.toml; reports land in $SCHEMATHESIS_REPORTS
# (default: test-artifacts/schemathesis).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
WORK=$(mktemp -d)
REPORTS=${SCHEMATHESIS_REPORTS:-$ROOT/test-artifacts/schemathesis}
SERVER_PID=""

cleanup() {
	if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

# Embedded mode on a database of its own, whatever the caller's environment points at:
# the run writes hundreds of generated rows.
unset DATABASE_URL REDIS_URL SQLITE_PATH
export WHOLEPRODUCT_STATE_DIR=$WORK/state
export DEBUG=1
export SECRET_KEY=schemathesis-only-secret-key-not-for-production
export CELERY_TASK_ALWAYS_EAGER=1  # report builds run inside the request: exports have files to give
export API_TOKEN_RATE=1000/minute  # the run signs in on purpose; throttling is tested in tests/api
export LOGIN_FAILURE_LIMIT=1000000  # its wrong passwords would pause 127.0.0.1 (tests/security covers that)
export LOG_LEVEL=WARNING

echo "==> database and demo data ($WORK)"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py seed_demo >/dev/null
"$PY" manage.py build_reports --sync >/dev/null

PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
echo "==> gunicorn on $BASE"
"$ROOT/.venv/bin/gunicorn" wholeproduct.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
	--timeout 60 --log-level warning --error-logfile "$WORK/gunicorn.log" &
SERVER_PID=$!
# Python rather than curl: nothing beyond the virtualenv is needed.
http() {
	"$PY" - "$@" <<'PY'
import sys, urllib.request
url, body = sys.argv[1], (sys.argv[2].encode() if len(sys.argv) > 2 else None)
request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=10) as response:
    print(response.read().decode())
PY
}
for attempt in $(seq 150); do
	http "$BASE/api/schema/" >/dev/null 2>&1 && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/gunicorn.log" >&2; exit 1; }
	((attempt < 150)) || { echo "gunicorn did not answer in 30 s" >&2; exit 1; }
	sleep 0.2
done

# Both users sign in through the API, as an integration does. schemathesis signs in again
# through the same endpoint whenever a token stops working (its run revokes tokens too).
token() {
	http "$BASE/api/v1/auth/token/" "{\"email\": \"$1\", \"password\": \"demo\"}" |
		"$PY" -c 'import json, sys; print(json.load(sys.stdin)["token"][:8] + "…")'
}
NORTHWIND=$(token admin@northwind.test)
CONTOSO=$(token leader@contoso.test)
echo "==> tokens: admin@northwind.test $NORTHWIND, leader@contoso.test $CONTOSO"
export SCHEMATHESIS_WFC_AUTH=$WORK/auth.json
cat >"$SCHEMATHESIS_WFC_AUTH" <<'JSON'
{
  "schemaVersion": "1.0.0",
  "authTemplate": {
    "loginEndpointAuth": {
      "endpoint": "/api/v1/auth/token/",
      "verb": "POST",
      "contentType": "application/json",
      "token": {"extractFrom": "body", "extractSelector": "/token", "sendIn": "header",
                "sendName": "Authorization", "sendTemplate": "Token {token}"}
    }
  },
  "auth": [
    {"name": "northwind-admin", "loginEndpointAuth": {"payloadUserPwd": {
      "username": "admin@northwind.test", "usernameField": "email", "password": "demo", "passwordField": "password"}}},
    {"name": "contoso-leader", "loginEndpointAuth": {"payloadUserPwd": {
      "username": "leader@contoso.test", "usernameField": "email", "password": "demo", "passwordField": "password"}}}
  ]
}
JSON

SEEDS=(${SCHEMATHESIS_SEEDS:-20260601 7 1979 424242 31337})
EXAMPLES=${SCHEMATHESIS_EXAMPLES:-4}
mkdir -p "$REPORTS"
status=0
failed_seeds=()
for index in "${!SEEDS[@]}"; do
	seed=${SEEDS[$index]}
	options=(--seed "$seed" --max-examples "$EXAMPLES")
	if ((index > 0)); then
		options+=(--phases fuzzing,stateful)
	fi
	echo "==> schemathesis, seed $seed (${options[*]})"
	run_status=0
	"$ROOT/.venv/bin/schemathesis" --config-file "$ROOT/.schemathesis/schemathesis.toml" run "$BASE/api/schema/" \
		--report junit --report-dir "$REPORTS/seed-$seed" "${options[@]}" "$@" || run_status=$?
	if ((run_status != 0)); then
		status=$run_status
		failed_seeds+=("$seed")
	fi
done
echo "==> schemathesis: ${#SEEDS[@]} seeds (${SEEDS[*]}), failing: ${failed_seeds[*]:-none}"
if [[ $status -ne 0 ]]; then
	echo "--- gunicorn errors ---" >&2
	tail -n 50 "$WORK/gunicorn.log" >&2 || true
fi
exit $status
