// The profile's `sandbox` setting as it crosses the workflow/activity boundary (core/contracts): a plain
// shape, so workflow code and contracts can name it without importing activities/sandbox.

/**
 * The sandbox a run's processes actually got, as run.json, `factory status` and summary.md record it:
 * `none` also when bubblewrap was missing on a twin-only run (`note` says why); `network` is `on` whenever
 * nothing confines them.
 */
export interface SandboxRecord {
  mode: 'bwrap' | 'none';
  network: 'off' | 'on';
  /** Why the run's processes ran unconfined (set exactly when mode is none). */
  note?: string;
}

/** The profile's `sandbox` setting after parsing (definitions/schemas/profile.ts). */
export interface SandboxPolicy {
  /** `bwrap`: every agent command, tool stage, hook and command scenario runs under bubblewrap; `none`: unconfined. */
  mode: 'bwrap' | 'none';
  /** `off`: a private network namespace (loopback only); `on`: the worker's network, Temporal included. */
  network: 'off' | 'on';
  /** Worker environment variables passed into the sandbox beside the built-in allow-list. */
  env: string[];
}

/** A run's sandbox in words, for `factory status` and summary.md. */
export function sandboxText(s: SandboxRecord): string {
  if (s.mode === 'none') return `none: agent commands, tool stages and hooks ran unconfined${s.note ? ` (${s.note})` : ''}`;
  return `bubblewrap, network ${s.network}`;
}
