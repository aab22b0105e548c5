// Approval and status from the `temporal` CLI (issue 5, item 2): the real binary (resolveTemporalCli)
// against a live run on the shared dev server — list by FactoryStatus, query status/gates/events,
// signal approve, update execute answerGate (an invalid update is refused with the validator's reason
// and changes nothing). The same commands as docs/operators.md.
import { ApplicationFailure, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { GateRecord, RunEvent, RunStatusView } from '../../core/run-model';
import { answerUpdate, GATE_ANSWER_REFUSED, gatesQuery, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { allEvents, eventually, startedNodes, useRunEnv, workspace } from '../helpers/runs';
import { awaitGate, cliJson, gatedPipeline, temporalCli } from './helpers';

const env = useRunEnv();
type Handle = WorkflowHandle<typeof runPipeline>;

/** One row of `temporal workflow list -o json`. */
interface ListRow {
  execution: { workflowId: string; runId: string };
  status: string;
}

/** `temporal workflow query -o json` wraps the handler's return value in a one-element array. */
interface QueryOut<T> {
  queryResult: [T];
}

/** Workflow ids `temporal workflow list --query <query>` prints (JSON output; empty output = none). */
async function listed(query: string): Promise<string[]> {
  const r = await temporalCli(['workflow', 'list', '--query', query, '-o', 'json']);
  if (r.code === 0 && r.stdout.trim() === '') return [];
  return cliJson<ListRow[]>(r).map((row) => row.execution.workflowId);
}

/** `temporal workflow query --workflow-id <id> --name <name> [--input <json>] -o json`, unwrapped. */
async function cliQuery<T>(workflowId: string, name: string, input?: string): Promise<T> {
  const args = ['workflow', 'query', '--workflow-id', workflowId, '--name', name, ...(input ? ['--input', input] : []), '-o', 'json'];
  return cliJson<QueryOut<T>>(await temporalCli(args)).queryResult[0];
}

/** Waits until the run has no pending task and its history stopped growing; returns its length. */
async function quiescentHistory(handle: Handle): Promise<number> {
  let last = -1;
  return eventually(async () => {
    const d = await handle.describe();
    const len = (await handle.fetchHistory()).events?.length ?? 0;
    const idle = (d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask && len === last;
    last = len;
    return idle ? len : undefined;
  }, 20_000, 200);
}

/** What `-o json` prints for a query result: the CLI's JSON shorthand shows every empty array as null. */
function asCliPrints<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (Array.isArray(v) && v.length === 0 ? null : v)));
}

const answered = (events: RunEvent[]) => events.filter((e) => e.type === 'gate.answered').map((e) => e.data);

