// What a benchmark is: a named async run that returns a timing, an optional target and notes.
import type { Timing } from './stats';

/** A pass/fail threshold on one statistic: an absolute `ms` (median < 100 ms) or a `ratio` to the floor's same statistic (≤ 1.10). */
export type BenchTarget = { stat: 'median' | 'p95'; ms: number; ratio?: undefined } | { stat: 'median' | 'p95'; ratio: number; ms?: undefined };

/** One benchmark's outcome. `ratio` compares against a floor (e.g. bare Temporal) when the benchmark has one. */
export interface BenchResult {
  timing: Timing;
  target?: BenchTarget;
  floor?: { name: string; timing: Timing };
  notes: string[];
}

/** A benchmark bench/index.ts can run; add new ones to BENCHMARKS there. */
export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<BenchResult>;
  /** Long, informational: runs only when named (`npx tsx bench/index.ts worker-tuning`), not in `npm run bench`. */
  onlyWhenNamed?: boolean;
}
