# Shared by scripts/cluster.sh and its parts: paths, versions, logging, users, processes.
# Sourced, never run. Everything the cluster writes lives under $STATE (default <repo>/.cluster).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../../deploy/versions.env
source "$ROOT/deploy/versions.env"
STATE="${FACTORY_CLUSTER_DIR:-$ROOT/.cluster}"
CACHE="${FACTORY_CLUSTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/factory/cluster/$TEMPORAL_VERSION}"
SERVER_BIN="$CACHE/bin/server"
SQL_BIN="$CACHE/bin/sql"
UI_BIN="$CACHE/ui-$TEMPORAL_UI_VERSION/server"
SCHEMA_DIR="$CACHE/schema/postgresql/v12"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/$POSTGRES_VERSION/bin}"
NAMESPACE="${FACTORY_NAMESPACE:-default}"
# What runs must find registered in the namespace (core/temporal-names.ts SEARCH_ATTRIBUTE_TYPES).
SEARCH_ATTRIBUTES="FactoryStatus:Keyword FactoryPipeline:Keyword"
TLS_SERVER_NAME=temporal
# OS users when run as root: PostgreSQL refuses root; the workers are isolated from each other.
PG_USER="${FACTORY_CLUSTER_PG_USER:-postgres}"
PIPELINE_USER=factory-pipeline
SCENARIO_USER=factory-scenario

# `|| true`: when whoever reads our output is gone (EPIPE), tearing down must still go on.
say() { printf 'cluster: %s\n' "$*" 2>/dev/null || true; }
die() { printf 'cluster: ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [[ "$(id -u)" == 0 ]]; }

# The `temporal` CLI scripts/setup.sh installs (or TEMPORAL_CLI_PATH).
temporal_cli() {
  local cli="${TEMPORAL_CLI_PATH:-$ROOT/.venv/bin/temporal}"
  [[ -x "$cli" ]] || die "temporal CLI not found at $cli: run \`npm run setup\` or set TEMPORAL_CLI_PATH"
  "$cli" "$@" --address "$FRONTEND" --namespace "$NAMESPACE" --tls-ca-path "$STATE/tls/ca.pem" \
    --tls-cert-path "$STATE/tls/admin.pem" --tls-key-path "$STATE/tls/admin.key" \
    --tls-server-name "$TLS_SERVER_NAME" --color never
}

# Runs (execs) a command as `user` when we are root, keeping our environment; as ourselves otherwise.
as_user() {
  local user=$1; shift
  if is_root; then setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"; else "$@"; fi
}

# Creates a system user without a login or home when root; says what happens instead when not.
ensure_user() {
  local user=$1
  is_root || return 0
  id "$user" >/dev/null 2>&1 && return 0
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
    die "useradd $user failed"
  say "created OS user $user"
}

# N free TCP ports on 127.0.0.1, space-separated, from 20000-32767: below Linux's ephemeral range
# (no clash with outgoing connections) and within PostgreSQL smallint, where Temporal stores its
# membership ports. Each is bound to test it and held until all N are known.
free_ports() {
  node -e '
    const net = require("net"); const n = Number(process.argv[1]); const held = []; const ports = [];
    const tryPort = (tries) => {
      if (ports.length === n) { held.forEach((s) => s.close()); console.log(ports.join(" ")); return; }
      if (tries > 2000) { console.error("no free ports in 20000-32767"); process.exit(1); }
      const port = 20000 + Math.floor(Math.random() * 12768);
      const s = net.createServer();
      s.once("error", () => tryPort(tries + 1));
      s.listen(port, "127.0.0.1", () => { held.push(s); ports.push(port); tryPort(tries + 1); });
    };
    tryPort(0);' "$1"
}

pidfile() { printf '%s/pids/%s.pid' "$STATE" "$1"; }

# Is the process in `name`'s pid file alive and still running the command we started (`marker`)?
proc_alive() {
  local name=$1 marker=$2 pid
  [[ -f "$(pidfile "$name")" ]] || return 1
  pid="$(cat "$(pidfile "$name")")"
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# Starts `cmd...` in the background in its own session, output to logs/<name>.log, pid to pids/<name>.pid.
start_proc() {
  local name=$1; shift
  mkdir -p "$STATE/logs" "$STATE/pids"
  setsid "$@" >>"$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$(pidfile "$name")"
}

# SIGTERM the process (only if it is still ours), SIGKILL after `grace` seconds; removes the pid file.
stop_proc() {
  local name=$1 marker=$2 grace=${3:-20} pid i
  if proc_alive "$name" "$marker"; then
    pid="$(cat "$(pidfile "$name")")"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do proc_alive "$name" "$marker" || break; sleep 0.1; done
    if proc_alive "$name" "$marker"; then say "$name (pid $pid) ignored SIGTERM for ${grace}s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    say "stopped $name (pid $pid)"
  fi
  rm -f "$(pidfile "$name")"
}

# Waits up to `secs` for `cmd...` to succeed; dies with `what` and the tail of `log` on timeout, or
# at once when the process `proc` (pid file name; "" for none) has exited.
wait_for() {
  local what=$1 secs=$2 log=$3 proc=$4 marker=$5; shift 5
  local deadline=$((SECONDS + secs)) why
  until "$@" >/dev/null 2>&1; do
    why=""
    [[ -n $proc ]] && ! proc_alive "$proc" "$marker" && why="$proc exited"
    ((SECONDS >= deadline)) && why="not ready after ${secs}s"
    if [[ -n $why ]]; then
      printf 'cluster: ERROR: %s: %s; last lines of %s:\n' "$what" "$why" "$log" >&2
      tail -n 30 "$log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.5
  done
}
