// Attractor §6.2/§6.3 question and answer model for wait.human gates (core/questions.ts), §11.8
// "Question supports types: YES_NO, MULTIPLE_CHOICE, FREEFORM, CONFIRMATION" and AutoApproveInterviewer.
import { lintPipeline } from '../../core/lint';
import {
  answerOutcome,
  autoAnswer,
  buildQuestion,
  matchOption,
  questionProblems,
  questionTypeOf,
  resolveAnswer,
  type EdgeChoice,
  type Question,
} from '../../core/questions';
import { edge, graph, node } from './builders';

const c = (label: string, to: string): EdgeChoice => ({ key: /^\[(.)\]/.exec(label)?.[1] ?? (label[0] ?? '').toUpperCase(), label, to });
const gateNode = (question?: string) => ({ id: 'review', label: 'Review', prompt: 'Ship it?', human: question ? { question } : {} });
const YES_NO = [c('[Y] Yes, ship', 'ship'), c('[N] No', 'fix')];

describe('questionTypeOf', () => {
  it.each([
    [undefined, 2, 'multiple_choice'],
    [undefined, 1, 'confirmation'],
    ['yes_no', 2, 'yes_no'],
    ['freeform', 1, 'freeform'],
    ['nonsense', 3, 'multiple_choice'],
  ])('gives %s with %d edges → %s', (declared, edges, type) => {
    expect(questionTypeOf(declared, edges)).toBe(type);
  });
});

describe('buildQuestion', () => {
  it('offers one option per edge for a multiple_choice gate', () => {
    const q = buildQuestion(gateNode(), [c('[A] Approve', 'ship'), c('[F] Fix', 'fix'), c('[D] Drop', 'drop')]);
    expect(q).toMatchObject({ text: 'Ship it?', type: 'multiple_choice', stage: 'review' });
    expect(q.options.map((o) => o.to)).toEqual(['ship', 'fix', 'drop']);
  });

  it('maps YES and NO to the yes-like and no-like edges of a yes_no gate, whatever their order', () => {
    const q = buildQuestion(gateNode('yes_no'), [c('Reject', 'fix'), c('Approve', 'ship')]);
    expect(q.options).toEqual([
      expect.objectContaining({ key: 'Y', value: 'YES', to: 'ship' }),
      expect.objectContaining({ key: 'N', value: 'NO', to: 'fix' }),
    ]);
  });

  it('declines to no edge when a one-edge gate (an acknowledgement) is a confirmation', () => {
    const q = buildQuestion(gateNode(), [c('Continue', 'next')]);
    expect(q.type).toBe('confirmation');
    expect(q.options).toEqual([expect.objectContaining({ value: 'YES', to: 'next' }), expect.objectContaining({ value: 'NO', to: '' })]);
  });

  it('has no options when the gate asks for free text', () => {
    expect(buildQuestion(gateNode('freeform'), [c('next', 'next')])).toMatchObject({ type: 'freeform', options: [] });
  });
});

