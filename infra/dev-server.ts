// A real Temporal dev server (`temporal server start-dev`) as a child process: used by the jest
// global setup, the CLI's embedded mode and local demos. Ready = gRPC answers, our search
// attributes are listed in every namespace, and (when on) the Web UI answers HTTP.
// Measured (CLI 1.9.1, 2 cores): ready in ~1.2-1.6 s with the UI, ~1.3 s headless; stop() ~1.1 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Connection } from '@temporalio/client';
import { DEFAULT_NAMESPACE, SEARCH_ATTRIBUTE_TYPES, type SearchAttributeTypeName } from '../core/temporal-names';
import { findFreePorts } from './free-port';
import { guardChild, type ChildGuard } from './process-guard';
import { resolveTemporalCli } from './temporal-cli';

/** Server log levels accepted by the CLI's `--log-level`. */
export type DevServerLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'never';

/** Options of startDevServer; every field has a sensible default. */
export interface DevServerOptions {
  /** Namespace the caller works in (created if not `default`). */
  namespace?: string;
  /** More namespaces to create at launch; our search attributes are checked in each. */
  extraNamespaces?: readonly string[];
  /** Serve the Web UI (default true); `uiUrl` is undefined when false. */
  ui?: boolean;
  /** Persist to this SQLite file (WAL mode); default is in-memory, lost on stop. */
  dbFilename?: string;
  /** Default 'error' (quiet); the output tail is kept for error messages anyway. */
  logLevel?: DevServerLogLevel;
  /** Extra search attributes; ours (SEARCH_ATTRIBUTE_TYPES) are always registered. */
  searchAttributes?: Readonly<Record<string, SearchAttributeTypeName>>;
  /** `--dynamic-config-value KEY=JSON` pairs. */
  dynamicConfig?: Readonly<Record<string, unknown>>;
  /** Fixed gRPC port; default a free port. */
  port?: number;
  startupTimeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** CLI binary; default resolveTemporalCli(). */
  cliPath?: string;
}

/** A running dev server; always call stop() (it is also killed if this process dies). */
export interface DevServer {
  readonly address: string;
  /** The frontend's HTTP API (grpc-gateway, `/api/v1/...`), host:port. */
  readonly httpAddress: string;
  readonly uiUrl: string | undefined;
  readonly namespace: string;
  readonly namespaces: readonly string[];
  readonly pid: number;
  readonly dbFilename: string | undefined;
  /** Milliseconds from spawn to ready. */
  readonly startupMs: number;
  /** Last lines the server printed (stdout + stderr). */
  outputTail(): string;
  stop(): Promise<void>;
}

/** Thrown when the server does not become ready: says why and includes the server's output tail. */
export class DevServerStartError extends Error {
  override readonly name = 'DevServerStartError';
  constructor(
    message: string,
    readonly outputTail: string,
  ) {
    super(`${message}\n--- temporal server output (tail) ---\n${outputTail || '(no output)'}`);
  }
}

/** Every dev server listens on loopback only. */
export const HOST = '127.0.0.1';
const TAIL_BYTES = 8192;
// Temporal's IndexedValueType enum numbers (temporal.api.enums.v1), by our type names.
const INDEXED_VALUE_TYPE: Record<SearchAttributeTypeName, number> = {
  Text: 1, Keyword: 2, Int: 3, Double: 4, Bool: 5, Datetime: 6, KeywordList: 7,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Start a dev server on free local ports and wait until it is ready; retries once if a port was taken. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const attempts = opts.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      const portRace = err instanceof DevServerStartError && /address already in use/i.test(err.outputTail);
      if (!portRace || attempt >= attempts) throw err;
    }
  }
}

