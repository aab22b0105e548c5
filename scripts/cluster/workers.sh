# The pipeline worker and the scenario worker: separate processes, separate roots, separate OS users
# when run as root (factory-pipeline cannot read the scenario root: mode 0700, owned by
# factory-scenario). Not root: both run as you, and only the queue boundary separates them.
# Sourced by scripts/cluster.sh.

PIPELINE_ROOT() { printf '%s/pipeline' "$STATE"; }
SCENARIO_ROOT() { printf '%s/scenarios' "$STATE"; }

# The pipeline side's registry: specs/, the scenarios LOCK only (no bodies), the workspace, runs/,
# and a profile pointing at this cluster over mTLS with this worker's certificate.
prepare_pipeline_root() {
  local root; root="$(PIPELINE_ROOT)"
  if [[ ! -d "$root/specs" ]]; then
    mkdir -p "$root/scenarios" "$root/examples" "$root/runs" "$root/home"
    cp -r "$ROOT/specs" "$root/specs"
    cp "${FACTORY_SCENARIOS:-$ROOT/scenarios}/registry.lock.json" "$root/scenarios/"
    cp -r "$ROOT/examples/workspace" "$root/examples/workspace"
  fi
  node "$ROOT/scripts/cluster/profile.js" "$ROOT/specs/profiles/local@1.0.0.yaml" "$root/cluster-profile.yaml" \
    "$FRONTEND" "$NAMESPACE" "$TLS_SERVER_NAME" "$STATE/tls/ca.pem" "$STATE/tls/pipeline/client.pem" "$STATE/tls/pipeline/client.key"
  if is_root; then chown -R "$PIPELINE_USER:" "$root"; fi
  chmod 755 "$root" # the scenario worker reads the candidate (examples/workspace) at this path
}

# The scenario side's registry: suite bodies + lock, readable by the scenario worker's user only.
prepare_scenario_root() {
  local root; root="$(SCENARIO_ROOT)"
  if [[ ! -f "$root/registry.lock.json" ]]; then
    mkdir -p "$root"
    cp "${FACTORY_SCENARIOS:-$ROOT/scenarios}"/*.yaml "${FACTORY_SCENARIOS:-$ROOT/scenarios}/registry.lock.json" "$root/"
    mkdir -p "$root/.home"
  fi
  if is_root; then chown -R "$SCENARIO_USER:" "$root"; fi
  chmod 700 "$root"
}

worker_env() { # role
  local role=$1 home
  home="$(PIPELINE_ROOT)/home"; [[ $role == scenario ]] && home="$(SCENARIO_ROOT)/.home"
  WORKER_ENV=(HOME="$home" PATH="$PATH" TEMPORAL_ADDRESS="$FRONTEND" TEMPORAL_NAMESPACE="$NAMESPACE"
    TEMPORAL_TLS_CA="$STATE/tls/ca.pem" TEMPORAL_TLS_CERT="$STATE/tls/$role/client.pem"
    TEMPORAL_TLS_KEY="$STATE/tls/$role/client.key" TEMPORAL_TLS_SERVER_NAME="$TLS_SERVER_NAME")
}

worker_ready() { grep -q "$2 worker on" "$STATE/logs/$1.log"; }

start_workers() {
  prepare_pipeline_root
  prepare_scenario_root
  if ! is_root; then
    say "not root: both workers run as $(id -un); the scenario root is mode 0700 but the pipeline worker (same user) could read it. Run as root for OS-enforced isolation."
  fi
  if ! proc_alive pipeline-worker "bin/factory worker"; then
    : > "$STATE/logs/pipeline-worker.log"
    worker_env pipeline
    (cd "$(PIPELINE_ROOT)" && start_proc pipeline-worker env "${WORKER_ENV[@]}" \
      "$ROOT/scripts/cluster/as-user.sh" "$PIPELINE_USER" node "$ROOT/bin/factory" worker --registry "$(PIPELINE_ROOT)")
  fi
  if ! proc_alive scenario-worker "bin/factory scenario-worker"; then
    : > "$STATE/logs/scenario-worker.log"
    worker_env scenario
    (cd "$(SCENARIO_ROOT)" && start_proc scenario-worker env "${WORKER_ENV[@]}" \
      "$ROOT/scripts/cluster/as-user.sh" "$SCENARIO_USER" node "$ROOT/bin/factory" scenario-worker --scenarios-root "$(SCENARIO_ROOT)")
  fi
  wait_for "pipeline worker" 120 "$STATE/logs/pipeline-worker.log" pipeline-worker "bin/factory worker" worker_ready pipeline-worker pipeline
  wait_for "scenario worker" 120 "$STATE/logs/scenario-worker.log" scenario-worker "bin/factory scenario-worker" worker_ready scenario-worker scenario
  say "pipeline worker (user $(is_root && echo "$PIPELINE_USER" || id -un), root $(PIPELINE_ROOT)) and scenario worker (user $(is_root && echo "$SCENARIO_USER" || id -un), root $(SCENARIO_ROOT))"
}

stop_workers() {
  stop_proc pipeline-worker "bin/factory worker" 30
  stop_proc scenario-worker "bin/factory scenario-worker" 30
}
