import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createActivities } from '../../activities';
import { createDefaultHandlers } from '../../activities/handlers';
import { readEvents, RUN_FILES } from '../../activities/run-dir';
import { createRun, loadRun, runDirName } from '../../activities/run-create';
import type { PipelineGraph } from '../../core/model';
import { bootCauses, checkpoint, envelope, event, events, failureOf, node, tempDir } from './helpers';

/** Whether this process may mount a tmpfs (root in a container that allows it; CI as root does). */
function canMount(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'factory-mount-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const graph: PipelineGraph = {
  id: 'demo',
  version: '1.0.0',
  goal: 'Say hello',
  label: 'Demo pipeline',
  model_stylesheet: '',
  capabilities: [],
  exports: [],
  attrs: {},
  nodes: [node('start', { type: 'start' }), node('work'), node('exit', { type: 'exit' })],
  edges: [],
};

describe('createRun', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  const input = (extra = {}) => ({ envelope: envelope('run-7'), graph, checkpoint: checkpoint(), events: [event(1, 'run.created')], runRoot: join(dir, 'runs'), ...extra });

  it('allocates <run_root>/<runId> with run.json, manifest.json, checkpoint.json and events.jsonl', async () => {
    const { runDir } = await createRun(input());
    expect(runDir).toBe(join(dir, 'runs', 'run-7'));
    expect((await readdir(runDir)).sort()).toEqual(['checkpoint.json', 'events.jsonl', 'manifest.json', 'run.json']);
    const run = JSON.parse(await readFile(join(runDir, RUN_FILES.envelope), 'utf8'));
    expect(run).toMatchObject({ runId: 'run-7', status: 'booting', runDir });
    const manifest = JSON.parse(await readFile(join(runDir, RUN_FILES.manifest), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'Demo pipeline',
      runId: 'run-7',
      pipeline: { id: 'demo', version: '1.0.0' },
      goal: 'Say hello',
      startTime: '2024-01-01T00:00:00.000Z',
      digests: { profile: 'p'.repeat(64), pipeline: 'q'.repeat(64) },
    });
    expect((await readEvents(runDir)).map((e) => e.type)).toEqual(['run.created']);
  });

  it('fails with a BOOT_FAILURE naming the path when the run root runs through a file', async () => {
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const f = await failureOf(createRun(input({ runRoot: join(dir, 'not-a-dir', 'runs') })));
    expect(f.type).toBe('BOOT_FAILURE');
    expect(f.nonRetryable).toBe(true);
    expect(bootCauses(f).join('\n')).toMatch(/not-a-dir.*a file, not a directory \(ENOTDIR\).*run_root/);
  });

  (canMount() ? it : it.skip)('fails with a BOOT_FAILURE naming the read-only path when the run root is on a read-only file system', async () => {
    const ro = join(dir, 'ro');
    await mkdir(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
    try {
      const f = await failureOf(createRun(input({ runRoot: join(ro, 'runs') })));
      expect(f.type).toBe('BOOT_FAILURE');
      expect(bootCauses(f).join('\n')).toMatch(new RegExp(`${ro}.*read-only file system \\(EROFS\\)`));
    } finally {
      execFileSync('umount', [ro]);
    }
  });

  it('writes nothing twice when the activity is retried', async () => {
    await createRun(input());
    const { runDir } = await createRun(input());
    expect(await readEvents(runDir)).toHaveLength(1);
  });

  it('uses the explicit run directory when one is given', async () => {
    const { runDir } = await createRun(input({ runDir: join(dir, 'mine') }));
    expect(runDir).toBe(join(dir, 'mine'));
  });

  it('creates the run without blocking on it when a FIFO was planted under run.json', async () => {
    await mkdir(join(dir, 'fifo'));
    execFileSync('mkfifo', [join(dir, 'fifo', 'run.json')]);
    const { runDir } = await createRun(input({ runDir: join(dir, 'fifo') }));
    expect(JSON.parse(await readFile(join(runDir, RUN_FILES.envelope), 'utf8'))).toMatchObject({ runId: 'run-7' });
  });

  it('refuses with BOOT_FAILURE when the directory already holds another run', async () => {
    await mkdir(join(dir, 'taken'));
    await writeFile(join(dir, 'taken', 'run.json'), JSON.stringify(envelope('someone-else')));
    const causes = bootCauses(await failureOf(createRun(input({ runDir: join(dir, 'taken') }))));
    expect(causes[0]).toContain('already holds run someone-else');
  });

  it('refuses a new run with the same id when the directory holds that id\'s finished, frozen run', async () => {
    const { runDir } = await createRun(input());
    await writeFile(join(runDir, 'run.json'), JSON.stringify({ ...envelope('run-7'), status: 'completed', outcome: 'succeeded', runDir }));
    await writeFile(join(runDir, 'artifacts.sha256.json'), '{}');
    const before = await readFile(join(runDir, 'run.json'), 'utf8');
    const causes = bootCauses(await failureOf(createRun(input())));
    expect(causes[0]).toContain(`run directory ${runDir} already holds finished run run-7 (outcome succeeded, frozen)`);
    expect(await readFile(join(runDir, 'run.json'), 'utf8')).toBe(before);
  });

  it('refuses a second workflow with the same run id (another start time) but takes a retry of the first', async () => {
    const { runDir } = await createRun(input());
    await createRun(input());
    const later = { ...envelope('run-7'), createdAt: '2024-02-02T00:00:00.000Z' };
    const causes = bootCauses(await failureOf(createRun(input({ envelope: later }))));
    expect(causes[0]).toContain(`run directory ${runDir} already holds run run-7 (started 2024-01-01T00:00:00.000Z, status booting)`);
  });

  test.each([
    ['run-1', 'run-1'],
    ['a/b', 'a%2Fb'],
    ['..', '%2E%2E'],
  ])('names the directory of run id %s as %s', (id, name) => expect(runDirName(id)).toBe(name));
});