describe('resolveAnswer and answerOutcome', () => {
  const yesNo = buildQuestion(gateNode('yes_no'), YES_NO);
  const free = buildQuestion(gateNode('freeform'), [c('next', 'next')]);
  const confirm = buildQuestion(gateNode(), [c('Continue', 'next')]);

  it.each<[string, Question, Record<string, unknown>, string | undefined]>([
    ['yes by word', yesNo, { choice: 'yes' }, 'ship'],
    ['no by key', yesNo, { choice: 'n' }, 'fix'],
    ['approve by synonym', yesNo, { choice: 'approve' }, 'ship'],
    ['a target id', yesNo, { choice: 'fix' }, 'fix'],
    ['confirmation yes', confirm, { choice: 'Y' }, 'next'],
    ['confirmation no', confirm, { choice: 'no' }, ''],
  ])('resolves %s', (_what, q, input, to) => {
    const r = resolveAnswer(q, input);
    expect(r.ok && r.answer.selected_option?.to).toBe(to);
  });

  it.each<[string, Question, Record<string, unknown>, RegExp]>([
    ['a yes_no gate gets an unknown word', yesNo, { choice: 'maybe<script>' }, /^unknown choice; one of: Y \(/],
    ['a yes_no gate gets no choice', yesNo, {}, /"choice" is required/],
    ['a freeform gate gets no text', free, { choice: 'x' }, /--text/],
    ['a freeform gate gets blank text', free, { text: '   ' }, /--text/],
    ['a freeform gate gets text that is too long', free, { text: 'x'.repeat(10_001) }, /longer than 10000/],
  ])('refuses the answer without echoing it when %s', (_what, q, input, reason) => {
    const r = resolveAnswer(q, input);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason).toMatch(reason);
      expect(r.reason).not.toContain('script');
    }
  });

  it('records the option key and label in context and routes to its edge (§4.6 step 6)', () => {
    const r = resolveAnswer(yesNo, { choice: 'yes' });
    if (!r.ok) throw new Error(r.reason);
    expect(answerOutcome(yesNo, r.answer, 'alice')).toEqual({
      status: 'success',
      preferred_label: '[Y] Yes, ship',
      suggested_next_ids: ['ship'],
      context_updates: { 'human.gate.selected': 'YES', 'human.gate.label': '[Y] Yes, ship', 'human.gate.to': 'ship', 'human.gate.by': 'alice' },
    });
  });

  it('fails the stage with the decliner named when a confirmation without a no edge is declined', () => {
    const r = resolveAnswer(confirm, { choice: 'no' });
    if (!r.ok) throw new Error(r.reason);
    expect(answerOutcome(confirm, r.answer, 'bob')).toMatchObject({ status: 'fail', failure_reason: 'human gate review: declined by bob' });
  });

  it('records free text in human.gate.text and lets the edges route when the gate is freeform', () => {
    const r = resolveAnswer(free, { text: 'use postgres' });
    if (!r.ok) throw new Error(r.reason);
    const out = answerOutcome(free, r.answer, 'carol');
    expect(out).toEqual({ status: 'success', context_updates: { 'human.gate.selected': '', 'human.gate.label': '', 'human.gate.by': 'carol', 'human.gate.text': 'use postgres' } });
  });
});

describe('autoAnswer (AutoApproveInterviewer §6.4)', () => {
  it.each<[string, Question, unknown]>([
    ['YES for yes_no', buildQuestion(gateNode('yes_no'), YES_NO), 'YES'],
    ['YES for confirmation', buildQuestion(gateNode(), [c('Continue', 'next')]), 'YES'],
    ['the first option for multiple_choice', buildQuestion(gateNode(), [c('[B] Build', 'b'), c('[C] Cancel', 'c')]), 'B'],
    ['auto-approved text for freeform', buildQuestion(gateNode('freeform'), [c('next', 'next')]), 'auto-approved'],
  ])('answers %s', (_what, q, value) => {
    expect(autoAnswer(q).value).toBe(value);
  });
});

describe('questionProblems and the human_question lint rule', () => {
  it.each<[string, string, EdgeChoice[], number]>([
    ['a yes_no gate has yes and no edges', 'yes_no', YES_NO, 0],
    ['a yes_no gate has three edges', 'yes_no', [...YES_NO, c('Later', 'later')], 1],
    ['a yes_no gate cannot tell yes from no', 'yes_no', [c('Ship', 'ship'), c('Polish', 'polish')], 1],
    ['a confirmation gate has one edge', 'confirmation', [c('Go', 'go')], 0],
    ['a confirmation gate has three edges', 'confirmation', [c('a', 'a'), c('b', 'b'), c('c', 'c')], 1],
  ])('finds %d problem(s) when %s', (_what, type, choices, count) => {
    expect(questionProblems(questionTypeOf(type, choices.length), choices)).toHaveLength(count);
  });

  it('reports human_question at the gate when a yes_no gate has no recognisable no edge', () => {
    const g = graph(
      ['start', node('review', { type: 'wait.human', shape: 'hexagon', human: { question: 'yes_no' } }), 'a', 'b', 'exit'],
      ['start -> review', edge('review', 'a', { label: 'Ship' }), edge('review', 'b', { label: 'Polish' }), 'a -> exit', 'b -> exit'],
    );
    expect(lintPipeline(g)).toContainEqual(expect.objectContaining({ rule: 'human_question', severity: 'error', node: 'review', path: 'nodes[review].human.question' }));
  });

  it('matches an option by label when its key is shared', () => {
    const q = buildQuestion(gateNode(), [c('Build', 'b'), c('Bail', 'x')]);
    expect(matchOption(q, 'bail')?.to).toBe('x');
  });
});
