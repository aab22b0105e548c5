// The payload (`data`) of every event type in events.jsonl, as zod schemas: the product's contract with
// whoever reads a run's events. docs/events.md is generated from these (scripts/gen-events-doc.ts).
// Payloads are strict: a field the workflow emits must be listed here (and so documented); fields that
// only older releases wrote stay listed as optional, so their events.jsonl files still validate.
// Pure: workflow code may import this module.

import { z } from 'zod';
import { EventType, FailureDomain } from '../run-model';
import { policyCheck, signatureCluster } from './decision';
import { digests, failureDomain, gateChoice, runOutcome, sandboxRecord, specVersion, stageStatus, tokenUsage, workspaceChange } from './records';
import { QuestionType } from '../questions';

const str = (what: string) => z.string().describe(what);
const int = (what: string) => z.number().int().describe(what);
const nullable = (what: string) => z.string().nullable().describe(what);
const gateId = str('gate id: the node id, `<node>#<visit>` from its second visit on, or `decision`');
const branch = str('the parallel branch the node ran in (absent on the main line)').optional();

/** What preflight found, on run.created (absent on runs from before the sandbox was recorded). */
const preflightFields = {
  sandbox: sandboxRecord.describe('the sandbox the run\'s processes get `{ mode: bwrap|none, network: off|on, allow?, note? }` (allow: hosts reachable through the proxy; note: why unconfined)').optional(),
  warnings: z.array(z.string()).describe('preflight\'s warnings (lint, an unconfined sandbox)').optional(),
};

const runCreatedFresh = z
  .strictObject({
    pipeline: specVersion.describe('`{ id, version }` of the pipeline'),
    profile: specVersion.describe('`{ id, version }` of the profile'),
    digests: digests.describe('sha256 digests `{ profile, pipeline, suite? }` bound at boot'),
    rerunOf: str('the run this one reruns').optional(),
    overrides: z
      .strictObject({ goal: str('`factory run --goal`').optional(), params: z.record(z.string(), z.string()).describe('`factory run -p name=value`').optional() })
      .describe('the goal and parameters given at submit `{ goal?, params? }` (absent: the pipeline\'s own)')
      .optional(),
    ...preflightFields,
  })
  .describe('a new run');
const runCreatedResumed = z
  .strictObject({
    resumedFrom: str('the checkpoint node the resumed run continues from'),
    runDir: str('the run directory resumed').optional(),
    workspaceHead: nullable('the workspace commit the run continues from (checkpoint.json `workspace_head`), or null when an older checkpoint names none (then the run branch\'s head)').optional(),
    workspaceRecreated: z.boolean().describe('true when the workspace was gone and was made again at that commit').optional(),
    ...preflightFields,
  })
  .describe('`factory run --resume`: the same run directory, a new workflow');

const stageSnapshot = z
  .strictObject({
    commit: str('the commit the stage ended at, on the run branch `factory/<runId>`'),
    tree: str('its git tree id (the content digest)'),
    parent: str('the commit before the stage'),
    changed: z.boolean().describe('false when the stage changed no file: no commit was made, commit = parent = the unchanged head'),
    files: int('files changed against parent'),
    added: int('lines added'),
    deleted: int('lines deleted'),
  })
  .describe('the workspace snapshot the stage ended with (issue 21; absent on runs without a workspace)');
const candidateChange = z
  .strictObject({
    commit: str('the candidate commit'),
    tree: str('its git tree id'),
    remote: str('the git remote it was published to'),
    ref: str('the ref it was published under'),
    from: str('the commit the run started from').optional(),
    files: int('files changed since the start').optional(),
    added: int('lines added since the start').optional(),
    deleted: int('lines deleted since the start').optional(),
  })
  .describe('the pinned candidate and what the run changed (issue 21; absent on runs without a workspace)');

const stageEnd = (what: string) =>
  z
    .strictObject({
      node: str('node id'),
      status: stageStatus.describe('outcome status'),
      attempts: int('attempts the stage took'),
      branch,
      failure_reason: str('why it failed').optional(),
      preferred_label: str('the edge label the stage asked for').optional(),
      usage: tokenUsage.describe('tokens (and cost) the stage spent').optional(),
      snapshot: stageSnapshot.optional(),
    })
    .describe(what);

const gateAwaited = z
  .strictObject({
    gate: gateId,
    node: str('the wait.human node'),
    prompt: str('the question shown to people'),
    question: z.enum(QuestionType).describe('question type (absent: multiple_choice, or a run from before question types)').optional(),
    choices: z.array(gateChoice).describe('`{ key, label, to, value? }` per choice'),
    deadline: nullable('ISO time the gate times out, or null'),
    change: workspaceChange.optional(),
  })
  .describe('a human gate opened');
