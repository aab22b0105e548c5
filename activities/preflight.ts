// Boot phase 3, Preflight: lint errors block, every node type must be run by the workflow or a registered
// handler, every external dependency's mode (real | twin) must be allowed in this environment, and a
// run with a real model needs a working bubblewrap sandbox unless the profile says `sandbox: none`.

import { formatDiagnostic, type Diagnostic } from '../core/diagnostics';
import { loadPlugins, type PluginSet } from './plugins';
import { lintPipeline } from '../core/lint';
import type { PipelineGraph } from '../core/model';
import { WORKFLOW_NODE_TYPES } from '../core/node-types';
import type { FactoryProfile } from '../definitions/schemas/profile';
import { throwIfCauses } from './errors';
import { twinServed, unknownProviders } from './llm/resolve';
import { STRICT_RULES } from '../core/lint-known';
import type { HandlerRegistry } from './handler-registry';
import type { PreflightInput, PreflightReport } from './types';
import { bwrapMissing, DEFAULT_SANDBOX } from './sandbox/policy';
import type { SandboxRecord } from '../core/sandbox-policy';
import { probeBwrap, type BwrapProbe } from './sandbox/probe';
import { twinOnly } from './sandbox/stage';

/** The worker's handler registry, whose types preflight checks coverage against. */
export interface PreflightDeps {
  handlers: HandlerRegistry;
  /** Whether bubblewrap works on this worker (default: probeBwrap; tests stand in a machine without it). */
  probeSandbox?: () => Promise<BwrapProbe>;
}

/** Runs every preflight check and throws one BOOT_FAILURE listing all failures; returns lint warnings. */
export async function preflight(input: PreflightInput, deps: PreflightDeps): Promise<PreflightReport> {
  const workflowTypes = input.workflowTypes ?? WORKFLOW_NODE_TYPES;
  let plugins: PluginSet;
  try {
    plugins = await loadPlugins(input.profile.plugins);
  } catch (err) {
    throwIfCauses('preflight', [(err as Error).message]);
    throw err;
  }
  const handlerTypes = [...new Set([...deps.handlers.types(), ...Object.keys(plugins.handlers)])];
  const diags = lintPipeline(input.graph, {
    knownTypes: [...workflowTypes, ...handlerTypes],
    extraRules: plugins.lintRules,
    ...(input.source !== undefined ? { file: input.source } : {}),
    ...(input.sourceMap !== undefined ? { sourceMap: input.sourceMap } : {}),
  });
  const sandbox = await sandboxCheck(input.profile, deps.probeSandbox ?? (() => probeBwrap()));
  const strict = input.profile.policy.lint === 'strict';
  const refused = (d: Diagnostic) => d.severity === 'error' || (strict && STRICT_RULES.includes(d.rule));
  const causes = [
    ...diags.filter(refused).map((d) => (d.severity === 'error' ? describe(d) : `${describe(d)} (refused: the profile sets policy.lint: strict)`)),
    ...uncoveredTypes(input.graph, workflowTypes, handlerTypes),
    ...dependencyViolations(input.profile),
    ...unknownProviders(input.graph.nodes, input.profile.provider, input.profile.providers),
    ...sandbox.causes,
  ];
  throwIfCauses('preflight', causes);
  const served = twinServed(input.graph.nodes, input.profile.provider, input.profile.providers);
  return {
    warnings: [...diags.filter((d) => !refused(d)).map(describe), ...sandbox.warnings, ...networkWarnings(input.profile, sandbox.warnings)],
    handlerTypes,
    sandbox: sandboxInForce(input.profile, sandbox.warnings),
    ...(served.length ? { notes: [`the twin stands in for llm_provider ${served.map((p) => `"${p}"`).join(', ')} (provider.kind: twin)`] } : {}),
  };
}

/**
 * The sandbox on this worker: `sandbox: none` is a warning (the run is unconfined by choice); no working
 * bubblewrap refuses a run with any real model and warns for a twin-only run, which then runs unsandboxed.
 */
export async function sandboxCheck(profile: FactoryProfile, probe: () => Promise<BwrapProbe>): Promise<{ causes: string[]; warnings: string[] }> {
  // a profile parsed by an older worker has no sandbox field: the default applies
  if (profile.sandbox?.mode === 'none') return { causes: [], warnings: ['sandbox: none (profile): agent commands, tool stages, hooks run unconfined, as the worker\'s user, with its files and network (docs/security.md)'] };
  const secrets = secretsPassed(profile);
  const found = await probe();
  if (found.ok) return { causes: secrets, warnings: [] };
  if (twinOnly(profile.provider, profile.providers)) return { causes: secrets, warnings: [`bubblewrap unavailable (${found.reason}): this twin-only run runs commands unsandboxed`] };
  return { causes: [bwrapMissing(found.reason), ...secrets], warnings: [] };
}

