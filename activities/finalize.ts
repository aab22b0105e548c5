// Seed steps 8–9 on the pipeline worker: the DecisionRecord written once, then finalize — the last
// events, summary.md/summary.json, and the freeze: a sha256 manifest of every file, files read-only.
import { chmod, lstat, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { DecisionRecord } from '../core/decision-policy';
import type { PipelineGraph } from '../core/model';
import { writeRunGraph } from '../render';
import { FailureDomain, RECOVERY_RULES, type Checkpoint, type RunEnvelope, type RunEvent } from '../core/run-model';
import { sha256 } from '../definitions/load';
import { RUN_DIR_DIVERGED } from './errors';
import { assertRecorded, flushRun, RUN_FILES, writeFileAtomic } from './run-dir';
import { renderSummary, type RunSummary } from './summary';

/** The freeze manifest's file name; it lists every other file of the run directory. */
export const FREEZE_MANIFEST = 'artifacts.sha256.json';
/** Lineage written after the freeze (reruns of this run); not part of the frozen set. */
export const LINEAGE_FILE = 'lineage.json';

const UNFROZEN = new Set([FREEZE_MANIFEST, LINEAGE_FILE, 'events.jsonl.lock']);

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
    const report = await verifyRunDir(input.runDir);
    if (!report.ok) {
      const what = [...report.problems, ...report.modified.map((f) => `modified ${f}`), ...report.missing.map((f) => `missing ${f}`), ...report.added.map((f) => `added ${f}`)];
      throw ApplicationFailure.create({
        type: RUN_DIR_DIVERGED,
        nonRetryable: true,
        message: `${input.runDir} is frozen but no longer matches its freeze manifest (${what.slice(0, 5).join('; ')}); the workflow history is the record`,
      });
    }
    await assertRecorded(input.runDir, input.events);
    const text = await readFile(manifestPath, 'utf8');
    return { freezeDigest: sha256(text), files: Object.keys((JSON.parse(text) as FreezeManifest).files).length };
  }
  await makeWritable(input.runDir);
  await flushRun({ runDir: input.runDir, events: input.events, envelope: input.envelope, ...(input.checkpoint ? { checkpoint: input.checkpoint } : {}) });
  const { json, markdown } = renderSummary(input.summary);
  // temp file + rename: a symbolic link planted under these names is replaced, never followed
  await writeFileAtomic(join(input.runDir, 'summary.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFileAtomic(join(input.runDir, 'summary.md'), markdown);
  if (input.graph) {
    try {
      await writeRunGraph(input.runDir, input.graph, input.envelope);
    } catch (err) {
      // a picture must never block closure: say why it is missing, in the frozen set
      await writeFileAtomic(join(input.runDir, 'graph.error.txt'), `graph.svg could not be rendered: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  const files = await listFiles(input.runDir);
  const manifest: FreezeManifest = { algorithm: 'sha256', runId: input.envelope.runId, files: {} };
  for (const file of files) {
    manifest.files[file] = await fingerprint(join(input.runDir, file));
    heartbeat();
  }
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  // the manifest first, then read-only: a retry after a crash here finds the manifest and checks it
  await writeFileAtomic(manifestPath, text);
  for (const file of [...files, FREEZE_MANIFEST]) {
    const path = join(input.runDir, file);
    if (!(await lstat(path)).isSymbolicLink()) await chmod(path, 0o444); // chmod would follow a link
  }
  return { freezeDigest: sha256(text), files: files.length };
}

/** Owner write back on the files finalize rewrites, so a retry after a partial freeze works for non-root workers. */
async function makeWritable(runDir: string): Promise<void> {
  for (const file of [RUN_FILES.events, RUN_FILES.checkpoint, RUN_FILES.envelope, 'summary.json', 'summary.md', 'graph.svg', 'graph.error.txt']) {
    const path = join(runDir, file);
    const st = await lstat(path).catch(() => undefined);
    if (st?.isFile() && (st.mode & 0o200) === 0) await chmod(path, (st.mode & 0o777) | 0o200);
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

export interface FreezeManifest {
  algorithm: 'sha256';
  runId: string;
  /** Run-directory-relative path (forward slashes) → sha256. */
  files: Record<string, string>;
}

export interface VerifyReport {
  ok: boolean;
  freezeDigest?: string;
  files: number;
  modified: string[];
  missing: string[];
  added: string[];
  problems: string[];
}

/** Checks a run directory against its freeze manifest (and the envelope's digest when given). */
export async function verifyRunDir(runDir: string, expectedDigest?: string): Promise<VerifyReport> {
  const report: VerifyReport = { ok: false, files: 0, modified: [], missing: [], added: [], problems: [] };
  const manifestPath = join(runDir, FREEZE_MANIFEST);
  if (!existsSync(manifestPath)) {
    report.problems.push(`no ${FREEZE_MANIFEST}: the run was not finalized`);
    return report;
  }
  const text = await readFile(manifestPath, 'utf8');
  report.freezeDigest = sha256(text);
  if (expectedDigest && expectedDigest !== report.freezeDigest) {
    report.problems.push(`freeze manifest digest ${report.freezeDigest} differs from the recorded ${expectedDigest}`);
  }
  const manifest = JSON.parse(text) as FreezeManifest;
  const listed = Object.keys(manifest.files);
  report.files = listed.length;
  for (const file of listed) {
    const path = join(runDir, file);
    if (!(await lstat(path).catch(() => undefined))) report.missing.push(file);
    else if ((await fingerprint(path)) !== manifest.files[file]) report.modified.push(file);
  }
  const present = await listFiles(runDir);
  report.added = present.filter((f) => !(f in manifest.files));
  report.ok = report.problems.length === 0 && report.modified.length === 0 && report.missing.length === 0 && report.added.length === 0;
  return report;
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(root, path)));
    else if (entry.isSymbolicLink() || entry.isFile()) {
      // a symbolic link is frozen as its target text: never followed out of the run directory
      const rel = relative(root, path).split(sep).join('/');
      if (!UNFROZEN.has(rel)) out.push(rel);
    }
  }
  return out.sort();
}

/** sha256 of a file's bytes, or of `symlink:<target>` for a symbolic link (whose target is never read). */
async function fingerprint(path: string): Promise<string> {
  const st = await lstat(path);
  return st.isSymbolicLink() ? sha256(`symlink:${await readlink(path)}`) : sha256(await readFile(path));
}
