// The FactoryProfile document: provider, execution environment, dependency policy and run policy
// defaults. Parsing fills every default and turns durations into `_ms` fields.
import { z } from 'zod';
import { WORKSPACE_KEEP } from '../../core/workspace';
import { RETRY_PRESET_NAMES, RETRY_PRESETS, type RetryPreset } from '../../core/retry';
import { allowEntryProblem, type SandboxPolicy } from '../../core/sandbox-policy';
import { duration, renameMs, ruleIssue, semver, specId, stringList } from './common';
import { budgetSchema, providerSchema, providersSchema, type ProviderConfig } from './providers';

export { providerSchema, type ProviderConfig } from './providers';

/** How an external dependency is served: the real service or its digital twin. */
export const DEPENDENCY_MODES = ['real', 'twin'] as const;
const dependencyMode = z.enum(DEPENDENCY_MODES);

const tlsSchema = z.strictObject({
  server_name: z.string().optional().describe('TLS server name override'),
  server_root_ca_cert: z.string().optional().describe('Path to the server root CA certificate'),
  client_cert: z.string().optional().describe('Path to the client certificate'),
  client_key: z.string().optional().describe('Path to the client private key'),
});

const temporalSchema = z.strictObject({
  address: z.string().min(1).optional().describe('host:port of the Temporal frontend; absent → embedded dev server'),
  namespace: z.string().min(1).default('default'),
  task_queue: z.string().min(1).default('factory-pipeline').describe('Pipeline workflow task queue'),
  scenario_task_queue: z.string().min(1).default('factory-scenarios').describe('Isolated holdout scenario task queue'),
  tls: tlsSchema.optional(),
});

const workspaceSchema = z.strictObject({
  keep: z.enum(WORKSPACE_KEEP).default('on_failure').describe('After finalize: never keep the run\'s workspace, keep it when the run did not succeed, or always keep it'),
  remote: z.string().min(1).optional().describe('Git remote candidates are published to (URL or path); default: a bare repository under run_root'),
  publish_branch: z.string().min(1).optional().describe('On approval, push the approved commit as this branch ({runId} is replaced); unset: no branch is pushed'),
  max_base_bytes: z.number().int().positive().default(1024 ** 3).describe('A plain-directory base (copied whole into every run) holding more bytes than this is refused at boot (default 1 GiB); a git base is cloned, not copied'),
  max_base_files: z.number().int().positive().default(100_000).describe('A plain-directory base holding more files and directories than this is refused at boot (default 100,000)'),
});

const environmentSchema = z.strictObject({
  name: z.string().min(1).default('local').describe('Environment name'),
  temporal: temporalSchema.prefault({}),
  run_root: z.string().min(1).default('runs').describe('Directory run folders are created in'),
  workdir: z.string().min(1).default('.').describe('The base each run starts from: a git repository (its HEAD or `ref`) or a plain directory; every run works in its own copy (docs/deployment.md)'),
  ref: z.string().min(1).optional().describe('Branch, tag or commit of the base repository a run starts from (default HEAD; `factory run --ref` overrides)'),
  allow_dirty_base: z.boolean().default(false).describe('Run on a base repository with uncommitted changes (snapshotted and recorded) instead of refusing it'),
  workspace: workspaceSchema.prefault({}).describe('Where runs publish candidates and what becomes of their workspaces'),
  required_env: stringList.describe('Environment variables that must be set'),
  capabilities: stringList.describe('Capabilities this environment offers'),
  allowed_dependency_modes: z.array(dependencyMode).default(['real', 'twin']).describe('Dependency modes allowed here'),
});

/** Attractor §3.6 retry policy: backoff between a stage's attempts (a preset, then explicit fields). */
const retrySchema = z
  .strictObject({
    preset: z.enum(RETRY_PRESET_NAMES as [RetryPreset, ...RetryPreset[]]).optional().describe('Attractor §3.6 preset: none, standard, aggressive, linear, patient (attempts and delays)'),
    initial_interval: duration.optional().describe('First retry delay (default: the preset\'s, else 1s)'),
    backoff_coefficient: z.number().min(1).optional().describe('Delay multiplier per retry, >= 1 (default: the preset\'s, else 2)'),
    maximum_interval: duration.optional().describe('Cap on the delay (>= initial_interval; default 60s)'),
    jitter: z.boolean().default(true).describe('Multiply each delay by a uniform factor in [0.5, 1.5) (Attractor §3.6)'),
    maximum_attempts: z.int().min(1).default(3).describe('Attempts per stage execution when the worker running it is lost (infrastructure retries)'),
    non_retryable_error_types: stringList.describe('Error types that fail a stage at once, without retries'),
  })
  .transform((r) => {
    const preset = r.preset ? RETRY_PRESETS[r.preset] : undefined;
    return {
      ...r,
      initial_interval: r.initial_interval ?? (preset && preset.initial_delay_ms > 0 ? preset.initial_delay_ms : 1000),
      backoff_coefficient: r.backoff_coefficient ?? preset?.backoff_factor ?? 2,
    };
  })
  .superRefine((r, ctx) => {
    const max = r.maximum_interval;
    if (max !== undefined && max < r.initial_interval)
      ctx.addIssue(ruleIssue('invalid_value', 'maximum_interval must be >= initial_interval', ['maximum_interval']));
  })
  .transform(renameMs('initial_interval', 'maximum_interval'));

const humanGatePolicy = z
  .strictObject({
    timeout: duration.prefault('24h').describe('How long a human gate waits'),
    on_timeout: z.enum(['default_choice', 'fail']).default('fail').describe('What a timed-out gate does'),
    approvers: stringList.describe('Who may answer gates'),
    quorum: z.int().min(1).default(1).describe('Answers needed to close a gate'),
    allow_self_approval: z.boolean().default(false).describe('May the run starter answer'),
    auto_answer: z.boolean().default(false).describe('Answer gates with their default choice (tests, demos)'),
    webhook: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('POST a JSON notice here when a gate opens (sent by the worker that records the gate; a failed delivery never affects the run)'),
  })
  .transform(renameMs('timeout'));

