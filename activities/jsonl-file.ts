// Append-only JSON Lines journals (the agent transcript, the run's usage journal): one fsynced line per
// record, and a reader that skips a line torn by a crash (its write never completed, so what it records
// did not either).

import { open, readFile } from 'node:fs/promises';

/** Every complete line of `path` ([] when it does not exist); `flag` as readFile takes it (e.g. no-follow). */
export async function readJsonLines<T>(path: string, flag: string | number = 'r'): Promise<T[]> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', flag });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // torn: the write never completed
    }
  }
  return out;
}

/**
 * Appends one line and fsyncs it before returning. `flags` must open for reading too: a torn previous
 * line would swallow this one, so it starts on a fresh line when the file does not end with one.
 */
export async function appendJsonLine(path: string, line: unknown, flags: string | number = 'a+', mode = 0o644): Promise<void> {
  const fh = await open(path, flags, mode);
  try {
    const { size } = await fh.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await fh.write(prefix + JSON.stringify(line) + '\n');
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
