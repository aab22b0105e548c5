// Human-gate rules, pure: who may answer, which choice an answer means, when a gate closes.
// The workflow applies these to signals (invalid → recorded, nothing changes) and to update
// validators (invalid → rejected before history).

import { normalizeLabel } from './labels';
import { matchHumanChoice } from './routing';
import type { GateAnswer, GateChoice, GateRecord } from './run-model';

export type AnswerKind = 'approve' | 'reject' | 'answer';

/** The fields a gate answer carries, whatever surface it came from. */
export interface AnswerInput {
  gate?: unknown;
  by?: unknown;
  choice?: unknown;
  comment?: unknown;
}

export type AnswerCheck =
  | { ok: true; gate: GateRecord; choice: GateChoice; by: string; comment?: string }
  | { ok: false; reason: string; gate?: GateRecord };

const APPROVE_WORDS = new Set(['approve', 'approved', 'accept', 'yes', 'ship', 'ship it', 'lgtm', 'ok', 'go']);
const REJECT_WORDS = new Set(['reject', 'rejected', 'revise', 'deny', 'no', 'fix', 'changes', 'request changes', 'rework']);

function matchesWord(choice: GateChoice, words: Set<string>): boolean {
  const label = normalizeLabel(choice.label);
  return words.has(label) || words.has(label.split(/[\s,]/)[0] ?? '') || words.has(choice.to.toLowerCase());
}

/** The choice an `approve`/`reject` signal stands for; undefined when the gate has none that fits. */
export function choiceForKind(gate: GateRecord, kind: 'approve' | 'reject'): GateChoice | undefined {
  if (kind === 'approve') return gate.choices.find((c) => matchesWord(c, APPROVE_WORDS)) ?? gate.choices[0];
  return gate.choices.find((c) => matchesWord(c, REJECT_WORDS));
}

/** Finds a choice by target id, label or key — the same matcher lint uses for default choices. */
export function findChoice(gate: GateRecord, text: string): GateChoice | undefined {
  return matchHumanChoice(gate.choices, text);
}

/** Picks the open gate an answer is for: the named one, or the only open one. */
export function targetGate(gates: readonly GateRecord[], name: unknown): GateRecord | string {
  if (name !== undefined && name !== null && name !== '') {
    if (typeof name !== 'string') return 'malformed answer: "gate" must be a string';
    const exact = gates.find((g) => g.id === name);
    const byNode = [...gates].reverse().find((g) => g.node === name && !g.closed) ?? gates.find((g) => g.node === name);
    const gate = exact ?? byNode;
    if (!gate) return `unknown gate "${name}"; open gates: ${openList(gates)}`;
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

/** Validates an answer against the gate and its policy; never mutates. */
export function checkAnswer(
  gates: readonly GateRecord[],
  kind: AnswerKind,
  input: AnswerInput | undefined | null,
  startedBy: string | undefined,
): AnswerCheck {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, reason: 'malformed answer: expected a JSON object like {"by":"alice"}' };
  }
  if (typeof input.by !== 'string' || input.by.trim() === '') {
    return { ok: false, reason: 'malformed answer: "by" (who answers) is required' };
  }
  if (input.comment !== undefined && typeof input.comment !== 'string') {
    return { ok: false, reason: 'malformed answer: "comment" must be a string' };
  }
  const by = input.by.trim();
  const found = targetGate(gates, input.gate);
  if (typeof found === 'string') return { ok: false, reason: found };
  const gate = found;
  if (gate.closed) return { ok: false, reason: `gate "${gate.id}" is closed (late answer)`, gate };
  let choice: GateChoice | undefined;
  if (kind === 'answer') {
    if (typeof input.choice !== 'string' || input.choice.trim() === '') {
      return { ok: false, reason: `malformed answer: "choice" is required; one of: ${choiceList(gate)}`, gate };
    }
    choice = findChoice(gate, input.choice);
    if (!choice) return { ok: false, reason: `unknown choice "${input.choice}"; one of: ${choiceList(gate)}`, gate };
  } else {
    choice = choiceForKind(gate, kind);
    if (!choice) return { ok: false, reason: `gate "${gate.id}" has no ${kind} choice; use answer with one of: ${choiceList(gate)}`, gate };
  }
  if (gate.approvers.length > 0 && !gate.approvers.includes(by)) {
    return { ok: false, reason: `"${by}" may not answer gate "${gate.id}"; approvers: ${gate.approvers.join(', ')}`, gate };
  }
  if (!gate.allowSelfApproval && startedBy !== undefined && by === startedBy) {
    return { ok: false, reason: `self-approval is not allowed: "${by}" started this run`, gate };
  }
  if (gate.answers.some((a) => a.by === by)) {
    return { ok: false, reason: `duplicate answer: "${by}" already answered gate "${gate.id}"`, gate };
  }
  const comment = typeof input.comment === 'string' ? input.comment : undefined;
  return { ok: true, gate, choice, by, ...(comment !== undefined ? { comment } : {}) };
}

function choiceList(gate: GateRecord): string {
  return gate.choices.map((c) => `${c.to} ("${c.label}")`).join(', ');
}

/** The choice that has reached the gate's quorum, if any (first to reach it wins). */
export function winningChoice(gate: GateRecord): GateChoice | undefined {
  const votes = new Map<string, number>();
  for (const a of gate.answers) {
    const n = (votes.get(a.choice) ?? 0) + 1;
    votes.set(a.choice, n);
    if (n >= gate.quorum) return gate.choices.find((c) => c.to === a.choice);
  }
  return undefined;
}

/** Records a valid answer and closes the gate when the quorum is reached. Returns the new gate. */
export function applyAnswer(gate: GateRecord, answer: GateAnswer): GateRecord {
  const next: GateRecord = { ...gate, answers: [...gate.answers, answer] };
  const winner = winningChoice(next);
  if (winner) return { ...next, closed: true, selected: winner.to };
  return next;
}
