// Issue 24 item 1, child side: a child run's workflow id (`<run>.<node>.<visit>`) names one child run forever.
// When a workflow with that id already ran, the manager node fails to start its child (REJECT_DUPLICATE)
// instead of writing a second history under the first run's id.
import { uniqueId } from '../helpers/temporal';
import { allEvents, pipelineYaml, settle, startedNodes, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();

const CHILD = pipelineYaml('child-ok', ['{ id: build, type: tool, tool_command: "echo child-built" }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);
const PARENT = pipelineYaml(
  'parent',
  ['{ id: manage, type: stack.manager_loop }', '{ id: after, type: tool, tool_command: "echo after" }', '{ id: recover, type: tool, tool_command: "echo recover" }'],
  ['{ from: start, to: manage }', '{ from: manage, to: after, condition: "outcome=success" }', '{ from: manage, to: recover, condition: "outcome=fail" }', '{ from: after, to: exit }', '{ from: recover, to: exit }'],
  'stack: { child_dotfile: child.yaml }',
);

describe('child run ids', () => {
  it('refuses to start a child whose workflow id a finished run already holds, and leaves that run alone', async () => {
    const parentId = uniqueId('parent');
    const childId = `${parentId}.manage.1`;
    // an earlier, finished run under the child's id
    const earlier = await env.start(workspace(CHILD), { runId: childId }, childId);
    const first = await earlier.result();
    expect(first.outcome).toBe('succeeded');
    const earlierRunId = (await earlier.describe()).runId;

    const ws = workspace(PARENT);
    ws.write('child.yaml', CHILD);
    const handle = await env.start(ws, { runId: parentId }, parentId);
    const settled = await settle(handle);
    expect(settled.ok).toBe(true);
    const events = await allEvents(handle);
    expect(startedNodes(events)).toEqual(['start', 'manage', 'recover']);
    const failed = events.find((e) => e.type === 'stage.failed' && e.data['node'] === 'manage');
    expect(String(failed?.data['failure_reason'])).toContain(`child run ${childId} failed to start`);
    // the id still names the earlier run: no second execution was started under it
    const latest = await env.client.workflow.getHandle(childId).describe();
    expect(latest.runId).toBe(earlierRunId);
  }, 120_000);
});
