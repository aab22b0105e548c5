// FactoryProfile: defaults filled, durations in ms, Temporal-valid retry options, every bad field reported.
import { loadProfileYaml } from '../../definitions/yaml';
import { AGENT_PROFILE, FULL_PROFILE, OPENAI_PROFILE } from './examples';

const MIN = 'kind: FactoryProfile\nid: local\nprovider: { kind: twin }\n';

describe('FactoryProfile schema', () => {
  it('fills every default when only kind, id and provider are given', () => {
    const { profile, diagnostics } = loadProfileYaml(MIN, 'p.yaml');
    expect(diagnostics).toEqual([]);
    expect(profile).toEqual({
      kind: 'FactoryProfile',
      id: 'local',
      version: '0.0.0',
      provider: { kind: 'twin' },
      providers: { twin: { kind: 'twin' } },
      sandbox: { mode: 'bwrap', network: 'off', env: [] },
      environment: {
        name: 'local',
        temporal: { namespace: 'default', task_queue: 'factory-pipeline', scenario_task_queue: 'factory-scenarios' },
        run_root: 'runs',
        workdir: '.',
        allow_dirty_base: false,
        workspace: { keep: 'on_failure', max_base_bytes: 1024 ** 3, max_base_files: 100_000 },
        required_env: [],
        capabilities: [],
        allowed_dependency_modes: ['real', 'twin'],
      },
      dependencies: {},
      policy: {
        retry: { initial_interval_ms: 1000, backoff_coefficient: 2, maximum_attempts: 3, jitter: true, non_retryable_error_types: [] },
        stage_timeout_ms: 900_000,
        human_gate: { timeout_ms: 86_400_000, on_timeout: 'fail', approvers: [], quorum: 1, allow_self_approval: false, auto_answer: false },
        decision: { mode: 'auto', pass_bar: 1, must_pass: [] },
        require_suite: true,
        lint: 'warn',
        unknown_types: 'refuse',
      },
    });
  });

  it('turns every duration into a _ms field when the full profile loads', () => {
    const { profile } = loadProfileYaml(FULL_PROFILE, 'p.yaml');
    expect(profile?.policy.retry).toEqual({
      initial_interval_ms: 1000,
      backoff_coefficient: 2,
      maximum_interval_ms: 60_000,
      maximum_attempts: 3,
      jitter: true,
      non_retryable_error_types: ['BOOT_FAILURE'],
    });
    expect(profile?.environment.temporal.tls).toEqual({ server_name: 'temporal', server_root_ca_cert: 'ca.pem', client_cert: 'c.pem', client_key: 'k.pem' });
    expect(profile?.dependencies).toEqual({ llm: 'twin', github: 'twin' });
  });

  test.each([
    [OPENAI_PROFILE, { kind: 'openai', model: 'gpt-4.1', base_url: 'https://llm.example.com/v1', api_key_env: 'LLM_KEY', timeout_ms: 120_000 }],
    [AGENT_PROFILE, { kind: 'agent', command: ['claude', '-p'], timeout_ms: 1_800_000 }],
    ['kind: FactoryProfile\nid: x\nprovider: { kind: openai, model: m }\n', { kind: 'openai', model: 'm', base_url: 'https://api.openai.com/v1', api_key_env: 'OPENAI_API_KEY', timeout_ms: 120_000 }],
  ])('reads the provider by its kind when it is %#', (text, provider) => {
    expect(loadProfileYaml(text, 'p.yaml').profile?.provider).toEqual(provider);
  });

  const bad = (policy: string) => `${MIN}policy:\n  ${policy}\n`;
  test.each([
    ['maximum_attempts 0', bad('retry: { maximum_attempts: 0 }'), 'invalid_value', 'policy.retry.maximum_attempts', /must be >= 1/],
    ['maximum_attempts 1.5', bad('retry: { maximum_attempts: 1.5 }'), 'invalid_type', 'policy.retry.maximum_attempts', /expected integer/],
    ['backoff below 1', bad('retry: { backoff_coefficient: 0.5 }'), 'invalid_value', 'policy.retry.backoff_coefficient', /must be >= 1/],
    ['maximum below initial', bad('retry: { initial_interval: 10s, maximum_interval: 1s }'), 'invalid_value', 'policy.retry.maximum_interval', /maximum_interval must be >= initial_interval/],
    ['bad initial interval', bad('retry: { initial_interval: 1 sec }'), 'invalid_duration', 'policy.retry.initial_interval', /"900s"/],
    ['pass_bar above 1', bad('decision: { pass_bar: 1.5 }'), 'invalid_value', 'policy.decision.pass_bar', /must be <= 1/],
    ['pass_bar below 0', bad('decision: { pass_bar: -0.1 }'), 'invalid_value', 'policy.decision.pass_bar', /must be >= 0/],
    ['quorum 0', bad('human_gate: { quorum: 0 }'), 'invalid_value', 'policy.human_gate.quorum', /must be >= 1/],
    ['unknown decision mode', bad('decision: { mode: manual }'), 'invalid_value', 'policy.decision.mode', /auto \| human/],
    ['typo in policy', bad('stage_timout: 1m'), 'unknown_key', 'policy.stage_timout', /did you mean "stage_timeout"/],
    ['unknown provider kind', 'kind: FactoryProfile\nid: x\nprovider: { kind: gpt }\n', 'invalid_value', 'provider.kind', /twin \| openai \| anthropic \| google \| openai_compatible \| agent/],
    ['provider without kind', 'kind: FactoryProfile\nid: x\nprovider: { model: m }\n', 'missing_key', 'provider.kind', /missing required key "kind"/],
    ['openai without model', 'kind: FactoryProfile\nid: x\nprovider: { kind: openai }\n', 'missing_key', 'provider.model', /"model"/],
    ['agent with empty command', 'kind: FactoryProfile\nid: x\nprovider: { kind: agent, command: [] }\n', 'invalid_value', 'provider.command', /length must be >= 1/],
    ['twin with openai key', 'kind: FactoryProfile\nid: x\nprovider: { kind: twin, model: m }\n', 'unknown_key', 'provider.model', /unknown key "model"/],
    ['bad dependency mode', `${MIN}dependencies: { llm: fake }\n`, 'invalid_value', 'dependencies.llm', /real \| twin/],
    ['no provider', 'kind: FactoryProfile\nid: x\n', 'missing_key', 'provider', /"provider"/],
  ])('reports %s', (_name, text, rule, path, message) => {
    const { profile, diagnostics } = loadProfileYaml(text, 'p.yaml');
    expect(profile).toBeUndefined();
    expect(diagnostics).toEqual([expect.objectContaining({ rule, path, file: 'p.yaml', line: expect.any(Number) })]);
    expect(diagnostics[0]?.message).toMatch(message);
  });

  it('reports all three retry mistakes at once when a profile has them', () => {
    const { diagnostics } = loadProfileYaml(bad('retry: { maximum_attempts: 0, backoff_coefficient: 0, initial_interval: x }'), 'p.yaml');
    expect(diagnostics.map((d) => d.path).sort()).toEqual(['policy.retry.backoff_coefficient', 'policy.retry.initial_interval', 'policy.retry.maximum_attempts']);
  });
});

