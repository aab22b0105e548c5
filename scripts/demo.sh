#!/usr/bin/env bash
# The README's main command: the example pipeline end to end on an embedded Temporal dev server —
# boot, stages, a human gate (auto-answered; the UI link and CLI commands are printed), holdout
# evaluation on a separate scenario-worker process, the decision, finalize — then the summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec node bin/factory run feature-pipeline@1.0.0 \
  --profile local@1.0.0 \
  --suite feature-pipeline-holdout@1.0.0 \
  --auto-approve "$@"
