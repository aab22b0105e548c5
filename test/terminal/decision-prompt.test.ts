// The decision gate at the terminal prompt (tmux): after a real holdout evaluation on an isolated
// scenario worker, `factory watch` shows the evidence and asks for the decision, reason and remediation;
// the answer goes through the validated `decide` update. Holdout progress is read from the child's history.
import type { DecisionRecord } from '../../core/decision-policy';
import { scenarioProgress } from '../../client/run-monitor';
import { statusQuery } from '../../workflows/messages';
import { BIN, REPO } from '../client/run-cli';
import { eventually } from '../helpers/runs';
import { openPane, type TmuxPane } from '../helpers/tmux';
import { readJson } from '../helpers/runs';
import { useHoldoutEnv } from '../holdout/env';

const env = useHoldoutEnv();
const FAILING = [
  { id: 'greets', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['hello'] } },
  { id: 'farewell', kind: 'command', run: 'cat greeting.txt', expect: { stdout_contains: ['goodbye'] } },
  { id: 'judged', kind: 'judge', rubric: 'The candidate says hello.', criteria: ['hello'] },
];
let pane: TmuxPane | undefined;
afterEach(() => pane?.close());

describe('the decision prompt in a terminal', () => {
  it('records the rejection, reason and remediation typed at the prompt when a failing evaluation awaits a human decision', async () => {
    const suite = env.scenarios.write('tty-decision', FAILING);
    const handle = await env.start({ pipeline: env.pipeline(), profile: env.profile({ mode: 'human' }), suite: { file: suite.file.slice(env.scenarios.dir.length + 1) } });
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human', 60_000);
    // what the progress bar counts: scenario activities finished in the evaluation child's history
    expect(await scenarioProgress(env.client, `${handle.workflowId}.evaluation.0`)).toEqual({ done: 3, scheduled: 3 });

    pane = await openPane(`cd ${REPO} && ${process.execPath} ${BIN} watch ${handle.workflowId} --address ${env.address} --namespace ${env.namespace}`, { FACTORY_USER: 'tmux-tester' });
    const asked = await pane.waitFor(/Decide this run \(pass_bar FAILED/);
    expect(asked).toMatch(/✗ pass_bar: 2\/3 passed/);
    expect(asked).toMatch(/signatures: \S+ x1 \(fail\)/);
    expect(asked).toContain(`factory decide ${handle.workflowId} --decision rejected --reason "…" --remediation "…"`);
    expect(asked).not.toContain('--decision approved');
    await pane.keys('Enter');
    await pane.waitFor(/Reason for rejected:/);
    await pane.keys('Enter'); // an empty reason is refused at the prompt, nothing is sent
    await pane.waitFor(/a reason is required/);
    await pane.keys('-l', 'farewell is missing');
    await pane.keys('Enter');
    await pane.waitFor(/Remediation \(what to fix, where to rerun from\):/);
    await pane.keys('-l', 'add the farewell and rerun from build');
    await pane.keys('Enter');

    const result = await handle.result();
    expect(result).toMatchObject({ outcome: 'rejected', status: 'completed' });
    const record = readJson<DecisionRecord>(`${result.runDir as string}/decision.json`);
    expect(record).toMatchObject({ decision: 'rejected', mode: 'human', by: 'tmux-tester', reason: 'farewell is missing', remediation: { notes: 'add the farewell and rerun from build' } });
    const screen = await pane.waitFor(/EXIT=0/);
    expect(screen).toContain('decision rejected sent from this terminal');
    expect(screen).toContain('completed: rejected');
  }, 120_000);
});