describe('the temporal CLI against a live run', () => {
  it('finds the run by FactoryStatus, returns its status, gates and events JSON and approves it when signalled', async () => {
    const handle = await env.start(workspace(gatedPipeline('cli-gated')));
    await awaitGate(handle, 'review');
    const id = handle.workflowId;

    // temporal workflow list --query 'FactoryStatus="awaiting_human"' (visibility lags a little)
    await eventually(async () => (await listed('FactoryStatus="awaiting_human"')).includes(id), 30_000, 300);
    const text = await temporalCli(['workflow', 'list', '--query', `FactoryStatus="awaiting_human" AND WorkflowId="${id}"`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`Running\\s+${id}\\s+runPipeline`));

    // temporal workflow query --name status | gates | events
    const status = await cliQuery<RunStatusView>(id, 'status');
    expect(status).toEqual(asCliPrints(await handle.query(statusQuery)));
    expect(status).toMatchObject({ runId: id, status: 'awaiting_human', currentNode: 'review', openGates: ['review'], pipeline: 'cli-gated@1.0.0' });
    const gates = await cliQuery<GateRecord[]>(id, 'gates');
    expect(gates).toEqual(asCliPrints(await handle.query(gatesQuery)));
    // the payload itself is exact: only the CLI's JSON shorthand prints [] as null
    const raw = cliJson<{ queryResult: { payloads: [{ data: string }] } }>(
      await temporalCli(['workflow', 'query', '--workflow-id', id, '--name', 'gates', '-o', 'json', '--no-json-shorthand-payloads']),
    );
    expect(JSON.parse(Buffer.from(raw.queryResult.payloads[0].data, 'base64').toString('utf8'))).toEqual(await handle.query(gatesQuery));
    expect(gates[0]).toMatchObject({ id: 'review', prompt: 'Ship it?', closed: false, choices: [{ key: 'A', to: 'ship' }, { key: 'R', to: 'revise' }] });
    const events = await cliQuery<RunEvent[]>(id, 'events', '{"after":0}');
    expect(events).toEqual(asCliPrints(await allEvents(handle)));
    expect(events.map((e) => e.type)).toContain('run.awaiting_human');
    expect(await cliQuery<RunEvent[]>(id, 'events', `{"after":${status.lastSeq - 2}}`)).toEqual(events.slice(-2));

    // temporal workflow signal --workflow-id X --name approve --input '{"by":"cli-tester"}'
    const signal = await temporalCli(['workflow', 'signal', '--workflow-id', id, '--name', 'approve', '--input', '{"by":"cli-tester"}']);
    expect([signal.code, signal.stdout.trim(), signal.stderr]).toEqual([0, 'Signal workflow succeeded', '']);

    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(await cliQuery<RunStatusView>(id, 'status')).toMatchObject({ status: 'completed', currentNode: 'exit', openGates: null });
    const recorded = await allEvents(handle);
    expect(answered(recorded)).toEqual([expect.objectContaining({ gate: 'review', by: 'cli-tester', choice: 'ship', via: 'signal' })]);
    // the temporal CLI's own identity, temporal-cli:<user>@<host>, is recorded beside by (issue 20)
    expect(recorded.find((e) => e.type === 'gate.answer_identified')?.data).toMatchObject({ gate: 'review', by: 'cli-tester', identity: expect.stringMatching(/^temporal-cli:\S+@\S+$/) });
    // FactoryStatus ends as the outcome, so the list filters by it
    await eventually(async () => (await listed(`FactoryStatus="succeeded" AND WorkflowId="${id}"`)).includes(id), 30_000, 300);
  });

  it('answers a gate by `update execute` and refuses an invalid update with the validator reason, changing nothing', async () => {
    const handle = await env.start(workspace(gatedPipeline('cli-update')));
    await awaitGate(handle, 'review');
    const id = handle.workflowId;
    const before = { history: await quiescentHistory(handle), events: await allEvents(handle), gates: await handle.query(gatesQuery) };

    const update = (input: string) => temporalCli(['workflow', 'update', 'execute', '--workflow-id', id, '--name', 'answerGate', '--input', input]);
    const refused: [string, RegExp][] = [
      ['{"kind":"answer","choice":"nope","by":"cli"}', /unknown choice "nope"; one of: ship \("\[A\] Approve"\), revise \("\[R\] Revise"\)/],
      ['{"kind":"answer","gate":"deploy","choice":"revise","by":"cli"}', /unknown gate "deploy"; open gates: review/],
      ['{"kind":"maybe","by":"cli"}', /malformed update: "kind" must be approve, reject or answer/],
    ];
    for (const [input, reason] of refused) {
      const r = await update(input);
      expect([input, r.code]).toEqual([input, 1]);
      expect([input, r.stderr]).toEqual([input, expect.stringMatching(reason)]);
    }
    expect(await quiescentHistory(handle)).toBe(before.history);
    expect(await allEvents(handle)).toEqual(before.events);
    expect(await handle.query(gatesQuery)).toEqual(before.gates);

    // temporal workflow update execute --workflow-id X --name answerGate --input '{"kind":"answer","choice":"revise","by":"cli"}'
    const ok = await update('{"kind":"answer","choice":"revise","by":"cli"}');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Name\s+answerGate/);
    expect(ok.stdout).toMatch(/selected:revise/);
    await awaitGate(handle, 'review#2');

    // a second gate on the revisit, answered by signal
    const signal = await temporalCli(['workflow', 'signal', '--workflow-id', id, '--name', 'approve', '--input', '{"by":"cli-tester"}']);
    expect(signal.code).toBe(0);
    expect((await handle.result()).outcome).toBe('succeeded');
    const events = await allEvents(handle);
    expect(startedNodes(events)).toEqual(['start', 'review', 'revise', 'review', 'ship']);
    expect(answered(events)).toEqual([
      expect.objectContaining({ gate: 'review', by: 'cli', choice: 'revise', via: 'update' }),
      expect.objectContaining({ gate: 'review#2', by: 'cli-tester', choice: 'ship', via: 'signal' }),
    ]);
    expect(events.filter((e) => e.type === 'gate.answer_rejected')).toEqual([]);
  });

  it('returns the closed gate record as JSON when `update execute` runs with -o json', async () => {
    const handle = await env.start(workspace(gatedPipeline('cli-update-json')));
    await awaitGate(handle, 'review');
    const args = ['workflow', 'update', 'execute', '--workflow-id', handle.workflowId, '--name', 'answerGate'];
    const r = await temporalCli([...args, '--input', '{"kind":"approve","by":"cli","comment":"ship it"}', '-o', 'json']);
    const out = cliJson<{ name: string; result: GateRecord }>(r);
    expect(out).toMatchObject({ name: 'answerGate', result: { id: 'review', closed: true, selected: 'ship', answers: [{ by: 'cli', choice: 'ship', via: 'update', comment: 'ship it' }] } });
    expect((await handle.result()).outcome).toBe('succeeded');
  });

  it('takes the signal vocabulary as updates (approve/reject/answer) and refuses a bad one as a typed, non-retryable failure', async () => {
    const handle = await env.start(workspace(gatedPipeline('cli-vocab')));
    await awaitGate(handle, 'review');
    const update = (name: string, input: string) => temporalCli(['workflow', 'update', 'execute', '--workflow-id', handle.workflowId, '--name', name, '--input', input]);

    // refused, by the new names and the old one alike: the type and retryable: false are what the CLI prints
    for (const [name, input, reason] of [
      ['answer', '{"choice":"nope","by":"cli"}', /unknown choice "nope"/],
      ['approve', '{"gate":"deploy","by":"cli"}', /unknown gate "deploy"; open gates: review/],
      ['answerGate', '{"kind":"maybe","by":"cli"}', /malformed update: "kind" must be approve, reject or answer/],
    ] as const) {
      const r = await update(name, input);
      expect([name, r.code]).toEqual([name, 1]);
      expect([name, r.stderr]).toEqual([name, expect.stringMatching(reason)]);
      expect([name, r.stderr]).toEqual([name, expect.stringMatching(/type: GATE_ANSWER_REFUSED, retryable: false/)]);
    }
    // through the TypeScript client: the same typed failure
    const refused = await handle.executeUpdate(answerUpdate, { args: [{ choice: 'nope', by: 'client' }] }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (refused as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: GATE_ANSWER_REFUSED, nonRetryable: true });

    // the same name as the signal answers the gate, validated, with its record
    const ok = await update('approve', '{"by":"cli","comment":"ship it"}');
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toMatch(/selected:ship/);
    expect((await handle.result()).outcome).toBe('succeeded');
    expect(answered(await allEvents(handle))).toEqual([expect.objectContaining({ gate: 'review', by: 'cli', choice: 'ship', via: 'update' })]);
  });
});