describe('loadRun', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('reads back the envelope, checkpoint and last seq when resuming', async () => {
    const { runDir } = await createRun({ envelope: envelope('r'), graph, checkpoint: checkpoint('work'), events: events(1, 4), runRoot: dir });
    const loaded = await loadRun({ runDir });
    expect(loaded.envelope.runId).toBe('r');
    expect(loaded.checkpoint.current_node).toBe('work');
    expect(loaded.lastSeq).toBe(4);
  });

  it('refuses with BOOT_FAILURE when checkpoint.json was edited by hand (a gate marked completed without an answer)', async () => {
    const { runDir } = await createRun({ envelope: envelope('r'), graph, checkpoint: { ...checkpoint('work'), next_node: 'review' }, events: events(1, 4), runRoot: dir });
    const file = join(runDir, RUN_FILES.checkpoint);
    const cp = JSON.parse(await readFile(file, 'utf8'));
    expect(cp.signature).toMatchObject({ alg: 'hmac-sha256', mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await writeFile(file, JSON.stringify({ ...cp, current_node: 'review', next_node: 'ship', completed_nodes: ['start', 'work', 'review'], node_outcomes: { review: 'success' } }));
    const f = await failureOf(loadRun({ runDir }));
    expect(f.type).toBe('BOOT_FAILURE');
    expect(bootCauses(f)).toEqual([expect.stringMatching(/checkpoint.json is not signed by this deployment's run key .*does not trust it/)]);
  });

  it('refuses with BOOT_FAILURE naming run.json and each bad field when run.json was edited out of the contract', async () => {
    const { runDir } = await createRun({ envelope: envelope('r'), graph, checkpoint: checkpoint('work'), events: events(1, 4), runRoot: dir });
    const file = join(runDir, RUN_FILES.envelope);
    const { lastSeq: _dropped, ...run } = JSON.parse(await readFile(file, 'utf8'));
    await writeFile(file, JSON.stringify({ ...run, stages: { work: { node: 'work', type: 'codergen', executions: 'many', attempts: 1 } } }));
    const f = await failureOf(loadRun({ runDir }));
    expect(f.type).toBe('BOOT_FAILURE');
    expect(bootCauses(f)).toEqual([
      `${file}: stages.work.executions: Invalid input: expected number, received string; resume does not trust it: start a rerun instead`,
      `${file}: lastSeq: Invalid input: expected number, received undefined; resume does not trust it: start a rerun instead`,
    ]);
  });

  it('refuses a signed checkpoint copied from another run when resuming', async () => {
    const a = await createRun({ envelope: envelope('a'), graph, checkpoint: checkpoint('work'), events: events(1, 2), runRoot: dir });
    const b = await createRun({ envelope: envelope('b'), graph, checkpoint: checkpoint('start'), events: events(1, 2), runRoot: dir });
    await writeFile(join(b.runDir, RUN_FILES.checkpoint), await readFile(join(a.runDir, RUN_FILES.checkpoint)));
    expect((await failureOf(loadRun({ runDir: b.runDir }))).type).toBe('BOOT_FAILURE');
  });

  it('fails with BOOT_FAILURE naming both files when the directory is not a run', async () => {
    const causes = bootCauses(await failureOf(loadRun({ runDir: dir })));
    expect(causes).toEqual([expect.stringContaining('run.json'), expect.stringContaining('checkpoint.json')]);
  });
});

describe('createActivities', () => {
  it('exposes every activity the run workflow calls', () => {
    const acts = createActivities({ handlers: createDefaultHandlers(), registryRoot: '/tmp', env: {} });
    expect(Object.keys(acts).sort()).toEqual(['answerIdentity', 'createRun', 'executeStage', 'finalizeRun', 'flushRun', 'loadRun', 'mergeChildWorkspace', 'persistDecision', 'preflight', 'publishApproved', 'publishCandidate', 'releaseWorkspace', 'resolveProfile', 'resolveSpecs', 'resumeWorkspace', 'steerChild', 'workspaceChange']);
  });

  it('checks env vars against the injected env, not process.env', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'p.yaml'), 'kind: FactoryProfile\nid: p\nprovider: { kind: twin }\nenvironment: { required_env: [PATH] }\n');
      const acts = createActivities({ handlers: createDefaultHandlers(), registryRoot: dir, env: {} });
      expect(bootCauses(await failureOf(acts.resolveProfile({ profile: { file: 'p.yaml' } })))).toEqual([expect.stringContaining('PATH')]);
    } finally {
      await cleanup();
    }
  });
});
