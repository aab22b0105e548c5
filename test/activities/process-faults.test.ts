// Faults around a stage's child process (issue 10 items 2 and 6): a full disk under its log files fails
// that stage (never the worker), and a killed stage leaves no process behind.
import { describeExit, runProcess } from '../../activities/handlers/process';
import { tempDir } from './helpers';

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
});
