// Boot phase 4, Run Create: allocate the run directory and seed it with run.json (envelope),
// manifest.json (Attractor §5.6), checkpoint.json and events.jsonl. Safe to retry. Also loadRun, its
// inverse, for resuming a run from its directory.

import { closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fieldPath, runEnvelope } from '../core/contracts';
import type { PipelineGraph } from '../core/model';
import type { Checkpoint, RunEnvelope } from '../core/run-model';
import { bootFailure } from './errors';
import { FREEZE_MANIFEST } from './finalize';
import { flushRun, repairTailAndReadLastSeq, RUN_FILES } from './run-dir';
import { fsyncDirs, writeJsonAtomic } from './atomic-files';
import { checkpointSigned, runKey } from './signing';
import type { WorkspaceRecord } from '../core/workspace';
import { createWorkspace } from './workspace/workspace';
import type { CreateRunInput, CreateRunResult, LoadedRun, LoadRunInput } from './types';

/** The run directory's record of its workspace and pinned base (frozen with the run; `factory diff` reads it). */
export const WORKSPACE_FILE = 'workspace.json';

/** manifest.json: what ran, with which inputs, from when. */
export interface RunManifest {
  name: string;
  runId: string;
  workflowId: string;
  pipeline: { id: string; version: string };
  profile: { id: string; version: string };
  suite?: { id: string; version: string; count: number };
  goal: string;
  startTime: string;
  digests: RunEnvelope['digests'];
  nodes: number;
  edges: number;
}

/** Creates (or, on retry, completes) the run directory; refuses a directory that holds another run. */
export async function createRun(input: CreateRunInput): Promise<CreateRunResult> {
  const { envelope } = input;
  const runDir = resolve(input.runDir ?? join(input.runRoot, runDirName(envelope.runId)));
  const existing = await readJson<RunEnvelope>(join(runDir, RUN_FILES.envelope));
  const frozen = existing !== undefined && (await readJson(join(runDir, FREEZE_MANIFEST))) !== undefined;
  // a retry of this very creation carries the same envelope (createdAt is the workflow's start time);
  // anything else there is another run, finished or not, and a run id names one run forever
  if (existing && (frozen || existing.runId !== envelope.runId || existing.createdAt !== envelope.createdAt || existing.workflowId !== envelope.workflowId)) {
    throw bootFailure('run create', [takenRunDirText(runDir, existing, frozen)]);
  }
  // the workspace first: a dirty base or an unknown ref is a BOOT_FAILURE before any run file exists
  const workspace = input.workspace ? await createWorkspace({ runId: envelope.runId, runRoot: resolve(input.runRoot), base: input.workspace }) : undefined;
  try {
    const created = mkdirSync(runDir, { recursive: true });
    // the run's files, and the directories mkdir created, exist after an OS crash (not only their bytes):
    // the parents' entries are final now, the run directory's once the flush has renamed its files in
    const [, ...parents] = createdDirs(runDir, created);
    // manifest.json restates run.json's ids and digests plus the graph's size; recovery never reads it and
    // a retry rewrites it: atomic but not fsynced (run-dir Durability), beside the run's first flush
    const written = await Promise.allSettled([
      fsyncDirs(...parents),
      writeJsonAtomic(join(runDir, RUN_FILES.manifest), runManifest(envelope, input.graph), 'derived'),
      flushRun({ runDir, events: input.events, checkpoint: input.checkpoint, envelope: { ...envelope, runDir, ...(workspace ? { workspace } : {}) } }),
      ...(workspace ? [writeJsonAtomic(join(runDir, WORKSPACE_FILE), workspace)] : []),
    ]);
    const failed = written.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) throw failed.reason;
    await fsyncDirs(runDir);
  } catch (err) {
    const cause = await unwritable(err, runDir);
    if (cause) throw bootFailure('run create', [cause]);
    throw err;
  }
  return { runDir, ...(workspace ? { workspace } : {}) };
}

/** Why a run directory cannot take a new run: the run it holds, and whether that one is finished and frozen. */
export function takenRunDirText(runDir: string, holder: Pick<RunEnvelope, 'runId' | 'createdAt' | 'status'> & { outcome?: string }, frozen: boolean): string {
  const what = frozen ? `finished run ${holder.runId} (outcome ${holder.outcome ?? 'unknown'}, frozen)` : `run ${holder.runId} (started ${holder.createdAt}, status ${holder.status})`;
  return `run directory ${runDir} already holds ${what}; a run id and its directory name one run forever: choose another run id or run directory (\`factory rerun\` starts a linked new run)`;
}

/** The run directory and every parent whose entry this creation added (mkdir's first created directory up). */
export function createdDirs(runDir: string, firstCreated: string | undefined): string[] {
  const dirs = [runDir, dirname(runDir)];
  for (let d = dirname(runDir); firstCreated !== undefined && d !== dirname(d) && d.length >= firstCreated.length; d = dirname(d)) {
    dirs.push(dirname(d));
  }
  return [...new Set(dirs)];
}

