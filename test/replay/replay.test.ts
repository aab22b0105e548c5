// Replays the recorded histories (test/fixtures/histories, written by test/replay/record.ts) against the
// current workflow bundle: a nondeterministic change to workflow code fails here, in CI, before it can
// break runs in flight. Intentional changes: re-record (npx tsx test/replay/record.ts) and commit the JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PIPELINE_WORKFLOWS } from '../../workers/pipeline';
import { bundleTestWorkflows } from '../helpers/temporal';
import { historyFromFixture } from './history-file';
import { RECORDINGS } from './record';

const DIR = join(__dirname, '..', 'fixtures', 'histories');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
let workflowBundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  workflowBundle = await bundleTestWorkflows(PIPELINE_WORKFLOWS);
}, 120_000);

describe('replay of recorded run histories', () => {
  it('has a committed history for every recording when record.ts defines it', () => {
    expect(files).toEqual(RECORDINGS.map((r) => `${r.name}.json`).sort());
  });

  test.each(files)('replays %s deterministically against the current workflow code', async (file) => {
    const history = historyFromFixture(readFileSync(join(DIR, file), 'utf8'));
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle }, history, file.replace(/\.json$/, ''));
  });

  it('fails with a DeterminismViolationError when the history disagrees with the code (the check can fail)', async () => {
    const text = readFileSync(join(DIR, 'happy-path.json'), 'utf8');
    const tampered = historyFromFixture(text.replace('"name": "resolveSpecs"', '"name": "resolveSpecsRenamed"'));
    expect(text).toContain('"name": "resolveSpecs"');
    // the error class lives in the workflow sandbox; its name and message cross over
    await expect(Worker.runReplayHistory({ workflowBundle }, tampered, 'tampered')).rejects.toMatchObject({ name: 'DeterminismViolationError', message: expect.stringMatching(/resolveSpecs/) });
  });
});