const decisionAwaited = z
  .strictObject({
    gate: z.literal('decision').describe('always `decision`'),
    kind: z.literal('decision').describe('always `decision`'),
    allowed: z.array(z.enum(['approved', 'rejected'])).describe('the decisions policy allows'),
    checks: z.array(policyCheck).describe('every policy check `{ name, ok, detail }`'),
    approvers: z.array(z.string()).describe('who may decide (empty: anyone)'),
    candidate: candidateChange.optional(),
  })
  .describe('the run waits for its human decision');

const decided = (what: string) =>
  z
    .strictObject({
      by: str('who decided'),
      mode: z.enum(['auto', 'human']).describe('decision mode'),
      reason: str('the reason recorded'),
      rerunFrom: str('where a rerun should start (set when the decision has a remediation: every rejection)').optional(),
      signatures: int('failure clusters to fix (set with rerunFrom)').optional(),
      commit: str('the candidate commit decided on (issue 21; absent on runs without a workspace)').optional(),
      publishedBranch: str('approved with environment.workspace.publish_branch: the branch the commit was pushed as').optional(),
      publishError: str('approved, but the branch could not be pushed: why').optional(),
      identity: str('a human decision: the Temporal client identity the server recorded with the decide signal or update ("unknown" when it could not be read; absent before issue 20)').optional(),
      identityReason: str('why identity is "unknown"').optional(),
    })
    .describe(what);

