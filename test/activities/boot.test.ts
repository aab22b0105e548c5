// Boot phases 1-3: every BOOT_FAILURE cause on its own, then all of a phase's causes in one message.

import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HandlerRegistry } from '../../activities/handler-registry';
import { createDefaultHandlers } from '../../activities/handlers';
import { preflight } from '../../activities/preflight';
import type { BwrapProbe } from '../../activities/sandbox/probe';
import { sandboxText } from '../../core/sandbox-policy';
import { resolveProfile } from '../../activities/profile';
import { resolveSpecs } from '../../activities/specs';
import type { SpecRef } from '../../activities/types';
import { WORKFLOW_NODE_TYPES } from '../../core/node-types';
import { publishToRoot } from '../../definitions/registry';
import type { FactoryProfile } from '../../definitions/schemas/profile';
import { loadPipelineYaml, loadProfileYaml } from '../../definitions/yaml';
import { bootCauses, failureOf, tempDir, writeUnder } from './helpers';

const CANARY = 'CANARY-scenario-body-91c2';

function pipelineYaml(o: { id?: string; version?: string; caps?: string[]; extraNodes?: string; extraEdges?: string } = {}): string {
  return `kind: PipelineSpec
id: ${o.id ?? 'demo'}
version: ${o.version ?? '1.2.0'}
goal: Say hello
capabilities: [${(o.caps ?? ['node']).join(', ')}]
nodes:
  - { id: start, type: start }
  - { id: work, prompt: "Do it: $goal" }
  - { id: exit, type: exit }${o.extraNodes ?? ''}
edges:
  - { from: start, to: work }
  - { from: work, to: exit }${o.extraEdges ?? ''}
`;
}

function suiteYaml(o: { pipelineId?: string; major?: number; caps?: string[] } = {}): string {
  return `kind: ScenarioSuite
id: demo-holdout
version: 1.0.0
pipeline_id: ${o.pipelineId ?? 'demo'}
pipeline_major: ${o.major ?? 1}
capabilities: [${(o.caps ?? ['node']).join(', ')}]
pass_bar: { satisfaction: 1.0, must_pass: [runs] }
scenarios:
  - { id: runs, kind: command, run: "echo ${CANARY}", expect: { exit_code: 0 } }
  - { id: judged, kind: judge, rubric: "${CANARY} rubric" }
`;
}

function profileYaml(body: string): string {
  return `kind: FactoryProfile\nid: demo-local\nversion: 1.0.0\n${body}`;
}

const TWIN_PROFILE = profileYaml(`provider: { kind: twin }
environment: { name: local, capabilities: [node, git], allowed_dependency_modes: [twin] }
`);

