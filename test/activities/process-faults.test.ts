// Faults around a stage's child process (issue 10 items 2 and 6): a full disk under its log files fails
// that stage (never the worker), and a killed stage leaves no process behind.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeExit, runProcess } from '../../activities/handlers/process';
import { eventually } from '../helpers/runs';
import { tempDir } from './helpers';

/** Running (a zombie waiting for its reaper counts as gone). */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('stage process under faults', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('reports ENOSPC and stops the process instead of crashing the worker when its log file cannot be written', async () => {
    // /dev/full answers every write with ENOSPC: the disk-full case without filling a disk
    const result = await runProcess({
      argv: ['/bin/sh', '-c', 'echo hello; echo oops >&2; sleep 30'],
      cwd: dir,
      env: process.env,
      signal: new AbortController().signal,
      stdoutFile: '/dev/full',
      stderrFile: '/dev/full',
    });
    expect(result.logError).toMatch(/\/dev\/full: .*ENOSPC/);
    expect(result.exitCode).not.toBe(0);
    expect(describeExit(result)).toMatch(/could not write its log .*ENOSPC.*stopped/);
  });

  it('kills the stage process group when the worker running it is SIGKILLed, leaving no orphan', async () => {
    const worker = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '..', 'fixtures', 'stage-process-main.ts'), dir], { stdio: 'ignore' });
    const pid = await eventually(async () => Number(readFileSync(join(dir, 'stdout.log'), 'utf8').trim()) || undefined, 30_000);
    expect(alive(pid)).toBe(true);
    worker.kill('SIGKILL');
    await eventually(async () => !alive(pid), 15_000);
  }, 60_000);
});
