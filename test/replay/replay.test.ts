// Replays the recorded histories (test/fixtures/histories*/, written by test/replay/record.ts) against the
// code that runs them (docs/upgrading.md). Histories of the unversioned releases r1–r4 (histories/,
// histories-v2/, histories-r2…r4-*/) replay on r4's frozen bundle, which the legacy worker drains their runs
// on (workers/legacy.ts), and are never re-recorded or edited. histories-current/ is recorded by the current
// code and replays on it (a worker replays a run's own history after a cache eviction or a restart); a release
// that changes workflow code re-records it (record.ts): runs of the previous version stay pinned to it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PIPELINE_WORKFLOWS } from '../../workers/pipeline';
import { LEGACY_BUNDLE } from '../../workers/legacy';
import { bundleTestWorkflows } from '../helpers/temporal';
import { historyFromFixture } from './history-file';
import { RECORDINGS } from './record';

const FIXTURES = join(__dirname, '..', 'fixtures');
const DIR = join(FIXTURES, 'histories');
/** Every recorded history of every release, as `<dir>/<name>.json`. */
const files = readdirSync(FIXTURES)
  .filter((d) => /^histories(-[\w.-]+)?$/.test(d))
  .flatMap((d) => readdirSync(join(FIXTURES, d)).filter((f) => f.endsWith('.json')).map((f) => `${d}/${f}`))
  .sort();
/** Directories recorded by an unversioned release (r1–r4): their runs drain on the legacy version. */
const UNVERSIONED = ['histories', 'histories-v2', 'histories-r2-48156ae', 'histories-r3-22a0871', 'histories-r4-712efb6'];
const unversioned = (file: string) => UNVERSIONED.includes(file.slice(0, file.indexOf('/')));
const legacy = { codePath: LEGACY_BUNDLE };
let current: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  current = await bundleTestWorkflows(PIPELINE_WORKFLOWS);
}, 120_000);

describe('replay of recorded run histories', () => {
  it('has a committed history for every recording when record.ts defines it', () => {
    const names = new Set(files.map((f) => f.replace(/^.*\//, '')));
    expect(RECORDINGS.map((r) => `${r.name}.json`).filter((n) => !names.has(n))).toEqual([]);
  });

  it('keeps every history of the previous release when the workflow code changes', () => {
    expect(files.filter((f) => f.startsWith('histories/'))).toHaveLength(9);
  });

  test.each(files)('replays %s deterministically against the code of its version', async (file) => {
    const history = historyFromFixture(readFileSync(join(FIXTURES, file), 'utf8'));
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: unversioned(file) ? legacy : current }, history, file.replace(/\.json$/, '').replace('/', ':'));
  });

  it('fails with a DeterminismViolationError when the history disagrees with the code (the check can fail)', async () => {
    const text = readFileSync(join(DIR, 'happy-path.json'), 'utf8');
    const tampered = historyFromFixture(text.replace('"name": "resolveSpecs"', '"name": "resolveSpecsRenamed"'));
    expect(text).toContain('"name": "resolveSpecs"');
    // the error class lives in the workflow sandbox; its name and message cross over
    await expect(Worker.runReplayHistory({ workflowBundle: legacy }, tampered, 'tampered')).rejects.toMatchObject({ name: 'DeterminismViolationError', message: expect.stringMatching(/resolveSpecs/) });
  });
});
