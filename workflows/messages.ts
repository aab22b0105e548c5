// Signals, updates and queries of the run workflow, defined once: the workflow, the CLI, the tests
// and docs all use these names. Signal inputs are small JSON a person can type into Temporal UI.

import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionRecord } from '../core/decision-policy';
import type { GateRecord, RunEnvelope, RunEvent, RunStatusView } from '../core/run-model';

/** `{ "by": "alice", "gate": "review", "comment": "ship it" }` — gate optional when one is open. */
export interface GateSignalInput {
  gate?: string;
  by: string;
  comment?: string;
}

/**
 * `{ "choice": "revise", "by": "alice" }` — choice by key, label or target node id (yes/no gates also
 * take yes/no); `{ "text": "use postgres", "by": "alice" }` for a freeform gate (core/questions.ts).
 */
export interface AnswerSignalInput extends GateSignalInput {
  choice?: string;
  text?: string;
}

/** What our CLI sends by update: the same answer, validated before it reaches history. */
export interface GateUpdateInput extends GateSignalInput {
  kind: 'approve' | 'reject' | 'answer';
  choice?: string;
  text?: string;
}

export const approveSignal = defineSignal<[GateSignalInput]>('approve');
export const rejectSignal = defineSignal<[GateSignalInput]>('reject');
export const answerSignal = defineSignal<[AnswerSignalInput]>('answer');

/** `{ "decision": "approved", "by": "alice", "reason": "holdout green" }` — `remediation` required for rejected. */
export interface DecideSignalInput {
  decision: 'approved' | 'rejected';
  by: string;
  reason: string;
  remediation?: string;
}

// Both travel under the wire name `decide` (what users type in Temporal UI and scripts); the code names
// say which one: decideSignal (fire and forget) and decideUpdate (validated, answers with the record).

/** The final decision of a run in `human` decision mode (signal: usable from Temporal UI and CLI). */
export const decideSignal = defineSignal<[DecideSignalInput]>('decide');
/** The same, validated: approved when not allowed, missing remediation, unknown approver → rejected before history. */
export const decideUpdate = defineUpdate<DecisionRecord, [DecideSignalInput]>('decide');

/** Validated gate answer for the CLI; rejects unknown/closed gates, bad choices, unauthorized answerers. */
export const answerGateUpdate = defineUpdate<GateRecord, [GateUpdateInput]>('answerGate');

// One vocabulary (issue 23): each gate signal is also an update of the same name and input, validated
// before it reaches history and answering with the gate record (like `decide`); `answerGate {kind}` stays.

/** `approve` as an update: `{ "by": "alice" }`, validated, answers with the gate record. */
export const approveUpdate = defineUpdate<GateRecord, [GateSignalInput]>('approve');
/** `reject` as an update. */
export const rejectUpdate = defineUpdate<GateRecord, [GateSignalInput]>('reject');
/** `answer` as an update: `{ "choice": "revise", "by": "alice" }`. */
export const answerUpdate = defineUpdate<GateRecord, [AnswerSignalInput]>('answer');

/** Failure type of a refused gate update (non-retryable: the same answer is refused again). */
export const GATE_ANSWER_REFUSED = 'GATE_ANSWER_REFUSED';
/** Failure type of a refused `decide` update. */
export const DECISION_REFUSED = 'DECISION_REFUSED';

export const statusQuery = defineQuery<RunStatusView>('status');
export const runQuery = defineQuery<RunEnvelope>('run');
/** Events with seq > after (default 0), at most `limit` (default 1000). */
export const eventsQuery = defineQuery<RunEvent[], [{ after?: number; limit?: number }?]>('events');

/** Largest page the `events` query returns. */
export const EVENTS_QUERY_MAX = 100_000;

/** The events query's arguments, checked: a bad cursor or page size is refused with the reason (never clamped silently). */
export function eventsQueryArgs(q: { after?: unknown; limit?: unknown } | undefined | null): { after: number; limit: number } {
  const after = q?.after ?? 0;
  const limit = q?.limit ?? 1000;
  if (typeof after !== 'number' || !Number.isInteger(after) || after < 0) throw new Error('events query: "after" must be an integer seq >= 0');
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > EVENTS_QUERY_MAX) {
    throw new Error(`events query: "limit" must be an integer from 1 to ${EVENTS_QUERY_MAX}`);
  }
  return { after, limit };
}
export const gatesQuery = defineQuery<GateRecord[]>('gates');
