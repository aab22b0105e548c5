// The project's local Temporal server: one persistent dev server per directory, its state in
// .factory/temporal.db, found through .factory/server.json. `factory server start` and an embedded
// `factory run` share it; a lock file makes concurrent starters agree on one server and one record.
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NAMESPACE } from '../core/temporal-names';
import { startPersistentServer, stopPersistentServer } from '../infra/persistent-server';
import { processStartTime, recordedProcessGone } from '../infra/process-identity';
import { UsageError } from './context';
import { readServerRecord, removeServerRecord, STATE_DIR, type ServerRecord } from './temporal';

/** Paths of the local server's files under `cwd`. */
export function localServerFiles(cwd: string): { dir: string; record: string; db: string; log: string; lock: string; ports: string } {
  const dir = join(cwd, STATE_DIR);
  return { dir, record: join(dir, 'server.json'), db: join(dir, 'temporal.db'), log: join(dir, 'server.log'), lock: join(dir, 'server.lock'), ports: join(dir, 'server-ports.json') };
}

/** The local server as a command uses it; `started` is true when this call started it. */
export interface LocalServer extends ServerRecord {
  uiUrl: string;
  started: boolean;
}

const LOCK_WAIT_MS = 120_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The live local server recorded here, if any (a stale record is removed by readServerRecord). */
export function liveLocalServer(cwd: string): ServerRecord | undefined {
  const rec = readServerRecord(cwd);
  return rec && !('stale' in rec) ? rec : undefined;
}

/** Finds the local server, or starts it (one starter at a time), and makes sure it serves `namespace`. */
export async function ensureLocalServer(cwd: string, namespace: string = DEFAULT_NAMESPACE): Promise<LocalServer> {
  const files = localServerFiles(cwd);
  mkdirSync(files.dir, { recursive: true });
  ignoredByGit(files.dir);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const live = liveLocalServer(cwd);
    if (live) return { ...servesNamespace(live, namespace), uiUrl: live.uiUrl ?? '', started: false };
    if (takeLock(files.lock)) {
      try {
        const raced = liveLocalServer(cwd);
        if (raced) return { ...servesNamespace(raced, namespace), uiUrl: raced.uiUrl ?? '', started: false };
        return { ...(await startAndRecord(cwd, namespace)), started: true };
      } finally {
        rmSync(files.lock, { force: true });
      }
    }
    if (Date.now() > deadline) throw new UsageError(`another factory process has been starting the local Temporal server for ${LOCK_WAIT_MS / 1000} s (${files.lock}); see ${files.log}`);
    await sleep(200);
  }
}

/** Stops the local server recorded here; returns its record, or undefined when none was running. */
export async function stopLocalServer(cwd: string): Promise<ServerRecord | undefined> {
  const live = liveLocalServer(cwd);
  if (!live) return undefined;
  await stopPersistentServer(live.pid, live.pidStart);
  removeServerRecord(cwd, live.pid);
  return live;
}

/**
 * `.factory/.gitignore` with `*`: the server's state, log and record never show in `git status` of the
 * project, so a run whose base is this repository (environment.workdir `.`) does not find it dirty. An
 * existing file (the user's) is left alone.
 */
function ignoredByGit(dir: string): void {
  try {
    writeFileSync(join(dir, '.gitignore'), '# the local Temporal server\'s state (factory server): not part of the project\n*\n', { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function servesNamespace(rec: ServerRecord, namespace: string): ServerRecord {
  const served = rec.namespaces ?? [rec.namespace];
  if (served.includes(namespace)) return rec;
  throw new UsageError(
    `the local Temporal server here serves namespace(s) ${served.join(', ')}, not "${namespace.slice(0, 60)}": ` +
      'stop it with `factory server stop`; the next start adds the namespace (its state is kept)',
  );
}

/** The lock is a file created exclusively; one left by a dead process is removed and taken. */
function takeLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx');
    writeFileSync(fd, JSON.stringify({ pid: process.pid, pidStart: processStartTime(process.pid) }));
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  try {
    const holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; pidStart?: string };
    if (recordedProcessGone(holder.pid, holder.pidStart) === undefined) return false;
  } catch {
    // half-written by a starter that is writing it right now, or garbage: wait a round before judging
    return false;
  }
  rmSync(lock, { force: true });
  return false;
}

async function startAndRecord(cwd: string, namespace: string): Promise<ServerRecord & { uiUrl: string }> {
  const files = localServerFiles(cwd);
  const namespaces = [...new Set([DEFAULT_NAMESPACE, namespace])];
  const preferredPorts = readPorts(files.ports);
  const server = await startPersistentServer({ dbFilename: files.db, logFile: files.log, namespaces, ...(preferredPorts ? { preferredPorts } : {}) });
  const record: ServerRecord & { uiUrl: string } = {
    address: server.address,
    httpAddress: server.httpAddress,
    namespace,
    namespaces,
    uiUrl: server.uiUrl,
    pid: server.pid,
    ...(server.pidStart ? { pidStart: server.pidStart } : {}),
    dbFilename: files.db,
  };
  const tmp = `${files.record}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(tmp, files.record);
  writeFileSync(files.ports, `${JSON.stringify(server.ports)}\n`);
  return record;
}

function readPorts(file: string): number[] | undefined {
  try {
    const ports = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(ports) && ports.length === 4 && ports.every((p) => Number.isInteger(p) && p > 0 && p < 65536) ? (ports as number[]) : undefined;
  } catch {
    return undefined;
  }
}
