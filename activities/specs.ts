// Boot phase 2, Spec Resolve: the pipeline by exact `id@version` (digest-checked) or file, the suite's
// manifest only (never scenario bodies), and their compatibility with each other and the environment.

import { resolve } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostics';
import { refusedWhenStrict } from '../core/lint-known';
import type { PipelineGraph } from '../core/model';
import { ACTIVITY_NODE_TYPES, fallbackToShape, WORKFLOW_NODE_TYPES } from '../core/node-types';
import { applyCustomTransforms, withSubmitOverrides } from '../core/transforms';
import { loadPlugins } from './plugins';
import { loadSpecFile } from '../definitions/load';
import { openScenarioRegistry } from '../definitions/registry';
import type { FactoryProfile } from '../definitions/schemas/profile';
import { describeLoadError, loadBootSpec, pushDiagnostics, resolveSpecPath } from './boot-load';
import { bootFailure, throwIfCauses } from './errors';
import { suiteManifestOf } from '../definitions/suite-manifest';
import type { ResolvedSpecs, ResolveSpecsInput, SpecRef, SuiteManifest } from './types';

/** The project root holding specs/ and scenarios/. */
export interface SpecsDeps {
  registryRoot: string;
  /** The worker's handler types (policy.unknown_types: shape remaps nodes none of them runs); default the built-ins. */
  handlerTypes?: () => readonly string[];
}

/** Resolves pipeline + suite manifest and checks compatibility; one BOOT_FAILURE lists every problem. */
export async function resolveSpecs(input: ResolveSpecsInput, deps: SpecsDeps): Promise<ResolvedSpecs> {
  const root = resolve(input.registryRoot ?? deps.registryRoot);
  const causes: string[] = [];
  const spec = await loadBootSpec('pipeline', input.pipeline, root, causes);
  if (spec && input.profile.policy.lint === 'strict') causes.push(...strictRefusals(spec.loaded.diagnostics));
  const loadedGraph = spec?.loaded.kind === 'PipelineSpec' ? submitted(spec.loaded, input, causes) : undefined;
  const transformed = loadedGraph && (await pluginTransformed(loadedGraph, input.profile, causes));
  const graph = transformed && (await withTypeFallback(transformed, input.profile, deps));
  const suite = input.suiteManifest ?? (input.suite ? await suiteManifest(input.suite, root, causes) : undefined);
  if (!input.suite && !input.suiteManifest && input.profile.policy.require_suite) {
    causes.push('no scenario suite given, but the profile requires one (policy.require_suite: true): pass a suite id@version');
  }
  if (graph) causes.push(...incompatibilities(graph, suite, input.profile));
  if (!spec || !graph) throw bootFailure('spec resolve', causes.length ? causes : [`pipeline ${input.pipeline.ref ?? input.pipeline.file}: did not load`]);
  throwIfCauses('spec resolve', causes);
  return {
    graph,
    pipelineRef: { id: graph.id, version: graph.version },
    pipelineDigest: spec.loaded.digest,
    pipelineSource: spec.source,
    ...(suite ? { suite } : {}),
  };
}

/** The loaded graph, or with the goal and parameters given at submit (`factory run --goal`, `-p`) when there are any. */
function submitted(loaded: { graph?: PipelineGraph; unexpanded?: PipelineGraph }, input: ResolveSpecsInput, causes: string[]): PipelineGraph | undefined {
  if (input.goal === undefined && input.params === undefined) return loaded.graph;
  if (!loaded.unexpanded) return loaded.graph;
  try {
    return withSubmitOverrides(loaded.unexpanded, { ...(input.goal !== undefined ? { goal: input.goal } : {}), ...(input.params ? { params: input.params } : {}) });
  } catch (err) {
    causes.push((err as Error).message);
    return undefined;
  }
}

/**
 * The loader's warnings a strict profile refuses (issue 22): `implicit_node`, an edge endpoint no statement
 * declares, which preflight cannot see (it lints the graph, where the endpoint is a node like any other).
 */
