// Records the histories that test/replay/replay.test.ts replays (run by hand, commit the JSON):
//   npx tsx test/replay/record.ts histories-<release>            # starts its own dev server
//   FACTORY_TEST_TEMPORAL_ADDRESS=host:port npx tsx test/replay/record.ts histories-<release>
//   npx tsx test/replay/record.ts histories-<release> gate-continue-as-new   # only the named recordings
// One representative run per behaviour (happy path, gates, retries, parallel, failures, continue-as-new),
// written as JSON to test/fixtures/<dir>/<name>.json (see history-file.ts); a file is never overwritten.
// The current code's recordings are test/fixtures/histories-current/: a release that changes workflow code
// deletes and re-records that directory (runs of the previous version stay pinned to it, docs/upgrading.md).
// The r1–r4 directories are never re-recorded or edited.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToFixture } from './history-file';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { PIPELINE_WORKFLOWS } from '../../workers/pipeline';
import { createDefaultHandlers } from '../../activities/handlers';
import { startDevServer } from '../../infra/dev-server';
import { answerGateUpdate, answerSignal, approveSignal, rejectSignal, statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import type { RunInput } from '../../workflows/types';
import { pipelineYaml, scriptHandler, workspace } from '../helpers/runs';
import { uniqueId } from '../helpers/temporal';

type Handle = WorkflowHandle<typeof runPipeline>;

/** One recorded run: its pipeline, extra input, and how the recorder drives it (signals, updates). */
export interface Recording {
  name: string;
  pipeline: string;
  input?: Partial<RunInput>;
  drive?: (handle: Handle) => Promise<void>;
  /** Also record the chain's last execution as `<name>-last.json` (continue-as-new: the taking-over side). */
  last?: boolean;
}

const S = (id: string, attrs = '') => `{ id: ${id}, type: test.script${attrs ? `, attrs: { ${attrs} }` : ''} }`;

async function awaitingHuman(handle: Handle, gate: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const s = await handle.query(statusQuery);
    if (s.status === 'awaiting_human' && s.openGates.includes(gate)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gate ${gate} never opened`);
}

/** The recorded runs. Names are file names; keep them stable. */
export const RECORDINGS: readonly Recording[] = [
  {
    name: 'happy-path',
    pipeline: pipelineYaml('happy', ['{ id: plan, prompt: "Plan: $goal" }', '{ id: build, type: tool, tool_command: "echo built" }'], ['{ from: start, to: plan }', '{ from: plan, to: build }', '{ from: build, to: exit }'], 'goal: say hello'),
  },
  {
    name: 'human-gates',
    pipeline: pipelineYaml(
      'gated',
      ['{ id: review, type: wait.human, human: { approvers: [alice, bob] } }', S('ship'), S('revise')],
      ['{ from: start, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: review, to: revise, label: "[R] Revise" }', '{ from: revise, to: review }', '{ from: ship, to: exit }'],
    ),
    drive: async (handle) => {
      await awaitingHuman(handle, 'review');
      await handle.signal(approveSignal, { by: 'mallory' }); // rejected: not an approver
      await handle.signal(rejectSignal, { by: 'alice', comment: 'needs work' });
      await awaitingHuman(handle, 'review#2');
      await handle.signal(answerSignal, { by: 'alice', choice: 'A' }).catch(() => undefined);
      await handle.result().catch(() => undefined);
    },
  },
  {
    name: 'gate-update-quorum-timeout',
    pipeline: pipelineYaml(
      'quorum',
      ['{ id: vote, type: wait.human, human: { approvers: [alice, bob, carol], quorum: 2 } }', '{ id: wait, type: wait.human, human: { timeout: 1s, default_choice: done } }', S('done'), S('stop')],
      [
        '{ from: start, to: vote }',
        '{ from: vote, to: wait, label: "[A] Approve" }',
        '{ from: vote, to: stop, label: "[R] Reject" }',
        '{ from: wait, to: done, label: Done }',
        '{ from: wait, to: stop, label: Stop }',
        '{ from: done, to: exit }',
        '{ from: stop, to: exit }',
      ],
    ),
    drive: async (handle) => {
      await awaitingHuman(handle, 'vote');
      await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'alice' }] });
      await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'zed' }] }).catch(() => undefined); // rejected by the validator
      await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'bob' }] });
    },
  },
  {
    name: 'retries',
    pipeline: pipelineYaml('retries', ['{ id: flaky, type: test.flaky, max_retries: 2 }', S('after')], ['{ from: start, to: flaky }', '{ from: flaky, to: after }', '{ from: after, to: exit }']),
  },
  {
    name: 'parallel',
    pipeline: pipelineYaml(
      'par',
      ['{ id: fan, type: parallel }', S('b1', 'set: "x=1"'), S('b2', 'outcomes: fail'), '{ id: join, type: parallel.fan_in }', S('after')],
      ['{ from: start, to: fan }', '{ from: fan, to: b1 }', '{ from: fan, to: b2 }', '{ from: b1, to: join }', '{ from: b2, to: join }', '{ from: join, to: after }', '{ from: after, to: exit }'],
    ),
  },
  {
    // branches meeting at a plain node (issue 22): stopped there, merged (one conflict), a branch looping once
    name: 'parallel-join',
    pipeline: pipelineYaml(
      'par-join',
      ['{ id: fan, type: parallel }', S('b1', 'set: "x=1,k=a"'), S('b2', 'set: "y=2,k=b"'), '{ id: loop, type: test.script, attrs: { outcomes: "fail,success" } }', S('meet'), S('after')],
      ['{ from: start, to: fan }', '{ from: fan, to: b1 }', '{ from: fan, to: b2 }', '{ from: b1, to: meet }', '{ from: b2, to: loop }', '{ from: loop, to: loop, condition: "outcome=fail" }', '{ from: loop, to: meet, condition: "outcome=success" }', '{ from: meet, to: after }', '{ from: after, to: exit }'],
    ),
  },
  {
    name: 'goal-gate-conditional',
    pipeline: pipelineYaml(
      'goal',
      [S('plan'), '{ id: impl, type: test.script, goal_gate: true, retry_target: plan, attrs: { outcomes: "fail,success" } }', S('note'), '{ id: check, type: conditional }'],
      ['{ from: start, to: plan }', '{ from: plan, to: impl }', '{ from: impl, to: check, condition: "outcome=success" }', '{ from: impl, to: note, condition: "outcome=fail" }', '{ from: note, to: exit }', '{ from: check, to: exit }'],
    ),
  },
  {
    name: 'exec-failure',
    pipeline: pipelineYaml('fails', ['{ id: work, type: tool, tool_command: "exit 3" }'], ['{ from: start, to: work }', '{ from: work, to: exit, condition: "outcome=success" }']),
  },
  {
    name: 'boot-failure',
    pipeline: pipelineYaml('boot', ['{ id: odd, type: test.nobody }'], ['{ from: start, to: odd }', '{ from: odd, to: exit }']),
  },
  {
    name: 'continue-as-new',
    pipeline: pipelineYaml(
      'loop',
      ['{ id: count, type: test.count }', '{ id: check, type: conditional }'],
      ['{ from: start, to: count }', '{ from: count, to: check }', '{ from: check, to: exit, condition: "context.done=true" }', '{ from: check, to: count, condition: "context.done!=true" }'],
    ),
    input: { historyLimit: 100 },
  },
  {
    // after r1 (factory-gate-continue-as-new): refused signals at an open gate → continue-as-new carrying the gate
    name: 'gate-continue-as-new',
    pipeline: pipelineYaml(
      'gate-can',
      ['{ id: vote, type: wait.human, human: { approvers: [alice, bob], quorum: 2, timeout: 1h, default_choice: stop } }', S('ship'), S('stop')],
      ['{ from: start, to: vote }', '{ from: vote, to: ship, label: "[A] Approve" }', '{ from: vote, to: stop, label: "[S] Stop" }', '{ from: ship, to: exit }', '{ from: stop, to: exit }'],
    ),
    input: { historyLimit: 40 },
    last: true,
    drive: async (handle) => {
      await awaitingHuman(handle, 'vote');
      const first = (await handle.describe()).runId;
      await handle.signal(approveSignal, { by: 'alice' });
      for (let i = 0; i < 30; i++) await handle.signal(approveSignal, { by: 'mallory' }); // refused: not an approver
      for (let i = 0; i < 200 && (await handle.describe()).runId === first; i++) await new Promise((r) => setTimeout(r, 100));
      await awaitingHuman(handle, 'vote');
      await new Promise((r) => setTimeout(r, 1000)); // the new execution's first flush is done and its deadline timer started
      await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'bob' }] });
    },
  },
  {
    // issue 22: a condition on the gate's edges overrides the answer (gate.routed), a loop within its max_visits, a dead end (§3.2)
    name: 'gate-routed-dead-end',
    pipeline: pipelineYaml(
      'routed',
      [S('prep', 'set: "freeze=yes"'), '{ id: review, type: wait.human }', S('ship'), S('work', 'outcomes: "fail,success", max_visits: 2'), S('fix'), S('report')],
      [
        '{ from: start, to: prep }',
        '{ from: prep, to: review }',
        '{ from: review, to: ship, label: "[A] Approve" }',
        '{ from: review, to: work, label: Hold, condition: "context.freeze=yes" }',
        '{ from: ship, to: exit }',
        '{ from: work, to: fix, condition: "outcome=fail" }',
        '{ from: fix, to: work }',
        '{ from: work, to: report, condition: "outcome=success" }',
      ],
    ),
    drive: async (handle) => {
      await awaitingHuman(handle, 'review');
      await handle.signal(answerSignal, { by: 'alice', choice: 'ship' });
      await handle.result().catch(() => undefined);
    },
  },
  {
    // issue 22: the visit past max_visits fails the run (EXEC_FAILURE naming the node)
    name: 'visit-cap',
    pipeline: pipelineYaml('capped', [S('loop', 'max_visits: 2')], ['{ from: start, to: loop }', '{ from: loop, to: loop }', '{ from: loop, to: exit, condition: "outcome=fail" }']),
  },
];

/** Records every run in RECORDINGS into `outDir`; returns the files written. */
export async function recordAll(address: string, namespace: string, outDir: string, only: readonly string[] = []): Promise<string[]> {
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }), namespace });
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: PIPELINE_WORKFLOWS, logger: new DefaultLogger('WARN') });
  const script = scriptHandler();
  let flakyCalls = 0;
  const handlers = createDefaultHandlers()
    .register('test.script', script.handler)
    .register('test.flaky', { execute: async () => (++flakyCalls % 3 === 0 ? { status: 'success' } : { status: 'fail', failure_reason: 'flake' }) })
    .register('test.count', {
      execute: async (stage) => {
        const n = Number(stage.context['n'] ?? 0) + 1;
        return { status: 'success', context_updates: { n, done: n >= 40 ? 'true' : 'false' } };
      },
    });
  const taskQueue = uniqueId('record');
  const worker = await Worker.create({ connection, namespace, taskQueue, workflowBundle, activities: createActivities({ handlers, registryRoot: tmpdir() }) });
  const written: string[] = [];
  await worker.runUntil(async () => {
    for (const rec of RECORDINGS.filter((r) => only.length === 0 || only.includes(r.name))) {
      const ws = workspace(rec.pipeline);
      const runId = uniqueId(rec.name);
      const input: RunInput = { runId, pipeline: { file: ws.pipeline }, profile: { file: ws.profile }, runRoot: join(ws.dir, 'runs'), registryRoot: ws.dir, startedBy: 'recorder', ...rec.input };
      const started = await client.workflow.start('runPipeline', { taskQueue, workflowId: runId, args: [input] });
      const handle = started as unknown as Handle;
      await rec.drive?.(handle);
      await handle.result().catch(() => undefined);
      // continue-as-new: record the first execution of the chain (it ends with ContinuedAsNew)
      const first = client.workflow.getHandle(runId, started.firstExecutionRunId);
      const history = await first.fetchHistory();
      const file = join(outDir, `${rec.name}.json`);
      writeFileSync(file, historyToFixture(history), { flag: 'wx' }); // never over a recorded history
      written.push(file);
      process.stdout.write(`recorded ${rec.name}: ${history.events?.length ?? 0} events\n`);
      if (rec.last) {
        const lastHistory = await client.workflow.getHandle(runId).fetchHistory();
        const lastFile = join(outDir, `${rec.name}-last.json`);
        writeFileSync(lastFile, historyToFixture(lastHistory), { flag: 'wx' });
        written.push(lastFile);
        process.stdout.write(`recorded ${rec.name}-last: ${lastHistory.events?.length ?? 0} events\n`);
      }
    }
  });
  await connection.close();
  await client.connection.close();
  return written;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const name = process.argv[2];
  if (!name || !/^histories-[\w.-]+$/.test(name)) {
    throw new Error('usage: npx tsx test/replay/record.ts histories-<release> [recording...] (a NEW directory; recorded histories are never overwritten)');
  }
  const outDir = join(__dirname, '..', 'fixtures', name);
  mkdirSync(outDir, { recursive: true });
  const given = process.env.FACTORY_TEST_TEMPORAL_ADDRESS;
  const server = given ? undefined : await startDevServer({ ui: false });
  try {
    await recordAll(given ?? (server?.address as string), process.env.FACTORY_TEST_TEMPORAL_NAMESPACE || server?.namespace || 'default', outDir, process.argv.slice(3));
  } finally {
    await server?.stop();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`record: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