const WHY: Record<string, string> = {
  EROFS: 'is on a read-only file system',
  EACCES: 'is not writable by this worker (permission denied)',
  EPERM: 'is not writable by this worker (operation not permitted)',
  ENOTDIR: 'is a file, not a directory',
  ENOSPC: 'is on a full disk',
  EDQUOT: 'is over its disk quota',
};

/**
 * Filesystem errors retrying cannot fix, as a cause naming the path; undefined for anything else.
 * A recursive mkdir on a read-only file system reports ENOENT, so the nearest existing ancestor is
 * checked for what really stops it.
 */
async function unwritable(err: unknown, runDir: string): Promise<string | undefined> {
  const e = err as { code?: string; path?: string };
  let code = e.code;
  let path = e.path ?? runDir;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    let dir = runDir;
    while (dirname(dir) !== dir && !(await stat(dir).catch(() => undefined))) dir = dirname(dir);
    const st = await stat(dir).catch(() => undefined);
    path = dir;
    if (st && !st.isDirectory()) code = 'ENOTDIR';
    else code = await access(dir, constants.W_OK).then(() => code, (a: { code?: string }) => a.code ?? code);
  }
  const reason = code ? WHY[code] : undefined;
  if (!reason) return undefined;
  return `run directory ${runDir} cannot be created: ${path} ${reason} (${code}); set environment.run_root in the profile to a writable directory`;
}

/** Reads a run directory back (envelope, checkpoint, last event seq) to resume it. */
export async function loadRun(input: LoadRunInput): Promise<LoadedRun> {
  const runDir = resolve(input.runDir);
  const envelope = await readJson<RunEnvelope>(join(runDir, RUN_FILES.envelope));
  const checkpoint = await readJson<Checkpoint>(join(runDir, RUN_FILES.checkpoint));
  const causes = [
    ...(envelope ? [] : [`${join(runDir, RUN_FILES.envelope)} is missing or unreadable`]),
    ...(checkpoint ? [] : [`${join(runDir, RUN_FILES.checkpoint)} is missing or unreadable`]),
  ];
  if (!envelope || !checkpoint) throw bootFailure('run load', causes);
  // run.json is not signed: a hand-edited one must stop here, not as a workflow task failing on replay
  const shape = runEnvelope.safeParse(envelope);
  if (!shape.success) {
    throw bootFailure('run load', shape.error.issues.map((i) => `${join(runDir, RUN_FILES.envelope)}: ${fieldPath(i.path)}: ${i.message}; resume does not trust it: start a rerun instead`));
  }
  if (!checkpointSigned(envelope.runId, checkpoint)) {
    throw bootFailure('run load', [
      `${join(runDir, RUN_FILES.checkpoint)} is not signed by this deployment's run key (${runKey().source}): it was edited, copied from another run, or written by a worker with another key; ` +
        'resume does not trust it. Start a rerun instead, or resume with the FACTORY_RUN_KEY of the workers that wrote it',
    ]);
  }
  // a finalized run is frozen (sha256 manifest, read-only): resuming it would write past its freeze
  if (await readJson(join(runDir, FREEZE_MANIFEST))) {
    throw bootFailure('run load', [
      `run ${envelope.runId} in ${runDir} was finalized (outcome ${envelope.outcome ?? 'unknown'}) and its files are frozen; only an interrupted run can be resumed: start a rerun instead`,
    ]);
  }
  const workspace = await readJson<WorkspaceRecord>(join(runDir, WORKSPACE_FILE));
  return { envelope, checkpoint, lastSeq: await repairTailAndReadLastSeq(join(runDir, RUN_FILES.events)), ...(workspace ? { workspace } : {}) };
}

/** The manifest for a new run (pure: a retry writes the same bytes). */
export function runManifest(envelope: RunEnvelope, graph: PipelineGraph): RunManifest {
  return {
    name: graph.label || graph.id,
    runId: envelope.runId,
    workflowId: envelope.workflowId,
    pipeline: envelope.pipeline,
    profile: envelope.profile,
    ...(envelope.suite ? { suite: envelope.suite } : {}),
    goal: graph.goal,
    startTime: envelope.createdAt,
    digests: envelope.digests,
    nodes: graph.nodes.length,
    edges: graph.edges.length,
  };
}

/** A run id as a directory name: itself when safe, else URI-encoded (no `/`, no `..`). */
export function runDirName(runId: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(runId) ? runId : encodeURIComponent(runId).replace(/\./g, '%2E');
}

// synchronous (a busy worker's thread-pool calls each wait for an event-loop turn: BENCHMARKS.md, issue
// 12); opened non-blocking and read only when a regular file, so a FIFO planted under the name never blocks
async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!fstatSync(fd).isFile()) return undefined;
      return JSON.parse(readFileSync(fd, 'utf8')) as T;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
