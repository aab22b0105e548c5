// Where the CLI finds Temporal: --address, TEMPORAL_ADDRESS, the profile, or the embedded dev
// server that `factory run` started (recorded in .factory/server.json so other commands find it).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DEFAULT_NAMESPACE } from '../core/temporal-names';
import { startDevServer, type DevServer } from '../infra/dev-server';
import type { CliIO } from './context';

/** Connection options a command was given. */
export interface TargetOptions {
  address?: string;
  namespace?: string;
}

/** What `factory run` writes while its embedded server lives. */
export interface ServerRecord {
  address: string;
  namespace: string;
  uiUrl?: string;
  pid: number;
}

const STATE_DIR = '.factory';

function serverFile(cwd: string): string {
  return join(cwd, STATE_DIR, 'server.json');
}

/** The embedded server recorded by a running `factory run`, if its process is still alive. */
export function readServerRecord(cwd: string): ServerRecord | undefined {
  const file = serverFile(cwd);
  if (!existsSync(file)) return undefined;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as ServerRecord;
    process.kill(rec.pid, 0);
    return rec;
  } catch {
    return undefined;
  }
}

/** Address and namespace for a command: flag, environment, embedded-server record, then localhost:7233. */
export function resolveTarget(io: CliIO, opts: TargetOptions): { address: string; namespace: string; uiUrl?: string } {
  const rec = readServerRecord(io.cwd);
  const address = opts.address ?? io.env.TEMPORAL_ADDRESS ?? rec?.address ?? '127.0.0.1:7233';
  const namespace = opts.namespace ?? io.env.TEMPORAL_NAMESPACE ?? rec?.namespace ?? DEFAULT_NAMESPACE;
  const uiUrl = rec && rec.address === address ? rec.uiUrl : io.env.TEMPORAL_UI_URL;
  return { address, namespace, ...(uiUrl ? { uiUrl } : {}) };
}

/** Connects a Client; the error names the address and how to point the CLI elsewhere. */
export async function connectClient(target: { address: string; namespace: string }): Promise<Client> {
  try {
    const connection = await Connection.connect({ address: target.address, connectTimeout: '5s' });
    return new Client({ connection, namespace: target.namespace });
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${target.address} (${err instanceof Error ? err.message : String(err)}); ` +
        'pass --address host:port or set TEMPORAL_ADDRESS, or start a run with `factory run` (embedded server)',
    );
  }
}

/** Starts the embedded dev server and records it for other commands; stop() removes the record. */
export async function startEmbeddedServer(io: CliIO, namespace: string): Promise<DevServer> {
  const dir = join(io.cwd, STATE_DIR);
  mkdirSync(dir, { recursive: true });
  const server = await startDevServer({ namespace, ui: true });
  const record: ServerRecord = { address: server.address, namespace, pid: server.pid, ...(server.uiUrl ? { uiUrl: server.uiUrl } : {}) };
  writeFileSync(serverFile(io.cwd), `${JSON.stringify(record, null, 2)}\n`);
  return {
    ...server,
    outputTail: () => server.outputTail(),
    stop: async () => {
      rmSync(serverFile(io.cwd), { force: true });
      await server.stop();
    },
  };
}

/** The Temporal UI page of one workflow. */
export function workflowUrl(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  if (!uiUrl) return undefined;
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}
