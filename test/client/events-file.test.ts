// `factory events <run directory>` checks every events.jsonl line against the event contract
// (core/contracts): a bad payload is named by file, line, event type and field; the good lines still show.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';

const at = '2026-12-07T18:00:00.000Z';
const started = { seq: 1, type: 'run.started', runId: 'r1', at, data: { start: 'start', resumed: false } };
const completed = { seq: 5, type: 'stage.completed', runId: 'r1', at, data: { node: 'plan', status: 'success', attempts: 1, usage: { input_tokens: 3, output_tokens: 4 } } };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-events-'));
  writeFileSync(join(dir, 'run.json'), '{}');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(lines: unknown[]): void {
  writeFileSync(join(dir, 'events.jsonl'), `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
}

describe('factory events <run directory>', () => {
  it('prints every event and exits 0 when each line matches its type', async () => {
    write([started, completed]);
    const r = await runCli(['events', '--json', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([started, completed]);
  });

  it('names the line, event type and field of a payload missing a field, and still shows the valid events', async () => {
    const renamed = { seq: 2, type: 'stage.started', runId: 'r1', at, data: { nodeId: 'plan', type: 'codergen', visit: 1 } };
    write([started, renamed, completed]);
    const r = await runCli(['events', '--json', dir]);
    expect(r.code).toBe(1);
    const file = join(dir, 'events.jsonl');
    expect(r.stderr).toContain(`factory: ${file}:2: stage.started data.node: Invalid input: expected string, received undefined\n`);
    expect(r.stderr).toContain(`factory: ${file}:2: stage.started data: Unrecognized key: "nodeId"\n`);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 5]);
  });

  it('refuses an unknown type and a line that is not JSON without echoing them raw', async () => {
    const hostile = { seq: 3, type: 'stage.exploded\u001b[31m', runId: 'r1', at, data: {} };
    write([started, hostile, '{"seq": 4, "type": \u001b]0;pwned\u0007']);
    const r = await runCli(['events', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/events\.jsonl:2: type: unknown event type "stage\.exploded\?\[31m" \(expected one of run\.created, /);
    expect(r.stderr).toMatch(/events\.jsonl:3: not a JSON event \(\d+ characters\)\n/);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).not.toContain('pwned');
  });

  it('names a wrong field type inside a payload of an event with a valid envelope', async () => {
    write([{ ...completed, data: { ...completed.data, status: 'exploded' } }]);
    const r = await runCli(['events', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/events\.jsonl:1: stage\.completed data\.status: Invalid option: expected one of "success"\|"partial_success"/);
    expect(r.stdout).toBe('');
  });
});
