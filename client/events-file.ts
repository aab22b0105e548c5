// A run directory's events.jsonl read back for the CLI, each line checked against the event contract
// (core/contracts): a line that is not JSON or does not match its type's payload is reported with the
// file, line, event type and field, and left out of what is shown (the file itself is untouched).
import { readFileSync } from 'node:fs';
import { validateEvent } from '../core/contracts';
import type { RunEvent } from '../core/run-model';

/** The valid events of the file, in order, and one problem line per issue of the others. */
export interface EventsFile {
  events: RunEvent[];
  problems: string[];
}

/** Reads and checks `file` (an events.jsonl); `shownAs` names it in problems (default: the path). */
export function readEventsFile(file: string, shownAs = file): EventsFile {
  const events: RunEvent[] = [];
  const problems: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${shownAs}:${i + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        problems.push(`${where}: not a JSON event (${line.length} characters)`);
        return;
      }
      const check = validateEvent(value);
      if (check.ok) events.push(value as RunEvent); // as written: parsing must not drop a field it does not know
      else problems.push(...check.issues.map((issue) => `${where}: ${issue}`));
    });
  return { events, problems };
}
