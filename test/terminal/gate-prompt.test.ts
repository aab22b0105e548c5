// The console gate prompt in a real terminal (tmux): `factory watch` asks at an open gate, the answer
// chosen with the arrow keys goes through the validated update; an answer sent elsewhere (here the
// real `temporal workflow signal`) closes the prompt and says who answered; Ctrl-C leaves the run parked.
import { spawn } from 'node:child_process';
import type { WorkflowHandle } from '@temporalio/client';
import { statusQuery } from '../../workflows/messages';
import type { runPipeline } from '../../workflows/run';
import { allEvents, eventually, pipelineYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { openPane, type TmuxPane } from '../helpers/tmux';
import { BIN, REPO, runCli } from '../client/run-cli';
import { awaitGate, gatedPipeline, temporalCli } from '../surfaces/helpers';

const env = useRunEnv();
type Handle = WorkflowHandle<typeof runPipeline>;
const panes: TmuxPane[] = [];
afterEach(async () => {
  await Promise.all(panes.splice(0).map((p) => p.close()));
});

/** `factory watch <run>` in a fresh tmux pane, as the operator `tmux-tester`. */
async function watchInTerminal(handle: Handle): Promise<TmuxPane> {
  const { address, namespace } = testTemporalEnv();
  const pane = await openPane(`cd ${REPO} && ${process.execPath} ${BIN} watch ${handle.workflowId} --address ${address} --namespace ${namespace}`, {
    FACTORY_USER: 'tmux-tester',
  });
  panes.push(pane);
  return pane;
}

const answers = async (handle: Handle) => (await allEvents(handle)).filter((e) => e.type === 'gate.answered').map((e) => e.data);

describe('the gate prompt in a terminal', () => {
  it('answers the gate with the choice picked by arrow keys and enter when the operator answers at the prompt', async () => {
    const handle = await env.start(workspace(gatedPipeline('tty-prompt')));
    await awaitGate(handle, 'review');
    const pane = await watchInTerminal(handle);
    await pane.waitFor(/gate review: Ship it\?[\s\S]*❯ \[A\] Approve[\s\S]*\[R\] Revise/);
    await pane.keys('Down');
    await pane.waitFor(/❯ \[R\] Revise/);
    await pane.keys('Enter');
    // Revise loops back to the gate: the prompt asks again for the second visit
    await pane.waitFor(/answered revise from this terminal[\s\S]*gate review#2: Ship it\?/);
    await pane.keys('Enter');
    expect((await handle.result()).outcome).toBe('succeeded');
    const screen = await pane.waitFor(/EXIT=0/);
    expect(screen).toContain('completed: succeeded');
    expect(screen).toContain('gate review#2: answered ship from this terminal');
    expect(await answers(handle)).toEqual([
      expect.objectContaining({ gate: 'review', by: 'tmux-tester', choice: 'revise', via: 'update' }),
      expect.objectContaining({ gate: 'review#2', by: 'tmux-tester', choice: 'ship', via: 'update' }),
    ]);
  });

  it('sends the typed reply and the run routes on it when the gate asks for free text', async () => {
    const pipeline = pipelineYaml(
      'tty-freeform',
      ['{ id: ask, type: wait.human, prompt: "Which database?", human: { question: freeform } }', '{ id: pg, type: tool, tool_command: "echo pg" }', '{ id: other, type: tool, tool_command: "echo other" }'],
      ['{ from: start, to: ask }', '{ from: ask, to: pg, condition: "context.human.gate.text=postgres" }', '{ from: ask, to: other }', '{ from: pg, to: exit }', '{ from: other, to: exit }'],
    );
    const handle = await env.start(workspace(pipeline));
    await awaitGate(handle, 'ask');
    const pane = await watchInTerminal(handle);
    await pane.waitFor(/question: freeform — reply with free text[\s\S]*\? gate ask: Which database\?/);
    await pane.keys('-l', 'postgres');
    await pane.keys('Enter');
    expect((await handle.result()).outcome).toBe('succeeded');
    const screen = await pane.waitFor(/EXIT=0/);
    expect(screen).toContain('gate ask: answered "postgres" from this terminal');
    const started = (await allEvents(handle)).filter((e) => e.type === 'stage.started').map((e) => e.data['node']);
    expect(started).toEqual(['start', 'ask', 'pg']);
  });

  it('closes the prompt and says who answered when the gate is answered by `temporal workflow signal`', async () => {
    const handle = await env.start(workspace(gatedPipeline('tty-race')));
    await awaitGate(handle, 'review');
    const pane = await watchInTerminal(handle);
    await pane.waitFor(/❯ \[A\] Approve/);
    const signal = await temporalCli(['workflow', 'signal', '--workflow-id', handle.workflowId, '--name', 'approve', '--input', '{"by":"signal-person"}']);
    expect(signal.code).toBe(0);
    const screen = await pane.waitFor(/EXIT=0/);
    expect(screen).toContain('gate review was answered elsewhere: signal-person chose ship (signal: Web UI or temporal CLI); prompt closed');
    expect(screen).not.toMatch(/❯ \[A\] Approve/);
    expect(screen).toContain('completed: succeeded');
    expect(await answers(handle)).toEqual([expect.objectContaining({ gate: 'review', by: 'signal-person', via: 'signal' })]);
  });

  it('closes the prompt and says who answered when the gate is answered by `factory approve` in another terminal', async () => {
    const handle = await env.start(workspace(gatedPipeline('tty-race-cli')));
    await awaitGate(handle, 'review');
    const pane = await watchInTerminal(handle);
    await pane.waitFor(/❯ \[A\] Approve/);
    const { address, namespace } = testTemporalEnv();
    const approved = await runCli(['approve', handle.workflowId, '--by', 'other-terminal', '--address', address, '--namespace', namespace]);
    expect(approved.stdout).toBe('gate review closed: ship\n');
    const screen = await pane.waitFor(/EXIT=0/);
    expect(screen).toContain('gate review was answered elsewhere: other-terminal chose ship (update: factory approve/answer); prompt closed');
    expect(await answers(handle)).toEqual([expect.objectContaining({ gate: 'review', by: 'other-terminal', via: 'update' })]);
  });

  it('leaves the run parked and prints how to come back when Ctrl-C is pressed at the prompt', async () => {
    const handle = await env.start(workspace(gatedPipeline('tty-ctrl-c')));
    await awaitGate(handle, 'review');
    const pane = await watchInTerminal(handle);
    await pane.waitFor(/❯ \[A\] Approve/);
    await pane.keys('C-c');
    const screen = await pane.waitFor(/EXIT=130/);
    expect(screen).toContain(`stopped following run ${handle.workflowId} at gate review; the run is not cancelled and stays parked there.`);
    expect(screen).toMatch(new RegExp(`come back with: factory watch ${handle.workflowId} --address \\S+`));
    const status = await handle.query(statusQuery);
    expect(status).toMatchObject({ status: 'awaiting_human', openGates: ['review'] });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await answers(handle)).toEqual([]);
    await handle.signal('approve', { by: 'cleanup' });
    await handle.result();
  });

  it('stops following on Ctrl-C while a stage runs, leaving the run running, when no prompt is open', async () => {
    const pipeline = pipelineYaml('tty-sigint', ['{ id: work, type: tool, tool_command: "sleep 45" }'], ['{ from: start, to: work }', '{ from: work, to: exit }']);
    const handle = await env.start(workspace(pipeline));
    const pane = await watchInTerminal(handle);
    await pane.waitFor(/▶ work\s+tool\s+running \d+s/);
    await pane.keys('C-c');
    const screen = await pane.waitFor(/EXIT=130/);
    expect(screen).toContain(`stopped following run ${handle.workflowId}; the run is not cancelled and stays parked there.`);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test done');
  });
});

describe('off a terminal', () => {
  it('prints plain lines and never prompts when factory watch writes to a pipe', async () => {
    const handle = await env.start(workspace(gatedPipeline('pipe-watch')));
    await awaitGate(handle, 'review');
    const { address, namespace } = testTemporalEnv();
    const child = spawn(process.execPath, [BIN, 'watch', handle.workflowId, '--address', address, '--namespace', namespace], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await eventually(async () => out.includes('waiting for a human at gate "review"'), 30_000, 100);
    await handle.signal('approve', { by: 'piped' });
    expect(await exited).toBe(0);
    expect(out).toContain(`watching ${handle.workflowId}`);
    expect(out).toMatch(/gate review: piped chose ship \(signal\)/);
    expect(out).toMatch(/run completed: succeeded/);
    expect(out).not.toMatch(/\x1b\[|❯|\?.*Ship it\?/);
  });
});
