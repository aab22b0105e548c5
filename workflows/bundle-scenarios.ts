// Workflow bundle entry of the scenario worker: the holdout evaluation only (SPEC §5), never the run
// workflow; test/workflows/bundles.test.ts checks the built bundle.
export { evaluateSuite } from './evaluate';