/** The sandbox the run's processes get on this worker (recorded on the run): unconfined whenever sandboxCheck warned. */
function sandboxInForce(profile: FactoryProfile, warnings: readonly string[]): SandboxRecord {
  const policy = profile.sandbox ?? DEFAULT_SANDBOX;
  const note = warnings[0];
  return note !== undefined ? { mode: 'none', network: 'on', note } : { mode: policy.mode, network: policy.network, ...(policy.network === 'off' && policy.allow?.length ? { allow: policy.allow } : {}) };
}

/** `network: on` under bubblewrap: said on the run, as it lets sandboxed code reach Temporal (the allow-list does not). */
function networkWarnings(profile: FactoryProfile, sandboxWarnings: readonly string[]): string[] {
  if (sandboxWarnings.length > 0 || profile.sandbox?.mode === 'none' || profile.sandbox?.network !== 'on') return [];
  return ['sandbox.network on: sandboxed commands share the worker\'s network, the Temporal frontend and its loopback services included; list hosts in sandbox.network.allow instead (docs/security.md)'];
}

/** `sandbox.env` naming the run key or a provider's key variable: those never enter a sandbox. */
function secretsPassed(profile: FactoryProfile): string[] {
  const keys = new Set(['FACTORY_RUN_KEY', ...[profile.provider, ...Object.values(profile.providers ?? {})].flatMap((p) => ('api_key_env' in p && p.api_key_env ? [p.api_key_env] : []))]);
  return (profile.sandbox?.env ?? []).filter((n) => keys.has(n)).map((n) => `sandbox.env names ${n}, the run key or a provider's key: secrets never enter the sandbox (remove it from sandbox.env)`);
}

/** One cause per node type that neither the workflow nor a registered handler runs, naming its nodes. */
export function uncoveredTypes(graph: PipelineGraph, workflowTypes: readonly string[], handlerTypes: readonly string[]): string[] {
  const covered = new Set([...workflowTypes, ...handlerTypes]);
  const missing = new Map<string, string[]>();
  for (const n of graph.nodes) if (!covered.has(n.type)) missing.set(n.type, [...(missing.get(n.type) ?? []), n.id]);
  return [...missing].map(
    ([type, nodes]) =>
      `no handler registered for node type "${type}" (node${nodes.length > 1 ? 's' : ''} ${nodes.join(', ')}); ` +
      `this worker runs: ${[...covered].sort().join(', ')}. Add a handler for "${type}" in a plugin (profile plugins:, docs/plugins.md), ` +
      `map the node to a built-in type (type=... or a shape), or set the profile's policy.unknown_types: shape to run it as its shape's handler (Attractor §4.2)`,
  );
}

/**
 * The dependency modes in force: `dependencies` as declared, with `llm` forced to `twin` when the provider
 * is the twin. Returns violations: a mode this environment does not allow, or an llm declaration the provider contradicts.
 */
export function dependencyViolations(profile: FactoryProfile): string[] {
  const out: string[] = [];
  const modes: Record<string, string> = { ...profile.dependencies };
  if (profile.provider.kind === 'twin') {
    if (modes.llm === 'real') out.push('dependencies.llm is "real" but provider.kind is "twin": the LLM is served by its twin');
    modes.llm = 'twin';
  }
  const allowed = profile.environment.allowed_dependency_modes as readonly string[];
  for (const [name, mode] of Object.entries(modes).sort(([a], [b]) => a.localeCompare(b))) {
    if (!allowed.includes(mode)) {
      const why = name === 'llm' && profile.provider.kind === 'twin' && profile.dependencies.llm === undefined ? ' (provider.kind twin)' : '';
      out.push(
        `dependency ${name} runs as "${mode}"${why}, which environment "${profile.environment.name}" does not allow ` +
          `(environment.allowed_dependency_modes: [${allowed.join(', ')}])`,
      );
    }
  }
  return out;
}

function describe(d: Diagnostic): string {
  if (d.file) return formatDiagnostic(d).replace(/\n\s*/g, ' ');
  const subject = d.node ? ` [node ${d.node}]` : d.edge ? ` [edge ${d.edge.from} -> ${d.edge.to}]` : '';
  return `lint ${d.severity} ${d.rule}: ${d.message}${subject}${d.fix ? ` (fix: ${d.fix})` : ''}`;
}
