// Attractor's edge attribute loop_restart (§2.7): following such an edge restarts the run at the
// edge's target with a fresh context. Our durable reading: same run and run directory, a
// `run.loop_restarted` event, then continue-as-new from the target with context, outcomes and
// retry counters reset.
import { Probe, allEvents, expectGapless, pipelineYaml, settle, typesOf, useRunEnv, workspace, readEvents } from '../helpers/runs';
import { runQuery } from '../../workflows/messages';

const env = useRunEnv();
const probe = new Probe((stage, call) => ({
  status: 'success',
  preferred_label: call === 1 ? 'again' : 'done',
  context_updates: { [`pass.${call}`]: true },
}));
beforeAll(() => env.register('test.loop', probe.handler));

describe('loop_restart edges', () => {
  it('restarts at the target with a fresh context when the run follows a loop_restart edge', async () => {
    const yaml = pipelineYaml(
      'loop-restart',
      ['{ id: work, type: test.loop }'],
      ['{ from: start, to: work }', '{ from: work, to: work, label: again, loop_restart: true }', '{ from: work, to: exit, label: done }'],
    );
    const handle = await env.start(workspace(yaml));
    const settled = await settle(handle);
    expect(settled.ok).toBe(true);
    const events = await allEvents(handle);
    const types = typesOf(events);
    expect(types).toContain('run.loop_restarted');
    expect(types.indexOf('run.loop_restarted')).toBeLessThan(types.indexOf('run.continued_as_new'));
    expect(types[types.length - 1]).toBe('run.completed');
    // the second pass saw none of the first pass's context
    expect(probe.of('work')).toHaveLength(2);
    expect(probe.of('work')[0]?.context['pass.1']).toBeUndefined();
    expect(probe.of('work')[1]?.context['pass.1']).toBeUndefined();
    const envelope = await handle.query(runQuery);
    const persisted = readEvents(envelope.runDir as string);
    expectGapless(persisted);
    expect(persisted.map((e) => e.type)).toEqual(types);
  });
});
