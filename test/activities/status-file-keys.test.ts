// A stage's status.json is written by the agent or its code: its context_updates keys are assigned into the
// run's context by the workflow, so a key that would change an object's prototype is refused when read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outcomeFromResponse, parseStatusObject, readStatusFile } from '../../activities/handlers/status-file';

describe('status.json context_updates keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'status-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['__proto__', 'constructor', 'prototype'])('refuses a status file whose context_updates set %s', async (key) => {
    writeFileSync(join(dir, 'status.json'), `{"outcome":"success","context_updates":{"ok":1,${JSON.stringify(key)}:{"polluted":true}}}`);
    const read = await readStatusFile(dir);
    expect(read).toBe(`invalid status.json: "context_updates" may not set the key ${JSON.stringify(key)} (reserved by JavaScript objects)`);
  });

  it('an answer in the status-file form with __proto__ is not taken as an outcome', () => {
    expect(outcomeFromResponse('{"outcome":"success","context_updates":{"__proto__":{"approved":true}}}')).toBeUndefined();
  });

  it('ordinary keys, including ones that look like object members, pass unchanged', () => {
    const parsed = parseStatusObject(JSON.parse('{"outcome":"success","context_updates":{"toString":"x","proto":1,"a.__proto__":2}}'));
    expect(parsed).toEqual({ status: 'success', context_updates: { toString: 'x', proto: 1, 'a.__proto__': 2 } });
  });

  it('the copy it returns has no prototype change (regression guard for the workflow assignment)', () => {
    const parsed = parseStatusObject(JSON.parse('{"outcome":"success","context_updates":{"k":"v"}}'));
    const context: Record<string, unknown> = {};
    if (typeof parsed !== 'string') for (const [k, v] of Object.entries(parsed.context_updates ?? {})) context[k] = v;
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(context).toEqual({ k: 'v' });
  });
});
