// Never leave a child server behind: exit/signal hooks in this process, plus a detached watchdog
// process that outlives a crash (even SIGKILL of this process, e.g. a jest crash) and kills the child.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

// The watchdog: argv = [childPid, graceMs, marker, 'group'?] ('group': the child leads a process group; kill the group). Its stdin is a pipe from us; EOF (we died or
// closed it) or a change of its parent pid means "owner gone": SIGTERM the child, SIGKILL after grace.
// Before killing it checks /proc/<pid>/cmdline still contains `marker`, so a reused pid is never hit.
const WATCHDOG_SOURCE = `
const [pid, grace] = [Number(process.argv[1]), Number(process.argv[2])];
const marker = process.argv[3];
const group = process.argv[4] === 'group';
const kill = (sig) => { try { process.kill(group ? -pid : pid, sig); } catch {} };
const owner = process.ppid;
const alive = (p) => { try { process.kill(p, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const ours = () => { try { return require('fs').readFileSync('/proc/' + pid + '/cmdline', 'utf8').includes(marker); } catch { return alive(pid); } };
let fired = false;
const fire = () => {
  if (fired) return; fired = true;
  if (!ours()) process.exit(0);
  kill('SIGTERM');
  const t0 = Date.now();
  setInterval(() => {
    if (!alive(group ? -pid : pid)) process.exit(0);
    if (Date.now() - t0 > grace) { kill('SIGKILL'); process.exit(0); }
  }, 100);
};
process.stdin.on('end', fire); process.stdin.on('error', fire); process.stdin.resume();
setInterval(() => { if (process.ppid !== owner) fire(); else if (!alive(pid)) process.exit(0); }, 500);
`;

/** A guard for one child; call release() once the child has exited normally. */
export interface ChildGuard {
  readonly watchdogPid: number | undefined;
  release(): void;
}

const guarded = new Map<number, ChildProcess>();
let hooksInstalled = false;

const groups = new Set<number>();

function killAllSync(signal: NodeJS.Signals): void {
  for (const [pid, child] of guarded.entries()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    if (groups.has(pid)) {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    } else child.kill(signal);
  }
}

function onExit(): void {
  // Synchronous only; the watchdog escalates to SIGKILL if the child ignores this.
  killAllSync('SIGTERM');
}

function onSignal(signal: NodeJS.Signals): void {
  killAllSync('SIGTERM');
  // Keep the default "terminate" behaviour when nobody else handles this signal.
  if (process.listenerCount(signal) === 1) {
    uninstallHooks();
    process.kill(process.pid, signal);
  }
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstallHooks(): void {
  if (!hooksInstalled) return;
  hooksInstalled = false;
  process.removeListener('exit', onExit);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}

/** Guard `child` until release(): killed on our exit/SIGINT/SIGTERM and by a watchdog if we crash. */
export function guardChild(child: ChildProcess, opts: { graceMs: number; marker: string; group?: boolean }): ChildGuard {
  const pid = child.pid;
  if (pid === undefined) throw new Error('guardChild: child has no pid (spawn failed)');
  guarded.set(pid, child);
  if (opts.group) groups.add(pid);
  installHooks();

  const watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(pid), String(opts.graceMs), opts.marker, opts.group ? 'group' : ''], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => undefined); // best effort: the in-process hooks still apply
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();

  let released = false;
  return {
    watchdogPid: watchdog.pid,
    release(): void {
      if (released) return;
      released = true;
      guarded.delete(pid);
      groups.delete(pid);
      if (guarded.size === 0) uninstallHooks();
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    },
  };
}
