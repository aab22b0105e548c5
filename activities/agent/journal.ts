// The agent transcript, `<stage>/transcript.jsonl`: one fsynced line per session start, model turn,
// tool call, steering message and session end. It is also the durable record a retried activity
// resumes from: completed turns are never re-requested and completed tool calls never re-run.

import { open, readFile } from 'node:fs/promises';
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
export async function readJournal(stageDir: string): Promise<JournalLine[]> {
  let text: string;
  try {
    text = await readFile(transcriptPath(stageDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: JournalLine[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalLine);
    } catch {
      // a torn line: the write never completed, so the step it records did not either
    }
  }
  return out;
}

/** Appends one line and fsyncs it before returning (the step is durable once this resolves). */
export async function appendJournal(stageDir: string, line: JournalLine): Promise<void> {
  const fh = await open(transcriptPath(stageDir), 'a+');
  try {
    // a torn previous line would swallow this one: start on a fresh line
    const size = (await fh.stat()).size;
    const prefix = size > 0 && !(await endsWithNewline(fh, size)) ? '\n' : '';
    await fh.write(prefix + JSON.stringify(line) + '\n');
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

async function endsWithNewline(fh: import('node:fs/promises').FileHandle, size: number): Promise<boolean> {
  const buf = Buffer.alloc(1);
  await fh.read(buf, 0, 1, size - 1);
  return buf[0] === 0x0a;
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
