// Whether bubblewrap works here: one tiny sandbox with the namespaces every real one uses. A working
// answer is kept for the process's life; a failure is asked again next time (a probe that timed out on
// a loaded machine must not refuse every later run).

import { execFile } from 'node:child_process';

/** Where bubblewrap is (Debian package bubblewrap). */
export const BWRAP = '/usr/bin/bwrap';

/** The probe's answer. */
export type BwrapProbe = { ok: true } | { ok: false; reason: string };

const cached = new Map<string, Promise<BwrapProbe>>();

/** Runs `bwrap … /bin/true` with fresh PID/IPC/UTS/network namespaces; a success is cached per binary path. */
export function probeBwrap(bin: string = BWRAP): Promise<BwrapProbe> {
  let p = cached.get(bin);
  if (!p) {
    p = new Promise<BwrapProbe>((resolve) => {
      const args = ['--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net', '--die-with-parent', '--new-session', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', '/bin/true'];
      execFile(bin, args, { env: {}, timeout: 10_000 }, (err, _out, stderr) => {
        if (!err) return resolve({ ok: true });
        const code = (err as { code?: unknown }).code;
        const why = code === 'ENOENT' ? `${bin} not found` : `${bin} failed: ${String(stderr).trim().split('\n').pop() || err.message}`;
        cached.delete(bin);
        resolve({ ok: false, reason: why.slice(0, 300) });
      });
    });
    cached.set(bin, p);
  }
  return p;
}
