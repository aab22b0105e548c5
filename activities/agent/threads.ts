// Conversation threads (Attractor §5.4): under fidelity `full`, nodes that share a thread key continue
// one conversation. The thread's messages live in `<runDir>/threads/<key>.json`, written atomically
// when a session ends and read when the next session on the thread starts.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelMessage } from 'ai';
import { writeJsonAtomic } from '../atomic-files';

/** The thread key for a node under `full`: its thread_id, else the previous stage (§5.4 fallback). */
export function threadKey(node: { thread_id?: string }, context: Readonly<Record<string, unknown>>): string | undefined {
  if (node.thread_id) return node.thread_id;
  const last = context['last_stage'];
  return typeof last === 'string' && last ? last : undefined;
}

function threadFile(runDir: string, key: string): string {
  return join(runDir, 'threads', `${encodeURIComponent(key)}.json`);
}

/** The thread's messages so far ([] for a new thread). */
export async function readThread(runDir: string, key: string): Promise<ModelMessage[]> {
  try {
    const v = JSON.parse(await readFile(threadFile(runDir, key), 'utf8')) as { messages?: unknown };
    return Array.isArray(v.messages) ? (v.messages as ModelMessage[]) : [];
  } catch {
    return [];
  }
}

/** Saves the whole conversation as the thread's new state. */
export async function writeThread(runDir: string, key: string, node: string, messages: ModelMessage[]): Promise<void> {
  await mkdir(join(runDir, 'threads'), { recursive: true });
  await writeJsonAtomic(threadFile(runDir, key), { thread: key, last_node: node, messages });
}
