// BOOT_FAILURE through the run workflow (SPEC §1 steps 1–3, §4): every cause fails the workflow with a
// non-retryable BOOT_FAILURE naming the cause and the recovery rule; several causes are all listed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { publishToRoot } from '../../definitions/registry';
import { statusQuery, runQuery } from '../../workflows/messages';
import { allEvents, settle, startRun, testActivities, testProfileYaml, typesOf, useRunEnv, workspace, type Workspace } from '../helpers/runs';

const env = useRunEnv();

const pipeline = (extra: { top?: string; nodes?: string; edges?: string } = {}) => `kind: PipelineSpec
id: boot
version: 1.0.0
goal: boot checks
${extra.top ?? ''}
nodes:
  - { id: start, type: start }
  - { id: work, type: tool, tool_command: "true" }
${extra.nodes ?? ''}
  - { id: exit, type: exit }
edges:
  - { from: start, to: work }
  - { from: work, to: exit }
${extra.edges ?? ''}
`;

/** Runs the workspace's pipeline and returns the failure, status and events after it ended. */
async function bootFails(ws: Workspace, opts: { env?: NodeJS.ProcessEnv; pipeline?: { ref: string }; suite?: { ref: string } } = {}) {
  const body = async (taskQueue: string) => {
      const handle = await startRun(env.client, taskQueue, ws, {
        registryRoot: ws.dir,
        ...(opts.pipeline ? { pipeline: opts.pipeline } : {}),
        ...(opts.suite ? { suite: opts.suite } : {}),
      });
      const settled = await settle(handle);
      if (settled.ok) throw new Error('expected a boot failure, the run succeeded');
      const status = await handle.query(statusQuery);
      const envelope = await handle.query(runQuery);
      const events = await allEvents(handle);
      const history = await handle.fetchHistory();
      const bootAttempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1);
      return { failure: settled.failure, status, envelope, events, bootAttempts };
  };
  // a custom env needs its own worker (activities read env vars from it); else the shared one
  return opts.env ? env.withWorker(testActivities(ws, {}, opts.env), body) : body(env.taskQueue);
}

function expectBootFailure(f: Awaited<ReturnType<typeof bootFails>>, ...causes: RegExp[]): void {
  expect(f.failure.type).toBe('BOOT_FAILURE');
  expect(f.failure.nonRetryable).toBe(true);
  expect(f.failure.message).toMatch(/^BOOT_FAILURE: (?!BOOT_FAILURE)/);
  expect(f.failure.message.split('recovery: fix config/spec, create new run')).toHaveLength(2);
  for (const c of causes) expect(f.failure.message).toMatch(c);
  expect(f.status.status).toBe('completed');
  expect(f.status.failure?.domain).toBe('BOOT_FAILURE');
  expect(f.envelope.failure?.domain).toBe('BOOT_FAILURE');
  expect(f.envelope.outcome).toBe('failed');
  for (const c of causes) expect(f.envelope.failure?.causes.some((x) => c.test(x))).toBe(true);
  // boot phases are not retried once they report a BOOT_FAILURE
  expect(f.bootAttempts.every((a) => a === 1)).toBe(true);
  // failed → completed, and run.completed is the last event
  const types = typesOf(f.events);
  expect(types.slice(-2)).toEqual(['run.failed', 'run.completed']);
  expect(types).not.toContain('run.started');
  const failed = f.events.find((e) => e.type === 'run.failed');
  expect(failed?.data['domain']).toBe('BOOT_FAILURE');
  expect(failed?.data['recovery']).toBe('fix config/spec, create new run');
}

