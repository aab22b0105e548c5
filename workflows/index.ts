// Workflow bundle entry: every workflow a pipeline or scenario worker runs.
export { runPipeline } from './run';
export { evaluateSuite } from './evaluate';
