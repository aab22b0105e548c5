// The cluster drill (`npm run test:cluster`, issue 14): scripts/cluster.sh starts PostgreSQL 15,
// temporal-server and the Web UI (deploy/versions.env, deploy/ config, mTLS from a generated CA) and
// the two workers as separate processes and OS users; then the demo pipeline runs through two human
// gates — the first answered in the Web UI in Chromium, the second by `temporal workflow signal`
// after temporal-server was restarted mid-gate — holdout evaluation runs on the scenario worker, the
// run completes, and `down` leaves nothing running.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { startCluster, type Cluster } from '../../infra/cluster';
import type { RunEvent } from '../../core/run-model';
import { eventsQuery, statusQuery } from '../../workflows/messages';
import type { RunResult } from '../../workflows/types';
import { eventually } from '../helpers/runs';
import { launchChromium } from '../surfaces/helpers';
import { alive, catAs, cleanEnv, connect, factoryRun, ownerOf, processUid, temporalCli, uidOf } from './helpers';
import { answerInWebUi } from './web-ui';

const isRoot = process.getuid?.() === 0;
const dir = mkdtempSync(join(tmpdir(), 'factory-cluster-'));
let cluster: Cluster;
let client: Client;
let browser: Browser | undefined;
let runProcess: ReturnType<typeof factoryRun> | undefined;
const timings: Record<string, number> = {};

beforeAll(async () => {
  cluster = await startCluster(dir);
  timings.up = cluster.startupMs;
  client = await connect(cluster.env);
  browser = await launchChromium();
}, 1_200_000);

afterAll(async () => {
  runProcess?.child.kill('SIGKILL'); // only still running when the drill failed half-way
  await browser?.close();
  await client?.connection.close();
  await cluster?.stop({ purge: true });
  process.stdout.write(`cluster drill timings (ms): ${JSON.stringify(timings)}\n`);
}, 300_000);

const env = () => cluster.env;
const pidOf = (name: string): number => Number(readFileSync(join(dir, 'pids', `${name}.pid`), 'utf8'));