describe('boot phases', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await tempDir('factory-boot-')));
  afterEach(() => cleanup());

  const write = (rel: string, text: string) => writeUnder(root, rel, text);
  const publish = async (rel: string, text: string) => publishToRoot(root, await write(rel, text));
  const profileFrom = (text: string): FactoryProfile => {
    const { profile, diagnostics } = loadProfileYaml(text, 'p.yaml');
    if (!profile) throw new Error(JSON.stringify(diagnostics));
    return profile;
  };

  describe('resolveProfile', () => {
    const resolve = (profile: SpecRef, env: NodeJS.ProcessEnv = {}) => resolveProfile({ profile }, { registryRoot: root, env });

    it('resolves a published profile by id@version with its digest and absolute paths', async () => {
      await publish('src/profile.yaml', TWIN_PROFILE);
      const res = await resolve({ ref: 'demo-local@1.0.0' });
      expect(res.ref).toEqual({ id: 'demo-local', version: '1.0.0' });
      expect(res.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(res.source).toBe('demo-local@1.0.0');
      expect(res.profile.environment.run_root).toBe(join(root, 'runs'));
      expect(res.profile.environment.workdir).toBe(root);
      expect(res.profile.policy.retry.maximum_attempts).toBe(3);
    });

    it('resolves a profile file relative to the registry root and its fixture relative to the profile', async () => {
      await write('profiles/fixtures/twin.yaml', 'work: { response: hi }\n');
      await write('profiles/p.yaml', profileYaml('provider: { kind: twin, fixture: fixtures/twin.yaml }\n'));
      const res = await resolve({ file: 'profiles/p.yaml' });
      expect(res.profile.provider).toEqual({ kind: 'twin', fixture: join(root, 'profiles/fixtures/twin.yaml') });
    });

    test.each([
      ['a required env var is unset', 'provider: { kind: twin }\nenvironment: { required_env: [FACTORY_TEST_NEEDED] }\n', 'environment variable FACTORY_TEST_NEEDED is not set (environment.required_env)'],
      ['the provider api key env var is unset', 'provider: { kind: openai, model: m, api_key_env: MY_KEY }\n', 'environment variable MY_KEY is not set (provider.api_key_env)'],
      ['the twin fixture is missing', 'provider: { kind: twin, fixture: nope.yaml }\n', 'provider.fixture: twin fixture'],
      ['the agent command is not found', 'provider: { kind: agent, command: [no-such-agent-xyz, -p] }\n', 'provider.command[0] "no-such-agent-xyz" is not an executable file on PATH'],
      ['the workdir does not exist', 'provider: { kind: twin }\nenvironment: { workdir: missing-dir }\n', 'environment.workdir'],
      ['a TLS file cannot be read', 'provider: { kind: twin }\nenvironment: { temporal: { tls: { client_cert: no.pem } } }\n', 'environment.temporal.tls.client_cert'],
      ['a required key is missing', 'environment: { name: x }\n', 'missing_key'],
    ])('fails with BOOT_FAILURE when %s', async (_label, body, cause) => {
      await write('p.yaml', profileYaml(body));
      const causes = bootCauses(await failureOf(resolve({ file: 'p.yaml' }, { PATH: '/nonexistent' })));
      expect(causes).toHaveLength(1);
      expect(causes[0]).toContain(cause);
    });

    it('lists every missing env var and contract in one BOOT_FAILURE when several are missing', async () => {
      await write(
        'p.yaml',
        profileYaml(`provider: { kind: openai, model: m, api_key_env: KEY_A }
environment: { required_env: [NEED_1, NEED_2, PRESENT], workdir: nowhere, temporal: { tls: { client_key: k.pem } } }
`),
      );
      const f = await failureOf(resolve({ file: 'p.yaml' }, { PRESENT: 'yes' }));
      const causes = bootCauses(f);
      expect(causes).toEqual([
        expect.stringContaining('NEED_1'),
        expect.stringContaining('NEED_2'),
        expect.stringContaining('KEY_A'),
        expect.stringContaining('environment.workdir'),
        expect.stringContaining('tls.client_key'),
      ]);
      expect(f.message).toMatch(/profile resolve failed with 5 problems/);
    });

    it('passes when the env vars are set', async () => {
      await write('p.yaml', profileYaml('provider: { kind: openai, model: m, api_key_env: KEY_A }\nenvironment: { required_env: [NEED_1] }\n'));
      await expect(resolve({ file: 'p.yaml' }, { KEY_A: 'k', NEED_1: '1' })).resolves.toMatchObject({ ref: { id: 'demo-local' } });
    });

    it('refuses a published profile whose file changed with an "immutable" BOOT_FAILURE', async () => {
      const { entry } = await publish('src/profile.yaml', TWIN_PROFILE);
      await writeFile(join(root, 'specs', entry.path), TWIN_PROFILE + '# edited\n');
      const causes = bootCauses(await failureOf(resolve({ ref: 'demo-local@1.0.0' })));
      expect(causes[0]).toMatch(/immutable spec modified/);
    });

    it('fails naming the available versions when the ref is not published', async () => {
      await publish('src/profile.yaml', TWIN_PROFILE);
      expect(bootCauses(await failureOf(resolve({ ref: 'demo-local@9.9.9' })))[0]).toMatch(/not published.*1\.0\.0/);
    });
  });

  describe('resolveSpecs', () => {
    const profile = () => profileFrom(TWIN_PROFILE);
    const resolve = (pipeline: SpecRef, suite?: SpecRef, p: FactoryProfile = profile()) =>
      resolveSpecs({ pipeline, ...(suite ? { suite } : {}), profile: p }, { registryRoot: root });

    it('returns the graph, digest and suite manifest without any scenario body', async () => {
      await publish('src/pipeline.yaml', pipelineYaml());
      await publish('src/suite.yaml', suiteYaml());
      const res = await resolve({ ref: 'demo@1.2.0' }, { ref: 'demo-holdout@1.0.0' });
      expect(res.pipelineRef).toEqual({ id: 'demo', version: '1.2.0' });
      expect(res.pipelineDigest).toMatch(/^[0-9a-f]{64}$/);
      expect(res.graph.nodes.map((n) => n.id)).toEqual(['start', 'work', 'exit']);
      expect(res.suite).toMatchObject({ id: 'demo-holdout', version: '1.0.0', count: 2, pipeline_id: 'demo', pipeline_major: 1, capabilities: ['node'] });
      expect(JSON.stringify(res)).not.toContain(CANARY);
    });

    it('loads pipeline and suite from files when given paths', async () => {
      await write('p.yaml', pipelineYaml());
      await write('s.yaml', suiteYaml());
      const res = await resolve({ file: 'p.yaml' }, { file: join(root, 's.yaml') });
      expect(res.pipelineSource).toBe(join(root, 'p.yaml'));
      expect(res.suite?.count).toBe(2);
      expect(JSON.stringify(res)).not.toContain(CANARY);
    });

    it('refuses a published pipeline whose file changed with an "immutable" BOOT_FAILURE', async () => {
      const { entry } = await publish('src/pipeline.yaml', pipelineYaml());
      await writeFile(join(root, 'specs', entry.path), pipelineYaml({ caps: ['node', 'evil'] }));
      const causes = bootCauses(await failureOf(resolve({ ref: 'demo@1.2.0' }, undefined, profileFrom(TWIN_PROFILE + 'policy: { require_suite: false }\n'))));
      expect(causes).toHaveLength(1);
      expect(causes[0]).toMatch(/immutable spec modified: pipeline demo@1\.2\.0/);
    });

    test.each([
      ['the suite is for another pipeline id', { suite: { pipelineId: 'other' } }, 'is for pipeline_id "other", not "demo"'],
      ['the suite is for another major version', { suite: { major: 2 } }, 'is for major version 2 of the pipeline, pipeline demo@1.2.0 is major 1'],
      ['the pipeline needs a capability the environment lacks', { pipeline: { caps: ['gpu'] } }, 'pipeline demo@1.2.0 requires capability "gpu"'],
      ['the suite needs a capability the environment lacks', { suite: { caps: ['browser'] } }, 'suite demo-holdout@1.0.0 requires capability "browser"'],
    ])('fails with BOOT_FAILURE when %s', async (_label, o, cause) => {
      await write('p.yaml', pipelineYaml((o as { pipeline?: object }).pipeline));
      await write('s.yaml', suiteYaml((o as { suite?: object }).suite));
      const causes = bootCauses(await failureOf(resolve({ file: 'p.yaml' }, { file: 's.yaml' })));
      expect(causes).toEqual([expect.stringContaining(cause)]);
    });

    it('checks a manifest computed on the scenario side without opening any suite file', async () => {
      await write('p.yaml', pipelineYaml());
      const suiteManifest = { id: 'h', version: '1.0.0', digest: 'd'.repeat(64), count: 3, capabilities: ['node'], pipeline_id: 'demo', pipeline_major: 2 };
      const f = await failureOf(resolveSpecs({ pipeline: { file: 'p.yaml' }, suite: { ref: 'h@1.0.0' }, suiteManifest, profile: profile() }, { registryRoot: root }));
      expect(bootCauses(f)).toEqual([expect.stringContaining('suite h@1.0.0 is for major version 2')]);
      const ok = await resolveSpecs({ pipeline: { file: 'p.yaml' }, suiteManifest: { ...suiteManifest, pipeline_major: 1 }, profile: profile() }, { registryRoot: root });
      expect(ok.suite?.count).toBe(3);
    });

    it('refuses a published suite whose file changed with an "immutable" BOOT_FAILURE', async () => {
      await publish('src/pipeline.yaml', pipelineYaml());
      const { entry } = await publish('src/suite.yaml', suiteYaml());
      await writeFile(join(root, 'scenarios', entry.path), suiteYaml({ caps: ['node', 'x'] }));
      const causes = bootCauses(await failureOf(resolve({ ref: 'demo@1.2.0' }, { ref: 'demo-holdout@1.0.0' })));
      expect(causes).toEqual([expect.stringMatching(/immutable spec modified: suite demo-holdout@1\.0\.0/)]);
    });

    it('fails when policy.require_suite is true and no suite is given', async () => {
      await write('p.yaml', pipelineYaml());
      expect(bootCauses(await failureOf(resolve({ file: 'p.yaml' })))).toEqual([expect.stringContaining('policy.require_suite')]);
    });

    it('runs without a suite when policy.require_suite is false', async () => {
      await write('p.yaml', pipelineYaml());
      const res = await resolve({ file: 'p.yaml' }, undefined, profileFrom(TWIN_PROFILE + 'policy: { require_suite: false }\n'));
      expect(res.suite).toBeUndefined();
    });

    it('lists every incompatibility in one BOOT_FAILURE when several apply', async () => {
      await write('p.yaml', pipelineYaml({ caps: ['gpu', 'node'] }));
      await write('s.yaml', suiteYaml({ pipelineId: 'other', major: 3, caps: ['browser'] }));
      const f = await failureOf(resolve({ file: 'p.yaml' }, { file: 's.yaml' }));
      expect(bootCauses(f)).toHaveLength(4);
      for (const s of ['pipeline_id "other"', 'major version 3', 'capability "gpu"', 'capability "browser"']) expect(f.message).toContain(s);
    });

    it('reports loader diagnostics with file and line when the pipeline file is invalid', async () => {
      await write('p.yaml', pipelineYaml().replace('goal: Say hello', 'goal: Say hello\nbogus_key: 1'));
      const causes = bootCauses(await failureOf(resolve({ file: 'p.yaml' }, undefined, profileFrom(TWIN_PROFILE + 'policy: { require_suite: false }\n'))));
      expect(causes[0]).toMatch(/p\.yaml:5:1 error unknown_key/);
    });

    it('fails at once naming the FIFO, never waiting on it, when the pipeline and suite files are FIFOs', async () => {
      execFileSync('mkfifo', [join(root, 'p.yaml'), join(root, 's.yaml')]);
      const causes = bootCauses(await failureOf(resolve({ file: 'p.yaml' }, { file: 's.yaml' })));
      expect(causes).toEqual([
        expect.stringMatching(/^pipeline p\.yaml: .*p\.yaml.*is not a regular file \(a FIFO\)/),
        expect.stringMatching(/^suite s\.yaml: .*s\.yaml.*is not a regular file \(a FIFO\)/),
      ]);
    });

    it('reports a missing pipeline file and a missing suite together', async () => {
      const causes = bootCauses(await failureOf(resolve({ file: 'none.yaml' }, { ref: 'nope@1.0.0' })));
      expect(causes).toEqual([expect.stringContaining('none.yaml'), expect.stringContaining('nope@1.0.0')]);
    });
  });

  describe('preflight', () => {
    const graphOf = (text: string) => {
      const { graph, diagnostics } = loadPipelineYaml(text, 'p.yaml');
      if (!graph) throw new Error(JSON.stringify(diagnostics));
      return graph;
    };
    const run = (text: string, profile = profileFrom(TWIN_PROFILE), handlers = createDefaultHandlers()) =>
      preflight({ graph: graphOf(text), profile, workflowTypes: WORKFLOW_NODE_TYPES }, { handlers });

    it('passes and reports the handler types when everything is covered', async () => {
      const res = await run(pipelineYaml());
      expect(res.handlerTypes).toEqual(['codergen', 'parallel.fan_in', 'tool']);
    });

    it('fails when lint finds an error', async () => {
      const causes = bootCauses(await failureOf(run(pipelineYaml({ extraEdges: '\n  - { from: work, to: ghost }' }))));
      expect(causes).toEqual([expect.stringContaining('edge_target_exists')]);
    });

    it('fails naming the type and its nodes when no handler covers a node type', async () => {
      const text = pipelineYaml({ extraNodes: '\n  - { id: deploy, type: deploy.k8s, prompt: x }', extraEdges: '\n  - { from: work, to: deploy }\n  - { from: deploy, to: exit }' });
      const causes = bootCauses(await failureOf(run(text)));
      expect(causes).toEqual([expect.stringContaining('no handler registered for node type "deploy.k8s" (node deploy)')]);
      const custom = createDefaultHandlers().register('deploy.k8s', { execute: async () => ({ status: 'success' }) });
      await expect(run(text, profileFrom(TWIN_PROFILE), custom)).resolves.toBeDefined();
    });

    test.each([
      ['a dependency mode is not allowed', 'provider: { kind: twin }\nenvironment: { allowed_dependency_modes: [twin] }\ndependencies: { github: real }\n', 'dependency github runs as "real"'],
      ['the twin provider counts as llm: twin where twin is not allowed', 'provider: { kind: twin }\nenvironment: { allowed_dependency_modes: [real] }\n', 'dependency llm runs as "twin" (provider.kind twin)'],
      ['llm is declared real while the provider is the twin', 'provider: { kind: twin }\ndependencies: { llm: real }\n', 'dependencies.llm is "real" but provider.kind is "twin"'],
    ])('fails when %s', async (_label, body, cause) => {
      const causes = bootCauses(await failureOf(run(pipelineYaml(), profileFrom(profileYaml(body)))));
      expect(causes).toEqual([expect.stringContaining(cause)]);
    });

    describe('sandbox', () => {
      const missing = async (): Promise<BwrapProbe> => ({ ok: false, reason: '/usr/bin/bwrap not found' });
      const REAL = 'provider: { kind: openai, api_key_env: OPENAI_API_KEY, model: m-1 }\n';
      const withProbe = (body: string, probe = missing) =>
        preflight({ graph: graphOf(pipelineYaml()), profile: profileFrom(profileYaml(body)), workflowTypes: WORKFLOW_NODE_TYPES }, { handlers: createDefaultHandlers(), probeSandbox: probe });

      it('refuses a real-model run with BOOT_FAILURE naming bubblewrap when it does not work here', async () => {
        const causes = bootCauses(await failureOf(withProbe(REAL)));
        expect(causes).toEqual([expect.stringContaining('bubblewrap does not work on this worker (/usr/bin/bwrap not found)')]);
        expect(causes[0]).toContain('sandbox: none');
      });

      it('lets a real-model run through without bubblewrap only with `sandbox: none`, and warns that it is unconfined', async () => {
        const res = await withProbe(`${REAL}sandbox: none\n`);
        expect(res.warnings).toEqual([expect.stringContaining('sandbox: none (profile)')]);
      });

      it('lets a twin-only run through without bubblewrap and says it runs unsandboxed', async () => {
        const res = await withProbe('provider: { kind: twin }\n');
        expect(res.warnings).toEqual([expect.stringContaining('twin-only run runs commands unsandboxed')]);
      });

      it('refuses sandbox.env naming the run key or the provider key variable', async () => {
        const causes = bootCauses(await failureOf(withProbe(`${REAL}sandbox: { env: [NPM_CONFIG_REGISTRY, OPENAI_API_KEY, FACTORY_RUN_KEY] }\n`, async (): Promise<BwrapProbe> => ({ ok: true }))));
        expect(causes).toEqual([expect.stringContaining('sandbox.env names OPENAI_API_KEY'), expect.stringContaining('sandbox.env names FACTORY_RUN_KEY')]);
      });

      it('records the allow-list in force, so run.json, status and the summary name the hosts', async () => {
        const res = await withProbe(`${REAL}sandbox: { network: { allow: [registry.npmjs.org] } }\n`, async (): Promise<BwrapProbe> => ({ ok: true }));
        expect(res.sandbox).toEqual({ mode: 'bwrap', network: 'off', allow: ['registry.npmjs.org'] });
        expect(sandboxText(res.sandbox!)).toBe('bubblewrap, network through the allow-list proxy: registry.npmjs.org');
      });

      it('warns that network: on reaches Temporal, and stays bubblewrap', async () => {
        const res = await withProbe(`${REAL}sandbox: { network: on }\n`, async (): Promise<BwrapProbe> => ({ ok: true }));
        expect(res.warnings).toEqual([expect.stringContaining('sandbox.network on: sandboxed commands share the worker\'s network, the Temporal frontend')]);
        expect(res.sandbox).toEqual({ mode: 'bwrap', network: 'on' });
      });

      it('passes a real-model run silently where bubblewrap works (this machine)', async () => {
        const res = await preflight({ graph: graphOf(pipelineYaml()), profile: profileFrom(profileYaml(REAL)), workflowTypes: WORKFLOW_NODE_TYPES }, { handlers: createDefaultHandlers() });
        expect(res.warnings).toEqual([]);
      });
    });

    it('lists lint errors, uncovered types and policy violations in one BOOT_FAILURE', async () => {
      const text = pipelineYaml({ extraNodes: '\n  - { id: d, type: custom.x, prompt: x }', extraEdges: '\n  - { from: work, to: d }\n  - { from: d, to: nowhere }' });
      const profile = profileFrom(profileYaml('provider: { kind: twin }\nenvironment: { allowed_dependency_modes: [real] }\ndependencies: { github: twin }\n'));
      const f = await failureOf(run(text, profile, new HandlerRegistry()));
      const causes = bootCauses(f);
      for (const s of ['edge_target_exists', 'node type "codergen"', 'node type "custom.x"', 'dependency github', 'dependency llm']) {
        expect(causes.some((c) => c.includes(s))).toBe(true);
      }
    });
  });
});
