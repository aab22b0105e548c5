import { LiveView } from '../../client/live-view';
import type { RunEvent } from '../../core/run-model';

let seq = 0;
const ev = (type: RunEvent['type'], data: Record<string, unknown> = {}): RunEvent => ({ seq: ++seq, type, runId: 'run-x', at: '2026-11-26T10:00:00.000Z', data });

function screen() {
  const writes: string[] = [];
  const now = Date.parse('2026-11-26T10:01:05.000Z');
  const view = new LiveView({ write: (t) => void writes.push(t), columns: 120 }, 'run-x', { address: '127.0.0.1:7233', now: () => now });
  // the last frame, without ANSI control sequences
  const last = () => (writes[writes.length - 1] ?? '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  return { view, writes, last };
}

describe('LiveView', () => {
  it('redraws in place with stage progress and the current stage when events arrive on a terminal', () => {
    const { view, writes, last } = screen();
    view.onEvent(ev('run.started', { start: 'start' }));
    view.onEvent(ev('stage.started', { node: 'plan', type: 'codergen' }));
    expect(last()).toMatch(/▶ plan\s+codergen\s+running 1m05s\s+← current/);
    view.onEvent(ev('stage.completed', { node: 'plan', status: 'success', attempts: 2 }));
    expect(last()).toMatch(/run run-x — executing — 1\/1 stages/);
    expect(last()).toMatch(/✓ plan .* success \(2 attempts\)/);
    // every frame after the first moves the cursor back up over the previous one
    expect(writes[1]).toMatch(/^\x1b\[\d+F/);
  });

  it('shows an open gate with the exact commands to answer it, and drops it once closed', () => {
    const { view, last } = screen();
    view.onEvent(ev('run.awaiting_human', { gate: 'review', prompt: 'Review the change', choices: [{ key: 'A', label: '[A] Approve', to: 'exit' }] }));
    expect(last()).toContain('⏸ gate review: Review the change');
    expect(last()).toContain('factory approve run-x --gate review');
    expect(last()).toContain("temporal workflow signal --address 127.0.0.1:7233 --workflow-id run-x --name approve --input '{\"by\":\"you\"}'");
    view.onEvent(ev('gate.closed', { gate: 'review', selected: 'exit' }));
    expect(last()).not.toContain('⏸ gate review');
  });

  it('shows what the run changed so far under an open gate, one summary line, file names left to factory gates', () => {
    const { view, last } = screen();
    const change = { commit: 'a'.repeat(40), from: 'b'.repeat(40), files: 3, added: 12, deleted: 1, listed: [{ path: 'secret-name.txt', added: 1, deleted: 0 }], more: 2 };
    view.onEvent(ev('run.awaiting_human', { gate: 'review', prompt: 'Review the change', choices: [{ key: 'A', label: '[A] Approve', to: 'exit' }], change }));
    expect(last()).toContain(`changed so far: 3 files, +12 -1 at ${'a'.repeat(12)} (since ${'b'.repeat(12)})`);
    expect(last()).not.toContain('secret-name.txt');
  });

  it('never cuts a command to copy at the terminal\'s width: it wraps, and the next frame moves up over every row it took', () => {
    const writes: string[] = [];
    const view = new LiveView({ write: (t) => void writes.push(t), columns: 50 }, 'run-with-a-long-identifier-0123456789', { address: '127.0.0.1:7233', now: () => Date.parse('2026-11-26T10:01:05.000Z') });
    view.onEvent(ev('run.awaiting_human', { gate: 'review', prompt: 'Review the change: a prompt long enough to be cut at fifty columns', choices: [{ key: 'A', label: '[A] Approve', to: 'exit' }] }));
    const frame = (writes[writes.length - 1] ?? '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    const lines = frame.replace(/\n$/, '').split('\n');
    expect(frame).toContain('factory approve run-with-a-long-identifier-0123456789 --gate review   |   factory answer run-with-a-long-identifier-0123456789 --gate review --choice <choice>');
    expect(frame).toContain("--workflow-id run-with-a-long-identifier-0123456789 --name approve --input '{\"by\":\"you\"}'");
    expect(lines.find((l) => l.includes('⏸ gate review'))).toMatch(/…$/); // prose is still cut
    const rows = lines.reduce((n, l) => n + Math.max(1, Math.ceil(l.length / 50)), 0);
    view.onEvent(ev('gate.closed', { gate: 'review', selected: 'exit' }));
    expect(writes[writes.length - 1]).toMatch(new RegExp(`^\\x1b\\[${rows}F`));
  });

  it('says executing again and names the deadlock when a gate ends because its quorum can no longer be reached', () => {
    const { view, last } = screen();
    view.onEvent(ev('run.awaiting_human', { gate: 'review', prompt: 'Ship it?', choices: [{ key: 'A', label: '[A] Approve', to: 'exit' }] }));
    expect(last()).toMatch(/run run-x — awaiting_human/);
    view.onEvent(ev('gate.deadlocked', { gate: 'review', votes: { exit: 1, fix: 1 }, quorum: 2, eligible: [] }));
    view.onEvent(ev('gate.closed', { gate: 'review', selected: null, via: 'quorum_unreachable' }));
    expect(last()).toMatch(/run run-x — executing/);
    expect(last()).not.toContain('⏸ gate review');
  });

  it.each([
    ['freeform', [], 'question: freeform — reply with free text', 'factory answer run-x --gate ask --text "<your reply>"'],
    ['yes_no', [{ key: 'Y', label: 'Yes', to: 'ship', value: 'YES' }, { key: 'N', label: 'No', to: 'fix', value: 'NO' }], 'question: yes_no — yes → ship ("Yes"), no → fix ("No")', 'factory reject run-x --gate ask (no)'],
    ['confirmation', [{ key: 'Y', label: 'Go', to: 'ship', value: 'YES' }, { key: 'N', label: 'No (decline)', to: '', value: 'NO' }], 'no → "No (decline)" (the stage fails)', 'factory approve run-x --gate ask (yes)'],
  ])('shows a %s gate with what it accepts and the command that answers it', (question, choices, shown, command) => {
    const { view, last } = screen();
    view.onEvent(ev('run.awaiting_human', { gate: 'ask', prompt: 'Proceed?', question, choices }));
    expect(last()).toContain(shown);
    expect(last()).toContain(command);
  });

  it('shows the evidence and a factory decide command per allowed decision when the decision gate opens', () => {
    const { view, last } = screen();
    view.onEvent(ev('run.evaluating', { suite: 'holdout@1.0.0', scenarios: 4 }));
    view.onEvent(ev('evaluation.completed', { total: 4, passed: 3, failed: 1, errored: 0, clusters: [{ signature: 'sig-abc123', count: 1, kind: 'fail' }] }));
    view.onEvent(
      ev('run.awaiting_human', {
        gate: 'decision',
        kind: 'decision',
        allowed: ['rejected'],
        checks: [
          { name: 'pass_bar', ok: false, detail: '3/4 passed (satisfaction 0.750, required 0.9), must-pass ok, 0 errored' },
          { name: 'goal_gates', ok: true, detail: 'all goal gates satisfied' },
        ],
      }),
    );
    const frame = last();
    expect(frame).toContain('✗ pass_bar: 3/4 passed (satisfaction 0.750, required 0.9)');
    expect(frame).toContain('✓ goal_gates: all goal gates satisfied');
    expect(frame).toContain('signatures: sig-abc123 x1 (fail)');
    expect(frame).toContain('factory decide run-x --decision rejected --reason "…" --remediation "…"');
    expect(frame).not.toContain('--decision approved');
    expect(frame).not.toContain('factory approve');
    expect(frame).not.toContain('choices:');
    view.onEvent(ev('run.rejected', { reason: 'red' }));
    view.onEvent(ev('run.completed', { outcome: 'rejected' }));
    expect(last()).toMatch(/completed: rejected/);
    expect(last()).not.toContain('factory decide');
  });

  it('marks the running stage as retrying and shows attempt, last failure and next retry when describe reports a failed attempt', () => {
    const { view, last } = screen();
    view.onEvent(ev('stage.started', { node: 'build', type: 'tool' }));
    view.onSnapshot({
      pending: [
        { activityId: '7', type: 'executeStage', state: 'scheduled', attempt: 3, maximumAttempts: 5, lastFailure: 'exit code 2\nstack…', nextRetryAt: Date.parse('2026-11-26T10:01:09.000Z') },
      ],
    });
    expect(last()).toMatch(/▶ build\s+tool\s+running 1m05s — retrying, attempt 3/);
    expect(last()).toContain('↻ executeStage (activity 7): attempt 3/5, last failure: exit code 2, next retry in 4s — retrying');
  });

  it('shows the failed attempt and the countdown to the next one when the workflow retry loop reports stage.retrying', () => {
    const { view, last } = screen();
    view.onEvent(ev('stage.started', { node: 'build', type: 'tool' }));
    view.onEvent(ev('stage.retrying', { node: 'build', attempt: 1, max_attempts: 3, status: 'fail', reason: 'exit code 3', next_delay_ms: 120_000 }));
    expect(last()).toMatch(/▶ build\s+tool\s+running 1m05s — retrying: attempt 1 of 3 failed/);
    // the unclipped block (a 120-column terminal cuts the end of the line)
    expect(view.frame().join('\n')).toMatch(/running 1m05s — retrying: attempt 1 of 3 failed \(exit code 3\); next attempt in 55s  ← current/);
    view.onEvent(ev('stage.completed', { node: 'build', status: 'success', attempts: 2 }));
    expect(last()).not.toContain('retrying');
  });

  it('shows a holdout progress bar with scenarios done over total while evaluating', () => {
    const { view, last } = screen();
    view.onEvent(ev('run.evaluating', { suite: 'holdout@1.0.0', scenarios: 8 }));
    view.onSnapshot({ pending: [], evaluation: { done: 2, scheduled: 4 } });
    expect(last()).toContain('holdout [#####---------------] 2/8 scenarios');
    view.onEvent(ev('evaluation.completed', { total: 8, passed: 8, failed: 0, errored: 0, clusters: [] }));
    view.onEvent(ev('run.completed', { outcome: 'succeeded' }));
    expect(last()).not.toContain('holdout [');
  });

  it('stops redrawing while a prompt owns the terminal and redraws in place with the note when resumed', () => {
    const { view, writes, last } = screen();
    view.onEvent(ev('run.started', { start: 'start' }));
    view.pause();
    const before = writes.length;
    view.onEvent(ev('stage.started', { node: 'plan', type: 'codergen' }));
    expect(writes.length).toBe(before);
    view.note('gate review: answered ship from this terminal');
    expect(writes.length).toBe(before);
    view.resume();
    expect(writes[writes.length - 1]).toMatch(/^\x1b\[\d+F/);
    expect(last()).toContain('» gate review: answered ship from this terminal');
    expect(last()).toContain('▶ plan');
  });
});