describe('FactoryProfile type', () => {
  it('exposes plain, narrowed fields when code reads a loaded profile', () => {
    const { profile } = loadProfileYaml(OPENAI_PROFILE, 'p.yaml');
    if (!profile) throw new Error('profile expected');
    const provider = profile.provider;
    // Compile-time checks: durations are numbers, the provider narrows on kind, optional stays optional.
    const model: string = provider.kind === 'openai' ? provider.model : '';
    const stage: number = profile.policy.stage_timeout_ms;
    const max: number | undefined = profile.policy.retry.maximum_interval_ms;
    expect([model, stage, max]).toEqual(['gpt-4.1', 900_000, undefined]);
  });
});

describe('FactoryProfile retry presets (Attractor §3.6)', () => {
  const withRetry = (retry: string) => `kind: FactoryProfile\nid: p\nprovider: { kind: twin }\npolicy:\n  retry: ${retry}\n`;
  it.each([
    ['standard', 200, 2],
    ['aggressive', 500, 2],
    ['linear', 500, 1],
    ['patient', 2000, 3],
  ])('takes the %s preset delays when the profile names it', (preset, initial, factor) => {
    const { profile } = loadProfileYaml(withRetry(`{ preset: ${preset} }`), 'p.yaml');
    expect(profile?.policy.retry).toMatchObject({ preset, initial_interval_ms: initial, backoff_coefficient: factor, jitter: true });
  });

  it('lets explicit fields win over the preset when both are given', () => {
    const { profile } = loadProfileYaml(withRetry('{ preset: patient, initial_interval: 50ms, jitter: false }'), 'p.yaml');
    expect(profile?.policy.retry).toMatchObject({ initial_interval_ms: 50, backoff_coefficient: 3, jitter: false });
  });

  it('reports an unknown preset at its line when the name is misspelt', () => {
    const { diagnostics } = loadProfileYaml(withRetry('{ preset: agressive }'), 'p.yaml');
    expect(diagnostics).toEqual([expect.objectContaining({ path: 'policy.retry.preset', line: 5 })]);
  });

  it('reads `sandbox: none` as the mode and reports a wrong word on sandbox at its line', () => {
    const none = loadProfileYaml(`${MIN}sandbox: none\n`, 'p.yaml');
    expect(none.diagnostics).toEqual([]);
    expect(none.profile?.sandbox).toEqual({ mode: 'none', network: 'off', env: [] });
    const open = loadProfileYaml(`${MIN}sandbox: { network: on, env: [NPM_CONFIG_REGISTRY] }\n`, 'p.yaml');
    expect(open.profile?.sandbox).toEqual({ mode: 'bwrap', network: 'on', env: ['NPM_CONFIG_REGISTRY'] });
    const bad = loadProfileYaml(`${MIN}sandbox: nope\n`, 'p.yaml');
    expect(bad.diagnostics).toEqual([expect.objectContaining({ path: 'sandbox', line: 4 })]);
    const badMode = loadProfileYaml(`${MIN}sandbox: { mode: nope }\n`, 'p.yaml');
    expect(badMode.diagnostics).toEqual([expect.objectContaining({ path: 'sandbox.mode', line: 4 })]);
    expect(badMode.diagnostics[0]?.message).toContain('bwrap');
  });

  it('reads a network allow-list and reports a bad host on its entry, by line, without parsing a policy', () => {
    const ok = loadProfileYaml(`${MIN}sandbox:\n  network:\n    allow: [Registry.NPMjs.org, "*.pypi.org"]\n`, 'p.yaml');
    expect(ok.diagnostics).toEqual([]);
    expect(ok.profile?.sandbox).toEqual({ mode: 'bwrap', network: 'off', allow: ['registry.npmjs.org', '*.pypi.org'], env: [] });
    const bad = loadProfileYaml(`${MIN}sandbox:\n  network:\n    allow:\n      - registry.npmjs.org\n      - https://evil.example/x\n`, 'p.yaml');
    expect(bad.profile).toBeUndefined();
    expect(bad.diagnostics).toEqual([expect.objectContaining({ path: 'sandbox.network.allow[1]', line: 8 })]);
    expect(bad.diagnostics[0]?.message).toContain('not a host name');
    const tld = loadProfileYaml(`${MIN}sandbox: { network: { allow: ["*.com"] } }\n`, 'p.yaml');
    expect(tld.diagnostics[0]?.message).toContain('whole top-level domain');
    const empty = loadProfileYaml(`${MIN}sandbox: { network: { allow: [] } }\n`, 'p.yaml');
    expect(empty.diagnostics).toEqual([expect.objectContaining({ path: 'sandbox.network.allow' })]);
    const agent = loadProfileYaml(`kind: FactoryProfile\nid: p\nprovider: { kind: agent, command: [claude, -p], allow_hosts: ["api.anthropic.com:443"] }\n`, 'p.yaml');
    expect(agent.diagnostics).toEqual([expect.objectContaining({ path: 'provider.allow_hosts[0]', line: 3 })]);
  });
});
