// gate-latency: a human gate answered by the `approve` signal → the next stage's `stage.started`
// (its workflow time), over N gates of one run (start → g1 → w1 → g2 → w2 … → exit). The floor is a
// bare workflow that waits for a signal, runs one no-op activity (what the gate's identity lookup costs at
// least) and records the workflow time of the task after it.
// Each signal is sent only once its workflow is idle (gate open, no activity or workflow task pending).

import type { WorkflowHandle } from '@temporalio/client';
import type { Benchmark, BenchResult } from './types';
import { summarize } from './stats';
import { NOOP_TYPE, runDirEvents, sleep, temporalBenchEnv } from './temporal-env';
import { approveSignal, gatesQuery } from '../workflows/messages';
import { goSignal, roundsQuery } from './bare/workflows';

const WARMUP = 2;
const GATES = 10;
/** A person takes seconds; the signal goes out this long after the workflow went idle. */
const THINK_MS = 100;

/** start → g1 → w1 → … → gN → wN → exit; each gate may also reject straight to exit. */
export function gatePipelineYaml(gates: number): string {
  const nodes = ['  - { id: start, type: start }'];
  const edges: string[] = [];
  let prev = 'start';
  for (let i = 1; i <= gates; i++) {
    nodes.push(`  - { id: g${i}, type: wait.human, label: "Gate ${i}" }`, `  - { id: w${i}, type: ${NOOP_TYPE} }`);
    edges.push(`  - { from: ${prev}, to: g${i} }`, `  - { from: g${i}, to: w${i}, label: "[A] Approve" }`, `  - { from: g${i}, to: exit, label: "[R] Reject" }`);
    prev = `w${i}`;
  }
  nodes.push('  - { id: exit, type: exit }');
  edges.push(`  - { from: ${prev}, to: exit }`);
  return ['kind: PipelineSpec', 'id: bench-gates', 'version: 1.0.0', 'goal: measure gate latency', 'nodes:', ...nodes, 'edges:', ...edges, ''].join('\n');
}

async function until(what: string, handle: WorkflowHandle, fn: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`gate-latency: timed out waiting for ${what}`);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') await handle.result(); // throws the workflow's failure
    if (status.name !== 'RUNNING') throw new Error(`gate-latency: ${handle.workflowId} ended (${status.name}) while waiting for ${what}`);
    await sleep(10);
  }
}

/** No activity and no workflow task pending: the workflow is parked on its condition. */
async function idle(handle: WorkflowHandle): Promise<boolean> {
  const d = await handle.describe();
  return (d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask;
}

/** The benchmark; the floor is `bareSignals(N, true)`. */
export const gateBenchmark: Benchmark = {
  name: 'gate-latency',
  description: `approve signal sent → next stage's stage.started, median over ${GATES} gates of one run (after ${WARMUP} warm-up gates) vs a bare signal → one activity → the next workflow task`,
  async run(): Promise<BenchResult> {
    const env = await temporalBenchEnv();
    const total = WARMUP + GATES;
    const file = env.writePipeline('gates', gatePipelineYaml(total));
    const run = await env.startRun(file);
    // the floor does what the gate must: handle the signal, run one activity (ours: answerIdentity), go on
    const bare = await env.client.workflow.start('bareSignals', { taskQueue: env.taskQueue, workflowId: env.id('bare-gates'), args: [total, true] });
    const sentOurs: number[] = [];
    const sentBare: number[] = [];
    for (let i = 1; i <= total; i++) {
      await until(`gate g${i}`, run, async () => (await run.query(gatesQuery)).some((g) => g.id === `g${i}` && !g.closed));
      await until(`run idle at g${i}`, run, () => idle(run));
      await sleep(THINK_MS);
      sentOurs.push(Date.now());
      await run.signal(approveSignal, { gate: `g${i}`, by: 'bench' });

      await until(`bare round ${i}`, bare, async () => (await bare.query(roundsQuery)).waitingFor === i - 1);
      await until(`bare idle at round ${i}`, bare, () => idle(bare));
      await sleep(THINK_MS);
      sentBare.push(Date.now());
      await bare.signal(goSignal);
    }
    const result = await run.result();
    const { handledAt } = (await bare.result()) as { handledAt: number[] };
    const started = new Map(
      runDirEvents(result.runDir as string)
        .filter((e) => e.type === 'stage.started' && /^w\d+$/.test(String(e.data['node'])))
        .map((e) => [Number(String(e.data['node']).slice(1)), Date.parse(e.at)]),
    );
    const ours = sentOurs.map((sent, k) => (started.get(k + 1) ?? Number.NaN) - sent).slice(WARMUP);
    const floor = sentBare.map((sent, k) => (handledAt[k] ?? Number.NaN) - sent).slice(WARMUP);
    if (ours.some(Number.isNaN)) throw new Error(`gate-latency: a stage.started event is missing (${[...started.keys()].join(',')})`);
    return {
      timing: summarize(ours),
      floor: { name: 'bareSignals: signal → one no-op activity → the task after it', timing: summarize(floor) },
      target: { stat: 'median', ratio: 1.2 },
      notes: [
        `${GATES} gates measured, ${THINK_MS} ms after each workflow went idle; the next stage is a normal activity; its stage.started is emitted by the task after the answer's identity lookup (answerIdentity, one normal activity: issue 20)`,
      ],
    };
  },
};
