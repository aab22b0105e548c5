import { LiveView } from '../../client/live-view';
import type { RunEvent } from '../../core/run-model';

let seq = 0;
const ev = (type: RunEvent['type'], data: Record<string, unknown> = {}): RunEvent => ({ seq: ++seq, type, runId: 'run-x', at: '2026-11-26T10:00:00.000Z', data });

function screen() {
  const writes: string[] = [];
  const view = new LiveView({ write: (t) => void writes.push(t), columns: 120 }, 'run-x', { address: '127.0.0.1:7233' });
  // the last frame, without ANSI control sequences
  const last = () => (writes[writes.length - 1] ?? '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
  return { view, writes, last };
}

describe('LiveView', () => {
  it('redraws in place with stage progress and the current stage when events arrive on a terminal', () => {
    const { view, writes, last } = screen();
    view.onEvent(ev('run.started', { start: 'start' }));
    view.onEvent(ev('stage.started', { node: 'plan', type: 'codergen' }));
    expect(last()).toMatch(/▶ plan\s+codergen\s+running\s+← current/);
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

  it('shows the decide command for the decision gate and the outcome at the end', () => {
    const { view, last } = screen();
    view.onEvent(ev('run.awaiting_human', { gate: 'decision', kind: 'decision' }));
    expect(last()).toContain('factory decide run-x --decision approved|rejected');
    view.onEvent(ev('run.rejected', { reason: 'red' }));
    view.onEvent(ev('run.completed', { outcome: 'rejected' }));
    expect(last()).toMatch(/completed: rejected/);
    expect(last()).not.toContain('factory decide');
  });
});
