// The quorum patches (`gate-quorum-unreachable`, `gate-timeout-default-wins`) of r4's code, which the legacy
// worker runs (workers/legacy.ts, docs/upgrading.md): a history in which r1 let a deadlocked gate wait for
// its deadline, and took the first partial vote at a timeout, replays unchanged on r4's bundle; a run parked
// by r1 whose gate deadlocks after the upgrade ends at once there.
import { Worker } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import type { RunEvent } from '../../core/run-model';
import { answerGateUpdate, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { uniqueId } from '../helpers/temporal';
import { R4, RELEASES, releaseBundle, useUpgradeEnv, type AnyBundle } from './upgrade-env';
import { allEvents, eventually, pipelineYaml, startedNodes, scriptHandler, startRun, testActivities, workspace } from '../helpers/runs';

const release = RELEASES[0] as string;
const env = useUpgradeEnv();
/** The code that drains r1's runs: r4's frozen bundle. */
const legacy = releaseBundle(R4);

type Handle = WorkflowHandle<typeof runPipeline>;
const S = (id: string) => `{ id: ${id}, type: test.script }`;
const of = (events: RunEvent[], type: string) => events.filter((e) => e.type === type);

/** vote (2 of [alice, bob]) → part (2 of [alice, bob, carol]) → exit; each gate defaults to `hold…` at its deadline. */
const twoGates = (timeout: string) =>
  pipelineYaml(
    'quorum-upgrade',
    [
      `{ id: vote, type: wait.human, human: { approvers: [alice, bob], quorum: 2, timeout: ${timeout}, default_choice: hold } }`,
      `{ id: part, type: wait.human, human: { approvers: [alice, bob, carol], quorum: 2, timeout: ${timeout}, default_choice: hold2 } }`,
      S('hold'),
      S('hold2'),
      S('ship'),
    ],
    [
      '{ from: start, to: vote }',
      '{ from: vote, to: part, label: "[A] Approve" }',
      '{ from: vote, to: hold, label: "[R] Reject" }',
      '{ from: hold, to: part }',
      '{ from: part, to: ship, label: "[A] Approve" }',
      '{ from: part, to: hold2, label: "[R] Reject" }',
      '{ from: ship, to: exit }',
      '{ from: hold2, to: exit }',
    ],
  );

function setup(yaml: string) {
  const ws = workspace(yaml);
  const activities = testActivities(ws, { 'test.script': scriptHandler().handler });
  const taskQueue = uniqueId('quorum-upgrade');
  const worker = (bundle: AnyBundle) => env.worker(bundle, taskQueue, activities);
  return { ws, taskQueue, worker };
}

async function atGate(handle: Handle, gate: string): Promise<void> {
  await eventually(async () => {
    const s = await handle.query(statusQuery);
    return s.status === 'awaiting_human' && s.openGates.includes(gate);
  }, 30_000);
}

const vote = (handle: Handle, kind: 'approve' | 'reject', by: string) => handle.executeUpdate(answerGateUpdate, { args: [{ kind, by }] });

describe('quorum patches of the legacy code and runs of r1', () => {
  it(`replays a ${release} history on r4's code where a deadlocked gate waited for its deadline and a timeout took the first partial vote`, async () => {
    const { ws, taskQueue, worker } = setup(twoGates('2s'));
    const old = await worker(releaseBundle(release));
    const [handle, events] = await old.runUntil(async () => {
      const h = await startRun(env.client, taskQueue, ws);
      await atGate(h, 'vote');
      await vote(h, 'approve', 'alice');
      await vote(h, 'reject', 'bob');
      await atGate(h, 'part');
      await vote(h, 'approve', 'alice');
      await h.result();
      return [h, await allEvents(h)] as const;
    });
    // what r1 did: both gates waited for their deadlines, and each routed on its first partial vote
    // (part, ship) although gate.closed named the default choice
    expect(of(events, 'gate.timed_out').map((e) => e.data['gate'])).toEqual(['vote', 'part']);
    expect(of(events, 'gate.closed').map((e) => e.data['selected'])).toEqual(['hold', 'hold2']);
    expect(startedNodes(events)).toEqual(['start', 'vote', 'part', 'ship']);
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory({ workflowBundle: legacy }, history, handle.workflowId);
  }, 120_000);

  it(`ends at once on r4's code when a gate parked by ${release} deadlocks after the upgrade`, async () => {
    const { ws, taskQueue, worker } = setup(twoGates('1h'));
    const old = await worker(releaseBundle(release));
    const handle = await old.runUntil(async () => {
      const h = await startRun(env.client, taskQueue, ws);
      await atGate(h, 'vote');
      await vote(h, 'approve', 'alice');
      return h;
    });
    const next = await worker(legacy);
    const events = await next.runUntil(async () => {
      await vote(handle, 'reject', 'bob');
      await atGate(handle, 'part');
      const seen = await allEvents(handle);
      await handle.terminate('test done');
      return seen;
    });
    expect(of(events, 'gate.deadlocked')[0]?.data).toMatchObject({ gate: 'vote', votes: { part: 1, hold: 1 }, quorum: 2, eligible: [] });
    expect(of(events, 'gate.closed')[0]?.data).toEqual({ gate: 'vote', selected: 'hold', via: 'quorum_unreachable' });
    const failed = (await handle.fetchHistory()).events?.find((e) => e.workflowTaskFailedEventAttributes);
    expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toBeUndefined();
  }, 120_000);
});
