// Workflow bundle entry: every workflow a pipeline worker runs.
export { runPipeline } from './run';