const decisionSchema = z.strictObject({
  mode: z.enum(['auto', 'human']).default('auto').describe('Who takes the final decision'),
  pass_bar: z.number().min(0).max(1).default(1).describe('Satisfaction ratio required, in [0, 1]'),
  must_pass: stringList.describe('Scenario ids that must pass'),
});

const policySchema = z
  .strictObject({
    retry: retrySchema.prefault({}),
    stage_timeout: duration.prefault('15m').describe('Default stage timeout'),
    human_gate: humanGatePolicy.prefault({}),
    decision: decisionSchema.prefault({}),
    require_suite: z.boolean().default(true).describe('Refuse to run without a scenario suite'),
    lint: z
      .enum(['warn', 'strict'])
      .default('warn')
      .describe('strict: an unknown attribute or shape in the pipeline (lint unknown_attr, unknown_shape) is a BOOT_FAILURE at preflight; warn: printed only'),
    unknown_types: z
      .enum(['refuse', 'shape'])
      .default('refuse')
      .describe('A node type no handler runs: refuse (BOOT_FAILURE at preflight), or shape (Attractor §4.2 fallback: run it as its shape\'s handler)'),
    budget: budgetSchema.optional().describe('Per-run token / cost cap'),
  })
  .transform(renameMs('stage_timeout'));

/** `sandbox`: how agent commands, tool stages, hooks and command scenarios are confined (docs/security.md). */
const SANDBOX_MODES = ['bwrap', 'none'] as const;
const sandboxObject = z.strictObject({
  mode: z.enum(SANDBOX_MODES).default('bwrap').describe('bwrap: bubblewrap sandbox; none: no sandbox'),
  network: z
    .union([
      z.enum(['off', 'on']),
      z.strictObject({
        allow: z
          .array(z.string().superRefine((h, ctx) => {
            const problem = allowEntryProblem(h);
            if (problem) ctx.addIssue(ruleIssue('invalid_value', problem, []));
          }))
          .min(1)
          .describe('Hosts reachable through the allow-list proxy: registry.npmjs.org, *.pypi.org (subdomains), * (any public host), an IP'),
      }),
    ])
    .default('off')
    .describe('off: loopback only; {allow: [hosts]}: those hosts over HTTP(S) through a proxy outside the sandbox, nothing else; on: the worker\'s whole network, Temporal included (no allow-list)'),
  env: stringList.describe('Worker environment variables passed into the sandbox besides PATH, LANG, LC_*, TZ, TERM, NO_COLOR, CI'),
});
/** The profile's `sandbox`. */
// `sandbox: none` is shorthand for `{ mode: none }`; any other word stays a word and is reported on `sandbox` itself
export const sandboxSchema = z
  .preprocess((v) => ((SANDBOX_MODES as readonly unknown[]).includes(v) ? { mode: v } : v), sandboxObject)
  .transform(({ network, ...rest }): SandboxPolicy => (typeof network === 'string' ? { ...rest, network } : { ...rest, network: 'off', allow: network.allow.map((h) => h.trim().toLowerCase()) }))
  .prefault({})
  .describe('OS sandbox for everything that runs agent-written commands or code (docs/security.md)');

/** The whole FactoryProfile document. */
export const profileSchema = z
  .strictObject({
    kind: z.literal('FactoryProfile').describe('Document kind'),
    id: specId.describe('Profile id, e.g. local'),
    version: semver.default('0.0.0'),
    provider: providerSchema.optional().describe('The one LLM / coding backend (shorthand for a single provider)'),
    providers: providersSchema.optional().describe('Named providers; nodes pick one with llm_provider'),
    default_provider: z.string().optional().describe('The named provider nodes use without llm_provider (default: the first)'),
    environment: environmentSchema.prefault({}).describe('Where and how runs execute'),
    dependencies: z.record(z.string(), dependencyMode).default({}).describe('External dependency → real | twin'),
    policy: policySchema.prefault({}).describe('Run policy defaults'),
    sandbox: sandboxSchema,
    plugins: z
      .array(z.string().min(1))
      .optional()
      .describe('Extension modules (paths relative to the profile): custom handlers, transforms and lint rules (docs/plugins.md)'),
  })
  .superRefine((p, ctx) => {
    const names = Object.keys(p.providers ?? {});
    if (!p.provider && names.length === 0)
      ctx.addIssue({ code: 'invalid_type', expected: 'object', input: undefined, path: ['provider'], message: 'declare provider (one backend) or providers (named backends)' });
    if (p.default_provider !== undefined && !names.includes(p.default_provider))
      ctx.addIssue(ruleIssue('invalid_value', `default_provider "${p.default_provider}" is not one of providers: ${names.join(', ') || '(none)'}`, ['default_provider']));
  })
  .transform(({ provider, providers, default_provider, ...rest }) => {
    const named: Record<string, ProviderConfig> = { ...(providers ?? {}) };
    const first = Object.keys(named)[0];
    const chosen = provider ?? named[default_provider ?? (first as string)] as ProviderConfig;
    if (provider && !Object.values(named).includes(provider) && named[provider.kind] === undefined) named[provider.kind] = provider;
    return { ...rest, provider: chosen, providers: named };
  })
  .meta({ title: 'FactoryProfile', description: 'Provider, environment and policy for factory runs' });

/** A loaded profile: plain data, defaults filled, durations in milliseconds (`*_ms`). */
export type FactoryProfile = z.output<typeof profileSchema>;
