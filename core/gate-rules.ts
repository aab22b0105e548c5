// Human-gate rules, pure: who may answer, which choice an answer means, when a gate closes.
// The workflow applies these to signals (invalid → recorded, nothing changes) and to update
// validators (invalid → rejected before history).

import { identityKey, normalizeIdentity, sameIdentityIn } from './identity';
import { normalizeLabel } from './labels';
import { AnswerValue, QuestionType, resolveAnswer, type Question } from './questions';
import { matchHumanChoice } from './routing';
import type { GateAnswer, GateChoice, GateRecord } from './run-model';

export type AnswerKind = 'approve' | 'reject' | 'answer';

/** The fields a gate answer carries, whatever surface it came from. */
export interface AnswerInput {
  gate?: unknown;
  by?: unknown;
  choice?: unknown;
  comment?: unknown;
  /** Free text: the reply of a freeform gate. */
  text?: unknown;
}

export type AnswerCheck =
  | { ok: true; gate: GateRecord; choice: GateChoice; by: string; comment?: string; text?: string }
  | { ok: false; reason: string; gate?: GateRecord };

const APPROVE_WORDS = new Set(['approve', 'approved', 'accept', 'yes', 'ship', 'ship it', 'lgtm', 'ok', 'go']);
const REJECT_WORDS = new Set(['reject', 'rejected', 'revise', 'deny', 'no', 'fix', 'changes', 'request changes', 'rework']);

function matchesWord(choice: GateChoice, words: Set<string>): boolean {
  const label = normalizeLabel(choice.label);
  return words.has(label) || words.has(label.split(/[\s,]/)[0] ?? '') || words.has(choice.to.toLowerCase());
}

/** The question a gate record asks (gates opened before question types are multiple_choice). */
export function gateQuestion(gate: GateRecord): Question {
  return { text: gate.prompt, type: gate.question ?? QuestionType.multipleChoice, options: gate.choices, stage: gate.node };
}

/** The pseudo-choice a freeform reply votes for: no edge, the engine routes. */
export const FREEFORM_REPLY: GateChoice = { key: '', label: '', to: '' };

/** The choice an `approve`/`reject` signal stands for; undefined when the gate has none that fits. */
export function choiceForKind(gate: GateRecord, kind: 'approve' | 'reject'): GateChoice | undefined {
  if (gate.question === QuestionType.yesNo || gate.question === QuestionType.confirmation) {
    return gate.choices.find((c) => c.value === (kind === 'approve' ? AnswerValue.yes : AnswerValue.no));
  }
  if (gate.question === QuestionType.freeform) return undefined;
  if (kind === 'approve') return gate.choices.find((c) => matchesWord(c, APPROVE_WORDS)) ?? gate.choices[0];
  return gate.choices.find((c) => matchesWord(c, REJECT_WORDS));
}

/** Finds a choice by target id, label or key — the same matcher lint uses for default choices. */
export function findChoice(gate: GateRecord, text: string): GateChoice | undefined {
  if (gate.question !== undefined && gate.question !== QuestionType.multipleChoice) {
    const r = resolveAnswer(gateQuestion(gate), { choice: text });
    return r.ok ? r.answer.selected_option : undefined;
  }
  return matchHumanChoice(gate.choices, text);
}

/** Picks the open gate an answer is for: the named one, or the only open one. */
export function targetGate(gates: readonly GateRecord[], name: unknown): GateRecord | string {
  if (name !== undefined && name !== null && name !== '') {
    if (typeof name !== 'string') return 'malformed answer: "gate" must be a string';
    const exact = gates.find((g) => g.id === name);
    const byNode = [...gates].reverse().find((g) => g.node === name && !g.closed) ?? gates.find((g) => g.node === name);
    const gate = exact ?? byNode;
    if (!gate) return `unknown gate "${clip(name)}"; open gates: ${openList(gates)}`;
    return gate;
  }
  const open = gates.filter((g) => !g.closed);
  if (open.length === 0) return 'no gate is open';
  if (open.length > 1) return `several gates are open (${openList(gates)}); name one with "gate"`;
  return open[0] as GateRecord;
}

function openList(gates: readonly GateRecord[]): string {
  const open = gates.filter((g) => !g.closed).map((g) => g.id);
  return open.length ? open.join(', ') : 'none';
}

/** The largest answer (as JSON) a gate takes; larger ones are refused before they change anything. */
export const MAX_ANSWER_CHARS = 16 * 1024;
/** How much of a caller's text a refusal quotes back. */
const ECHO_CHARS = 64;

