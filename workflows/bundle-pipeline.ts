// Workflow bundle entry of the pipeline worker: the run workflow only. No scenario code is reachable
// from here (the evaluate workflow is started by name on the scenario queue; see decision-gate.ts), and
// test/workflows/bundles.test.ts checks the built bundle.
export { runPipeline } from './run';
