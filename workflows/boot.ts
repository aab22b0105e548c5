// Boot phases 1–4 of the run workflow (seed steps 1–4): profile, specs (with the suite manifest),
// preflight, run creation — or, on resume, the run directory read back.

import { proxyActivities } from '@temporalio/workflow';
import type { PipelineActivityContract as PipelineActivities } from '../core/contracts';
import type { ScenarioActivityContract as ScenarioActivities } from '../core/contracts';
import type { SpecRef, SuiteManifest } from '../core/contracts';
import { WORKFLOW_NODE_TYPES } from '../core/node-types';
import { EventType, FailureDomain } from '../core/run-model';
import { decodeFailure, errorMessage } from '../core/failures';
import { BootFailedError } from './errors';
import type { SandboxPolicy, SandboxRecord } from '../core/sandbox-policy';
import type { RunState } from './run-state';
import type { BootResult, RunInput } from './types';
import type { BaseRequest } from '../core/workspace';

/** Each phase one activity; a BOOT_FAILURE (a bad spec or profile) is final, anything else is retried a few times. */
const bootActs = proxyActivities<PipelineActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '500ms', maximumAttempts: 5, nonRetryableErrorTypes: ['BOOT_FAILURE'] },
  summary: 'boot: profile, specs, preflight, run directory',
});

/** Boot phases 1–4 (seed steps): profile, specs, preflight, run creation. */
export async function bootPhases(input: RunInput, state: RunState, named: (pipeline: string) => void): Promise<BootResult> {
  const registryRoot = input.registryRoot !== undefined ? { registryRoot: input.registryRoot } : {};
  const profile = await bootActs.resolveProfile({ profile: input.profile, ...registryRoot });
  state.recordProfile(profile.ref, profile.digest);
  // A registry suite binds from the scenarios lock (manifest only); a suite file is read on the scenario side.
  const suiteManifest = input.suite?.file !== undefined ? await scenarioManifest(input.suite, profile.profile.environment.temporal.scenario_task_queue) : undefined;
  const specs = await bootActs.resolveSpecs({
    pipeline: input.pipeline,
    ...(input.suite ? { suite: input.suite } : {}),
    ...(suiteManifest ? { suiteManifest } : {}),
    profile: profile.profile,
    ...registryRoot,
    ...submitOverrides(input),
  });
  state.recordSpecs(specs);
  named(specs.pipelineRef.id);
  const report = await bootActs.preflight({ graph: specs.graph, profile: profile.profile, workflowTypes: [...WORKFLOW_NODE_TYPES] });
  state.recordPreflight(report.sandbox ?? fromProfile(profile.profile.sandbox), report.warnings);
  const preflight = { ...(state.envelope.sandbox ? { sandbox: state.envelope.sandbox } : {}), ...(report.warnings.length ? { warnings: report.warnings } : {}) };
  const runRoot = input.runRoot ?? profile.profile.environment.run_root;
  if (input.resume) {
    const resumed = await bootActs.loadRun({ runDir: input.runDir as string });
    state.resumeFrom(resumed);
    // the workspace reused, or made again at the head the checkpoint names (BOOT_FAILURE naming the commit when no repository has it)
    const head = resumed.checkpoint.workspace_head;
    const remote = profile.profile.environment.workspace.remote;
    const ws = resumed.workspace
      ? await bootActs.resumeWorkspace({ workspace: resumed.workspace, ...(head !== undefined ? { head } : {}), ...(remote !== undefined ? { remote } : {}) })
      : undefined;
    if (ws) state.recordWorkspace(ws.workspace);
    const at = ws ? { workspaceHead: ws.head ?? null, workspaceRecreated: ws.recreated } : {};
    state.emit(EventType.runCreated, { resumedFrom: resumed.checkpoint.current_node, runDir: input.runDir, ...at, ...preflight });
    return { profile, specs, runDir: input.runDir as string, ...(ws ? { workspace: ws.workspace, ...(ws.head !== undefined ? { workspaceHead: ws.head } : {}) } : {}) };
  }
  state.startContext(specs.graph);
  state.emit(EventType.runCreated, {
    pipeline: specs.pipelineRef,
    profile: profile.ref,
    digests: state.envelope.digests,
    ...(input.rerunOf ? { rerunOf: input.rerunOf } : {}),
    ...(input.goal !== undefined || input.params ? { overrides: submitOverrides(input) } : {}),
    ...preflight,
  });
  const checkpoint = state.checkpoint('', undefined);
  const created = await state.persist((events) =>
    bootActs.createRun({ envelope: state.envelope, graph: specs.graph, checkpoint, events, runRoot, ...(input.runDir ? { runDir: input.runDir } : {}), workspace: baseRequest(input, profile.profile) }),
  );
  state.recordRunDir(created.runDir);
  if (created.workspace) state.recordWorkspace(created.workspace);
  return { profile, specs, runDir: created.runDir, ...(created.workspace ? { workspace: created.workspace } : {}) };
}

/** The goal and parameters given at submit (absent on runs without them, and on runs from before). */
export function submitOverrides(input: RunInput): { goal?: string; params?: Record<string, string> } {
  return { ...(input.goal !== undefined ? { goal: input.goal } : {}), ...(input.params ? { params: input.params } : {}) };
}

/** The run's base (issue 21): environment.workdir at `factory run --ref` or environment.ref, or a rerun's start. */
function baseRequest(input: RunInput, profile: BootResult['profile']['profile']): BaseRequest {
  const env = profile.environment;
  const ref = input.ref ?? env.ref;
  // older profiles (carried in a replayed boot) have no limits: the activity's defaults apply
  const limits = env.workspace.max_base_bytes !== undefined && env.workspace.max_base_files !== undefined ? { limits: { maxBytes: env.workspace.max_base_bytes, maxFiles: env.workspace.max_base_files } } : {};
  return { path: env.workdir, ...(ref !== undefined ? { ref } : {}), allowDirty: env.allow_dirty_base, ...(input.rerunFrom ? { from: input.rerunFrom } : {}), ...(input.workspaceFrom ? { fromWorkspace: input.workspaceFrom } : {}), ...limits };
}

/** A preflight report from a worker that did not say which sandbox is in force: the profile's setting. */
function fromProfile(policy: SandboxPolicy | undefined): SandboxRecord {
  if (policy?.mode === 'none') return { mode: 'none', network: 'on', note: 'sandbox: none (profile)' };
  return { mode: 'bwrap', network: policy?.network ?? 'off' };
}

/** The manifest of a suite file, from a scenario worker (the pipeline worker never opens suite files). */
async function scenarioManifest(suite: SpecRef, taskQueue: string): Promise<SuiteManifest> {
  const acts = proxyActivities<Pick<ScenarioActivities, 'suiteManifest'>>({
    taskQueue,
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: [FailureDomain.boot, FailureDomain.eval] },
  });
  try {
    return await acts.suiteManifest({ suite });
  } catch (err) {
    const decoded = decodeFailure(err);
    const cause = decoded?.message ?? errorMessage(err);
    const causes = decoded?.causes ?? [cause];
    throw new BootFailedError(`scenario suite manifest: ${cause}`, causes.map((c) => `suite ${suite.file ?? suite.ref}: ${c}`));
  }
}
