// RunState (workflows/run-state.ts) outside a workflow: a branch stage's bookkeeping stays in the branch's
// context, and the context RunState hands out is a copy.
import type { PipelineNode } from '../../core/model';
import { EventType, RunStatus, type RunEnvelope } from '../../core/run-model';
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

  describe('a provisional event (the run.completed a freeze writes, issue 24 item 6)', () => {
    const setup = () => {
      const state = new RunState(envelope(), () => undefined);
      state.emit(EventType.runStarted, {});
      const completed = state.provisional(EventType.runCompleted, { outcome: 'succeeded' });
      state.emit(EventType.gateAnswerRejected, { reason: 'no gate is open' }); // a signal during the freeze
      return { state, completed, seen: () => state.eventsAfter(0, 100).map((e) => [e.seq, e.type]) };
    };

    it('is not in the record while the write runs, and events emitted meanwhile wait for it', () => {
      const { state, completed, seen } = setup();
      expect(completed.event.seq).toBe(2);
      expect(completed.envelope.lastSeq).toBe(2);
      expect(seen()).toEqual([[1, 'run.started']]);
      expect(state.envelope.lastSeq).toBe(1);
    });

    it('enters the record in its seq, counted as written, once committed; later events follow it', () => {
      const { state, completed, seen } = setup();
      completed.commit();
      expect(seen()).toEqual([[1, 'run.started'], [2, 'run.completed'], [3, 'gate.answer_rejected']]);
      expect(state.pendingWrite().events.map((e) => e.seq)).toEqual([3]); // the freeze wrote up to 2; the refusal after it was not
    });

    it('leaves no trace when filled with another event (a failed freeze): that event takes its seq, gapless', () => {
      const { state, completed, seen } = setup();
      completed.fill(EventType.runFailed, { domain: 'FINALIZE_FAILURE' });
      state.emit(EventType.runCompleted, { outcome: 'failed', domain: 'FINALIZE_FAILURE' });
      expect(seen()).toEqual([[1, 'run.started'], [2, 'run.failed'], [3, 'gate.answer_rejected'], [4, 'run.completed']]);
      expect(() => completed.commit()).toThrow(/already resolved/);
    });

    it('is forgotten when dropped (cancelled during the write), and refuses a second one while outstanding', () => {
      const { state, completed, seen } = setup();
      expect(() => state.provisional(EventType.runCompleted, {})).toThrow(/already outstanding/);
      completed.drop();
      expect(seen()).toEqual([[1, 'run.started'], [2, 'gate.answer_rejected']]);
      expect(state.envelope.lastSeq).toBe(2);
    });
  });
});
