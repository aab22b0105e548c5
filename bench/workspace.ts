// Runs of their own (issue 21) on a 10,000-file base repository: creating a run's workspace (targets
// ≤ 1 s) and a one-file stage snapshot (≤ 200 ms), each against the plain git floor — `git worktree add`
// for creation, `git commit -a` for a snapshot — so the ratio shows what factory's bookkeeping costs.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { snapshotWorkspace } from '../activities/workspace/snapshot';
import { createWorkspace } from '../activities/workspace/workspace';
import { DEFAULT_BASE_LIMITS, plainBaseCauses } from '../activities/workspace/plain-base';
import { gitEnv } from '../activities/workspace/git';
import { interleaved, summarize } from './stats';
import type { Benchmark, BenchResult } from './types';

const FILES = 10_000;
const run = promisify(execFile);
const sh = (cwd: string, ...args: string[]) => run('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost', '-c', 'gc.auto=0', ...args], { cwd, env: gitEnv(), maxBuffer: 1 << 26 });

/** Milliseconds one call takes. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** A base repository of FILES small files in 100 directories, one commit, packed. */
async function makeBase(root: string): Promise<string> {
  const base = join(root, 'base');
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(base, `dir${d}`), { recursive: true });
    for (let f = 0; f < FILES / 100; f++) writeFileSync(join(base, `dir${d}`, `file${f}.txt`), `directory ${d} file ${f}\n`);
  }
  await sh(base, 'init', '--quiet');
  await sh(base, 'add', '--all');
  await sh(base, 'commit', '--quiet', '-m', 'base');
  // packed, as a real repository is (10,000 loose objects would also start a background gc)
  await sh(base, 'repack', '-a', '-d', '--quiet');
  await sh(base, 'prune-packed');
  return base;
}

