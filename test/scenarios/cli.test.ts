// `factory scenario-worker` as users run it: a separate process polling only its scenario queue,
// reading scenarios from its own root; an evaluation started by a client completes on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Candidate } from '../../core/evaluation';
import { guardChild, type ChildGuard } from '../../infra/process-guard';
import { BIN, REPO, runCli } from '../client/run-cli';
import { connectTestClient, testTemporalEnv, uniqueId } from '../helpers/temporal';
import { candidateDir, ScenarioRoot } from './helpers';
import { settleEvaluation } from './temporal';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { evaluateSuite } from '../../workflows/evaluate';

const root = new ScenarioRoot();
const queue = uniqueId('cli-scenarios');
let child: ChildProcess | undefined;
let guard: ChildGuard | undefined;
let client: Client;
let stdout = '';

beforeAll(async () => {
  client = await connectTestClient();
  const env = testTemporalEnv();
  child = spawn(process.execPath, [BIN, 'scenario-worker', '--address', env.address, '--namespace', env.namespace, '--task-queue', queue, '--scenarios-root', root.dir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  guard = guardChild(child, { graceMs: 5000, marker: 'scenario-worker' });
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  const started = Date.now();
  while (!stdout.includes('scenario worker on')) {
    if (child.exitCode !== null) throw new Error(`scenario-worker exited with ${child.exitCode}`);
    if (Date.now() - started > 110_000) throw new Error('scenario-worker not ready after 110 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  guard?.release();
  await client?.connection.close();
}, 30_000);

describe('factory scenario-worker', () => {
  it('names its queue and scenarios root when it starts', () => {
    expect(stdout).toContain(`task queue ${queue}, scenarios from ${root.dir}`);
  });

  it('evaluates a suite from its own scenarios root when a client starts an evaluation on its queue', async () => {
    const pub = await root.publish('cli-suite', [
      { id: 'ok', kind: 'command', run: 'test -f a.txt' },
      { id: 'bad', kind: 'command', run: 'exit 1' },
    ]);
    const candidate: Candidate = candidateDir({ 'a.txt': 'x' }).candidate;
    const handle = (await client.workflow.start('evaluateSuite', {
      taskQueue: queue,
      workflowId: uniqueId('cli-eval'),
      args: [{ runId: 'cli', suite: { ref: pub.ref }, expectedDigest: pub.digest, candidate, provider: { kind: 'twin' } }],
    })) as WorkflowHandle<typeof evaluateSuite>;
    const out = await settleEvaluation(handle);
    expect(out).toMatchObject({ ok: true, summary: { total: 2, passed: 1, failed: 1, passed_bar: false } });
  });

  it('refuses to poll the pipeline task queue when asked to', async () => {
    const r = await runCli(['scenario-worker', '--address', testTemporalEnv().address, '--task-queue', 'factory-pipeline', '--scenarios-root', root.dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('must not poll the pipeline task queue');
  });
});
