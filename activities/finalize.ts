// Seed steps 8–9 on the pipeline worker: the DecisionRecord written once, then finalize — the last
// events, summary.md/summary.json, and the freeze: a sha256 manifest of every file, files read-only.
import { readFile, writeFile } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { DecisionRecord } from '../core/decision-policy';
import type { PipelineGraph } from '../core/model';
import { renderRunGraph, RUN_GRAPH_FILE } from '../render';
import { FailureDomain, RECOVERY_RULES, type Checkpoint, type RunEnvelope, type RunEvent } from '../core/run-model';
import { sha256 } from '../definitions/load';
import { RUN_DIR_DIVERGED } from './errors';
import { FREEZE_MANIFEST, listFrozenFiles, fingerprint, setFileMode, syncFrozen, verifyRunDir, type FreezeManifest } from './freeze';
import { assertRecorded, flushRun, RUN_FILES } from './run-dir';
import { fsyncDirs, writeFileAtomic, writeFilesAtomic } from './atomic-files';
import { renderSummary, type RunSummary } from './summary';
import { runEvents } from './summary-story';

export { FREEZE_MANIFEST, LINEAGE_FILE, verifyRunDir, type FreezeManifest, type VerifyReport } from './freeze';

const GRAPH_ERROR_FILE = 'graph.error.txt';

/** Writes decision.json once: the same record again is a no-op, a different one a DECISION_FAILURE. */
export async function persistDecision(input: { runDir: string; record: DecisionRecord }): Promise<{ path: string; sha256: string }> {
  const path = join(input.runDir, 'decision.json');
  const text = `${JSON.stringify(input.record, null, 2)}\n`;
  if (existsSync(path)) {
    const existing = await readFile(path, 'utf8');
    if (existing === text) return { path, sha256: sha256(text) };
    throw ApplicationFailure.create({
      type: FailureDomain.decision,
      nonRetryable: true,
      message: `${FailureDomain.decision}: ${path} already holds a different decision and is never overwritten — recovery: ${RECOVERY_RULES.DECISION_FAILURE}`,
    });
  }
  await writeFile(path, text, { flag: 'wx' });
  return { path, sha256: sha256(text) };
}

export interface FinalizeInput {
  runDir: string;
  events: RunEvent[];
  checkpoint?: Checkpoint;
  envelope: RunEnvelope;
  summary: RunSummary;
  /** The pipeline, drawn into graph.svg with nodes coloured by stage status. */
  graph?: PipelineGraph;
}

/** Flushes the last events (run.completed included), writes the summary, freezes. Safe to retry. */
export async function finalizeRun(input: FinalizeInput): Promise<{ freezeDigest: string; files: number }> {
  const manifestPath = join(input.runDir, FREEZE_MANIFEST);
  if (existsSync(manifestPath)) {
    // a retry after the freeze is a no-op, but only when the frozen record is this run's and intact
    const report = await verifyRunDir(input.runDir, undefined, heartbeat);
    if (!report.ok) {
      const what = [...report.problems, ...report.modified.map((f) => `modified ${f}`), ...report.missing.map((f) => `missing ${f}`), ...report.added.map((f) => `added ${f}`)];
      throw ApplicationFailure.create({
        type: RUN_DIR_DIVERGED,
        nonRetryable: true,
        message: `${input.runDir} is frozen but no longer matches its freeze manifest (${what.slice(0, 5).join('; ')}); the workflow history is the record`,
      });
    }
    await assertRecorded(input.runDir, input.events);
    const text = readFileSync(manifestPath, 'utf8');
    const frozen = Object.keys((JSON.parse(text) as FreezeManifest).files);
    makeReadOnly(input.runDir, frozen); // a crash between the manifest and the read-only step left them writable
    return { freezeDigest: sha256(text), files: frozen.length };
  }
  makeWritable(input.runDir);
  // the last events and checkpoint go to disk while the summary and the picture are drawn (CPU); the
  // summary files and the picture are fsynced together: one wait, all durable before the manifest
  const flushing = flushRun({ runDir: input.runDir, events: input.events, envelope: input.envelope, ...(input.checkpoint ? { checkpoint: input.checkpoint } : {}) });
  flushing.catch(() => undefined); // awaited below; never an unhandled rejection while rendering
  const { json, markdown } = renderSummary(input.summary, runEvents(input.runDir, input.events));
  // temp file + rename: a symbolic link planted under these names is replaced, never followed
  const derived = [
    { file: join(input.runDir, 'summary.json'), data: `${JSON.stringify(json, null, 2)}\n` },
    { file: join(input.runDir, 'summary.md'), data: markdown },
  ];
  if (input.graph) derived.push(await drawGraph(input.runDir, input.graph, input.envelope));
  const [flushed, written] = await Promise.allSettled([flushing, writeFilesAtomic(derived)]);
  if (flushed.status === 'rejected') throw flushed.reason;
  if (written.status === 'rejected') throw written.reason;
  const files = listFrozenFiles(input.runDir);
  const manifest: FreezeManifest = { algorithm: 'sha256', runId: input.envelope.runId, files: {} };
  for (const file of files) {
    manifest.files[file] = await fingerprint(join(input.runDir, file));
    heartbeat();
  }
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  // what the manifest lists is durable before it is, names included; then the manifest (and its name)
  await syncFrozen(input.runDir, files, heartbeat);
  await writeFileAtomic(manifestPath, text);
  await fsyncDirs(input.runDir);
  // the manifest first, then read-only: a retry after a crash here finds the manifest and checks it
  makeReadOnly(input.runDir, files);
  return { freezeDigest: sha256(text), files: files.length };
}

/** graph.svg, or graph.error.txt saying why there is no picture: a picture must never block closure. */
async function drawGraph(runDir: string, graph: PipelineGraph, envelope: RunEnvelope): Promise<{ file: string; data: string }> {
  try {
    return { file: join(runDir, RUN_GRAPH_FILE), data: await renderRunGraph(graph, envelope, 'svg') };
  } catch (err) {
    return { file: join(runDir, GRAPH_ERROR_FILE), data: `graph.svg could not be rendered: ${err instanceof Error ? err.message : String(err)}\n` };
  }
}

/** 0444 on every frozen file and the manifest; a link is skipped (chmod would follow it out of the run). */
function makeReadOnly(runDir: string, files: readonly string[]): void {
  for (const file of [...files, FREEZE_MANIFEST]) setFileMode(join(runDir, file), () => 0o444);
}

/** Owner write back on the files finalize rewrites, so a retry after a partial freeze works for non-root workers. */
function makeWritable(runDir: string): void {
  for (const file of [RUN_FILES.events, RUN_FILES.checkpoint, RUN_FILES.envelope, 'summary.json', 'summary.md', RUN_GRAPH_FILE, GRAPH_ERROR_FILE]) {
    setFileMode(join(runDir, file), (mode) => mode | 0o200);
  }
}

/** Liveness for the activity's heartbeat timeout; a no-op outside an activity (tests, CLI). */
function heartbeat(): void {
  try {
    Context.current().heartbeat();
  } catch {
    // not in an activity
  }
}
