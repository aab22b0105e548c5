// stack.manager_loop (Attractor §4.11): the node supervises a child pipeline run as a child workflow;
// the child's outcome becomes the node's outcome and its context is visible to the stop condition.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runQuery } from '../../workflows/messages';
import { allEvents, pipelineYaml, settle, startedNodes, typesOf, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();

const CHILD_OK = pipelineYaml('child-ok', ['{ id: build, type: tool, tool_command: "echo child-built" }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);
const CHILD_FAIL = pipelineYaml('child-fail', ['{ id: build, type: tool, tool_command: "exit 3" }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);

const parent = (child: string) =>
  pipelineYaml(
    'parent',
    ['{ id: manage, type: stack.manager_loop }', '{ id: after, type: tool, tool_command: "echo after" }', '{ id: recover, type: tool, tool_command: "echo recover" }'],
    ['{ from: start, to: manage }', '{ from: manage, to: after, condition: "outcome=success" }', '{ from: manage, to: recover, condition: "outcome=fail" }', '{ from: after, to: exit }', '{ from: recover, to: exit }'],
    `stack: { child_dotfile: ${child} }`,
  );

async function runParent(childYaml: string) {
  const ws = workspace(parent('child.yaml'));
  ws.write('child.yaml', childYaml);
  const handle = await env.start(ws);
  const settled = await settle(handle);
  const events = await allEvents(handle);
  const envelope = await handle.query(runQuery);
  return { settled, events, envelope };
}

describe('stack.manager_loop', () => {
  it('runs the child pipeline as a child workflow and continues on success when the child succeeds', async () => {
    const { settled, events, envelope } = await runParent(CHILD_OK);
    expect(settled.ok).toBe(true);
    expect(startedNodes(events)).toEqual(['start', 'manage', 'after']);
    const childDir = join(envelope.runDir as string, 'manage', 'child-1');
    expect(existsSync(join(childDir, 'build', 'status.json'))).toBe(true);
    const done = events.find((e) => e.type === 'stage.completed' && e.data['node'] === 'manage');
    expect(done?.data['status']).toBe('success');
  });

  it('routes the manager node as failed when the child run fails', async () => {
    const { settled, events } = await runParent(CHILD_FAIL);
    expect(settled.ok).toBe(true);
    expect(startedNodes(events)).toEqual(['start', 'manage', 'recover']);
    expect(typesOf(events)).toContain('stage.failed');
    const failed = events.find((e) => e.type === 'stage.failed' && e.data['node'] === 'manage');
    expect(String(failed?.data['failure_reason'])).toMatch(/child run .* failed/);
  });
});
