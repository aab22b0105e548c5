// The gate prompter on in-memory terminal streams: each question type, a refused answer asked again,
// the race with an answer from elsewhere, a gate already closed in the same batch, and Ctrl-C.
import { PassThrough, Writable } from 'node:stream';
import { GatePrompter, type PromptAnswer } from '../../client/gate-prompt';
import type { RunEvent } from '../../core/run-model';
import { eventually } from '../helpers/runs';

let seq = 0;
const ev = (type: RunEvent['type'], data: Record<string, unknown>): RunEvent => ({ seq: ++seq, type, runId: 'run-x', at: '2026-11-30T10:00:00.000Z', data });
const CHOICES = [
  { key: 'A', label: '[A] Approve', to: 'ship' },
  { key: 'R', label: '[R] Revise', to: 'revise' },
];
const KEYS = { down: '\x1b[B', enter: '\r', ctrlC: '\x03' };

function terminal(refusals: (string | undefined)[] = []) {
  const input = new PassThrough();
  let screen = '';
  const output = new Writable({
    write(chunk: Buffer, _enc, done) {
      screen += chunk.toString();
      done();
    },
  });
  // like process.stdout, the terminal outlives each prompt (inquirer ends the stream it pipes into)
  output.end = () => output;
  const answers: PromptAnswer[] = [];
  const notes: string[] = [];
  const pauses: string[] = [];
  const prompter = new GatePrompter(
    {
      answer: async (_gate, a) => {
        answers.push(a);
        return refusals.shift();
      },
      decide: async () => undefined,
    },
    { pause: () => void pauses.push('pause'), resume: () => void pauses.push('resume'), note: (t) => void notes.push(t) },
    { input, output },
  );
  const shows = (pattern: RegExp) => eventually(async () => pattern.test(screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')), 5000, 10);
  const type = (...keys: string[]) => keys.forEach((k) => input.write(k));
  return { prompter, answers, notes, pauses, shows, type, screen: () => screen };
}

const gate = (data: Record<string, unknown> = {}) => ev('run.awaiting_human', { gate: 'review', prompt: 'Ship it?', choices: CHOICES, ...data });

describe('GatePrompter', () => {
  it('sends the choice picked with the arrow keys and notes it when the operator answers a multiple-choice gate', async () => {
    const t = terminal();
    t.prompter.onEvent(gate());
    await t.shows(/gate review: Ship it\?/);
    t.type(KEYS.down, KEYS.enter);
    await eventually(async () => t.notes.length > 0, 5000, 10);
    expect(t.answers).toEqual([{ choice: 'revise' }]);
    expect(t.notes).toEqual(['gate review: answered revise from this terminal']);
    expect(t.pauses).toEqual(['pause', 'resume']);
  });

  it('shows what the run changed so far above the question, escaped, when the gate event carries it', async () => {
    const t = terminal();
    const change = { commit: 'c'.repeat(40), from: 'f'.repeat(40), files: 22, added: 30, deleted: 4, listed: [{ path: 'src/app.ts', added: 3, deleted: 1 }, { path: 'evil\x1b[2Jname', added: 0, deleted: 0, binary: true }], more: 20 };
    t.prompter.onEvent(gate({ change }));
    await t.shows(/gate review: Ship it\?/);
    const screen = t.screen();
    expect(screen).toContain(`changed so far: 22 files, +30 -4 at ${'c'.repeat(12)} (since ${'f'.repeat(12)})`);
    expect(screen).toContain('  src/app.ts +3 -1');
    expect(screen).toContain('  evil\\x1b[2Jname (binary)');
    expect(screen).toContain('  and 20 more');
    expect(screen).not.toContain('\x1b[2J');
    t.type(KEYS.enter);
    await eventually(async () => t.answers.length > 0, 5000, 10);
    expect(t.answers).toEqual([{ choice: 'ship' }]);
  });

  it.each([
    ['malformed', { commit: 7, listed: 'no' }],
    ['empty (no file changed)', { commit: 'c'.repeat(40), from: 'c'.repeat(40), files: 0, added: 0, deleted: 0, listed: [], more: 0 }],
  ])('asks without a change block when the event\'s change is %s', async (_what, change) => {
    const t = terminal();
    t.prompter.onEvent(gate({ change }));
    await t.shows(/gate review: Ship it\?/);
    expect(t.screen()).not.toContain('changed so far');
    t.type(KEYS.enter);
    await eventually(async () => t.answers.length > 0, 5000, 10);
  });

  it('maps y to the yes edge when the gate asks a yes/no question', async () => {
    const choices = [
      { key: 'Y', label: '[Y] Yes', to: 'ship', value: 'YES' },
      { key: 'N', label: '[N] No', to: '', value: 'NO' },
    ];
    const t = terminal();
    t.prompter.onEvent(gate({ prompt: 'Deploy?', question: 'yes_no', choices }));
    await t.shows(/Deploy\? \(y\/N\)/);
    t.type('n', KEYS.enter);
    await eventually(async () => t.answers.length > 0, 5000, 10);
    expect(t.answers).toEqual([{ choice: 'N' }]); // no edge: the decline goes by its key
  });

  it('sends the typed text and refuses an empty answer at the prompt when the gate asks for free text', async () => {
    const t = terminal();
    t.prompter.onEvent(gate({ prompt: 'What should change?', question: 'freeform', choices: [] }));
    await t.shows(/What should change\?/);
    t.type(KEYS.enter);
    await t.shows(/an answer is required/);
    t.type('more tests', KEYS.enter);
    await eventually(async () => t.answers.length > 0, 5000, 10);
    expect(t.answers).toEqual([{ text: 'more tests' }]);
  });

  it('shows the refusal and asks again when the run refuses the answer', async () => {
    const t = terminal(['tester may not approve their own run']);
    t.prompter.onEvent(gate());
    await t.shows(/Ship it\?/);
    t.type(KEYS.enter);
    await t.shows(/refused: tester may not approve their own run/);
    t.type(KEYS.down, KEYS.enter);
    await eventually(async () => t.notes.length > 0, 5000, 10);
    expect(t.answers).toEqual([{ choice: 'ship' }, { choice: 'revise' }]);
  });

  it('closes the prompt and says who answered when the gate closes elsewhere first', async () => {
    const t = terminal();
    t.prompter.onEvent(gate());
    await t.shows(/Ship it\?/);
    t.prompter.onEvent(ev('gate.answered', { gate: 'review', by: 'bob', choice: 'ship', via: 'update' }));
    t.prompter.onEvent(ev('gate.closed', { gate: 'review', selected: 'ship' }));
    await eventually(async () => t.notes.length > 0, 5000, 10);
    expect(t.notes).toEqual(['gate review was answered elsewhere: bob chose ship (update: factory approve/answer); prompt closed']);
    t.type(KEYS.enter); // a late key press answers nothing
    await new Promise((r) => setTimeout(r, 50));
    expect(t.answers).toEqual([]);
    expect(t.pauses).toEqual(['pause', 'resume']);
  });

  it('closes the prompt saying the quorum can no longer be reached when the gate deadlocked after answers elsewhere', async () => {
    const t = terminal();
    t.prompter.onEvent(gate());
    await t.shows(/Ship it\?/);
    t.prompter.onEvent(ev('gate.answered', { gate: 'review', by: 'bob', choice: 'revise', via: 'update' }));
    t.prompter.onEvent(ev('gate.deadlocked', { gate: 'review', votes: { ship: 1, revise: 1 }, quorum: 2, eligible: [] }));
    t.prompter.onEvent(ev('gate.closed', { gate: 'review', selected: null, via: 'quorum_unreachable' }));
    await eventually(async () => t.notes.length > 0, 5000, 10);
    expect(t.notes).toEqual(['gate review was answered elsewhere: its quorum can no longer be reached; prompt closed']);
  });

  it('never asks when the gate opened and closed in the same batch of events (a replay)', async () => {
    const t = terminal();
    t.prompter.onEvent(gate());
    t.prompter.onEvent(ev('gate.answered', { gate: 'review', by: 'bob', choice: 'ship', via: 'signal' }));
    t.prompter.onEvent(ev('gate.closed', { gate: 'review', selected: 'ship' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(t.pauses).toEqual([]);
    expect(t.screen()).toBe('');
  });

  it('resolves interrupted with the gate and sends nothing when Ctrl-C is pressed at the prompt', async () => {
    const t = terminal();
    t.prompter.onEvent(gate());
    await t.shows(/Ship it\?/);
    t.type(KEYS.ctrlC);
    await expect(t.prompter.interrupted).resolves.toBe('review');
    expect(t.answers).toEqual([]);
    t.prompter.onEvent(gate({ gate: 'later' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(t.pauses).toEqual(['pause', 'resume']); // asks nothing more after Ctrl-C
  });
});
