// Where the CLI finds Temporal: --address, TEMPORAL_ADDRESS, the profile, or the project's local dev
// server (client/local-server.ts; recorded in .factory/server.json so every command finds it).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { connect as tcpConnect } from 'node:net';
import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { DEFAULT_NAMESPACE } from '../core/temporal-names';
import { recordedProcessGone } from '../infra/process-identity';
import { UsageError, type CliIO } from './context';

/** Connection options a command was given. */
export interface TargetOptions {
  address?: string;
  namespace?: string;
}

/** mTLS material, as the profile's environment.temporal.tls names it (file paths). */
export interface TlsFiles {
  server_name?: string;
  server_root_ca_cert?: string;
  client_cert?: string;
  client_key?: string;
}

/** The SDK's TLS config (same shape for Connection and NativeConnection). */
export interface TlsConfig {
  serverNameOverride?: string;
  serverRootCACertificate?: Buffer;
  clientCertPair?: { crt: Buffer; key: Buffer };
}

/**
 * TLS from the profile, overridden by the `temporal` CLI's own environment variables
 * (TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_CA, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_TLS=true).
 */
export function tlsConfig(env: Readonly<Record<string, string | undefined>>, cwd: string, profile?: TlsFiles): TlsConfig | undefined {
  const cert = env.TEMPORAL_TLS_CERT ?? profile?.client_cert;
  const key = env.TEMPORAL_TLS_KEY ?? profile?.client_key;
  const ca = env.TEMPORAL_TLS_CA ?? profile?.server_root_ca_cert;
  const name = env.TEMPORAL_TLS_SERVER_NAME ?? profile?.server_name;
  if (!cert && !key && !ca && !name && env.TEMPORAL_TLS !== 'true') return undefined;
  if (Boolean(cert) !== Boolean(key)) throw new Error('TLS: a client certificate needs its key (TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY, or profile client_cert and client_key)');
  const read = (p: string) => readFileSync(resolve(cwd, p));
  return {
    ...(name ? { serverNameOverride: name } : {}),
    ...(ca ? { serverRootCACertificate: read(ca) } : {}),
    ...(cert && key ? { clientCertPair: { crt: read(cert), key: read(key) } } : {}),
  };
}

/** What the local server's starter writes while the server lives. */
export interface ServerRecord {
  address: string;
  /** The frontend's HTTP API, host:port (records written before it was recorded: none). */
  httpAddress?: string;
  namespace: string;
  /** Every namespace the server was started with (older records: only `namespace`). */
  namespaces?: string[];
  /** Its SQLite state file (older, in-memory embedded servers: none). */
  dbFilename?: string;
  uiUrl?: string;
  pid: number;
  /** The server process's start time (/proc/<pid>/stat): a later process reusing the pid is not it. */
  pidStart?: string;
}

/** The directory under the project that holds the local server's state, record, lock and log. */
export const STATE_DIR = '.factory';

function serverFile(cwd: string): string {
  return join(cwd, STATE_DIR, 'server.json');
}

/** A server record that named a server no longer there: removed when read. */
export interface StaleServerRecord {
  stale: string;
}

/**
 * The embedded server recorded by a running `factory run`, if that very process still runs. A record
 * left by a killed run (pid dead or reused by another process, or unreadable) is removed and reported.
 */
export function readServerRecord(cwd: string): ServerRecord | StaleServerRecord | undefined {
  const file = serverFile(cwd);
  if (!existsSync(file)) return undefined;
  let why: string;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as ServerRecord;
    const gone = recordedProcessGone(rec.pid, rec.pidStart);
    if (gone === undefined) return rec;
    why = `it names the dev server at ${String(rec.address)}, but ${gone}`;
  } catch (err) {
    why = `it is not a server record (${err instanceof Error ? err.message : String(err)})`;
  }
  rmSync(file, { force: true });
  return { stale: `removed stale ${join(STATE_DIR, 'server.json')}: ${why}` };
}

/** Removes the record when it still names the server `pid` (a later `factory run` here may have replaced it). */
export function removeServerRecord(cwd: string, pid: number): void {
  try {
    if ((JSON.parse(readFileSync(serverFile(cwd), 'utf8')) as Partial<ServerRecord>).pid !== pid) return;
  } catch {
    // missing or unreadable: nothing of ours to keep
  }
  rmSync(serverFile(cwd), { force: true });
}

const DEFAULT_ADDRESS = '127.0.0.1:7233';

/** Address and namespace for a command: flag, environment, embedded-server record, then localhost:7233. */
export function resolveTarget(io: CliIO, opts: TargetOptions, profileTls?: TlsFiles): { address: string; namespace: string; uiUrl?: string; tls?: TlsConfig } {
  const read = readServerRecord(io.cwd);
  const rec = read && 'stale' in read ? undefined : read;
  const tls = tlsConfig(io.env, io.cwd, profileTls);
  const address = opts.address ?? io.env.TEMPORAL_ADDRESS ?? rec?.address ?? DEFAULT_ADDRESS;
  if (read && 'stale' in read && address === DEFAULT_ADDRESS && !opts.address && !io.env.TEMPORAL_ADDRESS) {
    io.err(`factory: ${read.stale}; using the default address ${DEFAULT_ADDRESS} (pass --address or set TEMPORAL_ADDRESS)`);
  }
  const namespace = opts.namespace ?? io.env.TEMPORAL_NAMESPACE ?? rec?.namespace ?? DEFAULT_NAMESPACE;
  const uiUrl = rec && rec.address === address ? rec.uiUrl : io.env.TEMPORAL_UI_URL;
  return { address, namespace, ...(uiUrl ? { uiUrl } : {}), ...(tls ? { tls } : {}) };
}

