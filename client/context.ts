// What every command gets: where to write, where it runs, and how to report its exit code.
// Commands never call process.exit: they raise the exit code and return, so output is flushed.

/** Exit codes shared by every command (SPEC §6: success, failed/rejected, bad input). */
export const ExitCode = {
  /** Success: clean, or warnings only. */
  ok: 0,
  /** The input was read but is wrong (lint/parse errors, refused publish) — or, later, a failed/rejected run. */
  failed: 1,
  /** Bad invocation: unknown command/option, missing argument, unreadable path. */
  usage: 2,
  /** The Temporal server could not be reached or was lost mid-command; the run itself is untouched (sysexits EX_UNAVAILABLE). */
  unavailable: 69,
  /** No worker took the update or answered the query in time; nothing was applied (sysexits EX_TEMPFAIL). */
  noWorker: 75,
  /** Ctrl-C while following a run: the run itself is untouched (128 + SIGINT, as shells report it). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Output and environment for one CLI invocation; tests pass a capturing one. */
export interface CliIO {
  /** Writes one line (newline appended) to stdout. */
  out(line: string): void;
  /** Writes one line (newline appended) to stderr. */
  err(line: string): void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Present when stdout is a terminal: raw writes for live views that redraw; `prompts` when stdin is one too (gate prompts). */
  tty?: { write(text: string): void; columns: number; prompts?: boolean };
}

/** Per-invocation state handed to each command's action. */
export class CliContext {
  private code: number = ExitCode.ok;
  constructor(readonly io: CliIO) {}

  /** Raises the exit code (never lowers it: one usage error wins over later lint errors). */
  fail(code: ExitCode): void {
    this.code = Math.max(this.code, code);
  }

  get exitCode(): number {
    return this.code;
  }
}

/** Who a command acts as when --by is not given: FACTORY_USER, the login name, else `cli`. */
export function defaultUser(ctx: { io: CliIO }): string {
  return ctx.io.env.FACTORY_USER ?? ctx.io.env.USER ?? ctx.io.env.USERNAME ?? 'cli';
}

/** Thrown by a command for a bad invocation the parser could not catch; printed as `factory: <message>`, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

let stdoutClosed = false;
let epipeGuarded = false;

/** The real process streams. A reader that went away (`factory status | head`) ends output quietly, not with an EPIPE stack. */
export function processIO(): CliIO {
  if (!epipeGuarded) {
    epipeGuarded = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      stdoutClosed = true;
    });
  }
  return {
    out: (line) => void (stdoutClosed || process.stdout.write(`${line}\n`)),
    err: (line) => void process.stderr.write(`${line}\n`),
    cwd: process.cwd(),
    env: process.env,
    ...(process.stdout.isTTY ? { tty: { write: (text: string) => void process.stdout.write(text), columns: process.stdout.columns || 100, prompts: Boolean(process.stdin.isTTY) } } : {}),
  };
}
