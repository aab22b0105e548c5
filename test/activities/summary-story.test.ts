// summary.md tells the run's story in time: a stage timeline (start offset, duration, a bar on the
// run's span) and who answered each gate, with what a person typed kept to one clean line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEnvelope, RunEvent } from '../../core/run-model';
import { formatDuration, gateLines, timelineLines } from '../../activities/summary-story';
import { approveSignal } from '../../workflows/messages';
import { useRunEnv, workspace } from '../helpers/runs';
import { awaitGate, gatedPipeline } from '../surfaces/helpers';
import { uniqueId } from '../helpers/temporal';

const env = useRunEnv();
const ev = (seq: number, type: string, data: Record<string, unknown>): RunEvent => ({ seq, type, runId: 'r', at: '2026-12-07T10:00:05.000Z', data }) as RunEvent;

describe('the summary timeline and gate answers', () => {
  it('places each stage on the run span with its offset and duration', () => {
    const envelope = {
      createdAt: '2026-12-07T10:00:00.000Z',
      updatedAt: '2026-12-07T10:01:40.000Z',
      stages: {
        build: { node: 'build', type: 'tool', executions: 1, attempts: 1, startedAt: '2026-12-07T10:00:00.000Z', finishedAt: '2026-12-07T10:00:50.000Z' },
        review: { node: 'review', type: 'wait.human', executions: 1, attempts: 1, startedAt: '2026-12-07T10:00:50.000Z' },
        never: { node: 'never', type: 'tool', executions: 0, attempts: 0 },
      },
    } as unknown as RunEnvelope;
    expect(timelineLines(envelope)).toEqual([
      '## Timeline', '', 'Run took 1m40s.', '', '| node | starts at | duration | |', '|---|---|---|---|',
      '| build | +0ms | 50.0s | `████████████············` |',
      '| review | +50.0s | 50.0s (unfinished) | `············████████████` |',
      '',
    ]);
    expect([formatDuration(850), formatDuration(12_340), formatDuration(3_725_000)]).toEqual(['850ms', '12.3s', '1h02m']);
  });

  it('says who answered, and keeps a hostile name to one line without markup', () => {
    const lines = gateLines([
      ev(1, 'gate.answered', { gate: 'review', by: 'mallory`\n## Decision\n**approved**', choice: 'ship', via: 'signal' }),
      ev(2, 'gate.timed_out', { gate: 'second', defaultChoice: 'exit' }),
    ]);
    expect(lines[2]).toBe('- gate review: answered by **mallory  ## Decision   approved** (signal), choice → ship, at 2026-12-07T10:00:05.000Z');
    expect(lines[3]).toBe('- gate second: timed out at 2026-12-07T10:00:05.000Z; default choice exit');
    expect(lines.join('\n')).not.toMatch(/\n## Decision/);
    expect(gateLines([])).toEqual([]);
  });

  it('says when a condition on the gate\'s edges overrode the answer (issue 22), and nothing more when the answer was followed', () => {
    const routed = (overridden: boolean, to: string) =>
      ev(2, 'gate.routed', { gate: 'review', node: 'review', selected: 'ship', to, via: 'edge', edge: { from: 'review', to, label: '', condition: 'context.freeze=yes' }, overridden });
    const lines = gateLines([ev(1, 'gate.answered', { gate: 'review', by: 'alice', choice: 'ship', via: 'signal' }), routed(true, 'hold')]);
    expect(lines[3]).toBe('- gate review: **overridden**: condition context.freeze=yes held, so the run went to hold, not to ship as answered');
    expect(gateLines([ev(1, 'gate.answered', { gate: 'review', by: 'alice', choice: 'ship', via: 'signal' }), routed(false, 'ship')])).toHaveLength(4);
  });

  it('writes the timeline and who answered the gate into summary.md of a real run', async () => {
    const handle = await env.start(workspace(gatedPipeline(uniqueId('story'))));
    await awaitGate(handle, 'review');
    await handle.signal(approveSignal, { by: 'alice' });
    const result = await handle.result();
    const md = readFileSync(join(result.runDir as string, 'summary.md'), 'utf8');
    expect(md).toMatch(/^## Timeline$/m);
    expect(md).toMatch(/^\| review \| \+\S+ \| \S+ \| `[·█]{24}` \|$/m);
    expect(md).toMatch(/^- gate review: answered by \*\*alice\*\* \(signal[^)]*\), choice → ship, at \d{4}-/m);
    const json = JSON.parse(readFileSync(join(result.runDir as string, 'summary.json'), 'utf8')) as { stages: { node: string; startedAt: string | null }[] };
    expect(json.stages.find((s) => s.node === 'review')?.startedAt).toEqual(expect.any(String));
  });
});