/** Where a command may read through the frontend's HTTP API (grpc-gateway): base URL, TLS, API key. */
export interface HttpApiTarget {
  /** `http://host:port` or `https://host:port`. */
  baseUrl: string;
  namespace: string;
  tls?: TlsConfig;
  /** TEMPORAL_API_KEY, sent as a bearer token. */
  apiKey?: string;
}

/**
 * The HTTP API of the server a command talks to, when it is known: TEMPORAL_HTTP_ADDRESS (set beside
 * TEMPORAL_ADDRESS, e.g. by the cluster's cluster.env), or the local server's record when the command
 * talks to that server. Unknown (undefined) otherwise: the caller uses gRPC. TLS and the API key apply
 * to it as to gRPC (https with the same CA, client pair and server name).
 */
export function resolveHttpApi(io: CliIO, opts: TargetOptions): HttpApiTarget | undefined {
  const target = resolveTarget(io, opts);
  const read = readServerRecord(io.cwd);
  const rec = read && !('stale' in read) ? read : undefined;
  const fromEnv = opts.address === undefined || opts.address === io.env.TEMPORAL_ADDRESS ? io.env.TEMPORAL_HTTP_ADDRESS : undefined;
  const fromRecord = rec && rec.address === target.address ? rec.httpAddress : undefined;
  const http = fromEnv || fromRecord;
  if (!http) return undefined;
  const scheme = /^https?:\/\//.test(http) ? '' : target.tls ? 'https://' : 'http://';
  const apiKey = io.env.TEMPORAL_API_KEY;
  return { baseUrl: `${scheme}${http}`.replace(/\/+$/, ''), namespace: target.namespace, ...(target.tls ? { tls: target.tls } : {}), ...(apiKey ? { apiKey } : {}) };
}

/** Temporal cannot be reached: one line naming the address and what to run; exit 2 like any bad invocation. */
export class TemporalUnreachableError extends UsageError {}

/** Refused or silent TCP port: fail in well under a second instead of the SDK's 5 s connect deadline. */
function tcpProbe(address: string, timeoutMs = 1500): Promise<string | undefined> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) return Promise.resolve(undefined);
  return new Promise((done) => {
    const socket = tcpConnect({ host, port });
    const finish = (why: string | undefined): void => {
      socket.destroy();
      done(why);
    };
    socket.setTimeout(timeoutMs, () => finish(undefined)); // slow is not refused: let the SDK decide
    socket.once('connect', () => finish(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
  });
}

/** Connects a Client; when that fails, says in one line where it looked and what to run (TemporalUnreachableError). */
export async function connectClient(target: { address: string; namespace: string; tls?: TlsConfig }): Promise<Client> {
  const refused = await tcpProbe(target.address);
  try {
    if (refused) throw new Error(refused);
    // the SDK (grpc-js, protobufjs) is loaded only by the commands that talk gRPC: `status` may not need it
    const { Client: SdkClient, Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
    const connection = await Connection.connect({ address: target.address, connectTimeout: '5s', ...(target.tls ? { tls: target.tls } : {}) });
    return new SdkClient({ connection, namespace: target.namespace, identity: cliIdentity() });
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new TemporalUnreachableError(
      `cannot reach Temporal at ${target.address} (${why}): start the local server with \`factory server start\`, ` +
        'or pass --address host:port / set TEMPORAL_ADDRESS',
    );
  }
}

/**
 * The identity the server records with every signal, update and start this CLI sends (history's
 * `identity` fields): the OS user, host and pid, beside the answer's self-declared `by`. Self-asserted
 * like `by`; with mTLS the server also knows which certificate connected.
 */
export function cliIdentity(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return `factory-cli ${user}@${hostname()} pid ${process.pid}`;
}

/** The Temporal UI page of one workflow. */
export function workflowUrl(uiUrl: string | undefined, namespace: string, workflowId: string): string | undefined {
  if (!uiUrl) return undefined;
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * Connects a NativeConnection, builds a worker on it and runs it until SIGINT/SIGTERM; used by
 * `factory worker` and `factory scenario-worker`.
 */
export async function runWorkerUntilStopped<W extends { run(): Promise<void>; shutdown(): void }>(
  target: { address: string; tls?: TlsConfig },
  create: (connection: NativeConnection) => Promise<W>,
  announce: (worker: W) => void | Promise<void>,
): Promise<void> {
  // the worker SDK (native core) is loaded only by the commands that run a worker
  const { NativeConnection: Native } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  const connection = await Native.connect({ address: target.address, ...(target.tls ? { tls: target.tls } : {}) });
  // no sandbox this worker starts may reach its Temporal frontend, whatever a network allow-list says
  // (loaded here, like the worker SDK: commands that only talk to Temporal never load the proxy's modules)
  (require('../activities/sandbox/net-proxy') as typeof import('../activities/sandbox/net-proxy')).refuseAlways(target.address);
  try {
    const worker = await create(connection);
    const stop = () => worker.shutdown();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const running = worker.run();
    // announced once the worker is ready (a pipeline worker: its version current); a failure stops it
    await Promise.all([running, Promise.resolve().then(() => announce(worker)).catch((err: unknown) => (worker.shutdown(), Promise.reject(err)))]);
  } finally {
    await connection.close();
  }
}
