// Input and result of the run workflow, shared by the workflow, the CLI and tests.

import type { ResolvedProfile, ResolvedSpecs, SpecRef } from '../core/contracts';
import type { RunFailure, RunOutcome, RunStatus } from '../core/run-model';
import type { CarriedRunState } from './run-state';
import type { CarriedDecision } from './decision-gate';

export interface RunInput {
  runId: string;
  pipeline: SpecRef;
  profile: SpecRef;
  suite?: SpecRef;
  /** Answer every human gate with its first choice (Attractor's AutoApproveInterviewer). */
  autoApprove?: boolean;
  /** Who started the run: self-approval rules compare against it. */
  startedBy?: string;
  runDir?: string;
  runRoot?: string;
  registryRoot?: string;
  /** Continue an interrupted run from `<runDir>/checkpoint.json` (same runId, new workflow). */
  resume?: boolean;
  /** Lineage: the run this one reruns. */
  rerunOf?: string;
  /** Continue-as-new when history passes this many events (default 4,000; Temporal's hard limit is 51,200). */
  historyLimit?: number;
  /** Heartbeat timeout for stage activities, so a dead worker is noticed (default 10 s). */
  stageHeartbeatMs?: number;
  /** Set by the workflow itself when it continues as new. */
  carry?: CarriedExecution;
}

export interface BootResult {
  profile: ResolvedProfile;
  specs: ResolvedSpecs;
  runDir: string;
}

export interface CarriedExecution {
  boot: BootResult;
  state: CarriedRunState;
  /** Set when the previous execution continued-as-new while waiting at this main-line gate (still open in `state.gates`). */
  gate?: { node: string; visit: number };
  /** Set when the previous execution continued-as-new while waiting for the human decision (after evaluation). */
  decision?: CarriedDecision;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  outcome: RunOutcome;
  runDir?: string;
  lastSeq: number;
  failure?: RunFailure;
  context: Record<string, unknown>;
}