/** A caller's value as refusals quote it: at most ECHO_CHARS, never the raw input. */
export function clip(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length <= ECHO_CHARS ? text : `${text.slice(0, ECHO_CHARS)}…(${text.length} chars)`;
}

/** An answer's size as JSON (infinite when it cannot be serialized): what MAX_ANSWER_CHARS bounds. */
export function answerSize(input: object): number {
  try {
    return JSON.stringify(input).length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Whether a gate's deadline has passed at `nowMs` (workflow time of the task that delivers the answer). The
 * workflow cannot see a signal's arrival time, and workflow time is never earlier than it: an answer
 * delivered at or after the deadline is refused, so the timeout route is the only one taken.
 */
export function pastDeadline(gate: GateRecord, nowMs: number): boolean {
  if (gate.deadline === undefined) return false;
  const at = Date.parse(gate.deadline);
  return !Number.isNaN(at) && nowMs >= at;
}

/**
 * Validates an answer against the gate and its policy; never mutates. With `opts.now` (workflow time), an
 * answer to a gate whose deadline has passed is refused as late (workflows/human-gates.ts passes it).
 */
export function checkAnswer(
  gates: readonly GateRecord[],
  kind: AnswerKind,
  input: AnswerInput | undefined | null,
  startedBy: string | undefined,
  opts: { now?: number } = {},
): AnswerCheck {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, reason: 'malformed answer: expected a JSON object like {"by":"alice"}' };
  }
  const size = answerSize(input);
  if (size > MAX_ANSWER_CHARS) {
    return { ok: false, reason: `answer too large: ${size} characters; an answer is at most ${MAX_ANSWER_CHARS} (keep long comments in a file and link it)` };
  }
  if (input.by === undefined || input.by === null || (typeof input.by === 'string' && input.by.trim() === '')) {
    return { ok: false, reason: 'malformed answer: "by" (who answers) is required' };
  }
  if (typeof input.by !== 'string') {
    return { ok: false, reason: `malformed answer: "by" must be a string (the name of who answers), not ${Array.isArray(input.by) ? 'an array' : typeof input.by}` };
  }
  if (input.comment !== undefined && typeof input.comment !== 'string') {
    return { ok: false, reason: 'malformed answer: "comment" must be a string' };
  }
  const identity = normalizeIdentity(input.by);
  if (!identity.ok) return { ok: false, reason: `malformed answer: "by" ${identity.reason}` };
  // the normalised name is what is checked and recorded: `Alice` and `alice` are one approver
  const by = identity.name;
  const found = targetGate(gates, input.gate);
  if (typeof found === 'string') return { ok: false, reason: found };
  const gate = found;
  if (gate.closed) return { ok: false, reason: `gate "${gate.id}" is closed (late answer)`, gate };
  if (opts.now !== undefined && pastDeadline(gate, opts.now)) {
    return { ok: false, reason: `gate "${gate.id}" passed its deadline at ${gate.deadline ?? '?'} (late answer); its timeout route is taken`, gate };
  }
  if (input.text !== undefined && typeof input.text !== 'string') {
    return { ok: false, reason: 'malformed answer: "text" must be a string', gate };
  }
  let choice: GateChoice | undefined;
  let text: string | undefined;
  if (kind === 'answer' && gate.question !== undefined && gate.question !== QuestionType.multipleChoice) {
    const r = resolveAnswer(gateQuestion(gate), { choice: input.choice, text: input.text });
    if (!r.ok) return { ok: false, reason: r.reason, gate };
    choice = r.answer.selected_option ?? FREEFORM_REPLY;
    text = r.answer.text;
  } else if (kind === 'answer') {
    if (typeof input.choice !== 'string' || input.choice.trim() === '') {
      return { ok: false, reason: `malformed answer: "choice" is required; one of: ${choiceList(gate)}`, gate };
    }
    choice = findChoice(gate, input.choice);
    if (!choice) return { ok: false, reason: `unknown choice "${clip(input.choice)}"; one of: ${choiceList(gate)}`, gate };
  } else {
    choice = choiceForKind(gate, kind);
    if (!choice) {
      const how = gate.question === QuestionType.freeform ? 'answer with "text"' : `use answer with one of: ${choiceList(gate)}`;
      return { ok: false, reason: `gate "${gate.id}" has no ${kind} choice; ${how}`, gate };
    }
  }
  if (gate.approvers.length > 0 && !sameIdentityIn(gate.approvers, by)) {
    return { ok: false, reason: `"${clip(by)}" may not answer gate "${gate.id}"; approvers: ${gate.approvers.join(', ')}`, gate };
  }
  if (!gate.allowSelfApproval && startedBy !== undefined && identityKey(startedBy) === by) {
    return { ok: false, reason: `self-approval is not allowed: "${clip(by)}" started this run`, gate };
  }
  if (gate.answers.some((a) => identityKey(a.by) === by)) {
    return { ok: false, reason: `duplicate answer: "${clip(by)}" already answered gate "${gate.id}"`, gate };
  }
  const comment = typeof input.comment === 'string' ? input.comment : undefined;
  return { ok: true, gate, choice, by, ...(comment !== undefined ? { comment } : {}), ...(text !== undefined ? { text } : {}) };
}

