// The output sanitiser (issue 24 item 5): an OSC 52 clipboard write and a clear-screen with a fake
// "all gates approved" line, planted in a gate label, a `by`, a comment, a reason or a run id, reach the
// operator's terminal and summary.md as visible escapes, never as terminal instructions.
import { join } from 'node:path';
import { LiveView } from '../../client/live-view';
import { renderSummary } from '../../activities/summary';
import { sanitizeLine, sanitizeText } from '../../core/sanitize';
import type { RunEnvelope } from '../../core/run-model';
import { answerGateUpdate, statusQuery } from '../../workflows/messages';
import { envelope } from '../activities/helpers';
import { eventually, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from './run-cli';

const OSC52 = '\x1b]52;c;cm0gLXJmIH4K\x07';
const CLEAR = '\x1b[2J\x1b[H';
const HOSTILE = `${OSC52}${CLEAR}all gates approved`;
/** Any control character a terminal would act on (newline and tab are plain layout). */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

describe('sanitizeText and sanitizeLine', () => {
  test.each<[string, string, string]>([
    ['an OSC 52 clipboard write', OSC52, '\\x1b]52;c;cm0gLXJmIH4K\\x07'],
    ['a clear-screen', CLEAR, '\\x1b[2J\\x1b[H'],
    ['a one-byte C1 CSI', '\u009b2J', '\\x9b2J'],
    ['a carriage return that would overwrite the line', 'fail\rsuccess', 'fail\\rsuccess'],
    ['a bidi override', 'abc\u202edef', 'abc\\u202edef'],
    ['DEL and NUL', 'a\x7fb\x00c', 'a\\x7fb\\x00c'],
  ])('escapes %s', (_what, input, want) => {
    expect(sanitizeText(input)).toBe(want);
    expect(sanitizeLine(input)).toBe(want);
  });

  it('keeps newlines and tabs in text but escapes them in a one-line field', () => {
    expect(sanitizeText('a\nb\tc')).toBe('a\nb\tc');
    expect(sanitizeLine('a\nall gates approved\tc')).toBe('a\\nall gates approved\\tc');
  });

  it('leaves plain Unicode text alone', () => {
    expect(sanitizeLine('Ünïcødé ✓ — 日本')).toBe('Ünïcødé ✓ — 日本');
  });
});

describe('summary.md', () => {
  it('escapes control characters in the run id, the decision\'s by and reason, and a stage node', () => {
    const e: RunEnvelope = {
      ...envelope(`run-${CLEAR}`),
      status: 'completed',
      outcome: 'approved',
      stages: { [`n${OSC52}`]: { node: `n${OSC52}`, type: 'tool', status: 'success', executions: 1, attempts: 1 } as RunEnvelope['stages'][string] },
    };
    const decision = { runId: e.runId, decision: 'approved' as const, mode: 'human' as const, by: `mallory${OSC52}`, at: 't', reason: `ok\n${HOSTILE}`, evidence: { digests: e.digests, checks: [], gates: [] } };
    const { markdown } = renderSummary({ envelope: e, decision });
    expect(markdown).not.toMatch(RAW);
    expect(markdown).toContain('# Run run-\\x1b[2J\\x1b[H: approved');
    expect(markdown).toContain('by mallory\\x1b]52;c;cm0gLXJmIH4K\\x07 (human)');
    expect(markdown).toContain('ok\\n\\x1b]52');
  });
});

describe('live view and prompt text', () => {
  it('shows a hostile gate prompt and label escaped on one line', () => {
    const writes: string[] = [];
    const view = new LiveView({ write: (t) => void writes.push(t), columns: 400 }, 'run-x', { now: () => 0 });
    view.onEvent({ seq: 1, type: 'run.awaiting_human', runId: 'run-x', at: '2026-01-01T00:00:00.000Z', data: { gate: 'review', prompt: `Review\n${HOSTILE}`, choices: [{ key: 'A', label: `[A] ${CLEAR}`, to: 'exit' }] } });
    const frame = writes[writes.length - 1] ?? '';
    // the view's own sequences (cursor up, erase line/below) are the only escapes left
    const content = frame.replace(/\x1b\[(\d+F|2K|J)/g, '');
    expect(content).not.toMatch(RAW);
    expect(content).toContain('gate review: Review\\n\\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b[2J\\x1b[Hall gates approved');
  });
});

describe('CLI output of hostile text', () => {
  const env = useRunEnv();
  const q = (s: string) => JSON.stringify(s); // a YAML double-quoted scalar

  it('prints gate labels, answers and run ids escaped in graph, gates, events, status and refusals', async () => {
    const ws = workspace(
      [
        'kind: PipelineSpec',
        'id: hostile',
        'version: 1.0.0',
        'nodes:',
        '  - { id: start, type: start }',
        `  - { id: review, type: wait.human, label: ${q(`Review ${HOSTILE}\nall gates approved`)}, human: { quorum: 2 } }`,
        '  - { id: exit, type: exit }',
        'edges:',
        '  - { from: start, to: review }',
        `  - { from: review, to: exit, label: ${q(`[A] Approve ${CLEAR}`)} }`,
        '',
      ].join('\n'),
    );
    const runId = `evil-${CLEAR}-run`;
    const handle = await env.start(ws, { runId }, runId);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human');
    await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'alice', comment: `fine ${HOSTILE}` }] });
    const address = ['--address', testTemporalEnv().address];

    const outputs = [
      await runCli(['graph', ws.pipeline, '--format', 'mermaid'], ws.dir),
      await runCli(['gates', runId, ...address], ws.dir),
      await runCli(['events', runId, ...address], ws.dir),
      await runCli(['status', runId, ...address], ws.dir),
      await runCli(['approve', runId, '--by', `bob${OSC52}`, '--comment', HOSTILE, ...address], ws.dir),
      await runCli(['approve', `${runId}x`, '--by', 'bob', ...address], ws.dir),
      await runCli(['answer', runId, '--by', 'bob', '--choice', `nope\nall gates approved${CLEAR}`, ...address], ws.dir),
    ];
    for (const r of outputs) {
      expect(r.stdout).not.toMatch(RAW);
      expect(r.stderr).not.toMatch(RAW);
      // a line break in a label stays inside its line: nothing prints a line of its own
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/^all gates approved/m);
    }
    const [graph, gates, events, status, refusedBy, noRun] = outputs as [typeof outputs[number], typeof outputs[number], typeof outputs[number], typeof outputs[number], typeof outputs[number], typeof outputs[number]];
    expect(graph.stdout).toContain('Review \\x1b]52;c;cm0gLXJmIH4K\\x07\\x1b[2J\\x1b[Hall gates approved');
    expect(gates.stdout).toContain('\\x1b]52;c;');
    expect(gates.stdout).toContain('all gates approved\\nall gates approved');
    expect(events.stdout).toContain('evil-\\x1b[2J\\x1b[H-run');
    expect(status.stdout).toContain('run evil-\\x1b[2J\\x1b[H-run: awaiting_human');
    expect(refusedBy.code).toBe(2);
    expect(refusedBy.stderr).toMatch(/^factory: approve refused: malformed answer: "by" a name may not contain control or invisible characters \(found U\+001B\)/);
    expect(noRun.stderr).toContain('evil-\\x1b[2J\\x1b[H-runx');
    expect(outputs[6]?.stderr).toContain('factory: answer refused: unknown choice; one of: Y ([A] Approve \\x1b[2J\\x1b[H → exit)');
    expect(outputs[6]?.code).toBe(2);

    await handle.executeUpdate(answerGateUpdate, { args: [{ kind: 'approve', by: 'carol' }] });
    expect((await handle.result()).outcome).toBe('succeeded');
    const done = await runCli(['status', join(ws.dir, 'runs', encodeURIComponent(runId))], ws.dir);
    expect(done.stdout).not.toMatch(RAW);
  });
});
