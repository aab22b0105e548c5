// The human question model (Attractor §6.2 Question, §6.3 Answer) for wait.human gates, pure: which
// question a gate asks, which answers it accepts, what an answer routes to and records in context.
// Every surface (signals, the validated update, `factory answer`, the live view, a terminal prompt)
// goes through these functions, so a question means the same wherever it is answered.
//
// Readings (the spec derives MULTIPLE_CHOICE from edges and leaves the others to the interviewer):
// - A gate's type is `human.question` (yes_no | multiple_choice | freeform | confirmation); unset:
//   multiple_choice, or confirmation when the gate has exactly one outgoing edge (an acknowledgement).
// - yes_no: YES takes the edge labelled yes/approve-like (or keyed Y), NO the no/reject-like one (or N).
// - confirmation: YES takes the yes edge (the only edge for an acknowledgement); NO takes the no edge
//   when there is one, else the stage FAILs ("declined"), so §3.7 failure routing decides.
// - freeform: the answer is text; the stage succeeds with it in context and the engine selects the
//   edge as for any node (conditions on `context.human.gate.text`, weight, order).
// Context (§4.6): human.gate.selected (the option key: a letter, or YES/NO), human.gate.label, and for
// freeform human.gate.text.

import { normalizeLabel } from './labels';
import type { Outcome } from './outcome';

/** Attractor §6.2 QuestionType, lower-case as written in `human.question`. */
export const QuestionType = {
  yesNo: 'yes_no',
  multipleChoice: 'multiple_choice',
  freeform: 'freeform',
  confirmation: 'confirmation',
} as const;
export type QuestionType = (typeof QuestionType)[keyof typeof QuestionType];
export const QUESTION_TYPES: readonly QuestionType[] = Object.values(QuestionType);

/** Attractor §6.3 AnswerValue for yes/no questions and for answers that are not a choice. */
export const AnswerValue = { yes: 'YES', no: 'NO', skipped: 'SKIPPED', timeout: 'TIMEOUT' } as const;
export type AnswerValue = (typeof AnswerValue)[keyof typeof AnswerValue];

/** One option of a question. `to` is the edge target it routes to; '' means "no edge" (see the file comment). */
export interface QuestionOption {
  key: string;
  label: string;
  to: string;
  /** YES or NO for yes_no and confirmation options. */
  value?: 'YES' | 'NO';
}

/** Attractor §6.2 Question, as a gate presents it. */
export interface Question {
  text: string;
  type: QuestionType;
  options: QuestionOption[];
  /** The stage (node id) that asks. */
  stage: string;
  /** Option key or target taken on timeout (`human.default_choice`). */
  default?: string;
  timeout_seconds?: number;
}

/** Attractor §6.3 Answer: the chosen option, or free text. */
export interface Answer {
  value: string;
  selected_option?: QuestionOption;
  text?: string;
}

/** An outgoing edge of the gate, as a choice: what `humanChoices` gives. */
export interface EdgeChoice {
  key: string;
  label: string;
  to: string;
}

const YES_WORDS = new Set(['yes', 'y', 'approve', 'approved', 'accept', 'confirm', 'ok', 'ship', 'ship it', 'lgtm', 'go', 'continue', 'proceed']);
const NO_WORDS = new Set(['no', 'n', 'reject', 'rejected', 'decline', 'deny', 'revise', 'fix', 'stop', 'abort', 'cancel', 'changes']);

const EXPLICIT_KEY = /^(\[[A-Za-z0-9]\]|[A-Za-z0-9]\)|[A-Za-z0-9]\s+-\s+)/;

/** True when the edge is keyed `key` explicitly (`[Y] ...`) or its label or target is one of `words`. */
function saysWord(c: EdgeChoice, words: Set<string>, key: string): boolean {
  if (c.key === key && EXPLICIT_KEY.test(c.label.trim())) return true;
  const label = normalizeLabel(c.label);
  return words.has(label) || words.has(label.split(/[\s,]/)[0] ?? '') || words.has(c.to.toLowerCase());
}

/** The gate's question type: `human.question`, else confirmation for one edge, else multiple_choice. */
export function questionTypeOf(declared: string | undefined, edgeCount: number): QuestionType {
  if (declared && (QUESTION_TYPES as readonly string[]).includes(declared)) return declared as QuestionType;
  return edgeCount === 1 ? QuestionType.confirmation : QuestionType.multipleChoice;
}

/** The yes and no edges of a yes/no or confirmation gate (undefined where none fits). */
export function yesNoEdges(choices: readonly EdgeChoice[]): { yes?: EdgeChoice; no?: EdgeChoice } {
  if (choices.length === 1) return { yes: choices[0] as EdgeChoice };
  const yes = choices.find((c) => saysWord(c, YES_WORDS, 'Y'));
  const no = choices.find((c) => c !== yes && saysWord(c, NO_WORDS, 'N'));
  return { ...(yes ? { yes } : {}), ...(no ? { no } : {}) };
}

/** Why a gate's edges cannot carry its question type (lint: human_question); empty when they can. */
export function questionProblems(type: QuestionType, choices: readonly EdgeChoice[]): string[] {
  if (choices.length === 0) return [];
  if (type === QuestionType.yesNo) {
    const { yes, no } = yesNoEdges(choices);
    const out: string[] = [];
    if (choices.length !== 2) out.push(`a yes_no gate needs exactly 2 outgoing edges, it has ${choices.length}`);
    else if (!yes || !no) out.push('a yes_no gate needs one edge labelled like "[Y] Yes" and one like "[N] No"');
    return out;
  }
  if (type === QuestionType.confirmation && choices.length > 2) return [`a confirmation gate has 1 or 2 outgoing edges (yes, then no), it has ${choices.length}`];
  if (type === QuestionType.confirmation && choices.length === 2 && !yesNoEdges(choices).no) return ['a confirmation gate with 2 edges needs one labelled like "[N] No"'];
  return [];
}

