// Colour only for a person at a terminal: NO_COLOR, TERM=dumb and a pipe turn it off, FORCE_COLOR on;
// `factory runs` colours the outcome after padding, so the columns still line up.
import { colourEnabled, palette } from '../../client/colour';
import { formatRuns, type RunRow } from '../../client/commands/runs';
import { runCli } from './run-cli';

const tty = { write: () => undefined, columns: 100 };
const row = (runId: string, outcome: string, temporalStatus = 'COMPLETED'): RunRow => ({ runId, status: 'completed', outcome, temporalStatus, pipeline: 'p', started: '2026-12-07T10:00:00.000Z' });

describe('colour', () => {
  it.each<[string, Record<string, string>, boolean, boolean]>([
    ['a terminal', {}, true, true],
    ['a pipe', {}, false, false],
    ['NO_COLOR=1 at a terminal', { NO_COLOR: '1' }, true, false],
    ['an empty NO_COLOR at a terminal', { NO_COLOR: '' }, true, true],
    ['TERM=dumb', { TERM: 'dumb' }, true, false],
    ['FORCE_COLOR=1 into a pipe', { FORCE_COLOR: '1' }, false, true],
    ['FORCE_COLOR=0 into a pipe', { FORCE_COLOR: '0' }, false, false],
  ])('is %s: %j', (_name, env, terminal, expected) => {
    expect(colourEnabled({ env, ...(terminal ? { tty } : {}) })).toBe(expected);
  });

  it('paints the runs table\'s outcomes after padding, and nothing without colour', () => {
    const rows = [row('run-approved', 'approved'), row('run-f', 'failed', 'FAILED'), row('run-w', 'awaiting_human', 'RUNNING')];
    const coloured = formatRuns(rows, palette({ env: {}, tty }));
    expect(coloured[1]).toContain('\x1b[32mapproved      \x1b[39m');
    expect(coloured[2]).toContain('\x1b[31mfailed        \x1b[39m');
    expect(coloured[3]).toContain('\x1b[33mawaiting_human\x1b[39m');
    const strip = (l: string) => l.replace(/\x1b\[\d+m/g, '');
    expect(coloured.map(strip)).toEqual(formatRuns(rows, palette({ env: {} })));
    expect(formatRuns(rows, palette({ env: { NO_COLOR: '1' }, tty })).join('')).not.toContain('\x1b');
  });

  it('writes no escape codes when the CLI\'s output is not a terminal', async () => {
    const r = await runCli(['verify', '/nonexistent/run', '--offline']);
    expect(r.stdout + r.stderr).not.toContain('\x1b');
  });
});
