// Runs one child process for a stage (tool command, coding agent): argv only (no shell unless the
// caller asks for /bin/sh -c), output teed to log files, the whole process group killed on abort.

import { spawn } from 'node:child_process';
import { guardChild } from '../../infra/process-guard';
import { createWriteStream, type WriteStream } from 'node:fs';
import { NO_FOLLOW_WRITE } from '../no-follow';

/** open(2) flags for a log file: create/truncate, never through a symbolic link (fs.open takes numeric flags; the stream's type says string). */

/** How long a killed process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2000;
/** Bytes of stdout kept in memory (the log file always has everything). */
export const MAX_CAPTURE_BYTES = 1024 * 1024;
const STDERR_TAIL_BYTES = 4096;
const STDIO_DRAIN_MS = 1000;

/** One child process to run for a stage. */
export interface ProcessSpec {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to stdin, then stdin is closed; absent → stdin is /dev/null. */
  stdin?: string;
  /** Stage timeout / cancellation: kills the process group. */
  signal: AbortSignal;
  /** An extra limit for this process alone (e.g. the agent provider's timeout). */
  timeoutMs?: number;
  stdoutFile: string;
  stderrFile: string;
  /** Called on every chunk of output (liveness). */
  onOutput?: () => void;
}

/** How it ended and what it printed (bounded). */
export interface ProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The process's own timeoutMs fired. */
  timedOut: boolean;
  /** spec.signal fired (stage timeout or cancellation). */
  aborted: boolean;
  stdout: string;
  stdoutTruncated: boolean;
  stderrTail: string;
  /** Spawn failure (ENOENT, EACCES), when the process never ran. */
  spawnError?: string;
  /** A log file could not be written (ENOSPC, EIO...): the process group was killed and the stage must fail. */
  logError?: string;
}

/** Spawns, waits for exit, and returns the captured output; never throws for a failing command. */
export async function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  const [cmd, ...args] = spec.argv;
  if (!cmd) return emptyResult({ spawnError: 'empty argv' });
  let logError: string | undefined;
  let kill = (): void => undefined;
  // a full disk must fail this stage, never crash the worker with an unhandled 'error' event
  const onLogError = (file: string) => (err: Error) => {
    if (logError !== undefined) return;
    logError = `${file}: ${err.message}`;
    kill();
  };
  // O_NOFOLLOW: a log name a stage replaced with a symlink is refused, never followed out of the run
  const stdoutLog = createWriteStream(spec.stdoutFile, { flags: NO_FOLLOW_WRITE as unknown as string }).on('error', onLogError(spec.stdoutFile));
  const stderrLog = createWriteStream(spec.stderrFile, { flags: NO_FOLLOW_WRITE as unknown as string }).on('error', onLogError(spec.stderrFile));
  const out: Buffer[] = [];
  let outBytes = 0;
  let stdoutTruncated = false;
  let errTail = Buffer.alloc(0);
  let timedOut = false;
  let aborted = false;

  const child = spawn(cmd, args, {
    cwd: spec.cwd,
    env: spec.env,
    stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const spawned = new Promise<string | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (err) => resolve(err.message));
  });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // A background grandchild may hold stdout open after the command exits: stop reading shortly after exit.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  child.stdout?.on('data', (chunk: Buffer) => {
    if (!stdoutLog.destroyed) stdoutLog.write(chunk);
    spec.onOutput?.();
    if (outBytes < MAX_CAPTURE_BYTES) out.push(chunk.subarray(0, MAX_CAPTURE_BYTES - outBytes));
    else stdoutTruncated = true;
    outBytes += chunk.length;
    if (outBytes > MAX_CAPTURE_BYTES) stdoutTruncated = true;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    if (!stderrLog.destroyed) stderrLog.write(chunk);
    spec.onOutput?.();
    errTail = Buffer.concat([errTail, chunk]);
    if (errTail.length > STDERR_TAIL_BYTES) errTail = errTail.subarray(errTail.length - STDERR_TAIL_BYTES);
  });
  if (child.stdin) {
    child.stdin.on('error', () => undefined); // EPIPE when the child does not read its input
    child.stdin.end(spec.stdin);
  }

  let killTimer: NodeJS.Timeout | undefined;
  kill = () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    signalGroup(child.pid, 'SIGTERM');
    killTimer = setTimeout(() => child.pid !== undefined && signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
  };
  const onAbort = () => {
    aborted = true;
    kill();
  };
  if (spec.signal.aborted) onAbort();
  else spec.signal.addEventListener('abort', onAbort, { once: true });
  const ownTimer =
    spec.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          kill();
        }, spec.timeoutMs)
      : undefined;

  const spawnError = await spawned;
  // a killed worker takes its stage's process group with it (the group is detached, so nothing else would);
  // no cmdline marker: the command may exec another program, and a group id is not reused while it has members
  const guard = spawnError || child.pid === undefined ? undefined : guardChild(child, { graceMs: KILL_GRACE_MS, marker: '', group: true });
  if (!spawnError) {
    await exited;
    let drain: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (drain = setTimeout(resolve, STDIO_DRAIN_MS)))]);
    clearTimeout(drain);
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
  guard?.release();
  spec.signal.removeEventListener('abort', onAbort);
  clearTimeout(ownTimer);
  clearTimeout(killTimer);
  await Promise.all([closeStream(stdoutLog), closeStream(stderrLog)]);
  return {
    exitCode: child.exitCode,
    signal: child.signalCode,
    timedOut,
    aborted,
    stdout: Buffer.concat(out).toString('utf8'),
    stdoutTruncated,
    stderrTail: errTail.toString('utf8'),
    ...(spawnError ? { spawnError } : {}),
    ...(logError !== undefined ? { logError } : {}),
  };
}

/** One line describing how a process ended, for failure_reason. */
export function describeExit(r: ProcessResult): string {
  if (r.spawnError) return `could not start: ${r.spawnError}`;
  if (r.logError) return `could not write its log (${r.logError}); the process was stopped`;
  if (r.timedOut) return 'timed out';
  if (r.aborted) return 'aborted';
  if (r.signal) return `killed by ${r.signal}`;
  return `exit code ${r.exitCode}`;
}

/** The last `max` characters of a text, marked when cut. */
export function tail(text: string, max: number): string {
  const t = text.trimEnd();
  return t.length <= max ? t : `…${t.slice(t.length - max)}`;
}

/** The first `max` characters of a text, marked when cut. */
export function head(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // already gone
  }
}

async function closeStream(s: WriteStream): Promise<void> {
  if (s.closed || s.destroyed) return;
  await new Promise<void>((resolve) => {
    s.once('error', () => resolve());
    s.end(() => resolve());
  });
}

function emptyResult(extra: Partial<ProcessResult>): ProcessResult {
  return { exitCode: null, signal: null, timedOut: false, aborted: false, stdout: '', stdoutTruncated: false, stderrTail: '', ...extra };
}
