# PostgreSQL, the schemas, temporal-server, the namespace with our search attributes, and the Web UI.
# Sourced by scripts/cluster.sh; each start_* is a no-op when its process already runs.

PG_DATA() { printf '%s/pg/data' "$STATE"; }

start_postgres() {
  local data; data="$(PG_DATA)"
  mkdir -p "$STATE/pg/run" "$STATE/logs"
  if is_root; then
    id "$PG_USER" >/dev/null 2>&1 || ensure_user "$PG_USER"
    chown -R "$PG_USER:" "$STATE/pg"
    touch "$STATE/logs/postgresql.log"; chown "$PG_USER:" "$STATE/logs/postgresql.log"
  fi
  if [[ ! -f "$data/PG_VERSION" ]]; then
    say "PostgreSQL $POSTGRES_VERSION: initdb $data (user temporal, trust auth on 127.0.0.1 only)"
    as_user "$PG_USER" "$PG_BIN/initdb" -D "$data" -U temporal --auth=trust -E UTF8 --locale=C.UTF-8 >"$STATE/logs/initdb.log" 2>&1 ||
      { tail -20 "$STATE/logs/initdb.log" >&2; die "initdb failed"; }
  fi
  if as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then return 0; fi
  as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$data" -l "$STATE/logs/postgresql.log" -w -t 60 start \
    -o "-p $PG_PORT -k $STATE/pg/run -c listen_addresses=127.0.0.1" >/dev/null ||
    { tail -20 "$STATE/logs/postgresql.log" >&2; die "PostgreSQL did not start (port $PG_PORT)"; }
  say "PostgreSQL on 127.0.0.1:$PG_PORT (data $data)"
}

stop_postgres() {
  local data; data="$(PG_DATA)"
  [[ -f "$data/postmaster.pid" ]] || return 0
  as_user "$PG_USER" "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  say "stopped PostgreSQL"
}

# create-database, setup-schema 0.0, update-schema to the module's latest (re-run on every up: cheap, idempotent).
migrate_schemas() {
  local db dir sql=("$SQL_BIN" --plugin postgres12 --ep 127.0.0.1 -p "$PG_PORT" -u temporal)
  for db in temporal temporal_visibility; do
    dir=temporal; [[ $db == temporal_visibility ]] && dir=visibility
    if [[ ! -f "$STATE/pg/schema-$db" ]]; then
      "${sql[@]}" --db "$db" create-database >>"$STATE/logs/schema.log" 2>&1 || die "create-database $db failed (see $STATE/logs/schema.log)"
      "${sql[@]}" --db "$db" setup-schema -v 0.0 >>"$STATE/logs/schema.log" 2>&1 || die "setup-schema $db failed (see $STATE/logs/schema.log)"
      touch "$STATE/pg/schema-$db"
    fi
    "${sql[@]}" --db "$db" update-schema -d "$SCHEMA_DIR/$dir/versioned" >>"$STATE/logs/schema.log" 2>&1 ||
      die "update-schema $db failed (see $STATE/logs/schema.log)"
  done
  say "schemas temporal and temporal_visibility migrated ($SCHEMA_DIR)"
}

# The environment deploy/temporal/cluster.yaml reads, for this state dir's ports and certificates.
server_env() {
  SERVER_ENV=(LOG_LEVEL="${FACTORY_CLUSTER_LOG_LEVEL:-warn}" POSTGRES_SEEDS=127.0.0.1 DB_PORT="$PG_PORT" POSTGRES_USER=temporal \
    BIND_ON_IP=127.0.0.1 BROADCAST_ADDRESS=127.0.0.1 FRONTEND_GRPC_PORT="$FRONTEND_PORT" FRONTEND_HTTP_PORT="$FRONTEND_HTTP_PORT" \
    FRONTEND_MEMBERSHIP_PORT="$M_FRONTEND" HISTORY_GRPC_PORT="$HISTORY_PORT" HISTORY_MEMBERSHIP_PORT="$M_HISTORY" \
    MATCHING_GRPC_PORT="$MATCHING_PORT" MATCHING_MEMBERSHIP_PORT="$M_MATCHING" WORKER_GRPC_PORT="$WORKER_PORT" \
    WORKER_MEMBERSHIP_PORT="$M_WORKER" TEMPORAL_TLS_DIR="$STATE/tls" TEMPORAL_TLS_SERVER_NAME="$TLS_SERVER_NAME" \
    DYNAMIC_CONFIG_FILE_PATH="$ROOT/deploy/temporal/dynamicconfig.yaml")
}

start_server() {
  if ! proc_alive temporal-server "$SERVER_BIN"; then
    server_env
    start_proc temporal-server env "${SERVER_ENV[@]}" "$SERVER_BIN" --root / --config "$ROOT/deploy/temporal" --env cluster start
  fi
  wait_for "temporal-server on $FRONTEND" 90 "$STATE/logs/temporal-server.log" temporal-server "$SERVER_BIN" temporal_cli operator cluster health
  say "temporal-server $TEMPORAL_VERSION on $FRONTEND (pid $(cat "$(pidfile temporal-server)"), mTLS)"
}

search_attributes_registered() {
  local listed sa
  listed="$(temporal_cli operator search-attribute list)" || return 1
  for sa in $SEARCH_ATTRIBUTES; do grep -qw "${sa%%:*}" <<<"$listed" || return 1; done
}

create_missing_search_attributes() {
  local listed sa
  listed="$(temporal_cli operator search-attribute list)" || return 1
  for sa in $SEARCH_ATTRIBUTES; do
    grep -qw "${sa%%:*}" <<<"$listed" || temporal_cli operator search-attribute create --name "${sa%%:*}" --type "${sa##*:}" >/dev/null || return 1
  done
  search_attributes_registered
}

setup_namespace() {
  if ! temporal_cli operator namespace describe >/dev/null 2>&1; then
    temporal_cli operator namespace create --retention 72h >/dev/null || die "cannot create namespace $NAMESPACE"
  fi
  # A new namespace reaches every service's cache within ~10 s; until then creating attributes fails.
  wait_for "search attributes $SEARCH_ATTRIBUTES in $NAMESPACE" 60 "$STATE/logs/temporal-server.log" temporal-server "$SERVER_BIN" create_missing_search_attributes
  say "namespace $NAMESPACE with search attributes $SEARCH_ATTRIBUTES"
}

start_ui() {
  if ! proc_alive temporal-ui "$UI_BIN"; then
    start_proc temporal-ui env TEMPORAL_ADDRESS="$FRONTEND" TEMPORAL_UI_PORT="$UI_PORT" TEMPORAL_DEFAULT_NAMESPACE="$NAMESPACE" \
      TEMPORAL_CORS_ORIGINS="$UI_URL" TEMPORAL_CSRF_COOKIE_INSECURE=true TEMPORAL_TLS_CA="$STATE/tls/ca.pem" TEMPORAL_TLS_CERT="$STATE/tls/ui.pem" \
      TEMPORAL_TLS_KEY="$STATE/tls/ui.key" TEMPORAL_TLS_SERVER_NAME="$TLS_SERVER_NAME" \
      "$UI_BIN" --root / --config "$ROOT/deploy/ui" --env cluster start
  fi
  wait_for "Web UI at $UI_URL" 60 "$STATE/logs/temporal-ui.log" temporal-ui "$UI_BIN" curl -fsS -o /dev/null "$UI_URL/api/v1/namespaces/$NAMESPACE"
  say "Web UI $TEMPORAL_UI_VERSION at $UI_URL"
}
