// The Temporal cluster of scripts/cluster.sh (PostgreSQL, temporal-server, Web UI, both workers) as
// one guarded child: `cluster.sh up --foreground` stays attached and tears everything down when its
// stdin closes; the process guard closes it (and SIGTERMs it) if this process exits or crashes.
// Used by the cluster drill (test/cluster/) and by anyone who needs a real cluster from Node.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { guardChild, type ChildGuard } from './process-guard';
import { projectRoot } from './project-root';

const SCRIPT = join(projectRoot(), 'scripts', 'cluster.sh');
const TAIL_CHARS = 16_384;

/** Settings `cluster.sh` wrote to <dir>/cluster.env: address, UI URL, TLS files, roots, users. */
export type ClusterEnv = Readonly<Record<string, string>>;

/** A running cluster; always call stop() (it is also torn down if this process dies). */
export interface Cluster {
  readonly dir: string;
  readonly env: ClusterEnv;
  /** Milliseconds from spawn to ready (binaries already built, or not). */
  readonly startupMs: number;
  /** `cluster.sh restart-server`: temporal-server stops and starts again; PostgreSQL keeps the state. */
  restartServer(): Promise<string>;
  /** `cluster.sh status`: its output and exit code (3 when something is not running). */
  status(): { code: number | null; output: string };
  /** What `cluster.sh up --foreground` printed so far. */
  outputTail(): string;
  /** Tears everything down (`down`, then `--purge` when asked); resolves when the script has exited. */
  stop(opts?: { purge?: boolean }): Promise<void>;
}

/** Thrown when the cluster does not come up: the script's own output says why. */
export class ClusterStartError extends Error {
  override readonly name = 'ClusterStartError';
}

/** Parses KEY=value lines. */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1] as string] = m[2] as string;
  }
  return out;
}

function runScript(dir: string, args: readonly string[]): { code: number | null; output: string } {
  const r = spawnSync('bash', [SCRIPT, ...args], { env: { ...process.env, FACTORY_CLUSTER_DIR: dir }, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** Starts the cluster in `dir` (its state directory) and waits until every process is ready. */
export async function startCluster(dir: string, opts: { timeoutMs?: number } = {}): Promise<Cluster> {
  const started = Date.now();
  const child: ChildProcess = spawn('bash', [SCRIPT, 'up', '--foreground'], {
    env: { ...process.env, FACTORY_CLUSTER_DIR: dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let tail = '';
  const onData = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  await once(child, 'spawn');
  const guard: ChildGuard = guardChild(child, { graceMs: 90_000, marker: 'cluster.sh' });
  const exited = once(child, 'exit');

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ClusterStartError(`cluster not ready after ${opts.timeoutMs ?? 900_000} ms\n${tail}`)), opts.timeoutMs ?? 900_000);
    const check = (): void => {
      if (tail.includes('cluster: attached')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new ClusterStartError(`cluster.sh up exited (code ${child.exitCode}) before it was ready:\n${tail}`));
    });
  });

  let stopping: Promise<void> | undefined;
  const teardown = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end(); // EOF: the script runs `down` and exits
      const timer = setTimeout(() => child.kill('SIGTERM'), 120_000);
      await exited;
      clearTimeout(timer);
    }
    guard.release();
    runScript(dir, ['down']); // idempotent; also after a crash of the script
  };
  const stop = async (o: { purge?: boolean } = {}): Promise<void> => {
    await (stopping ??= teardown());
    if (o.purge) runScript(dir, ['down', '--purge']);
  };

  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  const env = parseEnvFile(readFileSync(join(dir, 'cluster.env'), 'utf8'));
  return {
    dir, env, startupMs: Date.now() - started,
    restartServer: async () => {
      try {
        const r = await promisify(execFile)('bash', [SCRIPT, 'restart-server'], { env: { ...process.env, FACTORY_CLUSTER_DIR: dir }, timeout: 180_000 });
        return `${r.stdout}${r.stderr}`;
      } catch (err) {
        const e = err as { code?: number; stdout?: string; stderr?: string };
        throw new Error(`cluster.sh restart-server failed (${String(e.code)}):\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    },
    status: () => runScript(dir, ['status']),
    outputTail: () => tail,
    stop,
  };
}
