// Rebuilds a conversation from its journal lines: the messages to send next, what was spent, and the
// tool calls of the last turn still to run. The live loop appends lines in the same order, so a
// resumed session sends exactly what an uninterrupted one would.

import type { ModelMessage } from 'ai';
import { addUsage, NO_USAGE, type Usage } from '../llm/usage';
import type { JournalLine } from './journal';

/** A tool call the model asked for, and its result once run. */
export interface CallRecord {
  id: string;
  name: string;
  args: unknown;
  result?: { forModel: string; isError: boolean };
}

/** The state of a session after its journal lines. */
export interface SessionState {
  messages: ModelMessage[];
  turns: number;
  rounds: number;
  usage: Usage;
  lastText: string;
  /** Tool calls of the last turn, when some have no result yet. */
  pending: CallRecord[];
  /** name + args of every tool call, oldest first (loop detection). */
  signatures: string[];
  /** How many signatures there were at the end of each tool round (loop detection counts rounds). */
  roundEnds: number[];
  /** Steering sources already injected. */
  steered: Set<string>;
}

/** The tool-results message for one turn's calls. */
export function toolMessage(calls: readonly CallRecord[]): ModelMessage {
  return {
    role: 'tool',
    content: calls.map((c) => ({
      type: 'tool-result' as const,
      toolCallId: c.id,
      toolName: c.name,
      output: c.result?.isError ? { type: 'error-text' as const, value: c.result.forModel } : { type: 'text' as const, value: c.result?.forModel ?? '' },
    })),
  };
}

/** The signature loop detection compares. */
export function signature(name: string, args: unknown): string {
  return `${name} ${JSON.stringify(args)}`;
}

/** Folds a session's lines (in file order) onto the opening messages. */
export function replaySession(opening: readonly ModelMessage[], lines: readonly JournalLine[]): SessionState {
  const s: SessionState = { messages: [...opening], turns: 0, rounds: 0, usage: NO_USAGE, lastText: '', pending: [], signatures: [], roundEnds: [], steered: new Set() };
  let calls: CallRecord[] = [];
  for (const l of lines) {
    if (l.type === 'turn') {
      s.turns += 1;
      s.usage = addUsage(s.usage, l.usage);
      s.lastText = l.text;
      s.messages.push(...l.messages);
      calls = l.tool_calls.map((c) => ({ ...c }));
      if (calls.length) s.rounds += 1;
      for (const c of calls) s.signatures.push(signature(c.name, c.args));
      if (calls.length) s.roundEnds.push(s.signatures.length);
    } else if (l.type === 'tool') {
      const c = calls.find((x) => x.id === l.call_id);
      if (c) c.result = { forModel: l.for_model, isError: l.is_error };
      if (calls.length && calls.every((x) => x.result)) {
        s.messages.push(toolMessage(calls));
        calls = [];
      }
    } else if (l.type === 'steer') {
      s.steered.add(l.source);
      s.messages.push({ role: 'user', content: l.text });
    }
  }
  s.pending = calls;
  return s;
}

/** How many rounds in a row, up to the last, ended with loop detection firing (a resumed session keeps its count). */
export function loopStrikes(signatures: readonly string[], roundEnds: readonly number[], window: number): number {
  let n = 0;
  for (let i = roundEnds.length - 1; i >= 0 && detectLoop(signatures.slice(0, roundEnds[i]), window); i--) n += 1;
  return n;
}

/** Spec §2.10: the last `window` calls repeat a pattern of length 1, 2 or 3. */
export function detectLoop(signatures: readonly string[], window: number): boolean {
  if (window <= 0 || signatures.length < window) return false;
  const recent = signatures.slice(-window);
  for (const len of [1, 2, 3]) {
    if (window % len !== 0) continue;
    const pattern = recent.slice(0, len);
    let all = true;
    for (let i = len; i < window && all; i += len) all = recent.slice(i, i + len).every((v, j) => v === pattern[j]);
    if (all) return true;
  }
  return false;
}
