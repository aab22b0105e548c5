// Drill: a stage fills the disk under its run directory (a 2 MiB tmpfs as run_root when this process
// may mount one, else ENOSPC injected at the log write via /dev/full in test/activities/process-faults).
// That run fails clearly (EXEC_FAILURE naming ENOSPC) and closes; the same worker then completes another run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { followEvents } from '../../client/progress';
import { allEvents, expectGapless, pipelineYaml, readEvents, settle, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const mountPoint = mkdtempSync(join(tmpdir(), 'factory-drill-full-'));
let mounted = false;
beforeAll(() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    mounted = true;
  } catch {
    mounted = false;
  }
});
afterAll(() => {
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

const filler = pipelineYaml('full', ['{ id: fill, type: tool, tool_command: "head -c 8000000 /dev/zero | tr \\"\\\\\\\\0\\" x" }'], ['{ from: start, to: fill }', '{ from: fill, to: exit }']);
const fine = pipelineYaml('fine', ['{ id: hello, type: tool, tool_command: "echo hello" }'], ['{ from: start, to: hello }', '{ from: hello, to: exit }']);

it('fails the run that filled the disk with a clear ENOSPC reason and keeps the worker serving the next run', async () => {
  if (!mounted) {
    console.warn('disk-full drill: mount -t tmpfs is not permitted here; ENOSPC is covered by test/activities/process-faults.test.ts');
    return;
  }
  const ws = workspace(filler);
  const handle = await env.start(ws, { runRoot: join(mountPoint, 'runs') });
  const followed = followEvents(handle, () => undefined, { intervalMs: 200 });
  const settled = await settle(handle);
  expect(settled.ok).toBe(false);
  expect(settled.ok ? '' : `${settled.failure.message} ${JSON.stringify(settled.failure.details)}`).toMatch(/ENOSPC|no space left/i);
  await followed;
  expectGapless(await allEvents(handle));

  const next = await env.start(workspace(fine));
  const result = await next.result();
  expect(result.outcome).toBe('succeeded');
  expect(readEvents(result.runDir as string)).toEqual(await allEvents(next));
});
