// The run workflow: boot phases 1–4 as activities, then traversal, gates, continue-as-new and
// finalize. State lives in RunState; this file wires messages, search attributes and phases.

import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  type RetryPolicy,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import { EventType, FailureDomain, type Checkpoint, type GateRecord, type RunEnvelope, RunStatus, RECOVERY_RULES } from '../core/run-model';
import { SEARCH_ATTRIBUTES } from '../core/temporal-names';
import type { DecisionRecord } from '../core/decision-policy';
import { type CarriedDecision, DECISION_GATE, DecisionGate } from './decision-gate';
import { bootPhases } from './boot';
import { Engine } from './engine';
import { runFailureOf, workflowFailure } from './errors';
import { domainFailure } from '../core/failures';
import { runChildPipeline } from './child-pipeline';
import { HumanGates } from './human-gates';
import {
  answerGateUpdate,
  answerSignal,
  approveSignal,
  decideSignal,
  decideUpdate,
  eventsQuery,
  eventsQueryArgs,
  gatesQuery,
  rejectSignal,
  runQuery,
  statusQuery,
} from './messages';
import { EarlyPatches } from './early-patches';
import { RecordClock } from './record-clock';
import { HISTORY_GAUGE_PATCH, HistoryGauge } from './history-gauge';
import { LOCAL_STAGES_PATCH } from './stage-activity';
import { RETRY_LOOP_PATCH } from './stage-retry';
import { MANAGER_CYCLES_PATCH, MANAGER_STEER_PATCH } from './child-pipeline';
import { RunState } from './run-state';
import type { BootResult, CarriedExecution, RunInput, RunResult } from './types';

// Bounded (~3 minutes of retries): a run directory that cannot be written fails the run visibly
// instead of retrying forever (retry options are not part of replayed commands: no patch needed).
const IO_RETRY: RetryPolicy = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '10s', maximumAttempts: 20 };
const ioActs = proxyActivities<PipelineActivities>({ startToCloseTimeout: '1 minute', retry: IO_RETRY });
/** finalizeRun heartbeats per file: a worker killed mid-freeze is noticed in seconds, not at the 10-minute limit. */
const freezeActs = proxyActivities<PipelineActivities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '30 seconds', retry: IO_RETRY });

/** Patch ids (docs/upgrading.md): runs recorded before each change replay the old path. */
export const PATCHES = {
  /** FactoryStatus says "finalizing" while finalizeRun runs and "completed" only after it returned. */
  statusCompletedAfterFinalize: 'status-completed-after-finalize',
} as const;

const DEFAULT_HISTORY_LIMIT = 4000;

function now(): string {
  return new Date().toISOString();
}

function freshEnvelope(input: RunInput): RunEnvelope {
  const at = now();
  return {
    runId: input.runId,
    workflowId: workflowInfo().workflowId,
    pipeline: { id: input.pipeline.ref ?? input.pipeline.file ?? '?', version: '?' },
    profile: { id: input.profile.ref ?? input.profile.file ?? '?', version: '?' },
    digests: { profile: '', pipeline: '' },
    sources: { pipeline: input.pipeline, profile: input.profile, ...(input.suite ? { suite: input.suite } : {}) },
    status: RunStatus.booting,
    ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}),
    ...(input.rerunOf !== undefined ? { rerunOf: input.rerunOf } : {}),
    createdAt: at,
    updatedAt: at,
    stages: {},
    openGates: [],
    continuedAsNew: 0,
    lastSeq: 0,
  };
}

