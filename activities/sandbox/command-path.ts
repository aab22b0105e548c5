// Where a program named by the profile (the agent provider's command) lives, and which of its files a
// sandbox must be shown: bwrap only sees the system directories, node's installation and the workspace.

import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { SYSTEM_DIRS } from './bwrap';

/** The program's path and the files of it outside what every sandbox sees (to bind read-only), or why it cannot run. */
export async function resolveCommand(cmd: string, cwd: string, path: string | undefined): Promise<{ path: string; outside: string[] } | { error: string }> {
  if (cmd === '') return { error: 'empty command' };
  const candidates = cmd.includes('/') ? [resolve(cwd, cmd)] : (path ?? '').split(':').filter(Boolean).map((d) => resolve(cwd, d, cmd));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      if (!(await stat(c)).isFile()) continue;
    } catch {
      continue;
    }
    const real = await realpath(c);
    const seen = [...SYSTEM_DIRS, dirname(dirname(process.execPath)), resolve(cwd)];
    const outside = [...new Set([c, real])].filter((p) => !seen.some((d) => within(d, p)));
    return { path: c, outside };
  }
  return { error: cmd.includes('/') ? `${cmd}: no such executable file` : `${cmd}: not found on PATH` };
}

function within(outer: string, inner: string): boolean {
  const r = relative(outer, inner);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}
