// Timing helpers shared by every benchmark: warm up, time N runs, summarize.

/** Summary of one timed series, in milliseconds. */
export interface Timing {
  runs: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/** The q-quantile (0..1) of sorted samples, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Summarizes millisecond samples. */
export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    runs: sorted.length,
    median: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sum / sorted.length : Number.NaN,
  };
}

/** Runs `fn` `warmup` times untimed, then `runs` times timed; returns the summary. */
export async function measure(fn: () => unknown, opts: { warmup: number; runs: number }): Promise<Timing> {
  for (let i = 0; i < opts.warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

/**
 * Runs two sides alternately after `warmup` rounds of each, in ABBA order so a slow drift of the
 * machine's load weighs on both alike; returns both sides' samples.
 */
export async function interleaved<A, B>(opts: { warmup: number; runs: number }, a: () => Promise<A>, b: () => Promise<B>): Promise<{ a: A[]; b: B[] }> {
  for (let i = 0; i < opts.warmup; i++) {
    await a();
    await b();
  }
  const out: { a: A[]; b: B[] } = { a: [], b: [] };
  for (let i = 0; i < opts.runs; i++) {
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}