/** Runs one pipeline from boot to finalize. Fails with a typed domain failure (BOOT_/EXEC_FAILURE). */
export async function runPipeline(input: RunInput): Promise<RunResult> {
  let pipelineName = input.pipeline.ref ?? input.pipeline.file ?? '';
  let finalizing = false;
  const publishStatus = (status: RunStatus): void => {
    const shown = finalizing && status === RunStatus.completed ? 'finalizing' : status;
    upsertSearchAttributes({ [SEARCH_ATTRIBUTES.status]: [shown], [SEARCH_ATTRIBUTES.pipeline]: [pipelineName] });
  };
  /** The end: status completed, the freeze; "completed" is published only once the freeze is done (patched). */
  const close = async (b: BootResult | undefined, decision: DecisionRecord | undefined): Promise<void> => {
    finalizing = b?.runDir !== undefined && patches.has(PATCHES.statusCompletedAfterFinalize);
    state.setStatus(RunStatus.completed);
    if (b?.runDir) await finalize(b, decision);
    if (finalizing) {
      finalizing = false;
      publishStatus(RunStatus.completed);
    }
  };
  // before any activity (workflows/early-patches.ts): these are otherwise first asked right after a local one
  const patches = new EarlyPatches([LOCAL_STAGES_PATCH, RETRY_LOOP_PATCH, PATCHES.statusCompletedAfterFinalize, MANAGER_CYCLES_PATCH, MANAGER_STEER_PATCH]);
  // asked once, here, after the early patches (never right after a local activity): runs parked before keep stale lengths
  const gauge = patched(HISTORY_GAUGE_PATCH) ? new HistoryGauge() : undefined;
  const clock = new RecordClock();
  const recordNow = () => clock.now().toISOString();
  // a run recorded by r2 or earlier stamped its records with workflow time: its replay keeps doing so
  const settle = (result: unknown): void => {
    if (patches.current) clock.settle(result);
    gauge?.added();
  };
  const state = input.carry
    ? RunState.restore(input.carry.state, workflowInfo().workflowId, recordNow, publishStatus, settle)
    : new RunState(freshEnvelope(input), recordNow, publishStatus, settle);
  state.patches = patches;
  let boot: BootResult | undefined = input.carry?.boot;

  const flush = async (withEnvelope = false): Promise<void> => {
    const runDir = boot?.runDir;
    if (runDir === undefined) return;
    await state.persist((events, checkpoint) =>
      ioActs.flushRun({ runDir, events, ...(checkpoint ? { checkpoint } : {}), ...(withEnvelope ? { envelope: state.envelope } : {}) }),
    );
  };

  /** Finalize (seed step 9): last events incl. run.completed, summary, freeze; digest into the envelope. */
  const finalize = async (b: BootResult, decision: DecisionRecord | undefined): Promise<void> => {
    const frozen = await state.persist((events, checkpoint) =>
      freezeActs.finalizeRun({
        runDir: b.runDir,
        events,
        envelope: state.envelope,
        ...(checkpoint ? { checkpoint } : {}),
        summary: { envelope: state.envelope, ...(decision ? { decision } : {}) },
        graph: b.specs.graph,
      }),
    );
    state.recordFreeze(frozen.freezeDigest);
  };

  const limit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const pause = () => workflowInfo().continueAsNewSuggested || (gauge ? gauge.length() : workflowInfo().historyLength) > limit;
  /**
   * Continue-as-new while a human is awaited (patched in HumanGates and DecisionGate): flush, let handlers
   * finish, and hand over unless the wait ended meanwhile (`waiting`), carrying what the new execution resumes.
   */
  const handOver = async (waiting: () => boolean, next: string, gate: string, checkpoint: () => Checkpoint, resume: Pick<CarriedExecution, 'gate' | 'decision'>): Promise<void> => {
    await flush(true);
    await condition(allHandlersFinished);
    if (!waiting() || !boot) return;
    state.emit(EventType.runContinuedAsNew, { next, gate, historyLength: workflowInfo().historyLength });
    await continueAsNew<typeof runPipeline>({ ...input, carry: { boot, state: state.carry(checkpoint()), ...resume } });
  };
  /**
   * At an open gate: its record, answers, deadline and visit carried; not once its deadline passed while flushing
   * (the gate times out here). Compared on the record clock, the time that stamps `run.continued_as_new`.
   */
  const parkAtGate = (gate: GateRecord, visit: number): Promise<void> => {
    const open = () => !state.gate(gate.id)?.closed && (gate.deadline === undefined || Date.parse(gate.deadline) > clock.now().getTime());
    return handOver(open, gate.node, gate.id, () => state.pauseAt(gate.node), { gate: { node: gate.node, visit } });
  };

  const decisionGate = new DecisionGate(state);
  /** At the human decision after evaluation: no second evaluation. */
  const parkAtDecision = (decision: CarriedDecision): Promise<void> =>
    handOver(() => decisionGate.awaiting, DECISION_GATE, DECISION_GATE, () => state.lastCheckpoint ?? state.checkpoint(state.envelope.currentNode ?? DECISION_GATE, undefined), { decision });
  const gates = new HumanGates(
    state,
    () => boot?.profile.profile.policy.human_gate,
    () => boot?.specs.graph,
    { autoApprove: input.autoApprove === true, ...(input.startedBy !== undefined ? { startedBy: input.startedBy } : {}), now: () => clock.now() },
    () => flush(),
    { pause, park: parkAtGate },
  );

  setHandler(statusQuery, () => state.statusView());
  setHandler(runQuery, () => state.envelope);
  setHandler(eventsQuery, (q) => {
    const { after, limit } = eventsQueryArgs(q);
    return state.eventsAfter(after, limit);
  });
  setHandler(gatesQuery, () => {
    const open = state.gates.filter((g) => !g.closed);
    const decision = decisionGate.gateView();
    return decision ? [...open, decision] : open;
  });
  setHandler(decideSignal, (d) => void decisionGate.decide(d, 'signal'));
  setHandler(
    decideUpdate,
    async (d) => {
      if (!decisionGate.decide(d, 'update')) throw domainFailure(FailureDomain.decision, 'decision refused', ['the decide update was refused; see the decision.failed event']);
      return decisionGate.waitForRecord();
    },
    { validator: (d) => decisionGate.validate(d) },
  );
  setHandler(approveSignal, (a) => void gates.answer('approve', a, 'signal'));
  setHandler(rejectSignal, (a) => void gates.answer('reject', a, 'signal'));
  setHandler(answerSignal, (a) => void gates.answer('answer', a, 'signal'));
  setHandler(
    answerGateUpdate,
    (u) => gates.answer(u.kind, u, 'update') as NonNullable<ReturnType<HumanGates['answer']>>,
    {
      validator: (u) => {
        if (!u || typeof u !== 'object' || !['approve', 'reject', 'answer'].includes(u.kind)) {
          throw new Error('malformed update: "kind" must be approve, reject or answer');
        }
        const check = gates.check(u.kind, u);
        if (!check.ok) throw new Error(check.reason);
      },
    },
  );

  try {
    if (!boot) {
      publishStatus(RunStatus.booting);
      boot = await bootPhases(input, state, (name) => (pipelineName = name));
    } else {
      pipelineName = boot.specs.pipelineRef.id;
    }
    const engine = new Engine(input, boot, state, gates, (node, visit, lane) =>
      runChildPipeline(runPipeline, input, boot as BootResult, state, node, visit, lane.context),
    );
    if (!input.carry) {
      state.setStatus(RunStatus.executing);
      state.emit(EventType.runStarted, { start: state.nextNode ?? engine.startNode(), resumed: input.resume === true });
    } else {
      state.setStatus(input.carry.decision || state.gates.some((g) => !g.closed) ? RunStatus.awaitingHuman : RunStatus.executing);
    }
    // a run that continued-as-new at the decision has walked its graph already
    const pausedAt = input.carry?.decision ? undefined : await engine.walk(state.nextNode ?? engine.startNode(), pause, input.carry?.gate);
    if (pausedAt !== undefined) {
      if (engine.restartRequested) {
        // Attractor's loop_restart: the run starts over at the edge's target with a fresh context
        // (same run, same run directory: the durable reading of "re-launch with a fresh log")
        state.restartAt(pausedAt, boot.specs.graph);
        state.emit(EventType.runLoopRestarted, { at: pausedAt });
      }
      state.emit(EventType.runContinuedAsNew, { next: pausedAt, historyLength: workflowInfo().historyLength });
      const checkpoint = state.pauseAt(pausedAt);
      await flush(true);
      await condition(allHandlersFinished);
      return await continueAsNew<typeof runPipeline>({ ...input, carry: { boot, state: state.carry(checkpoint) } });
    }
    const record = await decisionGate.run(input, boot, () => flush(), { pause, park: parkAtDecision, ...(input.carry?.decision ? { carried: input.carry.decision } : {}) });
    if (record) {
      state.setOutcome(record.decision);
      state.setStatus(record.decision === 'approved' ? RunStatus.approved : RunStatus.rejected);
      state.emit(record.decision === 'approved' ? EventType.runApproved : EventType.runRejected, {
        by: record.by,
        mode: record.mode,
        reason: record.reason,
        ...(record.remediation ? { rerunFrom: record.remediation.rerun_from, signatures: record.remediation.signatures.length } : {}),
      });
    } else {
      state.setOutcome('succeeded');
    }
    state.emit(EventType.runCompleted, { outcome: state.envelope.outcome, completedNodes: state.completedTotal });
    await close(boot, record);
    await condition(allHandlersFinished);
    return result(state, boot);
  } catch (err) {
    const failure = runFailureOf(err);
    if (!failure) throw err;
    state.fail(failure.domain, failure.message, failure.causes, failure.node);
    state.emit(EventType.runFailed, { domain: failure.domain, message: failure.message, causes: failure.causes, recovery: RECOVERY_RULES[failure.domain], ...(failure.node ? { node: failure.node } : {}) });
    state.emit(EventType.runCompleted, { outcome: 'failed', domain: failure.domain });
    let unfrozen: string | undefined;
    try {
      await close(boot, undefined);
    } catch (closeErr) {
      // the run directory could not take the last events (removed, diverged, full): the run still ends
      // with its own typed failure, and says that its directory is not its record
      unfrozen = `the run directory was not finalized: ${runFailureOf(closeErr)?.message ?? String(closeErr)}`;
    }
    await condition(allHandlersFinished);
    const recorded = state.envelope.failure ?? { ...failure, recovery: RECOVERY_RULES[failure.domain] };
    throw workflowFailure(unfrozen ? { ...recorded, causes: [...recorded.causes, unfrozen] } : recorded);
  }
}

function result(state: RunState, boot: BootResult | undefined): RunResult {
  return {
    runId: state.envelope.runId,
    status: state.envelope.status,
    outcome: state.envelope.outcome ?? 'failed',
    ...(boot ? { runDir: boot.runDir } : {}),
    lastSeq: state.envelope.lastSeq,
    ...(state.envelope.failure ? { failure: state.envelope.failure } : {}),
    context: state.context,
  };
}
