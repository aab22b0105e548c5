import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FREEZE_MANIFEST, finalizeRun, persistDecision, verifyRunDir } from '../../activities/finalize';
import type { DecisionRecord } from '../../core/decision-policy';
import { envelope } from './helpers';

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'factory-final-'));
  mkdirSync(join(dir, 'plan'));
  writeFileSync(join(dir, 'plan', 'status.json'), '{"outcome":"success"}\n');
  return dir;
}

const record = (decision: 'approved' | 'rejected'): DecisionRecord => ({
  runId: 'run-1',
  decision,
  mode: 'auto',
  by: 'factory',
  at: '2026-01-01T00:00:00.000Z',
  reason: 'r',
  evidence: { digests: { profile: 'p', pipeline: 'q' }, checks: [], gates: [] },
});

const event = (seq: number, type: 'run.created' | 'run.completed') => ({ seq, type, runId: 'run-1', at: '2026-01-01T00:00:00.000Z', data: {} });

describe('persistDecision', () => {
  it('writes decision.json once and accepts the same record again when retried', async () => {
    const dir = runDir();
    await persistDecision({ runDir: dir, record: record('approved') });
    await expect(persistDecision({ runDir: dir, record: record('approved') })).resolves.toMatchObject({ path: join(dir, 'decision.json') });
    expect(JSON.parse(readFileSync(join(dir, 'decision.json'), 'utf8')).decision).toBe('approved');
  });

  it('refuses a different decision with a DECISION_FAILURE and never overwrites', async () => {
    const dir = runDir();
    await persistDecision({ runDir: dir, record: record('approved') });
    await expect(persistDecision({ runDir: dir, record: record('rejected') })).rejects.toMatchObject({ type: 'DECISION_FAILURE', nonRetryable: true });
    expect(JSON.parse(readFileSync(join(dir, 'decision.json'), 'utf8')).decision).toBe('approved');
  });
});

describe('finalizeRun and verifyRunDir', () => {
  const finalize = (dir: string) =>
    finalizeRun({ runDir: dir, events: [event(1, 'run.created'), event(2, 'run.completed')], envelope: { ...envelope('run-1'), lastSeq: 2 }, summary: { envelope: envelope('run-1') } });

  it('freezes every file with a sha256 manifest, read-only, after writing the summary and the last events', async () => {
    const dir = runDir();
    const { freezeDigest, files } = await finalize(dir);
    expect(freezeDigest).toMatch(/^[0-9a-f]{64}$/);
    const manifest = JSON.parse(readFileSync(join(dir, FREEZE_MANIFEST), 'utf8'));
    expect(Object.keys(manifest.files)).toEqual(expect.arrayContaining(['events.jsonl', 'plan/status.json', 'run.json', 'summary.json', 'summary.md']));
    expect(Object.keys(manifest.files)).toHaveLength(files);
    expect(statSync(join(dir, 'summary.md')).mode & 0o222).toBe(0);
    expect(readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').pop()).toContain('run.completed');
    await expect(verifyRunDir(dir, freezeDigest)).resolves.toMatchObject({ ok: true, files });
  });

  it('returns the same digest when finalize is retried', async () => {
    const dir = runDir();
    const first = await finalize(dir);
    await expect(finalize(dir)).resolves.toEqual(first);
  });

  it('reports modified, missing and added files when the frozen directory changed', async () => {
    const dir = runDir();
    const { freezeDigest } = await finalize(dir);
    chmodSync(join(dir, 'summary.md'), 0o644);
    writeFileSync(join(dir, 'summary.md'), 'tampered');
    writeFileSync(join(dir, 'extra.txt'), 'new');
    const report = await verifyRunDir(dir, freezeDigest);
    expect(report).toMatchObject({ ok: false, modified: ['summary.md'], added: ['extra.txt'] });
    await expect(verifyRunDir(dir, 'f'.repeat(64))).resolves.toMatchObject({ ok: false, problems: [expect.stringMatching(/differs from the recorded/)] });
  });

  it('fails verification when the run was never finalized', async () => {
    await expect(verifyRunDir(runDir())).resolves.toMatchObject({ ok: false, problems: [expect.stringMatching(/not finalized/)] });
  });
});