function strictRefusals(diags: readonly Diagnostic[]): string[] {
  return diags.filter(refusedWhenStrict).map((d) => `${formatDiagnostic(d).replace(/\n\s*/g, ' ')} (refused: the profile sets policy.lint: strict)`);
}

/**
 * The graph after the profile's plugin transforms (§9.3), in profile order: what preflight lints and the
 * workflow runs (recorded in this activity's result, so replay never re-runs a transform).
 */
async function pluginTransformed(graph: PipelineGraph, profile: FactoryProfile, causes: string[]): Promise<PipelineGraph | undefined> {
  if (!profile.plugins?.length) return graph;
  try {
    const { transforms } = await loadPlugins(profile.plugins);
    return applyCustomTransforms(graph, transforms);
  } catch (err) {
    causes.push(`pipeline ${graph.id}: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * `policy.unknown_types: shape`: nodes whose type neither the workflow nor a handler (worker or plugin)
 * runs are run by their shape's handler (Attractor §4.2). Recorded in this activity's result, so replay
 * never recomputes it; preflight then finds every type covered.
 */
async function withTypeFallback(graph: PipelineGraph, profile: FactoryProfile, deps: SpecsDeps): Promise<PipelineGraph> {
  if (profile.policy.unknown_types !== 'shape') return graph;
  const plugins = profile.plugins?.length ? Object.keys((await loadPlugins(profile.plugins)).handlers) : [];
  const covered = new Set([...WORKFLOW_NODE_TYPES, ...(deps.handlerTypes?.() ?? ACTIVITY_NODE_TYPES), ...plugins]);
  return fallbackToShape(graph, covered).graph;
}

/** Every reason a pipeline, its suite and the environment do not fit together. */
export function incompatibilities(graph: PipelineGraph, suite: SuiteManifest | undefined, profile: FactoryProfile): string[] {
  const out: string[] = [];
  const pipeline = `pipeline ${graph.id}@${graph.version}`;
  if (suite) {
    const name = `suite ${suite.id}@${suite.version}`;
    if (suite.pipeline_id !== graph.id) out.push(`${name} is for pipeline_id "${suite.pipeline_id}", not "${graph.id}"`);
    const major = majorOf(graph.version);
    if (suite.pipeline_major !== major) out.push(`${name} is for major version ${suite.pipeline_major} of the pipeline, ${pipeline} is major ${major}`);
  }
  const offered = new Set(profile.environment.capabilities);
  const env = `environment "${profile.environment.name}" (environment.capabilities: [${profile.environment.capabilities.join(', ')}])`;
  for (const c of graph.capabilities) if (!offered.has(c)) out.push(`${pipeline} requires capability "${c}", which ${env} does not offer`);
  if (suite) {
    for (const c of suite.capabilities) if (!offered.has(c)) out.push(`suite ${suite.id}@${suite.version} requires capability "${c}", which ${env} does not offer`);
  }
  return out;
}

/** The major version of `x.y.z` (NaN when malformed, which never equals a suite's major). */
export function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

/** The suite manifest: from the scenario registry (digest-checked) or computed from a suite file. */
async function suiteManifest(ref: SpecRef, root: string, causes: string[]): Promise<SuiteManifest | undefined> {
  try {
    if (ref.ref !== undefined) return await openScenarioRegistry(resolve(root, 'scenarios')).lockedManifest(ref.ref);
    const path = resolveSpecPath(root, ref.file);
    const loaded = await loadSpecFile(path, { regularOnly: true });
    const before = causes.length;
    pushDiagnostics(loaded.diagnostics, causes);
    if (loaded.kind !== undefined && loaded.kind !== 'ScenarioSuite') causes.push(`suite ${path}: is a ${loaded.kind} document, expected kind: ScenarioSuite`);
    if (causes.length > before || loaded.kind !== 'ScenarioSuite' || !loaded.suite) return undefined;
    return suiteManifestOf(loaded.suite, loaded.digest);
  } catch (err) {
    causes.push(`suite ${ref.ref ?? ref.file}: ${describeLoadError(err)}`);
    return undefined;
  }
}
