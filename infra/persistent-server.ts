// A dev server that outlives the process that started it: `temporal server start-dev --db-filename`
// in its own session, output to a log file, state in SQLite. `factory server start` and an embedded
// `factory run` start it; `factory server stop` ends it. Nothing here kills it when we exit.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { buildArgs, DevServerStartError, HOST, waitReady } from './dev-server';
import { findFreePorts } from './free-port';
import { processStartTime, recordedProcessGone } from './process-identity';
import { resolveTemporalCli } from './temporal-cli';

/** Where the server keeps its state and output, and which namespaces it creates at launch. */
export interface PersistentServerOptions {
  dbFilename: string;
  logFile: string;
  namespaces: readonly string[];
  /** gRPC, UI, HTTP and metrics ports to try first (e.g. the previous start's, so old UI links work). */
  preferredPorts?: readonly number[];
  startupTimeoutMs?: number;
  cliPath?: string;
}

/** A started persistent server: how to reach it and which process it is. */
export interface PersistentServer {
  address: string;
  /** The frontend's HTTP API (grpc-gateway), host:port. */
  httpAddress: string;
  uiUrl: string;
  pid: number;
  pidStart?: string;
  ports: number[];
  startupMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tailOf(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '';
  }
}

/** Starts the server detached and waits until it is ready; a port taken by a racer gets fresh ports once. */
export async function startPersistentServer(opts: PersistentServerOptions): Promise<PersistentServer> {
  const preferred = opts.preferredPorts?.length === 4 ? [...opts.preferredPorts] : undefined;
  for (let attempt = 1; ; attempt++) {
    const ports = attempt === 1 && preferred && (await portsFree(preferred)) ? preferred : await findFreePorts(4, HOST);
    try {
      return await startOnce(opts, ports);
    } catch (err) {
      const portRace = err instanceof DevServerStartError && /address already in use/i.test(err.outputTail);
      if (!portRace || attempt >= 2) throw err;
    }
  }
}

async function portsFree(ports: readonly number[]): Promise<boolean> {
  const { createServer } = await import('node:net');
  for (const port of ports) {
    const ok = await new Promise<boolean>((done) => {
      const s = createServer();
      s.once('error', () => done(false));
      s.listen({ host: HOST, port, exclusive: true }, () => s.close(() => done(true)));
    });
    if (!ok) return false;
  }
  return true;
}

async function startOnce(opts: PersistentServerOptions, ports: number[]): Promise<PersistentServer> {
  const cliPath = opts.cliPath ?? resolveTemporalCli().path;
  const args = buildArgs({ ui: true, dbFilename: opts.dbFilename, logLevel: 'error' }, ports, opts.namespaces);
  const started = Date.now();
  const logStart = tailOf(opts.logFile).length;
  const log = openSync(opts.logFile, 'a');
  const child = spawn(cliPath, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const outputTail = (): string => tailOf(opts.logFile).slice(logStart);
  try {
    await once(child, 'spawn');
  } catch (err) {
    throw new DevServerStartError(`cannot run ${cliPath}: ${(err as Error).message}`, outputTail());
  }
  child.unref();
  const pid = child.pid as number;
  const address = `${HOST}:${ports[0]}`;
  const uiUrl = `http://${HOST}:${ports[1]}`;
  try {
    await waitReady({ child, address, uiUrl, namespaces: opts.namespaces, opts: { startupTimeoutMs: opts.startupTimeoutMs ?? 60_000 }, started, outputTail });
  } catch (err) {
    await stopPersistentServer(pid, undefined, 5000);
    throw err;
  }
  const pidStart = processStartTime(pid);
  return { address, httpAddress: `${HOST}:${ports[2]}`, uiUrl, pid, ...(pidStart ? { pidStart } : {}), ports, startupMs: Date.now() - started };
}

/** SIGTERM the server (only if pid + start time still name it), SIGKILL after `graceMs`; false when it was already gone. */
export async function stopPersistentServer(pid: number, pidStart: string | undefined, graceMs = 10_000): Promise<boolean> {
  if (recordedProcessGone(pid, pidStart) !== undefined) return false;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // gone meanwhile
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (recordedProcessGone(pid, pidStart) === undefined) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      await sleep(200);
      break;
    }
    await sleep(100);
  }
  return true;
}
