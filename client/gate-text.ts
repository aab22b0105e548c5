// How a human gate is shown and answered on every client surface (`factory gates`, `factory watch`,
// the live view, `factory run` progress), by question type (core/questions.ts), so they never disagree.
import { quorumUnreachable, unreachableText, votesFor } from '../core/gate-rules';
import type { QuestionType } from '../core/questions';
import type { GateChoice, GateRecord } from '../core/run-model';
import { changeLines, type WorkspaceChange } from '../core/workspace';

/** One line listing what the gate accepts: its options, or that it wants free text. */
export function choicesLine(question: QuestionType | undefined, choices: readonly GateChoice[]): string {
  if (question === 'freeform') return 'question: freeform — reply with free text';
  const option = (c: GateChoice) => (c.to ? `${c.to} ("${c.label}")` : `"${c.label}" (the stage fails)`);
  if (question === 'yes_no' || question === 'confirmation') {
    return `question: ${question} — ${choices.map((c) => `${c.value === 'NO' ? 'no' : 'yes'} → ${option(c)}`).join(', ')}`;
  }
  return `choices: ${choices.map(option).join(', ')}`;
}

/** The factory commands that answer the gate. */
export function answerCommands(runId: string, gate: string, question: QuestionType | undefined): string {
  if (question === 'freeform') return `factory answer ${runId} --gate ${gate} --text "<your reply>"`;
  if (question === 'yes_no' || question === 'confirmation') return `factory approve ${runId} --gate ${gate} (yes)   |   factory reject ${runId} --gate ${gate} (no)`;
  return `factory approve ${runId} --gate ${gate}   |   factory answer ${runId} --gate ${gate} --choice <choice>`;
}

/**
 * Votes per choice against the quorum, e.g. `ship 1/2, revise 1/2`, and the deadlock when no choice can
 * win any more (the client does not know the run's starter, whom the run also leaves out without self-approval).
 */
export function votesLine(gate: GateRecord): string {
  const choices = [...new Set(gate.answers.map((a) => a.choice))];
  const votes = choices.map((c) => `${c || 'reply'} ${votesFor(gate, c)}/${gate.quorum}`).join(', ');
  const stuck = quorumUnreachable(gate, undefined);
  return stuck ? `${votes}; ${unreachableText(stuck)}: the gate ends now, as at its deadline` : votes;
}

/** The event's `change`, when it has the shape a gate shows (events are checked against their contract, but old or foreign ones may not be). */
export function eventChange(v: unknown): WorkspaceChange | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const c = v as Partial<WorkspaceChange>;
  const n = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  if (typeof c.commit !== 'string' || typeof c.from !== 'string' || !n(c.files) || !n(c.added) || !n(c.deleted) || !n(c.more) || !Array.isArray(c.listed)) return undefined;
  const listed = c.listed.filter((f) => f !== null && typeof f === 'object' && typeof f.path === 'string' && n(f.added) && n(f.deleted));
  return { commit: c.commit, from: c.from, files: c.files as number, added: c.added as number, deleted: c.deleted as number, listed, more: c.more as number };
}

/** The change a gate shows, indented under it: `changed so far: 3 files, +10 -2 at <commit> (since <start>)`, then a line per file. */
export function changeBlock(change: WorkspaceChange, indent: string): string[] {
  return changeLines(change).map((l, i) => (i === 0 ? `${indent}changed so far: ${l}` : `${indent}  ${l}`));
}