/** The question a gate asks, built from its node settings and outgoing edges (§4.6 step 2). */
export function buildQuestion(
  node: { id: string; label: string; prompt: string; human?: { question?: string; default_choice?: string; timeout_ms?: number } },
  choices: readonly EdgeChoice[],
): Question {
  const type = questionTypeOf(node.human?.question, choices.length);
  const base = {
    text: node.prompt || node.label || 'Select an option:',
    type,
    stage: node.id,
    ...(node.human?.default_choice ? { default: node.human.default_choice } : {}),
    ...(node.human?.timeout_ms !== undefined ? { timeout_seconds: node.human.timeout_ms / 1000 } : {}),
  };
  if (type === QuestionType.multipleChoice) return { ...base, options: choices.map((c) => ({ ...c })) };
  if (type === QuestionType.freeform) return { ...base, options: [] };
  const { yes, no } = yesNoEdges(choices);
  const declineLabel = type === QuestionType.confirmation ? 'No (decline)' : 'No';
  return {
    ...base,
    options: [
      { key: 'Y', label: yes?.label ?? 'Yes', to: yes?.to ?? '', value: AnswerValue.yes },
      { key: 'N', label: no?.label ?? declineLabel, to: no?.to ?? '', value: AnswerValue.no },
    ],
  };
}

/** What a person sent: a choice (key, label, target id, yes/no) and/or free text. */
export interface AnswerText {
  choice?: unknown;
  text?: unknown;
}

const MAX_TEXT = 10_000;

/** Validates an answer against the question; the reason never echoes the raw input back. */
export function resolveAnswer(q: Question, input: AnswerText): { ok: true; answer: Answer } | { ok: false; reason: string } {
  if (q.type === QuestionType.freeform) {
    if (typeof input.text !== 'string' || input.text.trim() === '') return { ok: false, reason: 'this gate asks for free text: send "text" (factory answer --text "...")' };
    if (input.text.length > MAX_TEXT) return { ok: false, reason: `the answer text is longer than ${MAX_TEXT} characters` };
    return { ok: true, answer: { value: input.text, text: input.text } };
  }
  if (typeof input.choice !== 'string' || input.choice.trim() === '') return { ok: false, reason: `"choice" is required; one of: ${optionList(q)}` };
  const option = matchOption(q, input.choice);
  if (!option) return { ok: false, reason: `unknown choice; one of: ${optionList(q)}` };
  const text = typeof input.text === 'string' && input.text !== '' ? { text: input.text.slice(0, MAX_TEXT) } : {};
  return { ok: true, answer: { value: option.value ?? option.key, selected_option: option, ...text } };
}

/** The option an answer names: target id, label, key, or for yes/no questions a yes/no word. */
export function matchOption(q: Question, raw: string): QuestionOption | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  const byId = q.options.find((o) => o.to !== '' && o.to === text);
  if (byId) return byId;
  const label = normalizeLabel(text);
  const byLabel = q.options.find((o) => normalizeLabel(o.label) === label);
  if (byLabel) return byLabel;
  const key = /^\[?([A-Za-z0-9])\]?$/.exec(text)?.[1]?.toUpperCase();
  if (key !== undefined) {
    const byKey = q.options.find((o) => o.key === key);
    if (byKey) return byKey;
  }
  if (q.type === QuestionType.yesNo || q.type === QuestionType.confirmation) {
    const word = label.split(/[\s,]/)[0] ?? '';
    if (YES_WORDS.has(word)) return q.options.find((o) => o.value === AnswerValue.yes);
    if (NO_WORDS.has(word)) return q.options.find((o) => o.value === AnswerValue.no);
  }
  return undefined;
}

/** AutoApproveInterviewer (§6.4): YES, else the first option, else "auto-approved" text. */
export function autoAnswer(q: Question): Answer {
  if (q.type === QuestionType.freeform) return { value: 'auto-approved', text: 'auto-approved' };
  const option = q.options.find((o) => o.value === AnswerValue.yes) ?? q.options[0];
  return option ? { value: option.value ?? option.key, selected_option: option } : { value: AnswerValue.skipped };
}

/** The stage outcome for an answer (§4.6 step 6), with the context keys the spec names. */
export function answerOutcome(q: Question, answer: Answer, by: string): Outcome {
  const option = answer.selected_option;
  const common = { 'human.gate.by': by, ...(answer.text !== undefined ? { 'human.gate.text': answer.text } : {}) };
  if (q.type === QuestionType.freeform || !option) {
    return { status: 'success', context_updates: { 'human.gate.selected': '', 'human.gate.label': '', ...common } };
  }
  const updates = { 'human.gate.selected': option.value ?? option.key, 'human.gate.label': option.label, 'human.gate.to': option.to, ...common };
  if (option.to === '') return { status: 'fail', failure_reason: `human gate ${q.stage}: declined by ${by}`, context_updates: updates };
  return { status: 'success', preferred_label: option.label, suggested_next_ids: [option.to], context_updates: updates };
}

/** `[Y] Yes, [N] No`: the options as a person reads them (errors, CLI, live view). */
export function optionList(q: Question): string {
  if (q.type === QuestionType.freeform) return 'free text';
  return q.options.map((o) => (o.to ? `${o.key} (${o.label} → ${o.to})` : `${o.key} (${o.label})`)).join(', ');
}
