// Symbolic links planted in a run directory (issue 10 item 5): stage writes and the freeze never follow
// them out of the run; a link is frozen as its target text, so changing it fails verify.
import { chmodSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { finalizeRun, verifyRunDir } from '../../activities/finalize';
import { createDefaultHandlers } from '../../activities/handlers';
import { runProcess } from '../../activities/handlers/process';
import { runStage } from '../../activities/stage';
import { envelope, node, stageInput, tempDir } from './helpers';

describe('symbolic links in the run directory', () => {
  let dir: string;
  let outside: string;
  let cleanup: () => Promise<void>;
  let cleanOutside: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('factory-run-'));
    ({ dir: outside, cleanup: cleanOutside } = await tempDir('factory-outside-'));
    writeFileSync(join(outside, 'victim.txt'), 'precious\n');
    chmodSync(join(outside, 'victim.txt'), 0o644);
  });
  afterEach(async () => {
    await cleanup();
    await cleanOutside();
  });

  it('refuses to run a stage whose directory is a link out of the run, writing nothing outside', async () => {
    symlinkSync(outside, join(dir, 'build'));
    const attempt = { attempt: 1, heartbeat: () => undefined, signal: new AbortController().signal };
    const run = runStage(stageInput(dir, node('build', { type: 'tool', tool_command: 'echo hi' })), attempt, { handlers: createDefaultHandlers(), env: process.env });
    await expect(run).rejects.toThrow(/build is a symbolic link → .*factory-outside-.*nothing is written outside the run directory/);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
    expect(() => statSync(join(outside, 'status.json'))).toThrow();
  });

  it('fails the process log instead of writing through a log file name replaced by a link', async () => {
    mkdirSync(join(dir, 'build'));
    symlinkSync(join(outside, 'victim.txt'), join(dir, 'build', 'stdout.log'));
    const r = await runProcess({ argv: ['/bin/sh', '-c', 'echo overwritten'], cwd: dir, env: process.env, signal: new AbortController().signal, stdoutFile: join(dir, 'build', 'stdout.log'), stderrFile: join(dir, 'build', 'stderr.log') });
    expect(r.logError).toMatch(/stdout.log: .*ELOOP/);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
  });

  it('freezes a link as its target without chmodding or hashing the outside file, and verify catches a changed target', async () => {
    symlinkSync(join(outside, 'victim.txt'), join(dir, 'planted'));
    symlinkSync(join(outside, 'victim.txt'), join(dir, 'summary.md'));
    const { freezeDigest } = await finalizeRun({ runDir: dir, events: [{ seq: 1, type: 'run.created', runId: 'run-1', at: 't', data: {} }], envelope: { ...envelope('run-1'), lastSeq: 1 }, summary: { envelope: envelope('run-1') } });
    expect(statSync(join(outside, 'victim.txt')).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(outside, 'victim.txt'), 'utf8')).toBe('precious\n');
    expect(lstatSync(join(dir, 'summary.md')).isSymbolicLink()).toBe(false);
    await expect(verifyRunDir(dir, freezeDigest)).resolves.toMatchObject({ ok: true });
    unlinkSync(join(dir, 'planted'));
    symlinkSync('/etc/hostname', join(dir, 'planted'));
    await expect(verifyRunDir(dir, freezeDigest)).resolves.toMatchObject({ ok: false, modified: ['planted'] });
  });
});
