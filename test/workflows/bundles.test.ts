// The holdout boundary in the build (SPEC §5): each worker bundles only its own workflows. The pipeline
// worker's bundle holds no scenario code; the scenario worker's bundle holds evaluateSuite and what it
// needs, never the run workflow. Reads the module list webpack writes into each bundle.
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { PIPELINE_WORKFLOWS } from '../../workers/pipeline';
import { SCENARIO_WORKFLOWS } from '../../workers/scenarios';
import { bundleTestWorkflows } from '../helpers/temporal';

/** Our own modules in a bundle (webpack keys them by path relative to the project). */
function modulesOf(bundle: WorkflowBundleWithSourceMap): string[] {
  return [...new Set(bundle.code.match(/"\.\/(?:workflows|core|activities|spec|specs|schema|client|workers)\/[^"]+\.ts"/g) ?? [])].map((m) => m.slice(3, -1)).sort();
}

/** Modules only the scenario side may hold. */
const SCENARIO_ONLY = ['workflows/evaluate.ts', 'core/evaluation.ts', 'core/signatures.ts'];

let pipeline: string[];
let scenarios: string[];

beforeAll(async () => {
  const [p, s] = await Promise.all([bundleTestWorkflows(PIPELINE_WORKFLOWS), bundleTestWorkflows(SCENARIO_WORKFLOWS)]);
  pipeline = modulesOf(p);
  scenarios = modulesOf(s);
}, 240_000);

describe('workflow bundles', () => {
  it('holds the run workflow and no scenario code when built for the pipeline worker', () => {
    expect(pipeline).toEqual(expect.arrayContaining(['workflows/run.ts', 'workflows/engine.ts', 'workflows/decision-gate.ts']));
    expect(pipeline.filter((m) => SCENARIO_ONLY.includes(m))).toEqual([]);
    expect(pipeline.filter((m) => !m.startsWith('workflows/') && !m.startsWith('core/'))).toEqual([]);
  });

  it('holds evaluateSuite and only what it needs when built for the scenario worker', () => {
    expect(scenarios).toEqual(expect.arrayContaining(SCENARIO_ONLY));
    expect(scenarios.filter((m) => m.startsWith('workflows/'))).toEqual(['workflows/bundle-scenarios.ts', 'workflows/evaluate.ts']);
    expect(scenarios.filter((m) => !m.startsWith('workflows/') && !m.startsWith('core/'))).toEqual([]);
  });

  it('finds modules in a bundle when the bundle names them (the check can fail)', () => {
    expect(pipeline.length).toBeGreaterThan(10);
    expect(scenarios).not.toContain('workflows/run.ts');
  });
});
