// The previous releases' payloads still parse: every run input, continue-as-new carry, activity input
// and output and every event recorded in the committed histories of r1–r4 (test/fixtures/histories*/),
// against the schemas of core/contracts, table-driven per release. A schema stricter than what a release
// wrote fails here; so does a contract that renames a field an old run still sends.
import type { z } from 'zod';
import { ACTIVITY_CONTRACTS, runInput, validateEvent, type TypedRunEvent } from '../../../core/contracts';
import type * as C from '../../../core/contracts';
import type { DecisionRecord } from '../../../core/decision-policy';
import type { Candidate, EvaluateInput, EvaluationSummary, RunScenarioInput, ScenarioResult, SuiteManifestInput, SuitePlan, SuitePlanInput } from '../../../core/evaluation';
import type { Checkpoint, GateRecord, RunEnvelope, RunEvent } from '../../../core/run-model';
import type { SuiteManifest } from '../../../definitions/suite-manifest';
import type { CarriedDecision } from '../../../workflows/decision-gate';
import type { CarriedRunState } from '../../../workflows/run-state';
import type { BootResult, CarriedExecution, RunInput } from '../../../workflows/types';
import { eventsIn, historyFiles, recordedPayloads, RELEASES, type RecordedPayload } from './history-payloads';

// Compile-time: the types workflows/ and core/ declare are the contracts' z.infer types, both ways (tsc fails otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree: [
  Same<C.RunInput, RunInput>,
  Same<C.CarriedExecution, CarriedExecution>,
  Same<C.BootResult, BootResult>,
  Same<C.CarriedRunState, CarriedRunState>,
  Same<C.CarriedDecision, CarriedDecision>,
  Same<z.infer<typeof C.checkpoint>, Checkpoint>,
  Same<z.infer<typeof C.runEnvelope>, RunEnvelope>,
  Same<z.infer<typeof C.gateRecord>, GateRecord>,
  Same<z.infer<typeof C.decisionRecord>, DecisionRecord>,
  Same<z.infer<typeof C.evaluationSummary>, EvaluationSummary>,
  Same<C.SuiteManifest, SuiteManifest>,
  Same<z.infer<typeof C.runEventRecord>, RunEvent>,
  TypedRunEvent extends RunEvent ? true : false,
  Same<z.infer<typeof C.candidate>, Candidate>,
  Same<z.infer<typeof C.evaluateInput>, EvaluateInput>,
  Same<z.infer<typeof C.suiteManifestInput>, SuiteManifestInput>,
  Same<z.infer<typeof C.suitePlanInput>, SuitePlanInput>,
  Same<z.infer<typeof C.suitePlan>, SuitePlan>,
  Same<z.infer<typeof C.runScenarioInput>, RunScenarioInput>,
  Same<z.infer<typeof C.scenarioResult>, ScenarioResult>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
void agree;

/** Every problem of `value` against `schema`, as `<where> <what> <path>: <message>`. */
function problems(p: RecordedPayload, schema: z.ZodType): string[] {
  const parsed = schema.safeParse(p.value);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => `${p.where} ${p.activity ?? ''} ${p.kind} ${i.path.join('.')}: ${i.message}`);
}

function contractOf(p: RecordedPayload): z.ZodType | undefined {
  const c = ACTIVITY_CONTRACTS[p.activity as keyof typeof ACTIVITY_CONTRACTS];
  return c && (p.kind === 'activity input' ? c.input : c.output);
}

describe.each(RELEASES)('payloads recorded by $release (test/fixtures/$dir)', ({ dir }) => {
  const payloads = historyFiles(dir).flatMap(recordedPayloads);
  const activity = payloads.filter((p) => p.activity !== undefined);

  it('parses every activity input and output against its contract', () => {
    const failures = activity.flatMap((p) => {
      const schema = contractOf(p);
      return schema ? problems(p, schema) : [`${p.where}: no contract for activity "${p.activity}" (core/contracts ACTIVITY_CONTRACTS)`];
    });
    expect(failures).toEqual([]);
    for (const name of ['createRun', 'executeStage', 'finalizeRun']) expect(activity.filter((p) => p.activity === name).length).toBeGreaterThan(0);
  });

  it('parses every run input and continue-as-new carry as a RunInput', () => {
    const inputs = payloads.filter((p) => p.kind === 'run input' || p.kind === 'continue-as-new input');
    expect(inputs.flatMap((p) => problems(p, runInput))).toEqual([]);
    expect(inputs.filter((p) => p.kind === 'run input').length).toBeGreaterThanOrEqual(historyFiles(dir).length);
    // a continue-as-new input carries the run state, and the execution it starts gets it back
    const carried = inputs.filter((p) => p.kind === 'continue-as-new input');
    expect(carried.every((p) => (p.value as RunInput).carry !== undefined)).toBe(true);
  });

  it('validates every event it wrote against the payload schema of its type', () => {
    const events = payloads.flatMap((p) => eventsIn(p.value).map((e) => ({ where: p.where, e })));
    const failures = events.flatMap(({ where, e }) => {
      const check = validateEvent(e);
      return check.ok ? [] : check.issues.map((i) => `${where} seq ${(e as RunEvent).seq}: ${i}`);
    });
    expect(failures).toEqual([]);
    expect(new Set(events.map(({ e }) => (e as RunEvent).type)).size).toBeGreaterThanOrEqual(8);
  });
});

/** A deep copy of `value` with the key `from` at `path` renamed to `to`. */
function renamed(value: unknown, path: string[], from: string, to: string): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const parent = path.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, copy);
  parent[to] = parent[from];
  delete parent[from];
  return copy;
}

describe('a renamed required field (the schemas are not too loose)', () => {
  const r1 = historyFiles('histories').flatMap(recordedPayloads);
  const find = (pred: (p: RecordedPayload) => boolean): RecordedPayload => {
    const found = r1.find(pred);
    if (!found) throw new Error('no such payload in the r1 histories');
    return found;
  };

  it('fails an event and names its type and field when stage.started data.node is renamed', () => {
    const event = r1.flatMap((p) => eventsIn(p.value)).find((e) => (e as RunEvent).type === 'stage.started');
    expect(validateEvent(event)).toMatchObject({ ok: true });
    const check = validateEvent(renamed(event, ['data'], 'node', 'nodeId'));
    expect(check).toEqual({ ok: false, issues: expect.arrayContaining([expect.stringMatching(/^stage\.started data\.node: /)]) });
  });

  test.each([
    ['flushRun input', 'runDir', (p: RecordedPayload) => p.activity === 'flushRun' && p.kind === 'activity input', [] as string[]],
    ['executeStage output', 'status', (p: RecordedPayload) => p.activity === 'executeStage' && p.kind === 'activity output', [] as string[]],
    ['continue-as-new carry', 'flushedSeq', (p: RecordedPayload) => p.kind === 'continue-as-new input', ['carry', 'state']],
  ])('fails the r1 %s when its required field %s is renamed', (_what, field, pred, path) => {
    const p = find(pred);
    const schema = p.activity ? contractOf(p) : runInput;
    expect(schema?.safeParse(p.value).success).toBe(true);
    const bad = schema?.safeParse(renamed(p.value, path, field, `${field}_renamed`));
    expect(bad?.success).toBe(false);
    expect(bad?.error?.issues.map((i) => i.path.join('.'))).toContain([...path, field].join('.'));
  });
});
