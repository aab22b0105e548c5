// Shared inputs for the render tests: the example pipeline and run envelopes in chosen states.
import { join } from 'node:path';
import type { PipelineGraph } from '../../core/model';
import type { RunEnvelope, RunStatus, StageRecord } from '../../core/run-model';
import { loadSpecFile } from '../../definitions/load';

export const REPO = join(__dirname, '..', '..');
export const FEATURE_YAML = join(REPO, 'examples', 'pipelines', 'feature.yaml');
/** Node ids of the example pipeline, in declaration order. */
export const FEATURE_NODES = ['start', 'plan', 'implement', 'test', 'check', 'fix', 'review', 'exit'] as const;

/** The example pipeline's model (examples/pipelines/feature.yaml). */
export async function featureGraph(): Promise<PipelineGraph> {
  const loaded = await loadSpecFile(FEATURE_YAML);
  if (loaded.kind !== 'PipelineSpec' || !loaded.graph) throw new Error(`${FEATURE_YAML} did not load`);
  return loaded.graph;
}

const at = (s: number) => `2025-01-01T00:00:${String(s).padStart(2, '0')}.000Z`;

/** A stage record that ran from second `start` to `end` (no end: still running) with `status`. */
export function stage(node: string, type: string, start: number, end?: number, status?: StageRecord['status'], executions = 1): StageRecord {
  return { node, type, executions, attempts: executions, startedAt: at(start), ...(end !== undefined ? { finishedAt: at(end) } : {}), ...(status ? { status } : {}) };
}

/** A run envelope of the example pipeline with the given status, stages and extras. */
export function envelope(status: RunStatus, stages: StageRecord[], extra: Partial<RunEnvelope> = {}): RunEnvelope {
  return {
    runId: 'run-test',
    workflowId: 'run-test',
    pipeline: { id: 'feature-pipeline', version: '1.0.0' },
    profile: { id: 'local', version: '1.0.0' },
    digests: { profile: 'p', pipeline: 'x' },
    sources: { pipeline: { file: FEATURE_YAML }, profile: { ref: 'local@1.0.0' } },
    status,
    createdAt: at(0),
    updatedAt: at(30),
    stages: Object.fromEntries(stages.map((s) => [s.node, s])),
    openGates: [],
    continuedAsNew: 0,
    lastSeq: 10,
    ...extra,
  };
}

/** The example run paused at the review gate: tests failed once (fix ran), then passed. */
export function awaitingReview(): RunEnvelope {
  return envelope(
    'awaiting_human',
    [
      stage('start', 'start', 1, 1, 'success'),
      stage('plan', 'codergen', 2, 3, 'success'),
      stage('implement', 'codergen', 4, 5, 'success'),
      stage('test', 'tool', 9, 10, 'success', 2),
      stage('check', 'conditional', 11, 11, 'success', 2),
      stage('fix', 'codergen', 7, 8, 'fail'),
      stage('review', 'wait.human', 12),
    ],
    { currentNode: 'review', openGates: ['review'] },
  );
}
