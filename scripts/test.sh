#!/usr/bin/env bash
# Typecheck, lint and test; every step runs even if an earlier one failed, and the script exits
# non-zero if any failed. Jest's machine-readable results go to test-results/jest.json and the
# per-step exit codes to test-results/steps.txt (read by .ci/run for its summary line).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mkdir -p test-results
rm -f test-results/jest.json test-results/steps.txt

failed=()
step() {
  local name=$1 start=$SECONDS rc=0
  shift
  printf '\n==> %s: %s\n' "$name" "$*"
  "$@" || rc=$?
  printf '%s=%d\n' "$name" "$rc" >> test-results/steps.txt
  if (( rc == 0 )); then
    printf '<== %s: ok (%ds)\n' "$name" $((SECONDS - start))
  else
    printf '<== %s: FAILED with exit code %d (%ds)\n' "$name" "$rc" $((SECONDS - start))
    failed+=("$name")
  fi
}

step typecheck npx --no-install tsc --noEmit -p .
step lint npx --no-install eslint .
step jest npx --no-install jest --json --outputFile=test-results/jest.json

if (( ${#failed[@]} > 0 )); then
  printf '\ntest.sh: FAILED: %s\n' "${failed[*]}"
  exit 1
fi
printf '\ntest.sh: typecheck, lint and jest passed\n'
