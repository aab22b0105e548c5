// Attractor §5.4 on the durable run: the fidelity resolved from edge, node and graph decides what an
// LLM stage receives (`<stage>/context.md`, sent to the backend beside prompt.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();

const DOT = `digraph fid {
  graph [goal="Ship the greeter", default_fidelity="summary:high"]
  start [shape=Mdiamond]
  exit  [shape=Msquare]
  plan  [prompt="Plan it"]
  write [prompt="Write it"]
  check [prompt="Check it", fidelity="full"]
  tidy  [prompt="Tidy it"]
  start -> plan -> write
  write -> check [fidelity="truncate"]
  check -> tidy -> exit
}`;

describe('context fidelity on the durable run', () => {
  it('gives each codergen stage the context its edge, node or graph fidelity carries', async () => {
    const handle = await env.start(workspace(DOT, { ext: 'dot' }));
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    const carried = (node: string) => readFileSync(join(result.runDir as string, node, 'context.md'), 'utf8');
    expect(carried('write')).toMatch(/^# Run context \(fidelity: summary:high\)\n- goal: Ship the greeter\n/);
    expect(carried('write')).toContain('- last_stage: plan');
    // the incoming edge's truncate beats the node's full
    expect(carried('check')).toBe(`# Run context (fidelity: truncate)\n- goal: Ship the greeter\n- run: ${handle.workflowId}\n`);
    expect(carried('tidy')).toContain('fidelity: summary:high');
    expect(carried('tidy')).toContain('- last_stage: check');
  });
});