describe('the cluster from scripts/cluster.sh', () => {
  it('reports every process running when status is asked', () => {
    const s = cluster.status();
    expect(s.output).toMatch(/postgresql\s+running/);
    for (const name of ['temporal-server', 'temporal-ui', 'pipeline-worker', 'scenario-worker']) expect(s.output).toMatch(new RegExp(`${name}\\s+running`));
    expect(s.code).toBe(0);
  });

  it('serves the frontend only to clients with a certificate from its CA when mTLS is required', async () => {
    const info = await client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBe(readFileSync(join(__dirname, '..', '..', 'deploy', 'versions.env'), 'utf8').match(/^TEMPORAL_VERSION=(.*)$/m)?.[1]);
    const anonymous: Client | Error = await connect(env(), { noClientCert: true }).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    if (anonymous instanceof Error) {
      expect(anonymous.message).toMatch(/certificate|handshake|tls|connect/i);
    } else {
      await expect(anonymous.workflowService.getSystemInfo({})).rejects.toThrow(/certificate|handshake|tls|unavailable/i);
      await anonymous.connection.close();
    }
  });

  (isRoot ? it : it.skip)('runs the workers as their own OS users, and the pipeline user cannot read the scenario suites', () => {
    const pipelineUser = env().FACTORY_CLUSTER_PIPELINE_USER as string;
    const scenarioUser = env().FACTORY_CLUSTER_SCENARIO_USER as string;
    expect(processUid(pidOf('pipeline-worker'))).toBe(uidOf(pipelineUser));
    expect(processUid(pidOf('scenario-worker'))).toBe(uidOf(scenarioUser));
    const suiteRoot = env().FACTORY_CLUSTER_SCENARIO_ROOT as string;
    const suite = join(suiteRoot, readdirSync(suiteRoot).find((f) => f.endsWith('.yaml')) as string);
    const denied = catAs(pipelineUser, suite);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Permission denied/);
    expect(catAs(scenarioUser, suite).code).toBe(0);
    expect(readdirSync(join(env().FACTORY_CLUSTER_PIPELINE_ROOT as string, 'scenarios'))).toEqual(['registry.lock.json']);
  });

  it('completes the demo pipeline with a gate answered in the Web UI and one by temporal workflow signal after a server restart mid-gate', async () => {
    const runId = `drill-${Date.now().toString(36)}`;
    const t0 = Date.now();
    const run = (runProcess = factoryRun(
      ['feature-pipeline@1.0.0', '--profile', env().FACTORY_CLUSTER_PROFILE as string, '--suite', 'feature-pipeline-holdout@1.0.0',
        '--registry', env().FACTORY_CLUSTER_PIPELINE_ROOT as string, '--run-id', runId, '--json'],
      cleanEnv({ TEMPORAL_UI_URL: env().TEMPORAL_UI_URL as string }),
    ));
    const handle = client.workflow.getHandle(runId);
    const atGate = async (answered: number) =>
      eventually(async () => {
        const s = await handle.query(statusQuery);
        const events = await handle.query(eventsQuery, {});
        return s.status === 'awaiting_human' && events.filter((e) => e.type === 'gate.answered').length === answered ? s : undefined;
      }, 180_000, 500).catch((err: unknown) => {
        throw new Error(`${String(err)}\n--- factory run output ---\n${run.lines.slice(-30).join('\n')}`);
      });

    // gate 1: "Revise", answered in the Web UI (signal `answer`)
    await atGate(0);
    timings.toFirstGate = Date.now() - t0;
    await answerInWebUi(browser as Browser, env(), runId, 'answer', { choice: 'implement', by: 'ui-reviewer' });

    // gate 2: the review again, after implement → test → check; restart temporal-server while it waits
    await atGate(1);
    const restartStart = Date.now();
    await cluster.restartServer();
    timings.serverRestart = Date.now() - restartStart;
    const s = await eventually(() => handle.query(statusQuery).then((v) => (v.status === 'awaiting_human' ? v : undefined)), 60_000, 500);
    expect(s.openGates).toHaveLength(1);
    const signal = temporalCli(env(), ['workflow', 'signal', '--workflow-id', runId, '--name', 'approve', '--input', '{"by":"cli-operator"}']);
    expect(signal.stderr).toBe('');
    expect(signal.code).toBe(0);

    const result = (await handle.result()) as RunResult;
    timings.run = Date.now() - t0;
    expect(result.outcome).toBe('approved'); // holdout 4/4 and the profile's auto decision
    const events: RunEvent[] = await handle.query(eventsQuery, {});
    const answers = events.filter((e) => e.type === 'gate.answered').map((e) => e.data);
    expect(answers).toEqual([
      expect.objectContaining({ by: 'ui-reviewer', choice: 'implement', via: 'signal' }),
      expect.objectContaining({ by: 'cli-operator', via: 'signal' }),
    ]);
    const evaluation = events.find((e) => e.type === 'evaluation.completed');
    expect(evaluation).toBeDefined();

    // the holdout ran on the scenario queue: the server lists its workflow there
    const onScenarioQueue: string[] = [];
    for await (const wf of client.workflow.list({ query: `TaskQueue = 'factory-scenarios'` })) onScenarioQueue.push(wf.workflowId);
    expect(onScenarioQueue.some((id) => id.includes(runId))).toBe(true);

    // the CLI that started the run followed it through the restart to the end
    expect(await run.exit).toBe(0);
    expect(run.lines.join('\n')).toContain('"type":"run.completed"');
    // the run directory was written by the pipeline worker's user
    const runDir = join(env().FACTORY_CLUSTER_PIPELINE_ROOT as string, 'runs', runId);
    expect(ownerOf(runDir)).toBe(uidOf(env().FACTORY_CLUSTER_PIPELINE_USER as string));
  }, 900_000);

  it('leaves no cluster process running after down', async () => {
    const pids = readdirSync(join(dir, 'pids')).map((f) => Number(readFileSync(join(dir, 'pids', f), 'utf8')));
    const postmaster = Number(readFileSync(join(dir, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(pids).toHaveLength(4); // temporal-server, temporal-ui, pipeline-worker, scenario-worker
    const t = Date.now();
    await cluster.stop();
    timings.down = Date.now() - t;
    for (const pid of [...pids, postmaster]) expect(alive(pid)).toBe(false);
    expect(cluster.status().code).toBe(3);
  }, 300_000);
});