/** Creation: createWorkspace (clone --local, checkout on factory/<runId>, record) vs `git worktree add`. */
export const workspaceCreateBenchmark: Benchmark = {
  name: 'workspace-create',
  description: `a run's workspace from a ${FILES.toLocaleString('en')}-file base repository (median of 10 after 1 warm-up, alternating with the floor) vs git worktree add`,
  async run(): Promise<BenchResult> {
    const root = mkdtempSync(join(tmpdir(), 'factory-bench-ws-'));
    try {
      const base = await makeBase(root);
      const floorBase = join(root, 'floor-base');
      await run('cp', ['-a', base, floorBase]);
      // once, not in the timing: the first snapshot after a checkout re-reads files the index cannot yet trust by their stat
      const first = await createWorkspace({ runId: 'first', runRoot: join(root, 'runs'), base: { path: base } });
      writeFileSync(join(first.dir, 'dir1', 'file1.txt'), 'first\n');
      const firstSnapshot = await timed(() => snapshotWorkspace(first, { runId: 'first', node: 'n', attempt: 1 }));
      let i = 0;
      let j = 0;
      const sides = await interleaved(
        { warmup: 1, runs: 10 },
        () => timed(() => createWorkspace({ runId: `bench-${i++}`, runRoot: join(root, 'runs'), base: { path: base } })),
        () => timed(() => sh(floorBase, 'worktree', 'add', '--quiet', '--detach', join(root, 'wt', `w${j++}`), 'HEAD')),
      );
      return {
        timing: summarize(sides.a),
        target: { stat: 'median', ms: 1000 },
        floor: { name: 'git worktree add --detach', timing: summarize(sides.b) },
        notes: [`${FILES} files in 100 directories, one commit, packed; runs alternate with the floor (ABBA)`, `the first snapshot after a creation (once, not in the timing): ${firstSnapshot.toFixed(0)} ms`],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

/** Snapshot: snapshotWorkspace after a one-file change vs `git commit -a` of the same change in a plain clone. */
export const workspaceSnapshotBenchmark: Benchmark = {
  name: 'workspace-snapshot',
  description: `a one-file stage snapshot in a ${FILES.toLocaleString('en')}-file workspace (median of 20 after 3 warm-ups, alternating with the floor) vs git commit -a`,
  async run(): Promise<BenchResult> {
    const root = mkdtempSync(join(tmpdir(), 'factory-bench-snap-'));
    try {
      const base = await makeBase(root);
      const ws = await createWorkspace({ runId: 'bench-snap', runRoot: join(root, 'runs'), base: { path: base } });
      const plain = join(root, 'plain');
      await run('git', ['clone', '--quiet', '--local', base, plain], { env: gitEnv() });
      let i = 0;
      let j = 0;
      const sides = await interleaved(
        { warmup: 3, runs: 20 },
        () => timed(async () => {
          writeFileSync(join(ws.dir, 'dir7', 'file7.txt'), `change ${i++}\n`);
          await snapshotWorkspace(ws, { runId: 'bench-snap', node: 'implement', attempt: 1 });
        }),
        () => timed(async () => {
          writeFileSync(join(plain, 'dir7', 'file7.txt'), `change ${j++}\n`);
          await sh(plain, 'commit', '--quiet', '-a', '-m', 'x');
        }),
      );
      return {
        timing: summarize(sides.a),
        target: { stat: 'median', ms: 200 },
        floor: { name: 'git commit -a', timing: summarize(sides.b) },
        notes: ['factory\'s snapshot also picks up new and deleted files (add --all), and records parent, tree and +/- lines'],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

/**
 * The no-change snapshot (a stage that wrote nothing: one `git status`, issue 21 follow-up) against a
 * one-file snapshot and the git floor (a bare `git status --porcelain` of the same workspace), each in the same loop,
 * rotated so all see the same load; also the path every stage took before (rev-parse, add --all, write-tree).
 */
export const workspaceUnchangedBenchmark: Benchmark = {
  name: 'workspace-snapshot-unchanged',
  description: `a stage snapshot when nothing changed in a ${FILES.toLocaleString('en')}-file workspace (median of 20 after 3 warm-ups, rotated with a one-file snapshot, the old path and the floor) vs git status --porcelain`,
  async run(): Promise<BenchResult> {
    const root = mkdtempSync(join(tmpdir(), 'factory-bench-unchanged-'));
    try {
      const base = await makeBase(root);
      const ws = await createWorkspace({ runId: 'bench-unchanged', runRoot: join(root, 'runs'), base: { path: base } });
      const at = ['-c', 'core.hooksPath=/dev/null', `--git-dir=${ws.gitDir}`, `--work-tree=${ws.dir}`];
      let i = 0;
      const cases: Record<'unchanged' | 'oneFile' | 'oldPath' | 'floor', () => Promise<unknown>> = {
        unchanged: () => snapshotWorkspace(ws, { runId: 'bench-unchanged', node: 'review', attempt: 1 }),
        oneFile: async () => {
          writeFileSync(join(ws.dir, 'dir7', 'file7.txt'), `change ${i++}\n`);
          await snapshotWorkspace(ws, { runId: 'bench-unchanged', node: 'implement', attempt: 1 });
        },
        oldPath: async () => {
          await run('git', [...at, 'rev-parse', 'HEAD', 'HEAD^{tree}'], { env: gitEnv() });
          await run('git', [...at, 'add', '--all', '--', '.'], { env: gitEnv(), cwd: ws.dir });
          await run('git', [...at, 'write-tree'], { env: gitEnv() });
        },
        floor: () => run('git', [...at, 'status', '--porcelain'], { env: gitEnv(), cwd: ws.dir }),
      };
      const names = Object.keys(cases) as (keyof typeof cases)[];
      const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof cases, number[]>;
      for (let round = 0; round < 23; round++) {
        const order = names.map((_, k) => names[(k + round) % names.length] as keyof typeof cases);
        for (const n of order) {
          const ms = await timed(cases[n]);
          if (round >= 3) samples[n].push(ms);
        }
      }
      const one = summarize(samples.oneFile);
      const old = summarize(samples.oldPath);
      return {
        timing: summarize(samples.unchanged),
        floor: { name: 'git status --porcelain (same workspace)', timing: summarize(samples.floor) },
        notes: [
          `one-file snapshot in the same loop: median ${one.median.toFixed(1)} ms, p95 ${one.p95.toFixed(1)} ms`,
          `the no-change path before (rev-parse, add --all, write-tree): median ${old.median.toFixed(1)} ms, p95 ${old.p95.toFixed(1)} ms`,
          `${FILES} files in 100 directories; the four cases rotate each round so they see the same load`,
        ],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

/** The plain-directory base check (size limits, one `find`) against the copy it guards (`cp -a` of the same base). */
export const workspacePlainGuardBenchmark: Benchmark = {
  name: 'workspace-plain-guard',
  description: `the size check of a ${FILES.toLocaleString('en')}-file plain-directory base before it is copied (median of 10 after 1 warm-up, alternating with the floor) vs cp -a of the same base`,
  async run(): Promise<BenchResult> {
    const root = mkdtempSync(join(tmpdir(), 'factory-bench-guard-'));
    try {
      const base = join(root, 'base');
      for (let d = 0; d < 100; d++) {
        mkdirSync(join(base, `dir${d}`), { recursive: true });
        for (let f = 0; f < FILES / 100; f++) writeFileSync(join(base, `dir${d}`, `file${f}.txt`), `directory ${d} file ${f}\n`);
      }
      let j = 0;
      const sides = await interleaved(
        { warmup: 1, runs: 10 },
        () => timed(async () => {
          const causes = await plainBaseCauses(base, join(root, 'runs'), DEFAULT_BASE_LIMITS);
          if (causes.length) throw new Error(causes.join('; '));
        }),
        () => timed(() => run('cp', ['-a', '--', `${base}/.`, `${join(root, `copy${j++}`)}/`])),
      );
      return {
        timing: summarize(sides.a),
        floor: { name: 'cp -a of the same base', timing: summarize(sides.b) },
        notes: [`${FILES} files in 100 directories, no git; the check counts entries and bytes with one find and stops at a limit`],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
