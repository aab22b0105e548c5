// The freeze's file rules (issue 12, third pass): synchronous hashing with O_NOFOLLOW opens, large files
// hashed in chunks, a retry after a partial freeze still verifies and ends read-only, graph.svg written
// by temp file + rename (a planted link is replaced, never followed), the summary files staged together.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finalizeRun, FREEZE_MANIFEST, verifyRunDir } from '../../activities/finalize';
import { fingerprint, SYNC_HASH_LIMIT, syncFrozen } from '../../activities/freeze';
import { fsyncDirs, writeFilesAtomic } from '../../activities/atomic-files';
import { createdDirs } from '../../activities/run-create';
import type { PipelineGraph } from '../../core/model';
import { renderRunGraph } from '../../render';
import { featureGraph } from '../render/fixtures';
import { envelope, tempDir } from './helpers';

const created = { seq: 1, type: 'run.created' as const, runId: 'run-1', at: 't', data: {} };
const completed = { seq: 2, type: 'run.completed' as const, runId: 'run-1', at: 't', data: {} };

describe('the freeze', () => {
  let dir: string;
  let outside: string;
  let cleanup: () => Promise<void>;
  let cleanOutside: () => Promise<void>;
  let graph: PipelineGraph;
  beforeAll(async () => {
    graph = await featureGraph();
  });
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('factory-freeze-'));
    ({ dir: outside, cleanup: cleanOutside } = await tempDir('factory-outside-'));
    mkdirSync(join(dir, 'plan'));
    writeFileSync(join(dir, 'plan', 'status.json'), '{"outcome":"success"}\n');
  });
  afterEach(async () => {
    for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) if (lstatSync(join(dir, f)).isFile()) chmodSync(join(dir, f), 0o644);
    await cleanup();
    await cleanOutside();
  });
  const finalize = (withGraph = false) =>
    finalizeRun({ runDir: dir, events: [created, completed], envelope: { ...envelope('run-1'), lastSeq: 2 }, summary: { envelope: envelope('run-1') }, ...(withGraph ? { graph } : {}) });

  it('hashes a file larger than the synchronous limit in chunks to the sha256 of its bytes, and verify catches a change in its last byte', async () => {
    const big = Buffer.alloc(SYNC_HASH_LIMIT * 2 + 123, 7);
    writeFileSync(join(dir, 'plan', 'output.log'), big);
    await expect(fingerprint(join(dir, 'plan', 'output.log'))).resolves.toBe(createHash('sha256').update(big).digest('hex'));
    const { freezeDigest } = await finalize();
    chmodSync(join(dir, 'plan', 'output.log'), 0o644);
    big[big.length - 1] = 8;
    writeFileSync(join(dir, 'plan', 'output.log'), big);
    await expect(verifyRunDir(dir, freezeDigest)).resolves.toMatchObject({ ok: false, modified: ['plan/output.log'] });
  });

  it('reports a frozen file replaced by a FIFO as modified without blocking on it', async () => {
    const { freezeDigest } = await finalize();
    chmodSync(join(dir, 'plan', 'status.json'), 0o644);
    unlinkSync(join(dir, 'plan', 'status.json'));
    execFileSync('mkfifo', [join(dir, 'plan', 'status.json')]);
    await expect(verifyRunDir(dir, freezeDigest)).resolves.toMatchObject({ ok: false, modified: ['plan/status.json'] });
  });

  it('ends read-only with the same digest when retried after a crash between the manifest and the read-only step', async () => {
    const first = await finalize();
    for (const f of ['events.jsonl', 'summary.md', 'plan/status.json', FREEZE_MANIFEST]) chmodSync(join(dir, f), 0o644);
    await expect(finalize()).resolves.toEqual(first);
    for (const f of ['events.jsonl', 'summary.md', 'plan/status.json', FREEZE_MANIFEST]) expect(statSync(join(dir, f)).mode & 0o222).toBe(0);
    await expect(verifyRunDir(dir, first.freezeDigest)).resolves.toMatchObject({ ok: true });
  });

  it('freezes again to the same digest when retried after the manifest was lost with the files already read-only', async () => {
    const first = await finalize(true);
    unlinkSync(join(dir, FREEZE_MANIFEST));
    await expect(finalize(true)).resolves.toEqual(first);
    await expect(verifyRunDir(dir, first.freezeDigest)).resolves.toMatchObject({ ok: true });
  });

  it('writes graph.svg as the same bytes as a fresh render, replacing a planted link without writing through it', async () => {
    writeFileSync(join(outside, 'victim.svg'), 'precious\n');
    symlinkSync(join(outside, 'victim.svg'), join(dir, 'graph.svg'));
    const { freezeDigest } = await finalize(true);
    expect(readFileSync(join(outside, 'victim.svg'), 'utf8')).toBe('precious\n');
    expect(statSync(join(outside, 'victim.svg')).mode & 0o200).not.toBe(0);
    expect(lstatSync(join(dir, 'graph.svg')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(dir, 'graph.svg'), 'utf8')).toBe(await renderRunGraph(graph, { ...envelope('run-1'), lastSeq: 2 }));
    await expect(verifyRunDir(dir, freezeDigest)).resolves.toMatchObject({ ok: true });
  });

  it('renames none of several files and leaves no temp file when one of them cannot be staged', async () => {
    writeFileSync(join(dir, 'summary.md'), 'old\n');
    const files = [
      { file: join(dir, 'summary.md'), data: 'new\n' },
      { file: join(dir, 'gone', 'graph.svg'), data: '<svg/>' },
    ];
    await expect(writeFilesAtomic(files)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toBe('old\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(dir, 'gone'))).toBe(false);
  });
});

describe('durability of the frozen set', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('factory-sync-')));
  afterEach(() => cleanup());

  it('syncs every listed file and directory, leaving a link as it is (never followed) when the set holds one', async () => {
    mkdirSync(join(dir, 'plan'));
    writeFileSync(join(dir, 'plan', 'response.md'), 'done');
    writeFileSync(join(dir, 'summary.json'), '{}');
    symlinkSync('/etc/passwd', join(dir, 'plan', 'escape'));
    let files = 0;
    await syncFrozen(dir, ['plan/escape', 'plan/response.md', 'summary.json'], () => files++);
    expect(files).toBe(2);
    expect(lstatSync(join(dir, 'plan', 'escape')).isSymbolicLink()).toBe(true);
  });

  it('refuses, without blocking, when a FIFO sits under a listed name', async () => {
    execFileSync('mkfifo', [join(dir, 'status.json')]);
    await expect(syncFrozen(dir, ['status.json'])).rejects.toThrow(/neither a regular file nor a symbolic link/);
  });

  it('fsyncs directories only: a file given as a directory is an ENOTDIR', async () => {
    writeFileSync(join(dir, 'file'), 'x');
    await expect(fsyncDirs(dir)).resolves.toBeUndefined();
    await expect(fsyncDirs(join(dir, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('names the run directory, its parent and every parent mkdir created for the directory fsyncs of a new run', () => {
    expect(createdDirs('/r/runs/a/run-1', '/r/runs')).toEqual(['/r/runs/a/run-1', '/r/runs/a', '/r/runs', '/r']);
    expect(createdDirs('/r/runs/run-1', '/r/runs/run-1')).toEqual(['/r/runs/run-1', '/r/runs']);
    expect(createdDirs('/r/runs/run-1', undefined)).toEqual(['/r/runs/run-1', '/r/runs']);
  });
});