function choiceList(gate: GateRecord): string {
  if (gate.question === QuestionType.freeform) return 'free text ("text")';
  return gate.choices.map((c) => `${c.to} ("${c.label}")`).join(', ');
}

/** The choice that has reached the gate's quorum, if any (first to reach it wins). */
export function winningChoice(gate: GateRecord): GateChoice | undefined {
  if (gate.question === QuestionType.freeform) return gate.answers.length >= gate.quorum ? FREEFORM_REPLY : undefined;
  const votes = new Map<string, number>();
  for (const a of gate.answers) {
    const n = (votes.get(a.choice) ?? 0) + 1;
    votes.set(a.choice, n);
    if (n >= gate.quorum) return gate.choices.find((c) => c.to === a.choice);
  }
  return undefined;
}

/** Closes a gate on `answer`'s choice whatever the votes so far (a deadline's or deadlock's default choice). */
export function closeWith(gate: GateRecord, answer: GateAnswer): GateRecord {
  return { ...gate, answers: [...gate.answers, answer], closed: true, selected: answer.choice };
}

/** Answers so far for one choice (what a quorum counts). */
export function votesFor(gate: GateRecord, choice: string): number {
  return gate.answers.filter((a) => a.choice === choice).length;
}

/** Records a valid answer and closes the gate when the quorum is reached. Returns the new gate. */
export function applyAnswer(gate: GateRecord, answer: GateAnswer): GateRecord {
  const next: GateRecord = { ...gate, answers: [...gate.answers, answer] };
  const winner = winningChoice(next);
  if (winner) return { ...next, closed: true, selected: winner.to };
  return next;
}

/** Why a gate can no longer be decided: the votes so far, the quorum, and who may still answer. */
export interface QuorumUnreachable {
  /** Votes per choice (target node id; '' is a freeform reply). */
  votes: Record<string, number>;
  quorum: number;
  /** Approvers who have not answered and may (the run's starter is left out when self-approval is not allowed). */
  eligible: string[];
}

/**
 * When no choice can reach the quorum any more with the voters still eligible: the gate is deadlocked
 * and waiting for its deadline only delays the same outcome. Undefined while some choice can still win,
 * once the gate is closed, and always for an open approver list (anyone may answer).
 */
export function quorumUnreachable(gate: GateRecord, startedBy: string | undefined): QuorumUnreachable | undefined {
  if (gate.closed || gate.approvers.length === 0) return undefined;
  const answered = new Set(gate.answers.map((a) => identityKey(a.by)));
  const starter = startedBy === undefined ? undefined : identityKey(startedBy);
  const eligible = [...new Set(gate.approvers.map(identityKey))].filter((a) => !answered.has(a) && (gate.allowSelfApproval || a !== starter));
  const votes: Record<string, number> = {};
  for (const a of gate.answers) votes[a.choice] = (votes[a.choice] ?? 0) + 1;
  // a freeform gate counts every reply toward one quorum; other gates count per choice
  const best = gate.question === QuestionType.freeform ? gate.answers.length : Math.max(0, ...gate.choices.map((c) => votes[c.to] ?? 0));
  if (best + eligible.length >= gate.quorum) return undefined;
  return { votes, quorum: gate.quorum, eligible };
}

/** The reason a deadlocked gate gives (events, failure_reason, CLI): votes, quorum, who may still answer. */
export function unreachableText(s: QuorumUnreachable): string {
  const votes = Object.entries(s.votes).map(([to, n]) => `${to || 'reply'} ${n}`).join(', ') || 'none';
  const left = s.eligible.length ? `only ${s.eligible.join(', ')} may still answer` : 'no approver left to answer';
  return `quorum ${s.quorum} can no longer be reached (votes: ${votes}; ${left})`;
}
