#!/usr/bin/env bash
# A real Temporal cluster without Docker (docs/deployment.md §4): PostgreSQL (Debian's initdb/pg_ctl)
# in a project-local data directory, temporal-server and the Web UI built from the Go module proxy
# at the versions in deploy/versions.env (cached outside the repo), configured by deploy/, mTLS with
# a generated CA, and the pipeline and scenario workers as separate processes and OS users.
#
#   scripts/cluster.sh up [--foreground]   start (or finish starting) everything; --foreground: stay
#                                          attached and tear everything down when stdin closes, on
#                                          SIGINT/SIGTERM/SIGHUP, or when the parent dies
#   scripts/cluster.sh down [--purge]      stop everything (--purge: also delete the state dir)
#   scripts/cluster.sh status              what runs, where; exit 3 if something is not running
#   scripts/cluster.sh restart-server      stop and start temporal-server only (the state is in PostgreSQL)
#   scripts/cluster.sh env                 the cluster's address, UI URL, TLS files, roots (KEY=value)
#
# State: $FACTORY_CLUSTER_DIR (default <repo>/.cluster). Binaries: $XDG_CACHE_HOME/factory/cluster/<version>.
set -euo pipefail
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/cluster"
# shellcheck source=cluster/common.sh
source "$LIB/common.sh"
source "$LIB/build.sh"
source "$LIB/tls.sh"
source "$LIB/services.sh"
source "$LIB/workers.sh"

PORT_NAMES=(PG_PORT FRONTEND_PORT FRONTEND_HTTP_PORT M_FRONTEND HISTORY_PORT M_HISTORY MATCHING_PORT M_MATCHING WORKER_PORT M_WORKER UI_PORT)

# Ports are chosen once per state dir (free at that moment) and kept, so a restart finds the same addresses.
load_ports() {
  if [[ ! -f "$STATE/ports.env" ]]; then
    [[ ${1:-} == create ]] || return 1
    local ports i=0 name
    read -r -a ports <<<"$(free_ports "${#PORT_NAMES[@]}")"
    for name in "${PORT_NAMES[@]}"; do printf '%s=%s\n' "$name" "${ports[i++]}"; done > "$STATE/ports.env"
  fi
  # shellcheck disable=SC1091
  source "$STATE/ports.env"
  FRONTEND="127.0.0.1:$FRONTEND_PORT"
  UI_URL="http://127.0.0.1:$UI_PORT"
}

write_env() {
  cat > "$STATE/cluster.env" <<ENV
FACTORY_CLUSTER_DIR=$STATE
TEMPORAL_ADDRESS=$FRONTEND
TEMPORAL_NAMESPACE=$NAMESPACE
TEMPORAL_UI_URL=$UI_URL
TEMPORAL_HTTP_ADDRESS=127.0.0.1:$FRONTEND_HTTP_PORT
TEMPORAL_TLS_CA=$STATE/tls/ca.pem
TEMPORAL_TLS_CERT=$STATE/tls/admin.pem
TEMPORAL_TLS_KEY=$STATE/tls/admin.key
TEMPORAL_TLS_SERVER_NAME=$TLS_SERVER_NAME
FACTORY_CLUSTER_PROFILE=$(PIPELINE_ROOT)/cluster-profile.yaml
FACTORY_CLUSTER_PIPELINE_ROOT=$(PIPELINE_ROOT)
FACTORY_CLUSTER_SCENARIO_ROOT=$(SCENARIO_ROOT)
FACTORY_CLUSTER_PIPELINE_USER=$(is_root && echo "$PIPELINE_USER" || id -un)
FACTORY_CLUSTER_SCENARIO_USER=$(is_root && echo "$SCENARIO_USER" || id -un)
FACTORY_CLUSTER_POSTGRES_PORT=$PG_PORT
ENV
}

cmd_up() {
  local foreground=${1:-}
  ensure_binaries
  mkdir -p "$STATE"
  chmod 755 "$STATE" # the PostgreSQL and worker users must reach their folders inside it
  ensure_user "$PIPELINE_USER"
  ensure_user "$SCENARIO_USER"
  load_ports create
  # Whatever fails half-way is stopped again: nothing keeps running after a failed `up`.
  trap 'rc=$?; trap - EXIT; cmd_down; exit $rc' EXIT
  ensure_tls
  start_postgres
  migrate_schemas
  start_server
  setup_namespace
  start_ui
  start_workers
  write_env
  say "ready: $FRONTEND (namespace $NAMESPACE, mTLS), Web UI $UI_URL; settings in $STATE/cluster.env"
  if [[ $foreground != --foreground ]]; then trap - EXIT; return 0; fi
  # Attached: tear down on stdin EOF, a signal, or the parent's death (checked every second). The
  # teardown writes to logs/down.log: our stdout may be a pipe to a parent that no longer exists.
  trap '' PIPE
  trap 'trap - EXIT INT TERM HUP; exec >>"$STATE/logs/down.log" 2>&1; cmd_down; exit 0' EXIT INT TERM HUP
  local parent=$PPID rc
  echo "cluster: attached (close stdin or send SIGTERM to tear down)"
  while kill -0 "$parent" 2>/dev/null; do
    rc=0; read -r -t 1 _ || rc=$?
    ((rc == 0 || rc > 128)) || break # 1 = EOF
  done
}

cmd_down() {
  load_ports || { say "nothing to stop in $STATE"; [[ ${1:-} == --purge ]] && rm -rf "$STATE"; return 0; }
  stop_workers
  stop_proc temporal-ui "$UI_BIN" 10
  stop_proc temporal-server "$SERVER_BIN" 30
  stop_postgres
  if [[ ${1:-} == --purge ]]; then rm -rf "$STATE"; say "deleted $STATE"; fi
  say "down"
}

cmd_status() {
  load_ports || { echo "cluster: not set up ($STATE has no ports.env)"; return 3; }
  local bad=0 name marker
  show() { if proc_alive "$1" "$2"; then printf '  %-16s running (pid %s)%s\n' "$1" "$(cat "$(pidfile "$1")")" "$3"; else printf '  %-16s STOPPED%s\n' "$1" "$3"; bad=1; fi; }
  echo "cluster $STATE (temporal-server $TEMPORAL_VERSION, ui $TEMPORAL_UI_VERSION, PostgreSQL $POSTGRES_VERSION)"
  if as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$(PG_DATA)" status >/dev/null 2>&1; then printf '  %-16s running on 127.0.0.1:%s\n' postgresql "$PG_PORT"; else printf '  %-16s STOPPED\n' postgresql; bad=1; fi
  show temporal-server "$SERVER_BIN" ", $FRONTEND (mTLS)"
  show temporal-ui "$UI_BIN" ", $UI_URL"
  show pipeline-worker "bin/factory worker" ", root $(PIPELINE_ROOT)"
  show scenario-worker "bin/factory scenario-worker" ", root $(SCENARIO_ROOT)"
  return $((bad ? 3 : 0))
}

cmd_restart_server() {
  load_ports || die "not set up: run scripts/cluster.sh up first"
  stop_proc temporal-server "$SERVER_BIN" 30
  start_server
}

case "${1:-}" in
  up) cmd_up "${2:-}" ;;
  down) cmd_down "${2:-}" ;;
  status) cmd_status ;;
  restart-server) cmd_restart_server ;;
  env) load_ports || die "not set up: run scripts/cluster.sh up first"; cat "$STATE/cluster.env" ;;
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
