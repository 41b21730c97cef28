#!/usr/bin/env bash
# Whole Product Map in embedded mode, from a fresh clone, in one command (`make run`):
# a virtualenv with requirements.txt, migrations, the demo organization, then the web
# server, a real Celery worker and Celery beat on SQLite and kombu's filesystem
# transport, at http://127.0.0.1:$PORT. Ctrl-C stops all three.
#
# Environment: PORT (default 8000), PYTHON (default python3, 3.11 or newer),
# WHOLEPRODUCT_STATE_DIR (default ./var: the database, queue and cache live there),
# DEBUG (default 0; DEBUG=1 shows Django's debug pages).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PORT="${PORT:-8000}"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
WEASYPRINT_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"

say() { printf '==> %s\n' "$*"; }
die() {
	printf 'make run: %s\n' "$*" >&2
	exit 1
}

[[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT > 0 && PORT < 65536)) || die "PORT must be a port number, not '$PORT'."

# Embedded mode is the one with no services: a DATABASE_URL left in the shell would
# switch the settings to production mode.
if [[ -n "${DATABASE_URL:-}${REDIS_URL:-}" ]]; then
	say "Ignoring DATABASE_URL/REDIS_URL: 'make run' is the embedded mode (see README for production)."
fi
unset DATABASE_URL REDIS_URL
# Visitors get our error pages, not Django's debug page: DEBUG=1 make run opts in.
export DEBUG="${DEBUG:-0}"

ensure_virtualenv() {
	command -v "$PYTHON" >/dev/null || die "$PYTHON not found: install Python 3.11 or newer, or set PYTHON=/path/to/python3.11."
	"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
		die "Python 3.11 or newer is needed; $PYTHON is $("$PYTHON" -V 2>&1). Set PYTHON=/path/to/python3.11."
	if [[ ! -x "$PY" ]]; then
		say "Creating the virtualenv in .venv"
		"$PYTHON" -m venv "$VENV"
	fi
	# The stamp is shared with the Makefile: requirements are installed again only when they change.
	if [[ ! -f "$VENV/.stamp-runtime" || requirements.txt -nt "$VENV/.stamp-runtime" ]]; then
		say "Installing requirements.txt"
		"$PY" -m pip install --disable-pip-version-check -q -r requirements.txt
		touch "$VENV/.stamp-runtime"
	fi
}

# WeasyPrint (PDF exports) loads Pango and HarfBuzz from the system at import time.
ensure_weasyprint_libraries() {
	"$PY" -c 'import weasyprint' 2>/dev/null && return 0
	if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null; then
		say "Installing WeasyPrint's system libraries: $WEASYPRINT_PACKAGES"
		apt-get update -q
		# shellcheck disable=SC2086  # a list of package names
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $WEASYPRINT_PACKAGES
		"$PY" -c 'import weasyprint' && return 0
	fi
	cat >&2 <<-EOF
		==> PDF exports need WeasyPrint's system libraries (Pango, HarfBuzz), which are missing. Install them with:
		      sudo apt-get install -y $WEASYPRINT_PACKAGES
		    (macOS: brew install pango). Everything else works without them.
	EOF
}

ensure_port_free() {
	"$PY" - "$PORT" <<-'EOF' || die "port $PORT is in use: stop what listens there, or run PORT=8001 make run."
		import socket, sys
		with socket.socket() as s:
		    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
		    try:
		        s.bind(("127.0.0.1", int(sys.argv[1])))
		    except OSError:
		        sys.exit(1)
	EOF
}

# Each process's output goes to the terminal, every line tagged with its name.
tagged() { awk -v tag="$1" '{ print "[" tag "] " $0; fflush() }'; }

PIDS=()
NAMES=()

start() {
	local name=$1
	shift
	"$@" > >(tagged "$name") 2>&1 &
	PIDS+=($!)
	NAMES+=("$name")
}

stop_all() {
	trap - INT TERM EXIT
	((${#PIDS[@]})) || return 0
	say "Stopping ${NAMES[*]} (the worker finishes its running task first)"
	kill -TERM "${PIDS[@]}" 2>/dev/null || true
	local pid deadline=$((SECONDS + 30))
	for pid in "${PIDS[@]}"; do
		while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
		if kill -0 "$pid" 2>/dev/null; then
			pkill -KILL -P "$pid" 2>/dev/null || true # a worker's pool processes
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	wait 2>/dev/null || true
	say "Stopped."
}

wait_until_healthy() {
	"$PY" - "$PORT" <<-'EOF'
		import signal, sys, time, urllib.error, urllib.request
		signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C while waiting: no traceback
		url = f"http://127.0.0.1:{sys.argv[1]}/healthz"
		body, deadline = "", time.monotonic() + 90
		while time.monotonic() < deadline:
		    try:
		        with urllib.request.urlopen(url, timeout=10) as response:
		            sys.exit(0)
		    except urllib.error.HTTPError as exc:
		        body = exc.read().decode(errors="replace")
		    except OSError:
		        pass
		    time.sleep(0.5)
		print(f"==> {url} is not healthy yet: {body}", file=sys.stderr)
		sys.exit(1)
	EOF
}

banner() {
	cat <<-EOF

		  Whole Product Map is running at http://127.0.0.1:$PORT/
		  (web, Celery worker and beat; state in ${WHOLEPRODUCT_STATE_DIR:-var/})

		  Demo logins (password: demo)
		    admin@northwind.test        admin: everything, members and exports
		    leader@northwind.test       product leader: maps functions to layers
		    stakeholder@northwind.test  stakeholder: reviews their own function's layers

		  Health: http://127.0.0.1:$PORT/healthz    Stop: Ctrl-C

	EOF
}

ensure_virtualenv
ensure_weasyprint_libraries
ensure_port_free

say "Migrating the database"
"$PY" manage.py migrate --noinput
say "Loading the demo organization"
"$PY" manage.py seed_demo

# Ctrl-C reaches every process of the terminal's group at once; the script notes it,
# then stops whatever is still running. A failure of the script itself stops them too.
STOPPING=0
trap 'STOPPING=1' INT TERM
trap stop_all EXIT

start worker "$VENV/bin/celery" -A wholeproduct worker --loglevel INFO --concurrency 2
start beat "$VENV/bin/celery" -A wholeproduct beat --loglevel INFO \
	--scheduler django_celery_beat.schedulers:DatabaseScheduler
# No control socket: its default path in $HOME is shared by every gunicorn of the user.
start web "$VENV/bin/gunicorn" wholeproduct.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
	--graceful-timeout 10 --access-logfile - --no-control-socket

if wait_until_healthy; then banner; fi

# Until Ctrl-C, or until one of the three ends (a crash): then the others are stopped too.
status=0
wait -n "${PIDS[@]}" || status=$?
if ((STOPPING)); then
	status=130
else
	for i in "${!PIDS[@]}"; do
		kill -0 "${PIDS[$i]}" 2>/dev/null || say "${NAMES[$i]} stopped on its own (exit status $status)"
	done
	((status)) || status=1
fi
stop_all
exit "$status"
