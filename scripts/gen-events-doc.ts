// Writes docs/events.md from the event schemas (scripts/events-doc.ts). Run after changing an event
// payload in core/contracts/event-payloads.ts: npx tsx scripts/gen-events-doc.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEventsDoc } from './events-doc';

const target = join(__dirname, '..', 'docs', 'events.md');
writeFileSync(target, renderEventsDoc());
process.stdout.write(`wrote ${target}\n`);
