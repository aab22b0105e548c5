// RunState (workflows/run-state.ts) outside a workflow: a branch stage's bookkeeping stays in the branch's
// context, and the context RunState hands out is a copy.
import type { PipelineNode } from '../../core/model';
import { RunStatus, type RunEnvelope } from '../../core/run-model';
import { RunState } from '../../workflows/run-state';

const envelope = (): RunEnvelope => ({
  runId: 'r',
  workflowId: 'r',
  pipeline: { id: 'p', version: '1' },
  profile: { id: 'q', version: '1' },
  digests: { profile: '', pipeline: '' },
  sources: { pipeline: { file: 'p.yaml' }, profile: { file: 'q.yaml' } },
  status: RunStatus.executing,
  createdAt: '2026-12-01T00:00:00.000Z',
  updatedAt: '2026-12-01T00:00:00.000Z',
  stages: {},
  openGates: [],
  continuedAsNew: 0,
  lastSeq: 0,
});
const node = (id: string) => ({ id, type: 'tool', attrs: {} }) as unknown as PipelineNode;

describe('RunState', () => {
  it('writes current_node and the outcome into the branch context, not the main line, when a branch stage runs', () => {
    const state = new RunState(envelope(), () => undefined);
    state.stageStarted(node('fan'));
    const branch = { ...state.context };
    state.stageStarted(node('left'), branch);
    state.recordOutcome(node('left'), { status: 'fail', context_updates: { k: 'v' } }, 1, branch);
    expect(branch).toMatchObject({ current_node: 'left', outcome: 'fail', k: 'v' });
    expect(state.context).toEqual({ current_node: 'fan' });
  });

  it('hands out a copy of the main context, so a caller cannot change the run state through it', () => {
    const state = new RunState(envelope(), () => undefined);
    state.stageStarted(node('a'));
    const seen = state.context;
    seen['current_node'] = 'tampered';
    seen['injected'] = true;
    expect(state.context).toEqual({ current_node: 'a' });
  });
});
