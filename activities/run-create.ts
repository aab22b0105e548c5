// Boot phase 4, Run Create: allocate the run directory and seed it with run.json (envelope),
// manifest.json (Attractor §5.6), checkpoint.json and events.jsonl. Safe to retry. Also loadRun, its
// inverse, for resuming a run from its directory.

import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PipelineGraph } from '../core/model';
import type { Checkpoint, RunEnvelope } from '../core/run-model';
import { bootFailure } from './errors';
import { FREEZE_MANIFEST } from './finalize';
import { flushRun, repairTailAndReadLastSeq, RUN_FILES, writeJsonAtomic } from './run-dir';
import type { CreateRunInput, CreateRunResult, LoadedRun, LoadRunInput } from './types';

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
  if (existing && existing.runId !== envelope.runId) {
    throw bootFailure('run create', [`run directory ${runDir} already holds run ${existing.runId}; choose another run directory or run id`]);
  }
  await mkdir(runDir, { recursive: true });
  await writeJsonAtomic(join(runDir, RUN_FILES.manifest), runManifest(envelope, input.graph));
  await flushRun({ runDir, events: input.events, checkpoint: input.checkpoint, envelope: { ...envelope, runDir } });
  return { runDir };
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
  // a finalized run is frozen (sha256 manifest, read-only): resuming it would write past its freeze
  if (await readJson(join(runDir, FREEZE_MANIFEST))) {
    throw bootFailure('run load', [
      `run ${envelope.runId} in ${runDir} was finalized (outcome ${envelope.outcome ?? 'unknown'}) and its files are frozen; only an interrupted run can be resumed: start a rerun instead`,
    ]);
  }
  return { envelope, checkpoint, lastSeq: await repairTailAndReadLastSeq(join(runDir, RUN_FILES.events)) };
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

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
