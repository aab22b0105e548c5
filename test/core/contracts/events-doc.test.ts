// docs/events.md is generated from the event schemas: the committed file must be what the generator
// writes now, so a payload change without `npx tsx scripts/gen-events-doc.ts` fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from '../../../core/contracts';
import { renderEventsDoc } from '../../../scripts/events-doc';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'events.md');

describe('docs/events.md', () => {
  it('matches what scripts/gen-events-doc.ts generates from core/contracts (regenerate it when this fails)', () => {
    expect(readFileSync(DOC, 'utf8')).toBe(renderEventsDoc());
  });

  it('has a section for every event type with every payload field of it', () => {
    const doc = renderEventsDoc();
    for (const type of EVENT_TYPES) expect(doc).toContain(`## \`${type}\``);
    const stageStarted = doc.slice(doc.indexOf('## `stage.started`'), doc.indexOf('## `stage.completed`'));
    expect(stageStarted).toMatch(/\| `visit` \| `integer` \| yes \|/);
    expect(stageStarted).toMatch(/\| `branch` \| `string` \| no \|/);
  });
});
