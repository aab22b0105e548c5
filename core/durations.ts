// Durations as Attractor writes them (`250ms`, `900s`, `15m`, `2h`, `1d`), read into milliseconds.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_RE = /^(\d+)(ms|s|m|h|d)$/;

/** The grammar's Duration token, for schemas and lint messages. */
export const DURATION_PATTERN = DURATION_RE.source;

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION_RE.exec(text.trim());
  if (!m) return undefined;
  const unit = UNIT_MS[m[2] as string];
  const value = Number(m[1]);
  if (unit === undefined || !Number.isSafeInteger(value * unit)) return undefined;
  return value * unit;
}

/** The shortest exact duration string for a millisecond count (round-trips with parseDuration). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] as number;
    if (ms !== 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** An elapsed time for people: `850ms`, `12.3s`, `3m05s`, `1h02m` (summary.md's timeline, `factory graph`). */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
