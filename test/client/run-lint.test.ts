// `factory run` prints the pipeline's lint warnings before it starts (issue 22): the three typos of the
// issue are named with the intended word, and a strict profile refuses the run before any stage runs.
import { testProfileYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();

const TYPOS = `digraph typos {
  graph [goal="Ship it"]
  start [shape=Mdiamond]
  exit  [shape=Msquare]
  build  [shape=parallelogram, tool_comand="true"]
  review [shape=hexagone, label="Review"]
  start -> build -> review
  review -> exit  [label="[A] Approve", conditon="outcome=success"]
  review -> build [label="[F] Fix"]
}
`;
const WORDS = ["did you mean 'tool_command'?", "did you mean 'hexagon'?", "did you mean 'condition'?"];

describe('factory run with typos in a DOT pipeline', () => {
  const run = async (profileExtra: string, runId: string) => {
    const ws = workspace(TYPOS, { ext: 'dot', profile: testProfileYaml(profileExtra) });
    const args = ['run', ws.pipeline, '--profile', ws.profile, '--address', testTemporalEnv().address, '--task-queue', env.taskQueue, '--run-id', runId, '--quiet'];
    return { ws, r: await runCli(args, ws.dir) };
  };

  it('names each typo with the intended word before the run starts, and a strict profile refuses the run', async () => {
    const { r } = await run('  lint: strict\n', `typos-strict-${process.pid}`);
    const lines = r.stderr.split('\n');
    const failedAt = lines.findIndex((l) => l.startsWith('factory: run '));
    for (const word of WORDS) {
      const at = lines.findIndex((l) => l.includes(word));
      expect(at).toBeGreaterThanOrEqual(0);
      expect(at).toBeLessThan(failedAt);
    }
    expect(lines[failedAt]).toMatch(/BOOT_FAILURE|preflight/);
    expect(r.stderr).toContain('policy.lint: strict');
    expect(r.code).not.toBe(0);
  });

  it('prints the same warnings under a lenient profile and still starts the run', async () => {
    const { r } = await run('', `typos-lenient-${process.pid}`);
    for (const word of WORDS) expect(r.stderr).toContain(word);
    // the run did start and ran stages: the tool node without tool_command fails it, not boot
    expect(r.stderr).not.toContain('BOOT_FAILURE');
    expect(r.stderr).toContain('No tool_command specified');
  });
});
