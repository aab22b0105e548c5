// The profile's `sandbox` setting as it crosses the workflow/activity boundary (core/contracts): a plain
// shape, so workflow code and contracts can name it without importing activities/sandbox.

/** The profile's `sandbox` setting after parsing (definitions/schemas/profile.ts). */
export interface SandboxPolicy {
  /** `bwrap`: every agent command, tool stage, hook and command scenario runs under bubblewrap; `none`: unconfined. */
  mode: 'bwrap' | 'none';
  /** `off`: a private network namespace (loopback only); `on`: the worker's network, Temporal included. */
  network: 'off' | 'on';
  /** Worker environment variables passed into the sandbox beside the built-in allow-list. */
  env: string[];
}
