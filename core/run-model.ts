// The Run as the outside world sees it: statuses, events, envelope, gates, checkpoint, failures.
// Plain data shared by workflow code, activities, the CLI and tests. Pure: no I/O, no clocks.

import type { CandidateSnapshot, WorkspaceChange, WorkspaceRecord } from './workspace';
import type { StageStatus } from './model';
import type { QuestionType } from './questions';
import type { TokenUsage } from './usage';
import type { SandboxRecord } from './sandbox-policy';

/** SPEC §1 statuses. `completed` is set once finalized; the outcome stays in `outcome`. */
export const RunStatus = {
  booting: 'booting',
  executing: 'executing',
  awaitingHuman: 'awaiting_human',
  evaluating: 'evaluating',
  approved: 'approved',
  rejected: 'rejected',
  failed: 'failed',
  completed: 'completed',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

/** The recorded end of a run: `succeeded` until a decision gate exists, then approved/rejected; `cancelled` when cancelled. */
export type RunOutcome = 'succeeded' | 'approved' | 'rejected' | 'failed' | 'cancelled';

/** SPEC §1 required events, plus the gate/answer/retry events the product adds. */
export const EventType = {
  runCreated: 'run.created',
  runStarted: 'run.started',
  stageStarted: 'stage.started',
  stageCompleted: 'stage.completed',
  stageFailed: 'stage.failed',
  /** A stage attempt failed and another follows after a delay (Attractor §3.5). */
  stageRetrying: 'stage.retrying',
  runAwaitingHuman: 'run.awaiting_human',
  runResumed: 'run.resumed',
  gateOpened: 'gate.opened',
  gateAnswered: 'gate.answered',
  gateAnswerIdentified: 'gate.answer_identified',
  gateAnswerRejected: 'gate.answer_rejected',
  gateClosed: 'gate.closed',
  gateTimedOut: 'gate.timed_out',
  /** No choice can reach the quorum with the approvers left: the gate ends now as at its deadline. */
  gateDeadlocked: 'gate.deadlocked',
  /** A wait.human node was routed: the edge actually taken, and whether it is the one the answer chose (issue 22). */
  gateRouted: 'gate.routed',
  goalGateUnsatisfied: 'goal_gate.unsatisfied',
  /** The main line stopped at a node with no edge to follow after a non-failure outcome: the pipeline completes there (Attractor §3.2). */
  runDeadEnd: 'run.dead_end',
  /** A parallel node's branches ended and joined: where, and how their context updates were merged. */
  parallelJoined: 'parallel.joined',
  runContinuedAsNew: 'run.continued_as_new',
  runLoopRestarted: 'run.loop_restarted',
  runEvaluating: 'run.evaluating',
  evaluationCompleted: 'evaluation.completed',
  decisionFailed: 'decision.failed',
  runApproved: 'run.approved',
  runRejected: 'run.rejected',
  runFailed: 'run.failed',
  /** The workflow was cancelled (`factory cancel`, Temporal UI): the stage stopped, the record finalized as cancelled. */
  runCancelled: 'run.cancelled',
  runCompleted: 'run.completed',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** One event: gapless `seq` per run, workflow time `at` (ISO). */
export interface RunEvent {
  seq: number;
  type: EventType;
  runId: string;
  at: string;
  data: Record<string, unknown>;
}

/** SPEC §4 failure domains. */
export const FailureDomain = {
  boot: 'BOOT_FAILURE',
  exec: 'EXEC_FAILURE',
  eval: 'EVAL_FAILURE',
  decision: 'DECISION_FAILURE',
  /** The run's work ended, but its directory could not be frozen (finalizeRun gave up): the history is the record. */
  finalize: 'FINALIZE_FAILURE',
} as const;
export type FailureDomain = (typeof FailureDomain)[keyof typeof FailureDomain];

/** The recovery rule each domain carries in every message (seed: Recovery Rules). */
export const RECOVERY_RULES: Readonly<Record<FailureDomain, string>> = {
  BOOT_FAILURE: 'fix config/spec, create new run',
  EXEC_FAILURE: 'retry per policy or route to failure handler; fix the stage and rerun',
  EVAL_FAILURE: 'no approval path; remediate and rerun',
  DECISION_FAILURE: 'closure blocked until a valid decision is recorded',
  FINALIZE_FAILURE:
    'the stages ran and the workflow history holds what happened, but the run directory is not a frozen record (factory verify will not pass): fix the cause named (disk space, permissions, files changed or removed under the run directory), then rerun for a verifiable record; do not change the stages',
};

export interface RunFailure {
  domain: FailureDomain;
  message: string;
  /** Every missing item / cause, one per entry (boot failures list all of them). */
  causes: string[];
  recovery: string;
  node?: string;
}

/** Per-node stage record (aggregated, so a 5,000-iteration loop keeps a small envelope). */
export interface StageRecord {
  node: string;
  type: string;
  executions: number;
  attempts: number;
  status?: StageStatus;
  failure_reason?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Tokens (and cost) the stage's LLM calls spent, summed over its executions. */
  usage?: TokenUsage;
}

export interface GateChoice {
  key: string;
  label: string;
  /** Edge target; '' for a confirmation's decline with no edge (the stage fails) or a freeform reply. */
  to: string;
  /** YES or NO for yes_no and confirmation gates (core/questions.ts). */
  value?: 'YES' | 'NO';
}

export interface GateAnswer {
  choice: string;
  by: string;
  comment?: string;
  /** The reply of a freeform gate (or text sent with a choice). */
  text?: string;
  at: string;
  via: 'signal' | 'update' | 'auto' | 'timeout';
  /** The Temporal client identity the server recorded with the signal or update (issue 20); "unknown" when unreadable. */
  identity?: string;
  /** Why identity is "unknown". */
  identityReason?: string;
}

/** A human gate as the `gates` query shows it. */
export interface GateRecord {
  id: string;
  node: string;
  prompt: string;
  /** Question type (core/questions.ts); absent on gates opened before question types: multiple_choice. */
  question?: QuestionType;
  choices: GateChoice[];
  openedAt: string;
  deadline?: string;
  approvers: string[];
  quorum: number;
  allowSelfApproval: boolean;
  answers: GateAnswer[];
  closed: boolean;
  /** The winning choice's target node id once closed. */
  selected?: string;
  /** What the run changed up to the gate (runs with a workspace, issue 21): computed when the gate opened. */
  change?: WorkspaceChange;
}

/** Attractor checkpoint (§5.3) plus what our workflow needs to resume or continue-as-new. */
export interface Checkpoint {
  timestamp: string;
  current_node: string;
  /** The node to run next; undefined once the exit is reached. */
  next_node?: string;
  /** The most recent node visits in order (at most 1,000; events.jsonl has them all). */
  completed_nodes: string[];
  /** How many node visits the run has completed in all. */
  completed_total?: number;
  node_retries: Record<string, number>;
  node_outcomes: Record<string, StageStatus>;
  context: Record<string, unknown>;
  logs: string[];
  /** The workspace commit the next main-line stage starts from (issue 21): what `--resume` continues from. */
  workspace_head?: string;
}

/** A spec as a run named it: registry ref or file (what `factory run --resume` needs to boot again). */
export type SpecSource = { ref: string; file?: undefined } | { file: string; ref?: undefined };

export interface Digests {
  profile: string;
  pipeline: string;
  suite?: string;
}

/** The Run envelope (`run.json`, `run` query). */
export interface RunEnvelope {
  runId: string;
  workflowId: string;
  pipeline: { id: string; version: string };
  profile: { id: string; version: string };
  suite?: { id: string; version: string; count: number };
  digests: Digests;
  sources: { pipeline: SpecSource; profile: SpecSource; suite?: SpecSource };
  status: RunStatus;
  /** How the run ended; stays recorded after status becomes `completed`. */
  outcome?: RunOutcome;
  currentNode?: string;
  runDir?: string;
  startedBy?: string;
  createdAt: string;
  updatedAt: string;
  stages: Record<string, StageRecord>;
  /** Tokens (and cost) spent by every stage of the run so far. */
  usage?: TokenUsage;
  openGates: string[];
  failure?: RunFailure;
  /** Lineage: the run this one reruns, and runs that rerun this one. */
  rerunOf?: string;
  /** The goal and parameters given at submit (`factory run --goal`, `-p`); absent: the pipeline's own. */
  overrides?: { goal?: string; params?: Record<string, string> };
  continuedAsNew: number;
  lastSeq: number;
  /** Holdout result: counts and signatures only (SPEC §5). */
  evaluation?: { total: number; passed: number; failed: number; errored: number; satisfaction: number; passed_bar: boolean; signatures: number };
  decision?: { decision: 'approved' | 'rejected'; by: string; at: string; mode: 'auto' | 'human' };
  /** sha256 of the freeze manifest written at finalize (`factory verify` checks the run directory against it). */
  freezeDigest?: string;
  /** The run's workspace and the base it was made from (issue 21); absent on runs from before. */
  workspace?: WorkspaceRecord;
  /** The pinned candidate evaluated and decided on (the last one published); absent on runs from before. */
  candidate?: CandidateSnapshot;
  /** The sandbox the run's processes got, from preflight (issue 20); absent on runs from before. */
  sandbox?: SandboxRecord;
  /** Preflight's warnings (lint, an unconfined sandbox); absent when there were none and on runs from before. */
  warnings?: string[];
}

/** The small `status` query answer. */
export interface RunStatusView {
  runId: string;
  status: RunStatus;
  pipeline: string;
  currentNode?: string;
  openGates: string[];
  lastSeq: number;
  failure?: { domain: FailureDomain; message: string };
}
