# Pinned binaries, built once from the Go module proxy into $CACHE (outside the repo) and reused:
# temporal-server and its SQL schema tool (go.temporal.io/server), the Web UI (ui-server), and a
# copy of the PostgreSQL schemas from the same module. Sourced by scripts/cluster.sh.

go_install() {
  local gobin=$1; shift
  command -v go >/dev/null || die "go not found: install Go >= 1.24 (https://go.dev/dl) to build temporal-server $TEMPORAL_VERSION, or put prebuilt binaries in $CACHE (see docs/deployment.md)"
  mkdir -p "$gobin"
  say "building $* (first time only; ~5 min on 2 cores) into $gobin"
  # -p 1 / GOMAXPROCS: a shared 2-core machine stays usable while this compiles.
  GOBIN="$gobin" GOFLAGS="${GOFLAGS:-} -trimpath" GOMAXPROCS="${GOMAXPROCS:-2}" go install -p "${FACTORY_GO_BUILD_P:-1}" "$@" ||
    die "go install $* failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
}

ensure_binaries() {
  if [[ ! -x "$SERVER_BIN" || ! -x "$SQL_BIN" ]]; then
    go_install "$CACHE/bin" "go.temporal.io/server/cmd/server@v$TEMPORAL_VERSION" "go.temporal.io/server/cmd/tools/sql@v$TEMPORAL_VERSION"
  fi
  if [[ ! -x "$UI_BIN" ]]; then
    go_install "$CACHE/ui-$TEMPORAL_UI_VERSION" "github.com/temporalio/ui-server/v2/cmd/server@v$TEMPORAL_UI_VERSION"
  fi
  if [[ ! -d "$SCHEMA_DIR/temporal/versioned" ]]; then
    local mod
    mod="$(GOFLAGS=-mod=mod go mod download -json "go.temporal.io/server@v$TEMPORAL_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [[ -d "$mod/schema/postgresql/v12" ]] || die "schemas not found in the Go module cache ($mod/schema/postgresql/v12)"
    mkdir -p "$CACHE/schema"
    cp -r "$mod/schema/postgresql" "$CACHE/schema/"
    chmod -R u+w "$CACHE/schema"
  fi
  [[ -x "$PG_BIN/initdb" ]] || die "PostgreSQL $POSTGRES_VERSION not found at $PG_BIN: apt-get install postgresql-$POSTGRES_VERSION (or set PG_BIN)"
}
