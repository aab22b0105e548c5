// stage-io: where one no-op stage's activity body spends its time, step by step, without Temporal —
// every file-system call of executeStage timed on its own on the same disk (medians over N repeats),
// plus the JSON sizes of a stage's input and result. Informational (no target), run when named.

import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultHandlers } from '../activities/handlers';
import { flushRun, repairTailAndReadLastSeq } from '../activities/run-dir';
import { runStage } from '../activities/stage';
import type { StageInput } from '../activities/types';
import type { PipelineNode } from '../core/model';
import type { Checkpoint, RunEvent } from '../core/run-model';
import { summarize } from './stats';
import { NOOP_TYPE } from './temporal-env';
import type { Benchmark, BenchResult } from './types';

const RUNS = 200;

/** Median ms of `fn` over `runs` calls (each gets its index). */
async function med(runs: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return summarize(samples).median;
}

/** A stage's checkpoint after `i` completed stages of a chain (as the run workflow builds it). */
export function chainCheckpoint(i: number): Checkpoint {
  return {
    timestamp: new Date().toISOString(),
    current_node: `s${i}`,
    next_node: `s${i + 1}`,
    completed_nodes: Array.from({ length: i }, (_, k) => `s${k}`),
    completed_total: i,
    node_retries: {},
    node_outcomes: Object.fromEntries(Array.from({ length: i }, (_, k) => [`s${k}`, 'success'])) as Checkpoint['node_outcomes'],
    context: { 'graph.goal': 'measure the run path', 'graph.id': 'bench', 'graph.version': '1.0.0', outcome: 'success', current_node: `s${i}` },
    logs: [],
  };
}

/** Per-step medians (ms) of a no-op stage's body, and JSON sizes (bytes) of its input at stage 50 of a chain. */
export async function stageIoBreakdown(runs = RUNS): Promise<{ steps: Record<string, number>; sizes: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'factory-bench-stage-io-'));
  const steps: Record<string, number> = {};
  try {
    let seq = 0;
    const ev = (type: string): RunEvent => ({ seq: ++seq, type: type as RunEvent['type'], runId: 'bench', at: new Date().toISOString(), data: { node: `s${seq}`, status: 'success', attempts: 1 } });
    const events = join(dir, 'events.jsonl');
    const line = () => `${JSON.stringify(ev('stage.completed'))}\n${JSON.stringify(ev('stage.started'))}\n`;
    steps['stat(runDir)'] = await med(runs, () => stat(dir));
    steps['lock: open(wx)+close+rm'] = await med(runs, async () => {
      await (await open(join(dir, 'x.lock'), 'wx')).close();
      await rm(join(dir, 'x.lock'), { force: true });
    });
    steps['events: open(a)+write+close, no sync'] = await med(runs, async () => {
      const fh = await open(events, 'a');
      await fh.write(line());
      await fh.close();
    });
    steps['events: open(a)+write+fdatasync+close'] = await med(runs, async () => {
      const fh = await open(events, 'a');
      await fh.write(line());
      await fh.datasync();
      await fh.close();
    });
    steps['events: tail read (repairTailAndReadLastSeq)'] = await med(runs, () => repairTailAndReadLastSeq(events));
    const cp = chainCheckpoint(50);
    steps['checkpoint: HMAC sign + JSON.stringify'] = await med(runs, async () => {
      JSON.stringify({ ...cp, signature: createHmac('sha256', 'k'.repeat(64)).update(`bench\n${JSON.stringify(cp)}`).digest('hex') }, null, 2);
    });
    const text = JSON.stringify(cp, null, 2);
    steps['json file: temp write+close+rename, no sync'] = await med(runs, async (i) => {
      const tmp = join(dir, `c.${i}.tmp`);
      const fh = await open(tmp, 'w');
      await fh.writeFile(text);
      await fh.close();
      await rename(tmp, join(dir, 'checkpoint.json'));
    });
    steps['json file: temp write+fsync+close+rename'] = await med(runs, async (i) => {
      const tmp = join(dir, `c.${i}.tmp`);
      const fh = await open(tmp, 'w');
      await fh.writeFile(text);
      await fh.sync();
      await fh.close();
      await rename(tmp, join(dir, 'checkpoint.json'));
    });
    steps['events fdatasync ‖ checkpoint fsync (concurrent)'] = await med(runs, async (i) => {
      const a = (async () => {
        const fh = await open(events, 'a');
        await fh.write(line());
        await fh.datasync();
        await fh.close();
      })();
      const tmp = join(dir, `c.${i}.tmp`);
      const b = (async () => {
        const fh = await open(tmp, 'w');
        await fh.writeFile(text);
        await fh.sync();
        await fh.close();
      })();
      await Promise.all([a, b]);
      await rename(tmp, join(dir, 'checkpoint.json'));
    });
    steps['stage dir: mkdir -p + lstat + rm status.json'] = await med(runs, async (i) => {
      const d = join(dir, `s${i}`);
      await mkdir(d, { recursive: true });
      await lstat(d);
      await rm(join(d, 'status.json'), { force: true });
    });
    const handlers = createDefaultHandlers().register(NOOP_TYPE, { execute: async () => ({ status: 'success' }) });
    const rd = mkdtempSync(join(tmpdir(), 'factory-bench-stage-io-run-'));
    const batch = (i: number) => ({ events: [{ ...ev('stage.completed'), runId: 'bench' }, { ...ev('stage.started'), runId: 'bench' }], checkpoint: chainCheckpoint(i) });
    seq = 0;
    steps['flushRun (2 events + checkpoint)'] = await med(runs, (i) => flushRun({ runDir: rd, ...batch(i) }));
    const signal = new AbortController().signal;
    const input = (i: number): StageInput => ({
      runId: 'bench', runDir: rd, workdir: rd, goal: 'measure the run path', pipelineId: 'bench', context: chainCheckpoint(i).context,
      provider: { kind: 'twin' } as StageInput['provider'],
      node: { id: `s${i}`, type: NOOP_TYPE, attrs: {} } as unknown as PipelineNode,
      maxAttempts: 1, stageTimeoutMs: 60_000, pendingWrites: batch(i), attempt: 1,
    });
    steps['whole no-op runStage'] = await med(runs, (i) => runStage(input(i), { attempt: 1, heartbeat: () => undefined, signal }, { handlers, env: process.env }));
    rmSync(rd, { recursive: true, force: true });
    const sample = input(50);
    const sizes = {
      'stage input': JSON.stringify(sample).length,
      'of which pendingWrites.checkpoint': JSON.stringify(sample.pendingWrites?.checkpoint).length,
      'of which context': JSON.stringify(sample.context).length,
      'of which pendingWrites.events': JSON.stringify(sample.pendingWrites?.events).length,
      'stage result': JSON.stringify({ status: 'success', attempts: 1, durationMs: 3 }).length,
    };
    return { steps, sizes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The informational benchmark: median of the whole no-op stage body, the steps as notes. */
export const stageIoBenchmark: Benchmark = {
  name: 'stage-io',
  description: `a no-op stage's activity body without Temporal, each file-system step timed alone (median of ${RUNS})`,
  onlyWhenNamed: true,
  async run(): Promise<BenchResult> {
    const { steps, sizes } = await stageIoBreakdown();
    const whole = steps['whole no-op runStage'] as number;
    return {
      timing: summarize([whole]),
      notes: [
        ...Object.entries(steps).map(([k, v]) => `${k}: ${v.toFixed(3)} ms`),
        ...Object.entries(sizes).map(([k, v]) => `JSON size, ${k}: ${v} B`),
      ],
    };
  },
};