describe('BOOT_FAILURE through the run workflow', () => {
  it('fails naming the variable when a required env var is missing', async () => {
    const ws = workspace(pipeline(), { profile: testProfileYaml().replace('environment: {', 'environment: { required_env: [FACTORY_TEST_NEEDED_VAR],') });
    const f = await bootFails(ws, { env: { PATH: process.env.PATH } });
    expectBootFailure(f, /environment variable FACTORY_TEST_NEEDED_VAR is not set/);
  });

  it('fails naming the capability when the environment does not offer one the pipeline requires', async () => {
    const ws = workspace(pipeline({ top: 'capabilities: [gpu]' }));
    expectBootFailure(await bootFails(ws), /requires capability "gpu"/);
  });

  it('fails naming the contract when the profile workdir is not a directory', async () => {
    const ws = workspace(pipeline(), { profile: testProfileYaml().replace('workdir: .', 'workdir: no-such-dir') });
    expectBootFailure(await bootFails(ws), /environment\.workdir .*no-such-dir is not a directory/);
  });

  it('fails naming the type and node when no handler is registered for a node type', async () => {
    const ws = workspace(pipeline({ nodes: '  - { id: odd, type: test.unregistered }', edges: '  - { from: work, to: odd }\n  - { from: odd, to: exit }' }));
    expectBootFailure(await bootFails(ws), /no handler registered for node type "test\.unregistered" \(node odd\)/);
  });

  it('fails naming the dependency when its mode is forbidden in the environment', async () => {
    const profile = testProfileYaml()
      .replace('allowed_dependency_modes: [real, twin]', 'allowed_dependency_modes: [twin]')
      .replace('dependencies: { llm: twin }', 'dependencies: { llm: twin, payments: real }');
    const ws = workspace(pipeline(), { profile });
    expectBootFailure(await bootFails(ws), /dependency payments runs as "real"/);
  });

  it('fails naming the rule when the pipeline has a lint error', async () => {
    const ws = workspace(pipeline({ edges: '  - { from: exit, to: work }' }));
    expectBootFailure(await bootFails(ws), /exit_no_outgoing/);
  });

  it('fails when the profile requires a suite and none is given', async () => {
    const ws = workspace(pipeline(), { profile: testProfileYaml().replace('require_suite: false', 'require_suite: true') });
    expectBootFailure(await bootFails(ws), /no scenario suite given, but the profile requires one/);
  });

  it('fails naming the spec when a published version was modified in the registry', async () => {
    const ws = workspace(pipeline());
    const published = await publishToRoot(ws.dir, ws.pipeline);
    const file = join(published.registry.root, published.entry.path);
    writeFileSync(file, readFileSync(file, 'utf8').replace('goal: boot checks', 'goal: tampered'));
    expectBootFailure(await bootFails(ws, { pipeline: { ref: 'boot@1.0.0' } }), /immutable spec modified: pipeline boot@1\.0\.0/);
  });

  it('lists every cause in one failure when several problems exist', async () => {
    const profile = testProfileYaml()
      .replace('environment: {', 'environment: { required_env: [FACTORY_TEST_A, FACTORY_TEST_B],')
      .replace('workdir: .', 'workdir: missing-workdir');
    const ws = workspace(pipeline(), { profile });
    const f = await bootFails(ws, { env: { PATH: process.env.PATH } });
    expectBootFailure(f, /FACTORY_TEST_A/, /FACTORY_TEST_B/, /missing-workdir/);
    expect(f.envelope.failure?.causes).toHaveLength(3);
  });

  it('lists every preflight cause at once when lint, handlers and dependencies all fail', async () => {
    const profile = testProfileYaml()
      .replace('allowed_dependency_modes: [real, twin]', 'allowed_dependency_modes: [twin]')
      .replace('dependencies: { llm: twin }', 'dependencies: { llm: twin, db: real }');
    const ws = workspace(
      pipeline({ nodes: '  - { id: odd, type: test.nobody }', edges: '  - { from: work, to: odd }\n  - { from: odd, to: exit }\n  - { from: exit, to: odd }' }),
      { profile },
    );
    mkdirSync(join(ws.dir, 'runs'), { recursive: true });
    expectBootFailure(await bootFails(ws), /exit_no_outgoing/, /test\.nobody/, /dependency db runs as "real"/);
  });
});
