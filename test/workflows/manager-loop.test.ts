// stack.manager_loop (Attractor §4.11): the node supervises a child pipeline run as a child workflow in
// observe/wait cycles; the child's outcome becomes the node's outcome, the stop condition ends the loop
// early, and exhausting manager.max_cycles fails the node by name and cancels the child.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runQuery } from '../../workflows/messages';
import { allEvents, pipelineYaml, settle, startedNodes, typesOf, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();

const CHILD_OK = pipelineYaml('child-ok', ['{ id: build, type: tool, tool_command: "echo child-built" }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);
const CHILD_FAIL = pipelineYaml('child-fail', ['{ id: build, type: tool, tool_command: "exit 3" }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);

const CHILD_PARKED = pipelineYaml('child-parked', ['{ id: review, type: wait.human, prompt: "Ship it?" }', '{ id: ship, type: tool, tool_command: "echo shipped" }'], ['{ from: start, to: review }', '{ from: review, to: ship, label: "[A] Approve" }', '{ from: review, to: exit, label: "[R] Reject" }', '{ from: ship, to: exit }']);

const parent = (child: string, manager = '') =>
  pipelineYaml(
    'parent',
    [`{ id: manage, type: stack.manager_loop${manager ? `, manager: { ${manager} }` : ''} }`, '{ id: after, type: tool, tool_command: "echo after" }', '{ id: recover, type: tool, tool_command: "echo recover" }'],
    ['{ from: start, to: manage }', '{ from: manage, to: after, condition: "outcome=success" }', '{ from: manage, to: recover, condition: "outcome=fail" }', '{ from: after, to: exit }', '{ from: recover, to: exit }'],
    `stack: { child_dotfile: ${child} }`,
  );

async function runParent(childYaml: string, manager = '') {
  const ws = workspace(parent('child.yaml', manager));
  ws.write('child.yaml', childYaml);
  const handle = await env.start(ws);
  const settled = await settle(handle);
  const events = await allEvents(handle);
  const envelope = await handle.query(runQuery);
  return { settled, events, envelope, handle };
}

describe('stack.manager_loop', () => {
  it('starts the child from the parent\'s head and brings its commit back into the parent\'s workspace (issue 21)', async () => {
    const child = pipelineYaml('child-writes', [`{ id: build, type: tool, tool_command: ${JSON.stringify('test "$(cat parent.txt)" = parent && echo child > child.txt')} }`], ['{ from: start, to: build }', '{ from: build, to: exit }']);
    const pipeline = pipelineYaml(
      'parent-writes',
      ['{ id: prep, type: tool, tool_command: "echo parent > parent.txt" }', '{ id: manage, type: stack.manager_loop }', `{ id: after, type: tool, tool_command: ${JSON.stringify('test "$(cat child.txt)" = child')} }`],
      ['{ from: start, to: prep }', '{ from: prep, to: manage }', '{ from: manage, to: after, condition: "outcome=success" }', '{ from: after, to: exit }'],
      'stack: { child_dotfile: child.yaml }',
    );
    const ws = workspace(pipeline);
    ws.write('child.yaml', child);
    const handle = await env.start(ws);
    const settled = await settle(handle);
    if (!settled.ok) throw new Error(settled.failure.message);
    const events = await allEvents(handle);
    expect(startedNodes(events)).toEqual(['start', 'prep', 'manage', 'after']);
    const snap = (node: string) => events.find((e) => e.type === 'stage.completed' && e.data['node'] === node)?.data['snapshot'] as { commit: string; parent: string; changed: boolean; files: number } | undefined;
    expect(snap('manage')).toMatchObject({ parent: snap('prep')?.commit, changed: true, files: 1 });
    const envelope = await handle.query(runQuery);
    const candidate = envelope.candidate as NonNullable<typeof envelope.candidate>;
    expect(candidate.commit).toBe(snap('manage')?.commit);
    const files = execFileSync('git', ['--git-dir', candidate.remote, 'ls-tree', '--name-only', candidate.commit], { encoding: 'utf8' }).split('\n');
    expect(files).toEqual(expect.arrayContaining(['parent.txt', 'child.txt']));
    const childWs = JSON.parse(readFileSync(join(envelope.runDir as string, 'manage', 'child-1', 'workspace.json'), 'utf8')) as { start: string; base: { path: string } };
    expect(childWs.start).toBe(snap('prep')?.commit);
    expect(childWs.base.path).toBe(envelope.workspace?.gitDir);
  });

  it('fails the manager node naming the files when the child\'s changes conflict with what the parent wrote meanwhile, and keeps the parent\'s', async () => {
    const child = pipelineYaml('child-clash', ['{ id: build, type: tool, tool_command: "sleep 2; echo child > shared.txt" }'], ['{ from: start, to: build }', '{ from: build, to: exit }']);
    const pipeline = pipelineYaml(
      'parent-clash',
      ['{ id: fan, type: parallel, join_policy: wait_all }', '{ id: manage, type: stack.manager_loop, manager: { poll_interval: 200ms } }', '{ id: other, type: tool, tool_command: "echo parent > shared.txt" }', '{ id: join, type: parallel.fan_in }'],
      ['{ from: start, to: fan }', '{ from: fan, to: manage }', '{ from: fan, to: other }', '{ from: manage, to: join }', '{ from: other, to: join }', '{ from: join, to: exit }'],
      'stack: { child_dotfile: child.yaml }',
    );
    const ws = workspace(pipeline);
    ws.write('child.yaml', child);
    const handle = await env.start(ws);
    await settle(handle);
    const events = await allEvents(handle);
    const failed = events.find((e) => e.type === 'stage.failed' && e.data['node'] === 'manage');
    expect(String(failed?.data['failure_reason'])).toContain(`child run ${handle.workflowId}.manage.1 succeeded, but its changes conflict with the parent's workspace in 1 file(s): "shared.txt"`);
    const envelope = await handle.query(runQuery);
    const candidate = envelope.candidate as NonNullable<typeof envelope.candidate>;
    expect(execFileSync('git', ['--git-dir', candidate.remote, 'show', `${candidate.commit}:shared.txt`], { encoding: 'utf8' })).toBe('parent\n');
  });

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

  it('fails the manager node naming manager.max_cycles and cancels the child when the child outlives the cycles', async () => {
    const { settled, events, handle } = await runParent(CHILD_PARKED, 'max_cycles: 3, poll_interval: 200ms');
    expect(settled.ok).toBe(true);
    expect(startedNodes(events)).toEqual(['start', 'manage', 'recover']);
    const failed = events.find((e) => e.type === 'stage.failed' && e.data['node'] === 'manage');
    expect(String(failed?.data['failure_reason'])).toContain('manager.max_cycles (3) exhausted, polling every 200 ms');
    const described = await env.client.workflow.getHandle(`${(await handle.query(runQuery)).runId}.manage.1`).describe();
    expect(described.status.name).toBe('CANCELLED');
  });

  it('ends the loop with success when the stop condition holds while the child still runs', async () => {
    const { settled, events, envelope } = await runParent(CHILD_PARKED, 'max_cycles: 50, poll_interval: 200ms, stop_condition: "outcome=success"');
    expect(settled.ok).toBe(true);
    expect(startedNodes(events)).toEqual(['start', 'manage', 'after']);
    const done = events.find((e) => e.type === 'stage.completed' && e.data['node'] === 'manage');
    expect(done?.data['status']).toBe('success');
    const context = JSON.parse(readFileSync(join(envelope.runDir as string, 'checkpoint.json'), 'utf8')).context;
    expect(context).toMatchObject({ 'stack.child.status': 'cancelled', 'stack.manager.cycles': 1 });
    const described = await env.client.workflow.getHandle(`${envelope.runId}.manage.1`).describe();
    expect(described.status.name).toBe('CANCELLED');
  });

  it('writes the node prompt once into the running child stage\'s steer directory when manager.actions includes steer', async () => {
    const child = pipelineYaml('child-slow', ['{ id: work, type: tool, tool_command: "sleep 3" }'], ['{ from: start, to: work }', '{ from: work, to: exit }']);
    const ws = workspace(
      pipelineYaml(
        'parent-steer',
        ['{ id: manage, type: stack.manager_loop, prompt: "focus on the failing test", manager: { actions: "observe,steer,wait", poll_interval: 200ms, max_cycles: 100 } }', '{ id: after, type: tool, tool_command: "echo after" }'],
        ['{ from: start, to: manage }', '{ from: manage, to: after }', '{ from: after, to: exit }'],
        'stack: { child_dotfile: child.yaml }',
      ),
    );
    ws.write('child.yaml', child);
    const handle = await env.start(ws);
    const settled = await settle(handle);
    expect(settled.ok).toBe(true);
    const envelope = await handle.query(runQuery);
    const steerFile = join(envelope.runDir as string, 'manage', 'child-1', 'work', 'steer', 'manager-manage-v1.md');
    expect(readFileSync(steerFile, 'utf8')).toBe('focus on the failing test');
    const context = JSON.parse(readFileSync(join(envelope.runDir as string, 'checkpoint.json'), 'utf8')).context;
    expect(context).toMatchObject({ 'stack.child.status': 'completed', 'stack.manager.steered': 1 });
  });

  it('fails the manager node naming the missing prompt when manager.actions includes steer and the node has none', async () => {
    const { settled, events } = await runParent(CHILD_OK, 'actions: "observe,steer,wait"');
    expect(settled.ok).toBe(true);
    const failed = events.find((e) => e.type === 'stage.failed' && e.data['node'] === 'manage');
    expect(String(failed?.data['failure_reason'])).toContain('manager.actions includes steer but the node has no prompt');
  });
});
