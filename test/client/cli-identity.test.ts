// The Temporal client identity beside `by` (issue 24 item 4): the server records the CLI's OS user, host and
// pid with every update it sends, so the history says which account answered a gate, whatever `--by` claimed.
import { hostname, userInfo } from 'node:os';
import { statusQuery } from '../../workflows/messages';
import { eventually, pipelineYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();

describe('client identity', () => {
  it('records the CLI\'s OS user and host in the history next to the answer\'s by', async () => {
    const ws = workspace(pipelineYaml('who', ['{ id: review, type: wait.human }'], ['{ from: start, to: review }', '{ from: review, to: exit, label: "[A] Approve" }']));
    const handle = await env.start(ws);
    await eventually(async () => (await handle.query(statusQuery)).status === 'awaiting_human');
    const r = await runCli(['approve', handle.workflowId, '--by', 'somebody-else', '--address', testTemporalEnv().address], ws.dir);
    expect(r.code).toBe(0);
    await handle.result();
    const history = await handle.fetchHistory();
    const accepted = history.events?.find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)?.workflowExecutionUpdateAcceptedEventAttributes;
    expect(accepted?.acceptedRequest?.meta?.identity).toBe(`factory-cli ${userInfo().username}@${hostname()} pid ${process.pid}`);
  });
});
