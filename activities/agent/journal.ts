// The agent transcript, `<stage>/transcript.jsonl`: one fsynced line per session start, model turn,
// tool call, steering message and session end. It is also the durable record a retried activity
// resumes from: completed turns are never re-requested and completed tool calls never re-run.

import { appendJsonLine, readJsonLines } from '../jsonl-file';
import { join } from 'node:path';
import type { ModelMessage } from 'ai';
import type { Usage } from '../llm/usage';
import type { HookRecord } from './tool-hooks';

/** The transcript's file name inside the stage directory. */
export const TRANSCRIPT_FILE = 'transcript.jsonl';
/** Full tool output kept per journal line (the model sees the truncated form). */
export const JOURNAL_OUTPUT_LIMIT = 200_000;

/** One transcript line. `session` ties a line to one conversation (one activity execution). */
export type JournalLine =
  | { type: 'session'; session: string; activity: string; at: string; provider: string; model: string; system: string; thread?: string; prior_messages?: number; prior?: ModelMessage[]; preamble?: string; prompt?: string }
  | { type: 'turn'; session: string; turn: number; at: string; text: string; tool_calls: { id: string; name: string; args: unknown }[]; messages: ModelMessage[]; usage: Usage; finish_reason: string }
  | { type: 'tool'; session: string; turn: number; at: string; call_id: string; name: string; args: unknown; output: string; for_model: string; is_error: boolean; duration_ms: number; pre_hook?: HookRecord; post_hook?: HookRecord }
  | { type: 'steer'; session: string; turn: number; at: string; text: string; source: string }
  | { type: 'end'; session: string; at: string; reason: string; detail?: string; text: string; usage: Usage; turns: number };

/** The transcript path of a stage. */
export function transcriptPath(stageDir: string): string {
  return join(stageDir, TRANSCRIPT_FILE);
}

/** Every complete line (a torn last line from a crash is ignored). */
export function readJournal(stageDir: string): Promise<JournalLine[]> {
  return readJsonLines<JournalLine>(transcriptPath(stageDir));
}

/** Appends one line and fsyncs it before returning (the step is durable once this resolves). */
export function appendJournal(stageDir: string, line: JournalLine): Promise<void> {
  return appendJsonLine(transcriptPath(stageDir), line);
}

/**
 * The session to continue (the activity's last one, unfinished and started for the same prompt) or to
 * start (`<activity>#<n>`).
 */
export function chooseSession(lines: readonly JournalLine[], activity: string, prompt?: string): { session: string; resumed: boolean } {
  const starts = lines.filter((l): l is Extract<JournalLine, { type: 'session' }> => l.type === 'session' && l.activity === activity);
  const last = starts[starts.length - 1];
  const samePrompt = prompt === undefined || last?.prompt === undefined || last.prompt === prompt;
  if (last && samePrompt && !lines.some((l) => l.type === 'end' && l.session === last.session)) return { session: last.session, resumed: true };
  return { session: `${activity}#${starts.length + 1}`, resumed: false };
}

/** The lines of one session, in order. */
export function sessionLines(lines: readonly JournalLine[], session: string): JournalLine[] {
  return lines.filter((l) => l.session === session);
}
