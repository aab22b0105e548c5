// The CLI off the happy path (issue 10 item 7): answers to a run that does not exist or has closed are
// refusals (exit 2), not internal errors; a reader that goes away (`| head`) ends output without a stack.
import { spawn } from 'node:child_process';
import { greetingWorkflow } from '../fixtures/workflows';
import * as activities from '../fixtures/workflows/activities';
import { uniqueId, useTemporalTestEnv } from '../helpers/temporal';
import { BIN, REPO, runCli } from './run-cli';

const t = useTemporalTestEnv({ workflowsPath: require.resolve('../fixtures/workflows'), activities });

describe('factory answers to runs that cannot take them', () => {
  it('refuses with exit 2 naming the run when approve names a run that does not exist', async () => {
    const r = await runCli(['approve', 'nosuchrun-xyz', '--address', t.env.address, '--namespace', t.env.namespace, '--by', 'me']);
    expect(r.stderr).toBe('factory: approve refused: no run nosuchrun-xyz on this server (check the run id, --address and --namespace)\n');
    expect(r.code).toBe(2);
  });

  it('refuses with exit 2 saying the run completed when approve is sent after the run closed', async () => {
    const id = uniqueId('closed');
    await t.withWorker(async ({ client, taskQueue }) => {
      await client.workflow.execute(greetingWorkflow, { taskQueue, workflowId: id, args: ['x'] });
    });
    for (const extra of [[], ['--signal']]) {
      const r = await runCli(['approve', id, '--address', t.env.address, '--namespace', t.env.namespace, '--by', 'me', ...extra]);
      expect(r.stderr).toBe(`factory: approve refused: run ${id} has already completed; its gates are closed\n`);
      expect(r.code).toBe(2);
    }
  });

  it('refuses with exit 2 when status names a run that does not exist', async () => {
    const r = await runCli(['status', 'nosuchrun-xyz', '--address', t.env.address, '--namespace', t.env.namespace]);
    expect(r.stderr).toMatch(/^factory: no run nosuchrun-xyz on this server/);
    expect(r.code).toBe(2);
  });
});

describe('factory output into a closed pipe', () => {
  it('exits quietly without an EPIPE stack when the reader closes stdout early', async () => {
    const child = spawn(process.execPath, [BIN, 'lint', 'examples/pipelines/feature.yaml', 'examples/pipelines/feature.dot'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // `| head -0`: the reader is gone before the first line
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(code).toBe(0);
  });
});
