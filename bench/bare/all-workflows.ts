// The bench worker's one workflow bundle: the real run workflow and the bare floors, so both run on
// the same worker, task queue and slots.
export { runPipeline } from '../../workflows/bundle-pipeline';
export { bareLocalSequence, bareSequence, bareSignals } from './workflows';
