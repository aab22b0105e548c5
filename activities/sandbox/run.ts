// Running one process in its sandbox: bwrap around it (bwrap.ts) and, when the profile allows hosts,
// the allow-list proxy (net-proxy.ts) for exactly as long as the process runs. Refused requests are
// appended to the process's stderr log (and its tail), so the stage log and the agent both see why.

import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { constants, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, type ProcessResult, type ProcessSpec } from '../handlers/process';
import { confine, NET_DIR, type Box } from './bwrap';
import { FORWARD_PORT, FORWARDER_PY_SOURCE, FORWARDER_SOURCE, startNetProxy, type Resolver } from './net-proxy';

let resolverOverride: Resolver | undefined;

/** Tests map test host names to 127.0.0.1 (undefined restores the system resolver). */
export function setNetResolverForTests(r: Resolver | undefined): void {
  resolverOverride = r;
}

/** The system Python the forwarder prefers (a tenth of node's start-up); node's own binary otherwise. */
const PYTHON = '/usr/bin/python3';
let python: boolean | undefined;

/** Tests run the node forwarder on a machine with Python (undefined: choose by /usr/bin/python3 again). */
export function setForwarderForTests(kind: 'python' | 'node' | undefined): void {
  python = kind === undefined ? undefined : kind === 'python';
}

/** The forwarder's command line inside the sandbox (before the socket, port and the command). */
export function forwarderArgv(usePython: boolean = (python ??= existsSync(PYTHON))): string[] {
  return usePython ? [PYTHON, '-I', '-S', `${NET_DIR}/fwd.py`] : [process.execPath, `${NET_DIR}/fwd.js`];
}

/** The variables that point HTTP clients at the forwarder; loopback stays direct (the sandbox's own). */
export function proxyEnv(): Record<string, string> {
  const url = `http://127.0.0.1:${FORWARD_PORT}`;
  const none = 'localhost,127.0.0.1,::1';
  return { HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, NO_PROXY: none, no_proxy: none };
}

/** The hosts this box's process may reach through the proxy (empty: none, or the network is not proxied). */
export function allowList(box: Box): readonly string[] {
  const s = box.sandbox;
  return s.mode === 'bwrap' && s.network === 'off' ? (s.allow ?? []) : [];
}

/** confine() + runProcess(), with the allow-list proxy around the process when the sandbox has one. */
export async function runConfined(spec: ProcessSpec, box: Box, pass: readonly string[] = []): Promise<ProcessResult> {
  const allow = allowList(box);
  if (allow.length === 0) return runProcess(confine(spec, box, pass));
  const dir = await mkdtemp(join(tmpdir(), 'factory-net-'));
  try {
    await writeFile(join(dir, 'fwd.js'), FORWARDER_SOURCE, { mode: 0o444 });
    await writeFile(join(dir, 'fwd.py'), FORWARDER_PY_SOURCE, { mode: 0o444 });
    const socketPath = join(dir, 'proxy.sock');
    const proxy = await startNetProxy({ allow, socketPath, ...(resolverOverride ? { resolve: resolverOverride } : {}) }).catch((err: Error) => {
      // a unix socket path is limited to 107 bytes: a long TMPDIR is the likely cause
      throw new Error(`sandbox: the network allow-list proxy cannot listen on ${socketPath}: ${err.message}`);
    });
    try {
      const vars = proxyEnv();
      const inner: ProcessSpec = { ...spec, argv: [...forwarderArgv(), `${NET_DIR}/proxy.sock`, String(FORWARD_PORT), ...spec.argv], env: { ...spec.env, ...vars } };
      const r = await runProcess(confine(inner, { ...box, netDir: dir }, [...pass, ...Object.keys(vars)]));
      if (proxy.denials.length === 0) return r;
      const lines = proxy.denials.map((l) => `${l}\n`).join('');
      await appendFile(spec.stderrFile, lines, { flag: constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW }).catch(() => undefined);
      return { ...r, stderrTail: `${r.stderrTail}${lines}` };
    } finally {
      await proxy.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
