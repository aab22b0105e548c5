// factory run/watch print an agent line when a running stage's progress moved (client/agent-progress.ts
// AgentLines), from the same describe the monitor snapshot already made (client/run-monitor.ts).
import { AgentLines, type AgentProgress } from '../../client/agent-progress';

const at = (node: string, turn: number, tool_calls = 0): AgentProgress => ({ node, agent: { turn, phase: 'model', tool_calls } });

describe('AgentLines', () => {
  it('gives a line per stage the first time, then only for stages whose progress moved', () => {
    const lines = new AgentLines();
    expect(lines.changed([at('a', 1), at('b', 1)]).map((l) => l.node)).toEqual(['a', 'b']);
    expect(lines.changed([at('a', 1), at('b', 2, 1)])).toEqual([{ node: 'b', line: '    ↳ b turn 2: waiting for the model (1 tool calls)' }]);
    expect(lines.changed([at('a', 1), at('b', 2, 1)])).toEqual([]);
  });

  it('shows a stage again when it comes back after a snapshot without it', () => {
    const lines = new AgentLines();
    lines.changed([at('a', 1)]);
    expect(lines.changed([])).toEqual([]);
    expect(lines.changed([at('a', 1)]).map((l) => l.node)).toEqual(['a']);
  });
});
