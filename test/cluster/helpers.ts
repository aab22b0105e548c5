// For the cluster drill: a Client over the cluster's mTLS, the `factory` and `temporal` CLIs as
// child processes against it, and who owns a process or a file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { ClusterEnv } from '../../infra/cluster';
import { resolveTemporalCli } from '../../infra/temporal-cli';

export const REPO = join(__dirname, '..', '..');

/** Our environment without TEMPORAL_*: only flags, the profile and what a test adds pick the server. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('TEMPORAL_') && v !== undefined)) as Record<string, string>;
  return { ...base, ...extra };
}

/** Connects over mTLS with the admin certificate, or with only the CA (no client certificate) when `noClientCert`. */
export async function connect(env: ClusterEnv, opts: { noClientCert?: boolean } = {}): Promise<Client> {
  const tls = {
    serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
    serverRootCACertificate: readFileSync(env.TEMPORAL_TLS_CA as string),
    ...(opts.noClientCert ? {} : { clientCertPair: { crt: readFileSync(env.TEMPORAL_TLS_CERT as string), key: readFileSync(env.TEMPORAL_TLS_KEY as string) } }),
  };
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS as string, tls, connectTimeout: '5s' });
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE as string });
}

/** `temporal <args>` against the cluster over mTLS (admin certificate); resolves with its output and code. */
export function temporalCli(env: ClusterEnv, args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(resolveTemporalCli().path, [
    ...args, '--address', env.TEMPORAL_ADDRESS as string, '--namespace', env.TEMPORAL_NAMESPACE as string,
    '--tls-ca-path', env.TEMPORAL_TLS_CA as string, '--tls-cert-path', env.TEMPORAL_TLS_CERT as string,
    '--tls-key-path', env.TEMPORAL_TLS_KEY as string, '--tls-server-name', env.TEMPORAL_TLS_SERVER_NAME as string, '--color', 'never',
  ], { env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `factory run … --json` as its own process; `lines` fills with what it prints, `exit` resolves with its code. */
export function factoryRun(args: readonly string[], env: Record<string, string>): { child: ChildProcess; lines: string[]; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'factory'), 'run', ...args], { env, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  const onData = (d: Buffer): void => {
    buf += d.toString('utf8');
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, lines, exit };
}

/** The real uid of a running process (/proc/<pid>/status). */
export function processUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('Uid:')) ?? '';
  return Number(line.split(/\s+/)[1]);
}

/** The uid of an OS user name. */
export function uidOf(user: string): number {
  return Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
}

/** Runs `cat file` as `user` (setpriv); its exit code and stderr. */
export function catAs(user: string, file: string): { code: number | null; stderr: string } {
  const r = spawnSync('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '--', 'cat', file], { encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

/** The owner uid of a path. */
export const ownerOf = (path: string): number => statSync(path).uid;

/** Is the pid alive (a zombie, exited but not yet reaped by its new parent, counts as gone)? */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
