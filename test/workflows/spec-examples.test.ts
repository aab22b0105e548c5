// The spec's own DOT examples (attractor-spec.md §2.13, the §8.6 stylesheet and the §11.13 smoke graph, verbatim in
// examples/attractor/) run unchanged on the twin provider through the durable run workflow.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { answerSignal, statusQuery } from '../../workflows/messages';
import { allEvents, eventually, startedNodes, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const example = (name: string) => readFileSync(join(__dirname, '..', '..', 'examples', 'attractor', `${name}.dot`), 'utf8');

describe('the spec DOT examples on the twin provider', () => {
  it.each([
    ['simple', ['start', 'run_tests', 'report']],
    ['branch', ['start', 'plan', 'implement', 'validate', 'gate']],
    ['smoke', ['start', 'plan', 'implement', 'review']],
    // names llm_provider anthropic and openai: the twin stands in for both (issue 22)
    ['stylesheet', ['start', 'plan', 'implement', 'critical_review']],
  ])('runs %s.dot unchanged to success when every stage succeeds', async (name, nodes) => {
    const handle = await env.start(workspace(example(name), { ext: 'dot' }));
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(startedNodes(await allEvents(handle))).toEqual(nodes);
  });

  it('runs review.dot unchanged when a person answers Fix, then Approve, at the gate', async () => {
    const handle = await env.start(workspace(example('review'), { ext: 'dot' }));
    const waitGate = (gate: string) =>
      eventually(async () => {
        const s = await handle.query(statusQuery);
        return s.status === 'awaiting_human' && s.openGates.includes(gate) ? s : undefined;
      });
    await waitGate('review_gate');
    await handle.signal(answerSignal, { gate: 'review_gate', choice: 'F', by: 'alice' });
    await waitGate('review_gate#2');
    await handle.signal(answerSignal, { gate: 'review_gate#2', choice: '[A] Approve', by: 'alice' });
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(startedNodes(await allEvents(handle))).toEqual(['start', 'review_gate', 'fixes', 'review_gate', 'ship_it']);
  });
});
