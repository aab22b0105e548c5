// `npm run bench [-- <name>...] [-- --json]`: runs the registered benchmarks and prints their numbers.
// A script, not a test: it reports, and exits 1 only when a benchmark misses its target or crashes.
import { cpus } from 'node:os';
import { bootBenchmark } from './run-boot';
import { gateBenchmark } from './run-gate';
import { lintBenchmark } from './lint';
import { loadBenchmark } from './load';
import { sandboxBenchmark } from './sandbox';
import { scenariosBenchmark } from './scenarios';
import { stagesBenchmark } from './run-stages';
import { stageIoBenchmark } from './stage-io';
import { tuningBenchmark } from './tuning';
import { throughputBenchmark } from './run-throughput';
import { closeTemporalBenchEnv } from './temporal-env';
import { workspaceCreateBenchmark, workspacePlainGuardBenchmark, workspaceSnapshotBenchmark, workspaceUnchangedBenchmark } from './workspace';
import type { Benchmark, BenchResult } from './types';

/** Every benchmark, in run order; the Temporal ones share one dev server and worker process (bench/temporal-env.ts). */
export const BENCHMARKS: readonly Benchmark[] = [lintBenchmark, loadBenchmark, stagesBenchmark('remote'), bootBenchmark, gateBenchmark, throughputBenchmark, scenariosBenchmark, tuningBenchmark, stageIoBenchmark, sandboxBenchmark, workspaceCreateBenchmark, workspaceSnapshotBenchmark, workspaceUnchangedBenchmark, workspacePlainGuardBenchmark];

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

function verdict(r: BenchResult): { ok: boolean; text: string } {
  if (!r.target) return { ok: true, text: '' };
  const value = r.timing[r.target.stat];
  if (r.target.ratio !== undefined) {
    const base = r.floor?.timing[r.target.stat];
    if (base === undefined) return { ok: false, text: `no floor to compare against: FAIL` };
    const ratio = value / base;
    const ok = ratio <= r.target.ratio;
    return { ok, text: `${r.target.stat} ratio ${ratio.toFixed(2)}x vs target ≤ ${r.target.ratio.toFixed(2)}x: ${ok ? 'PASS' : 'FAIL'}` };
  }
  const ok = value < r.target.ms;
  return { ok, text: `${r.target.stat} ${fmt(value)} vs target < ${r.target.ms} ms: ${ok ? 'PASS' : 'FAIL'}` };
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const names = argv.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (have: ${BENCHMARKS.map((b) => b.name).join(', ')})\n`);
    return 2;
  }
  const selected = names.length ? BENCHMARKS.filter((b) => names.includes(b.name)) : BENCHMARKS.filter((b) => !b.onlyWhenNamed);
  const env = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', date: new Date().toISOString() };
  if (!json) process.stdout.write(`node ${env.node}, ${env.cpus} x ${env.cpu}, ${env.date}\n`);
  const results: Record<string, (BenchResult & { ratio?: number; verdict: string }) | { error: string }> = {};
  let failed = false;
  for (const b of selected) {
    try {
      const r = await b.run();
      const v = verdict(r);
      results[b.name] = { ...r, ...(r.floor ? { ratio: r.timing.median / r.floor.timing.median } : {}), verdict: v.text };
      failed ||= !v.ok;
      if (json) continue;
      const t = r.timing;
      process.stdout.write(`\n${b.name}: ${b.description}\n`);
      process.stdout.write(`  median ${fmt(t.median)}  p95 ${fmt(t.p95)}  min ${fmt(t.min)}  max ${fmt(t.max)}  (${t.runs} runs)\n`);
      if (r.floor) process.stdout.write(`  floor ${r.floor.name}: median ${fmt(r.floor.timing.median)}, ratio ${(t.median / r.floor.timing.median).toFixed(2)}x\n`);
      for (const n of r.notes) process.stdout.write(`  ${n}\n`);
      if (v.text) process.stdout.write(`  ${v.text}\n`);
    } catch (err) {
      failed = true;
      results[b.name] = { error: err instanceof Error ? err.message : String(err) };
      process.stderr.write(`bench: ${b.name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  await closeTemporalBenchEnv();
  if (json) process.stdout.write(`${JSON.stringify({ env, results }, null, 2)}\n`);
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
