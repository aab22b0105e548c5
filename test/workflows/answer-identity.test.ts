// Issues 20 and 24: every accepted gate answer records the Temporal client identity the server wrote into the
// history beside the answer's self-declared `by` (the SDK does not give handlers the sender's identity; an
// activity reads it from the history). Answers by signal and by update from raw clients with chosen identities,
// from our CLI, a refused signal in between (signals are matched by their place among the same name), a hostile
// identity, and a server whose history cannot be read (identity "unknown" with the reason; the run goes on).
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import type { RunEvent } from '../../core/run-model';
import { approveUpdate, gatesQuery, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { runCli } from '../client/run-cli';
import { testTemporalEnv } from '../helpers/temporal';
import { allEvents, eventually, expectGapless, pipelineYaml, startRun, testActivities, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
type Handle = WorkflowHandle<typeof runPipeline>;

/** start → review (quorum 2 of anyone) → exit. */
const gated = (quorum: number) =>
  pipelineYaml('identity-gate', [`{ id: review, type: wait.human, prompt: "Ship it?", human: { quorum: ${quorum} } }`], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }']);

const clients: Connection[] = [];
/** A client of the test server that tells the server it is `identity` (what a laptop, a script or the UI would send). */
async function clientAs(identity: string): Promise<Client> {
  const { address, namespace } = testTemporalEnv();
  const connection = await Connection.connect({ address });
  clients.push(connection);
  return new Client({ connection, namespace, identity });
}
afterAll(async () => {
  for (const c of clients) await c.close();
});

async function openGate(handle: Handle): Promise<void> {
  await eventually(async () => (await handle.query(statusQuery)).openGates.includes('review'));
}

const identified = (events: RunEvent[]) => events.filter((e) => e.type === 'gate.answer_identified').map((e) => e.data);

describe('the Temporal client identity of a gate answer', () => {
  it('records the identity each signal and update was sent with, beside by, in the gate record, the event and summary.md', async () => {
    const handle = await env.start(workspace(gated(2)));
    await openGate(handle);
    // mallory's approve is refused (empty by) but is the first approve signal in history: alice's is the second
    const mallory = await clientAs('mallory-box');
    await mallory.workflow.getHandle(handle.workflowId).signal('approve', { by: '' });
    const alice = await clientAs('alice-laptop');
    await alice.workflow.getHandle(handle.workflowId).signal('approve', { by: 'alice', comment: 'lgtm' });
    // the gate still waits for its quorum, and its record already says who sent alice's answer
    const gate = await eventually(async () => {
      const g = (await handle.query(gatesQuery)).find((x) => x.id === 'review');
      return g?.answers[0]?.identity !== undefined ? g : undefined;
    });
    expect(gate.answers[0]).toMatchObject({ by: 'alice', via: 'signal', identity: 'alice-laptop' });
    expect(gate.answers[0]?.identityReason).toBeUndefined();

    // bob answers by update from a client whose identity holds a terminal escape: recorded, shown escaped
    const bob = await clientAs('bob-desktop\u001b]52;c;cGF3bmVk\u0007');
    const reply = await bob.workflow.getHandle<typeof runPipeline>(handle.workflowId).executeUpdate(approveUpdate, { args: [{ by: 'bob' }] });
    // the update replies once its answer's identity is recorded
    expect(reply.answers.map((a) => [a.by, a.identity])).toEqual([
      ['alice', 'alice-laptop'],
      ['bob', 'bob-desktop\\u{1b}]52;c;cGF3bmVk\\u{7}'],
    ]);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');

    const events = await allEvents(handle);
    expectGapless(events);
    expect(identified(events)).toEqual([
      { gate: 'review', by: 'alice', via: 'signal', answer: 1, identity: 'alice-laptop' },
      { gate: 'review', by: 'bob', via: 'update', answer: 2, identity: 'bob-desktop\\u{1b}]52;c;cGF3bmVk\\u{7}' },
    ]);
    expect(JSON.stringify(events)).not.toContain('mallory-box');
    const summary = readFileSync(join(result.runDir as string, 'summary.md'), 'utf8');
    expect(summary).toContain('answered by **alice** (signal; Temporal client: alice-laptop)');
    expect(summary).toContain('answered by **bob** (update; Temporal client: bob-desktop');
    expect(summary).not.toContain('\u001b');
  }, 120_000);

  it('records our CLI\'s identity (OS user, host, pid) for `factory approve`, whatever --by claims', async () => {
    const handle = await env.start(workspace(gated(1)));
    await openGate(handle);
    const r = await runCli(['approve', handle.workflowId, '--by', 'somebody-else', '--address', testTemporalEnv().address], process.cwd());
    expect(r.code).toBe(0);
    await handle.result();
    expect(identified(await allEvents(handle))).toEqual([
      { gate: 'review', by: 'somebody-else', via: 'update', answer: 1, identity: `factory-cli ${userInfo().username}@${hostname()} pid ${process.pid}` },
    ]);
  }, 120_000);

  it('records identity "unknown" with the reason, and the run goes on, when the history cannot be read', async () => {
    const ws = workspace(gated(1));
    const acts = testActivities(ws);
    let calls = 0;
    const broken = {
      ...acts,
      answerIdentity: async () => {
        calls += 1;
        throw new Error('UNAVAILABLE: the frontend is down');
      },
    };
    await env.withWorker(broken, async (taskQueue) => {
      const handle = await startRun(env.client, taskQueue, ws, { registryRoot: ws.dir });
      await openGate(handle);
      await (await clientAs('carol-ci')).workflow.getHandle(handle.workflowId).signal('approve', { by: 'carol' });
      expect((await handle.result()).outcome).toBe('succeeded');
      const [found] = identified(await allEvents(handle));
      expect(found).toMatchObject({ gate: 'review', by: 'carol', identity: 'unknown', identityReason: expect.stringContaining('the frontend is down') });
      expect(calls).toBe(3); // bounded: three attempts, then "unknown"
    });
  }, 120_000);
});