/** The `temporal server start-dev` arguments for these options and ports (gRPC, UI, HTTP, metrics). */
export function buildArgs(opts: DevServerOptions, ports: number[], namespaces: readonly string[]): string[] {
  const [port, uiPort, httpPort, metricsPort] = ports;
  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(port), '--http-port', String(httpPort)];
  args.push('--metrics-port', String(metricsPort), '--log-level', opts.logLevel ?? 'error');
  if (opts.ui ?? true) args.push('--ui-port', String(uiPort), '--ui-disable-news-fetch');
  else args.push('--headless');
  for (const ns of namespaces) if (ns !== DEFAULT_NAMESPACE) args.push('--namespace', ns);
  for (const [name, type] of Object.entries(allSearchAttributes(opts))) args.push('--search-attribute', `${name}=${type}`);
  if (opts.dbFilename !== undefined) {
    args.push('--db-filename', opts.dbFilename);
    args.push('--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  for (const [key, value] of Object.entries(opts.dynamicConfig ?? {})) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}

function allSearchAttributes(opts: DevServerOptions): Record<string, SearchAttributeTypeName> {
  return { ...opts.searchAttributes, ...SEARCH_ATTRIBUTE_TYPES };
}

async function startOnce(opts: DevServerOptions): Promise<DevServer> {
  const cliPath = opts.cliPath ?? resolveTemporalCli().path;
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const namespaces = [...new Set([DEFAULT_NAMESPACE, namespace, ...(opts.extraNamespaces ?? [])])];
  const free = await findFreePorts(4, HOST);
  const ports = opts.port === undefined ? free : [opts.port, ...free.slice(1)];
  const ui = opts.ui ?? true;
  const address = `${HOST}:${ports[0]}`;
  const uiUrl = ui ? `http://${HOST}:${ports[1]}` : undefined;
  const graceMs = opts.stopGraceMs ?? 5000;

  const started = Date.now();
  const child = spawn(cliPath, buildArgs(opts, ports, namespaces), { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const onData = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  try {
    await once(child, 'spawn'); // rejects with the 'error' event (ENOENT, EACCES)
  } catch (err) {
    throw new DevServerStartError(`cannot run ${cliPath}: ${(err as Error).message}`, tail);
  }
  const guard = guardChild(child, { graceMs, marker: 'start-dev' });
  for (const s of [child, child.stdout, child.stderr]) (s as { unref?: () => void } | null)?.unref?.();

  const outputTail = (): string => tail.split('\n').slice(-40).join('\n');
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= terminate(child, graceMs, guard));
  try {
    await waitReady({ child, address, uiUrl, namespaces, opts, started, outputTail });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    address, httpAddress: `${HOST}:${ports[2]}`, uiUrl, namespace, namespaces, pid: child.pid as number, dbFilename: opts.dbFilename,
    startupMs: Date.now() - started, outputTail, stop,
  };
}

/** What waitReady watches: the child (exited = failed start) and the endpoints that must answer. */
export interface ReadyProbe {
  child: ChildProcess;
  address: string;
  uiUrl: string | undefined;
  namespaces: readonly string[];
  opts: DevServerOptions;
  started: number;
  outputTail: () => string;
}

/** Resolves once gRPC, our search attributes in every namespace and the UI (when on) answer; else throws DevServerStartError. */
export async function waitReady(p: ReadyProbe): Promise<void> {
  const deadline = p.started + (p.opts.startupTimeoutMs ?? 60_000);
  const wanted = allSearchAttributes(p.opts);
  let lastProblem = 'not probed yet';
  let connection: Connection | undefined;
  try {
    while (Date.now() < deadline) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new DevServerStartError(
          `temporal server exited during startup (code ${p.child.exitCode}, signal ${p.child.signalCode})`,
          p.outputTail(),
        );
      }
      try {
        connection ??= await Connection.connect({ address: p.address, connectTimeout: 1000 });
        await connection.workflowService.getSystemInfo({});
        for (const namespace of p.namespaces) {
          const res = await connection.operatorService.listSearchAttributes({ namespace });
          const custom = res.customAttributes ?? {};
          const missing = Object.entries(wanted).filter(([n, t]) => Number(custom[n]) !== INDEXED_VALUE_TYPE[t]);
          if (missing.length > 0) throw new Error(`search attributes not (yet) registered in ${namespace}: ${missing.map(([n, t]) => `${n}=${t}`).join(', ')} (listed: ${JSON.stringify(custom)})`);
        }
        if (p.uiUrl !== undefined) {
          const res = await fetch(p.uiUrl, { signal: AbortSignal.timeout(2000) });
          if (!res.ok) throw new Error(`Web UI ${p.uiUrl} answered HTTP ${res.status}`);
        }
        return;
      } catch (err) {
        lastProblem = err instanceof Error ? err.message : String(err);
      }
      await sleep(100);
    }
    throw new DevServerStartError(
      `temporal server at ${p.address} not ready after ${Date.now() - p.started} ms; last problem: ${lastProblem}`,
      p.outputTail(),
    );
  } finally {
    await connection?.close();
  }
}

async function terminate(child: ChildProcess, graceMs: number, guard: ChildGuard): Promise<void> {
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  if (!exited()) {
    const exit = once(child, 'exit');
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
    const outcome = await Promise.race([exit.then(() => 'exited' as const), grace]);
    clearTimeout(timer);
    if (outcome === 'timeout' && !exited()) {
      child.kill('SIGKILL');
      await exit;
    }
  }
  guard.release();
  child.stdout?.destroy();
  child.stderr?.destroy();
}
