// Input and result of the run workflow, shared by the workflow, the CLI and tests.

import type { ResolvedProfile, ResolvedSpecs, SpecRef } from '../core/contracts';
import type { WorkspaceRecord } from '../core/workspace';
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
  /** `factory run --ref`: the base commit, branch or tag (overrides environment.ref). */
  ref?: string;
  /** `factory rerun --from <node>`: start at the snapshot the earlier run (in `runDir`) had before `node`. */
  rerunFrom?: { runDir: string; node: string };
  /** `factory run --goal`: the pipeline's goal for this run (`$goal`, graph.goal). */
  goal?: string;
  /** `factory run -p name=value`: the pipeline's parameters for this run (`$name`). */
  params?: Record<string, string>;
  /** A stack.manager_loop child: its workspace starts at the parent's head, cloned from the parent's workspace repository. */
  workspaceFrom?: { gitDir: string; commit: string };
  /** Set by the workflow itself when it continues as new. */
  carry?: CarriedExecution;
}

export interface BootResult {
  profile: ResolvedProfile;
  specs: ResolvedSpecs;
  runDir: string;
  /** The run's own workspace (issue 21); absent on runs without one. */
  workspace?: WorkspaceRecord;
  /** `--resume`: the workspace head the resumed run continues from (checkpoint.json `workspace_head`). */
  workspaceHead?: string;
}

/** Where the run's workspace stands (workflows/workspace.ts): branch head, head before each main-line node, a pending restore. */
export interface CarriedWorkspace {
  head?: string;
  before: Record<string, string>;
  restoreNext?: string;
}

export interface CarriedExecution {
  boot: BootResult;
  state: CarriedRunState;
  /** Set when the previous execution continued-as-new while waiting at this main-line gate (still open in `state.gates`). */
  gate?: { node: string; visit: number };
  /** Set when the previous execution continued-as-new while waiting for the human decision (after evaluation). */
  decision?: CarriedDecision;
  /** The workspace's head and per-node starts (issue 21). */
  workspace?: CarriedWorkspace;
}

export interface RunResult {
  runId: string;
  status: RunStatus;
  outcome: RunOutcome;
  runDir?: string;
  lastSeq: number;
  failure?: RunFailure;
  context: Record<string, unknown>;
  /** The candidate the run published (runs with a workspace): a manager loop brings a child's back into its own workspace. */
  candidate?: { commit: string; remote: string; ref: string };
}
