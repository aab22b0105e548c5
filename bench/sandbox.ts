// sandbox-call: what the bubblewrap sandbox adds to one agent shell call and one tool stage (issue 20,
// target ≤ 50 ms added per call). Each sample is a pair — the same command sandboxed, then unsandboxed,
// through the same code path (runProcess; toolHandler) — and the timing is of the per-pair difference,
// so a machine whose speed drifts moves both halves alike.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type ProcessSpec } from '../activities/handlers/process';
import { toolHandler } from '../activities/handlers/tool';
import type { StageContext } from '../activities/handler-registry';
import { confine } from '../activities/sandbox/bwrap';
import { DEFAULT_SANDBOX } from '../activities/sandbox/policy';
import { probeBwrap } from '../activities/sandbox/probe';
import { stageBox } from '../activities/sandbox/stage';
import { runConfined, setNetResolverForTests } from '../activities/sandbox/run';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { summarize, type Timing } from './stats';
import type { Benchmark, BenchResult } from './types';

const PAIRS = 40;
const WARMUP = 3;

/** Times `a` and `b` in turn PAIRS times; returns both series and the per-pair differences a − b (ms). */
async function paired(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<{ a: Timing; b: Timing; diff: Timing }> {
  const time = async (f: () => Promise<unknown>) => {
    const t0 = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < WARMUP; i++) await Promise.all([a(), b()].map((p) => p.catch(() => undefined)));
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    as.push(await time(a));
    bs.push(await time(b));
  }
  return { a: summarize(as), b: summarize(bs), diff: summarize(as.map((x, i) => x - (bs[i] as number))) };
}

async function run(): Promise<BenchResult> {
  const probe = await probeBwrap();
  if (!probe.ok) throw new Error(`bubblewrap does not work here (${probe.reason})`);
  const root = mkdtempSync(join(tmpdir(), 'factory-bench-sandbox-'));
  try {
    const ws = join(root, 'ws');
    const runDir = join(root, 'runs', 'run-1');
    mkdirSync(ws, { recursive: true });
    mkdirSync(join(runDir, 't'), { recursive: true });
    const box = stageBox(DEFAULT_SANDBOX, ws, runDir);
    const spec = (command: string): ProcessSpec => ({
      argv: ['/bin/sh', '-c', command],
      cwd: ws,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      signal: new AbortController().signal,
      stdoutFile: join(runDir, 't', 'stdout.log'),
      stderrFile: join(runDir, 't', 'stderr.log'),
    });
    const shell = (command: string) => paired(() => runProcess(confine(spec(command), box)), () => runProcess(spec(command)));
    const trueCall = await shell('true');
    const echoCall = await shell('echo hi');
    // with an allow-list: the proxy outside (unix socket) and the node forwarder inside run around the command
    const proxied = stageBox({ ...DEFAULT_SANDBOX, allow: ['pkg.bench'] }, ws, runDir);
    const proxyCall = await paired(() => runConfined(spec('true'), proxied), () => runProcess(spec('true')));
    const proxyVsOff = await paired(() => runConfined(spec('true'), proxied), () => runConfined(spec('true'), box));
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as AddressInfo).port;
    setNetResolverForTests(async () => ['127.0.0.1']);
    const fetchCall = await paired(
      () => runConfined(spec(`curl -sf http://pkg.bench:${port}/`), proxied),
      () => runProcess(spec(`curl -sf --noproxy '*' http://127.0.0.1:${port}/`)),
    );
    setNetResolverForTests(undefined);
    server.close();
    const stage = (sandboxed: boolean): StageContext => ({
      runId: 'run-1', runDir, stageDir: join(runDir, 't'), workdir: ws, goal: 'bench', pipelineId: 'bench', context: { 'a.b': 'c' },
      node: { id: 't', type: 'tool', tool_command: 'echo built', attrs: {} } as unknown as StageContext['node'],
      provider: { kind: 'openai', model: 'm' } as StageContext['provider'], attempt: 1, signal: new AbortController().signal, timeoutMs: 60_000,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, heartbeat: () => undefined,
      ...(sandboxed ? {} : { sandbox: { ...DEFAULT_SANDBOX, mode: 'none' as const } }),
    });
    const toolStage = await paired(() => toolHandler.execute(stage(true)), () => toolHandler.execute(stage(false)));
    const row = (name: string, r: { a: Timing; b: Timing; diff: Timing }) =>
      `${name}: sandboxed median ${r.a.median.toFixed(1)} ms, unsandboxed ${r.b.median.toFixed(1)} ms, added median ${r.diff.median.toFixed(1)} ms (p95 ${r.diff.p95.toFixed(1)} ms)`;
    return {
      timing: trueCall.diff,
      target: { stat: 'median', ms: 50 },
      notes: [
        row('shell `true`', trueCall),
        row('shell `echo hi`', echoCall),
        row('tool stage `echo built`', toolStage),
        row('shell `true` with an allow-list (vs unsandboxed)', proxyCall),
        row('shell `true` with an allow-list (vs network off)', proxyVsOff),
        row('shell `curl` one GET through the proxy (vs unsandboxed direct)', fetchCall), `${PAIRS} pairs each after ${WARMUP} warm-up pairs; timing above = added ms per \`true\` call`],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The sandbox's cost per call (informational in `npm run bench`; bubblewrap must work). */
export const sandboxBenchmark: Benchmark = {
  name: 'sandbox-call',
  description: 'added time per agent shell call / tool stage under bubblewrap vs the same call unsandboxed (target: ≤ 50 ms)',
  run,
};