/** Every event type's payload schema, keyed by type; `satisfies` keeps it complete. */
export const EVENT_PAYLOADS = {
  [EventType.runCreated]: z.union([runCreatedFresh, runCreatedResumed]).describe('The run was booted: its specs resolved and its run directory written.'),
  [EventType.runStarted]: z
    .strictObject({ start: str('the first node'), resumed: z.boolean().describe('true for `factory run --resume`') })
    .describe('Traversal starts (not emitted again after continue-as-new).'),
  [EventType.stageStarted]: z
    .strictObject({
      node: str('node id'),
      type: str('handler type'),
      visit: int('1 on the first visit, counting up in loops (over the whole run: every branch and the main line)'),
      branch_visit: int('on a parallel branch: this branch\'s own visit of the node, which names its stage directory (`<node>@<branch>`, `@v<n>` from 2 on)').optional(),
      activity: z.enum(['local', 'remote']).describe('where the stage ran, on runs whose workflow code ran short stages as local activities (absent otherwise)').optional(),
      branch,
    })
    .describe('A node begins (stages, gates and control nodes alike).'),
  [EventType.stageCompleted]: stageEnd('A node ended with any status but fail; a conditional node always ends here (it routes on its outcome).'),
  [EventType.stageFailed]: stageEnd('A node other than a conditional ended with status fail.'),
  [EventType.stageRetrying]: z
    .strictObject({
      node: str('node id'),
      attempt: int('the attempt that just ended'),
      max_attempts: int('attempts allowed'),
      status: stageStatus.describe('the attempt\'s status'),
      reason: str('its failure reason'),
      next_delay_ms: int('backoff before the next attempt'),
      branch,
    })
    .describe('A stage attempt failed and another follows after a delay (Attractor §3.5).'),
  [EventType.runAwaitingHuman]: z.union([gateAwaited, decisionAwaited]).describe('The run waits for a person: at a gate, or for its decision.'),
  [EventType.runResumed]: z
    .strictObject({ gate: gateId, selected: nullable('the target node chosen'), by: nullable('who gave the last answer') })
    .describe('A gate closed with an answer and the run goes on.'),
  [EventType.gateOpened]: z
    .strictObject({ gate: gateId, approvers: z.array(z.string()).describe('who may answer (empty: anyone)'), quorum: int('answers needed for one choice') })
    .describe('A gate opened (after `run.awaiting_human`).'),
  [EventType.gateAnswered]: z
    .strictObject({
      gate: gateId,
      by: str('who answered'),
      choice: str('the target node chosen (\'\' for a freeform reply)'),
      via: z.enum(['signal', 'update', 'auto', 'timeout']).describe('how the answer came'),
      votes: int('answers for this choice so far'),
      answers: int('answers so far (absent in runs of r1 and r2)').optional(),
      quorum: int('answers needed'),
    })
    .describe('A valid answer was recorded (the gate may still wait for its quorum).'),
  [EventType.gateAnswerIdentified]: z
    .strictObject({
      gate: gateId,
      by: str('who the answer says answered (its self-declared `by`)'),
      via: z.enum(['signal', 'update']).describe('how the answer came'),
      answer: int('which answer of the gate (1-based, as in the gate record)'),
      identity: str('the Temporal client identity the server recorded with that signal or update ("unknown" when it could not be read)'),
      identityReason: str('why identity is "unknown"').optional(),
    })
    .describe('Who sent a `gate.answered` answer, as the Temporal server recorded it (issue 20): read from the history by an activity after the answer was accepted, so it follows `gate.answered`, possibly after `gate.closed`. Self-declared by the client unless the cluster authenticates clients (docs/security.md).'),
  [EventType.gateAnswerRejected]: z
    .strictObject({
      kind: z.enum(['approve', 'reject', 'answer']).describe('the signal or update kind'),
      via: z.enum(['signal', 'update', 'auto', 'timeout']).describe('how it came'),
      reason: str('why it was refused'),
      gate: gateId.optional(),
      late: z.literal(true).describe('set when it came at or after the gate\'s deadline (its timeout route is taken)').optional(),
      by: str('who sent it (cut to 200 characters)').optional(),
    })
    .describe('An answer was refused; nothing changed.'),
  [EventType.gateClosed]: z
    .strictObject({
      gate: gateId,
      selected: nullable('the winning target node'),
      via: z.enum(['timeout', 'quorum_unreachable']).describe('set when the gate closed without its quorum').optional(),
    })
    .describe('A gate closed.'),
  [EventType.gateTimedOut]: z
    .strictObject({ gate: gateId, defaultChoice: nullable('the target taken by default, or null (the run fails)') })
    .describe('A gate\'s deadline passed.'),
  [EventType.gateDeadlocked]: z
    .strictObject({
      gate: gateId,
      votes: z.record(z.string(), z.number()).describe('votes per target node'),
      quorum: int('answers needed'),
      eligible: z.array(z.string()).describe('approvers who may still answer'),
      reason: str('the votes, quorum and who is left, in words'),
      defaultChoice: nullable('the target taken by default, or null (the run fails)'),
    })
    .describe('No choice can reach the quorum with the approvers left: the gate ends as at its deadline.'),
  [EventType.gateRouted]: z
    .strictObject({
      gate: gateId.optional().describe('the gate that was answered (absent when the gate opened none: no outgoing edge)'),
      node: str('the wait.human node'),
      selected: nullable('the target node the answer chose, or null (a freeform reply, a decline, a timeout without default)'),
      to: nullable('the node the run actually goes to next, or null (none: the run fails or, on the main line, ends at a dead end)'),
      via: z.enum(['edge', 'retry_target', 'fallback_retry_target', 'conditional']).describe('how `to` was found: an edge, or failure routing (§3.7)').optional(),
      edge: z
        .strictObject({
          from: str('the gate node'),
          to: str('the target node'),
          label: str('the edge label (\'\' when none)'),
          condition: str('the condition that held (absent: an unconditional edge)').optional(),
        })
        .describe('the edge actually taken (set when `via` is `edge`)')
        .optional(),
      overridden: z.boolean().describe('true when the run goes elsewhere than the answer chose: a condition on the gate\'s edges held (lint: gate_condition)'),
      branch,
    })
    .describe('A human gate\'s outcome was routed: names the edge actually taken, which a condition on the gate\'s edges may make differ from the answer.'),
  [EventType.goalGateUnsatisfied]: z
    .strictObject({
      node: str('the goal-gate node that decided the retry target'),
      status: stageStatus.describe('its last status (absent: never visited)').optional(),
      unsatisfied: z.array(z.string()).describe('every unsatisfied goal gate (absent in runs of r1)').optional(),
      retryTarget: nullable('where the run goes back to, or null (the run fails)'),
    })
    .describe('At the exit, goal gates were unsatisfied (Attractor §3.4).'),
  [EventType.runDeadEnd]: z
    .strictObject({
      node: str('the node the traversal stopped at'),
      status: stageStatus.describe('its outcome (never fail: a failure with no route fails the run)'),
      reason: str('why no edge applies: the node has none, or no condition holds'),
      conditions: z.array(z.string()).describe('every condition that did not hold (absent: the node has no outgoing edge)').optional(),
    })
    .describe('Attractor §3.2: the main line found no edge to follow after a non-failure outcome, so the pipeline completes at this node (goal gates are checked as at the exit).'),
  [EventType.parallelJoined]: z
    .strictObject({
      node: str('the parallel node'),
      join: str('the node the branches stopped at, which runs next, once: the fan-in node they all reach, else the first node they all reach'),
      fan_in: z.boolean().describe('whether the join node is a fan-in node (shape=tripleoctagon)'),
      branches: z
        .array(z.strictObject({ id: str('the branch (its first node)'), status: stageStatus.describe('its last node\'s status'), last_node: str('the last node it ran') }))
        .describe('every branch in declared edge order'),
      merged: z.array(z.string()).describe('the context keys the branches set that the join merged into the context (values are in the context, not here)'),
      conflicts: z
        .array(
          z.strictObject({
            key: str('a context key two or more branches set to different values'),
            branches: z.array(z.string()).describe('the branches that set it, in edge order'),
            kept: str('the branch whose value the context kept: the last in edge order'),
          }),
        )
        .describe('keys set differently by several branches (every value is in context `parallel.conflicts`)'),
      branch,
    })
    .describe('A parallel node\'s branches ended and joined (Attractor §4.8; docs/attractor.md "Parallel and fan-in").'),
  [EventType.runContinuedAsNew]: z
    .strictObject({
      next: str('the node the next execution resumes at'),
      gate: gateId.describe('set when the hand-over happened while a gate (or the decision) waited').optional(),
      historyLength: int('history events of the execution handing over'),
    })
    .describe('The workflow continued as new; the run goes on in a new execution.'),
  [EventType.runLoopRestarted]: z.strictObject({ at: str('the node the run restarts at') }).describe('A loop_restart edge: fresh context, same run.'),
  [EventType.runEvaluating]: z
    .strictObject({ suite: str('`id@version` of the suite'), scenarios: int('scenarios in it'), candidate: candidateChange.optional() })
    .describe('Holdout evaluation starts.'),
  [EventType.evaluationCompleted]: z
    .strictObject({
      total: int('scenarios run'),
      passed: int('passed'),
      failed: int('failed'),
      errored: int('errored'),
      satisfaction: z.number().describe('passed / total'),
      passed_bar: z.boolean().describe('the pass bar was met'),
      signatures: int('failure clusters'),
      clusters: z.array(signatureCluster).describe('`{ signature, count, kind }` per cluster'),
    })
    .describe('Holdout evaluation ended: counts and signatures only (SPEC §5).'),
  [EventType.decisionFailed]: z
    .strictObject({
      domain: z.literal(FailureDomain.decision).describe('always DECISION_FAILURE'),
      via: z.enum(['signal', 'update']).describe('how the decision came (absent: recording failed)').optional(),
      reason: str('why it was refused or could not be recorded'),
      by: str('who sent it (cut to 200 characters)').optional(),
    })
    .describe('A decision was refused or could not be recorded; the run still waits.'),
  [EventType.runApproved]: decided('The run was approved.'),
  [EventType.runRejected]: decided('The run was rejected.'),
  [EventType.runFailed]: z
    .strictObject({
      domain: failureDomain.describe('failure domain'),
      message: str('what went wrong'),
      causes: z.array(z.string()).describe('every cause'),
      recovery: str('the recovery rule of the domain'),
      node: str('the node it happened at').optional(),
    })
.describe('The run failed (SPEC §4). Always before the run\'s one `run.completed` {outcome: failed}; a FINALIZE_FAILURE one (the freeze failed) takes the seq the freeze\'s provisional `run.completed` would have had, and that `run.completed` is in the server\'s record only.'),
  [EventType.runCancelled]: z
    .strictObject({
      reason: str('why the run ended: the cancel request'),
      node: str('the node the run was at').optional(),
      status: str('what the run was doing (its status before the cancel)'),
    })
    .describe('The run was cancelled (`factory cancel`, Temporal UI); run.completed {outcome: cancelled} follows.'),
  [EventType.runCompleted]: z
    .strictObject({
      outcome: runOutcome.describe('how the run ended'),
      completedNodes: int('node visits completed (absent when the run failed)').optional(),
      domain: failureDomain.describe('the failure domain (failed runs)').optional(),
    })
    .describe('Once per run, how it ended (only a refused answer that arrives later may follow it). With a run directory it is provisional while the freeze runs: it enters the record (and the `events` query) only once the freeze wrote it; if the freeze fails, `run.failed` (FINALIZE_FAILURE) comes first and this says {outcome: failed, domain: FINALIZE_FAILURE}.'),
} satisfies Record<EventType, z.ZodType>;

/** The payload type of one event type. */
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;
