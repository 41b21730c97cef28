#!/usr/bin/env bash
# Whole Product Map in embedded mode, from a fresh clone, in one command (`make run`):
# a virtualenv with requirements.txt, migrations, the demo organization, then the web
# server, a real Celery worker and Celery beat on SQLite and kombu's filesystem
# transport, at http://127.0.0.1:$PORT. Ctrl-C stops all three (exit status 130).
#
# The three are supervised: one that stops is started again, and so is a worker whose
# heartbeat stops (hung: alive, but its pool runs nothing). The web server never goes down
# with the worker. Jobs a killed worker was running are failed by beat's sweep, with a retry.
#
# Environment: PORT (default 8000), PYTHON (default python3, 3.11 or newer),
# WHOLEPRODUCT_STATE_DIR (default ./var: the database, queue and cache live there),
# WORKER_HANG_SECONDS (default: the longest task's hard time limit plus a minute, so a
# worker busy with long tasks is never taken for a hung one), WORKER_HEARTBEAT_SECONDS (15),
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

# Each process's output goes to the terminal, every line tagged with its name. The tagger
# ignores Ctrl-C, so what the processes say while they stop is still shown.
tagged() {
	trap '' INT TERM
	exec awk -v tag="$1" '{ print "[" tag "] " $0; fflush() }'
}

# Each process runs in a session of its own: Ctrl-C reaches this script alone, which stops
# them in order (none dies of the signal before the script has seen it), and a restart can
# stop one process with its whole group (a worker's pool children too).
own_session() { exec "$PY" -c 'import os, sys; os.setsid(); os.execvp(sys.argv[1], sys.argv[1:])' "$@"; }

declare -A PID=() STARTED=() QUICK_EXITS=()
NAMES=(web worker beat)
MAX_QUICK_EXITS=5 # in a row, each within a minute of its start: a crash loop, not bad luck

launch() {
	local name=$1
	case $name in
	worker) set -- "$VENV/bin/celery" -A wholeproduct worker --loglevel INFO --concurrency 2 ;;
	beat) set -- "$VENV/bin/celery" -A wholeproduct beat --loglevel INFO \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler ;;
	# No control socket: its default path in $HOME is shared by every gunicorn of the user.
	web) set -- "$VENV/bin/gunicorn" wholeproduct.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 \
		--graceful-timeout 10 --access-logfile - --no-control-socket ;;
	esac
	own_session "$@" > >(tagged "$name") 2>&1 &
	PID[$name]=$!
	STARTED[$name]=$SECONDS
	say "started $name (pid ${PID[$name]})"
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# SIGTERM to the groups (warm shutdown: a worker finishes its task), SIGKILL to what is left
# after `grace` seconds.
stop_groups() {
	local grace=$1 pid deadline
	shift
	for pid in "$@"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
	deadline=$((SECONDS + grace))
	for pid in "$@"; do
		while group_alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

stop_all() {
	trap - INT TERM HUP EXIT
	((${#PID[@]})) || return 0
	say "Stopping ${!PID[*]} (the worker finishes its running task first)"
	stop_groups 30 "${PID[@]}"
	wait 2>/dev/null || true
	say "Stopped."
}

restart_if_stopped() {
	local name=$1 status=0
	kill -0 "${PID[$name]}" 2>/dev/null && return 0
	wait "${PID[$name]}" 2>/dev/null || status=$?
	if ((SECONDS - STARTED[$name] < 60)); then
		QUICK_EXITS[$name]=$((${QUICK_EXITS[$name]:-0} + 1))
	else
		QUICK_EXITS[$name]=0
	fi
	if ((QUICK_EXITS[$name] >= MAX_QUICK_EXITS)); then
		say "$name stopped $MAX_QUICK_EXITS times in a row within a minute of its start (exit status $status): giving up"
		return 1
	fi
	say "$name stopped on its own (exit status $status): starting it again"
	stop_groups 5 "${PID[$name]}" # what is left of its group (a killed worker's pool children)
	launch "$name"
}

# The worker's heartbeat: the time its pool last finished a task (wholeproduct/celery.py),
# given one every WORKER_HEARTBEAT_SECONDS by beat. Judged only once the worker and beat
# have both been up for longer than HANG_AFTER.
worker_hung() {
	local last=0 up
	[[ -r "$HEARTBEAT_FILE" ]] && last=$(<"$HEARTBEAT_FILE")
	[[ "$last" =~ ^[0-9]+$ ]] || last=0
	up=$((SECONDS - (STARTED[worker] > STARTED[beat] ? STARTED[worker] : STARTED[beat])))
	((up > HANG_AFTER && $(date +%s) - last > HANG_AFTER))
}

supervise() {
	local name
	while ((!STOPPING)); do
		sleep 1 &
		wait $! 2>/dev/null || true # Ctrl-C interrupts the wait, not only the sleep
		((STOPPING)) && return 0
		for name in "${NAMES[@]}"; do
			restart_if_stopped "$name" || return 1
		done
		if worker_hung; then
			say "worker: no heartbeat for more than ${HANG_AFTER}s (hung): starting it again"
			stop_groups 10 "${PID[worker]}"
			launch worker
		fi
	done
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

STATE="${WHOLEPRODUCT_STATE_DIR:-$ROOT/var}"
mkdir -p "$STATE"
export WORKER_HEARTBEAT_FILE="$STATE/worker-heartbeat"
HEARTBEAT_FILE=$WORKER_HEARTBEAT_FILE
rm -f "$HEARTBEAT_FILE"
HANG_AFTER="${WORKER_HANG_SECONDS:-$("$PY" -c 'from wholeproduct.task_limits import VISIBILITY_TIMEOUT; print(VISIBILITY_TIMEOUT)')}"
[[ "$HANG_AFTER" =~ ^[0-9]+$ ]] && ((HANG_AFTER > 0)) || die "WORKER_HANG_SECONDS must be a number of seconds, not '$HANG_AFTER'."

say "Migrating the database"
"$PY" manage.py migrate --noinput
say "Loading the demo organization"
"$PY" manage.py seed_demo

# Ctrl-C (or a TERM, or the terminal closing) is noted; the supervisor then stops everything.
# A failure of the script itself stops them too.
STOPPING=0
trap 'STOPPING=1' INT TERM HUP
trap stop_all EXIT

for name in "${NAMES[@]}"; do launch "$name"; done

if wait_until_healthy; then banner; fi

status=130
supervise || status=1
stop_all
exit "$status"
