// Processes `factory run` manages in embedded mode: the scenario worker runs as a SEPARATE process
// (holdout isolation: scenario bodies never enter the pipeline worker's process), its output to a log file;
// it is guarded like the dev server, so it never outlives `factory run`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { guardChild } from '../infra/process-guard';
import type { CliIO } from './context';
import { projectRoot } from '../infra/project-root';

/** How long the scenario worker may take to stop after SIGTERM before it is SIGKILLed. */
const STOP_GRACE_MS = 10_000;

export interface ScenarioWorkerProcess {
  pid: number;
  log: string;
  stop(): Promise<void>;
}

/** Spawns `factory scenario-worker` with its own scenarios root; output goes to .factory/scenario-worker.log. */
export function startScenarioWorkerProcess(
  io: CliIO,
  opts: { address: string; namespace: string; taskQueue: string; scenariosRoot: string },
): ScenarioWorkerProcess {
  const dir = join(io.cwd, '.factory');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'scenario-worker.log');
  const fd = openSync(log, 'a');
  const bin = join(projectRoot(), 'bin', 'factory');
  const args = [bin, 'scenario-worker', '--address', opts.address, '--namespace', opts.namespace, '--task-queue', opts.taskQueue, '--scenarios-root', opts.scenariosRoot];
  const child = spawn(process.execPath, args, { stdio: ['ignore', fd, fd], cwd: io.cwd, env: { ...process.env } });
  // dies with this process, even when it is SIGKILLed (the dev server's guard: hooks plus a watchdog)
  const guard = child.pid !== undefined ? guardChild(child, { graceMs: STOP_GRACE_MS, marker: 'scenario-worker' }) : undefined;
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      guard?.release();
      r();
    }),
  );
  return {
    pid: child.pid ?? -1,
    log,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Appends a rerun to the old run's lineage.json (kept outside its frozen set, see activities/finalize.ts). */
export function recordLineage(oldRunDir: string, oldRunId: string, newRunId: string): void {
  const file = join(oldRunDir, 'lineage.json');
  const lineage = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { runId: string; reruns: { runId: string; at: string }[] }) : { runId: oldRunId, reruns: [] };
  lineage.reruns.push({ runId: newRunId, at: new Date().toISOString() });
  writeFileSync(file, `${JSON.stringify(lineage, null, 2)}\n`);
}
