// `factory graph <runId>` against a live run on the test server (the `run` query), and the real
// launcher's exit codes (bin/factory in a child process).
import { statusQuery } from '../../workflows/messages';
import { eventually, pipelineYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { runCli, spawnCli } from '../client/run-cli';
import { FEATURE_YAML } from './fixtures';

const env = useRunEnv();

const gated = pipelineYaml(
  'gated',
  ['{ id: review, type: wait.human, label: Review, prompt: "Ship it?" }', '{ id: ship, type: tool, tool_command: "true" }'],
  ['{ from: start, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }', '{ from: ship, to: exit }'],
);

describe('factory graph <runId>', () => {
  it('colours the open gate as running and unreached stages grey when the run waits at a gate', async () => {
    const ws = workspace(gated);
    const handle = await env.start(ws, { runId: uniqueId('graph') });
    try {
      await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human');
      const { address, namespace } = testTemporalEnv();
      const r = await runCli(['graph', handle.workflowId, '--address', address, '--namespace', namespace, '-f', 'dot'], ws.dir);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const line = (id: string) => r.stdout.split('\n').find((l) => l.startsWith(`  "${id}" [`)) ?? '';
      expect(line('start')).toContain('status-success');
      expect(line('review')).toContain('status-running');
      expect(line('review')).toContain('label="Review\\n[gate]\\nrunning"');
      expect(line('ship')).toContain('status-not_reached');
      expect(r.stdout).toContain(`run ${handle.workflowId}: awaiting_human`);
    } finally {
      await handle.terminate('test done').catch(() => undefined);
    }
  });

  it('exits 1 naming the run when no workflow has that id and no run directory exists here', async () => {
    const { address, namespace } = testTemporalEnv();
    const r = await runCli(['graph', 'no-such-run', '--address', address, '--namespace', namespace], workspace(gated).dir);
    expect(r.stderr).toMatch(/^factory: cannot read run no-such-run: .*pass a run directory, or --address\n$/);
    expect(r.code).toBe(1);
  });
});

describe('bin/factory graph', () => {
  it.each([
    [0, [FEATURE_YAML, '-f', 'mermaid']],
    [2, ['missing.dot']],
    [2, [FEATURE_YAML, '-f', 'jpeg']],
  ])('exits %i when run as a process with %j', async (code, args) => {
    const r = await spawnCli(['graph', ...args]);
    expect(r.code).toBe(code);
    if (code === 0) expect(r.stdout).toContain('flowchart TD');
    else expect(r.stderr).toMatch(/^factory: /);
  });
});
