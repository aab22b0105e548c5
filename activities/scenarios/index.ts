// The scenario worker's activities (holdout side). Only these read scenario bodies; what they return
// is a manifest, a plan (counts, indexes) or a status with a hashed signature — never scenario text.
// Workflows use `import type` and `ReturnType<typeof createScenarioActivities>`.

import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type {
  RunScenarioInput,
  ScenarioResult,
  SuiteManifestInput,
  SuitePlan,
  SuitePlanInput,
  SuiteRefInput,
} from '../../core/evaluation';
import type { ScenarioActivityContract } from '../../core/contracts';
import { failureSignature } from '../../core/signatures';
import type { SuiteManifest } from '../../definitions/registry';
import type { Scenario } from '../../definitions/schemas/suite';
import { bootFailure } from '../errors';
import { defaultScratchRoot, viewCandidate } from './candidate';
import { runCommandScenario } from './command';
import { cancellationSignal, keepAlive, scenarioLog } from './context';
import { evalFailure, ScenarioConfigError, ScenarioInfraError, SuiteUnavailableError } from '../errors';
import { runHttpScenario } from './http';
import { runJudgeScenario } from './judge';
import { modifiedCause, SuiteStore, type LoadedSuite } from './suites';
import type { RunContext, Verdict } from './types';
import type { SandboxPolicy } from '../sandbox/policy';

/** What a scenario worker binds its activities to. */
export interface ScenarioActivityDeps {
  /** The scenario registry folder (holding registry.lock.json), or a project root whose scenarios/ holds it. */
  scenariosRoot: string;
  /** Environment scenario commands inherit (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** HTTP client for http scenarios and the openai judge (default global fetch). */
  fetch?: typeof fetch;
  /** The sandbox command scenarios run the candidate in (default: bubblewrap, network off; `none` only by the operator's choice). */
  sandbox?: SandboxPolicy;
  /** This worker's own directory for fetched candidates (default <tmpdir>/factory-candidates). */
  scratchRoot?: string;
}

/** Builds the scenario activities; pass the result to Worker.create({ activities }). */
export function createScenarioActivities(deps: ScenarioActivityDeps) {
  const store = new SuiteStore(deps.scenariosRoot);
  const env = deps.env ?? process.env;
  const fetchImpl = deps.fetch ?? fetch;
  const scratchRoot = deps.scratchRoot ?? defaultScratchRoot();
  return {
    /** Boot (seed step 2): the suite manifest only; BOOT_FAILURE when the suite is unusable. */
    async suiteManifest(input: SuiteManifestInput): Promise<SuiteManifest> {
      try {
        return await store.manifest(input.suite);
      } catch (err) {
        if (err instanceof SuiteUnavailableError) throw bootFailure('suite manifest', err.causes);
        throw err;
      }
    },
    /** Evaluation start: digest check, count, pass bar and must-pass indexes (no bodies). */
    async suitePlan(input: SuitePlanInput): Promise<SuitePlan> {
      const { suite, digest } = await loadForEvaluation(store, input.suite, input.expectedDigest);
      const ids = suite.scenarios.map((s) => s.id);
      const wanted = [...suite.pass_bar.must_pass, ...(input.mustPass ?? [])];
      const idx = new Set<number>();
      let unknown = 0;
      for (const id of new Set(wanted)) {
        const i = ids.indexOf(id);
        if (i >= 0) idx.add(i);
        else unknown++;
      }
      if (unknown > 0) scenarioLog('warn', `profile must_pass names ${unknown} id(s) the suite does not have`, { suite: suite.id });
      return {
        id: suite.id,
        version: suite.version,
        digest,
        count: suite.scenarios.length,
        satisfaction: suite.pass_bar.satisfaction,
        mustPassIdx: [...idx].sort((a, b) => a - b),
        unknownMustPass: unknown,
        maxTimeoutMs: Math.max(0, ...suite.scenarios.map((s) => s.timeout_ms)),
      };
    },
    /** One scenario by index: pass, or fail with a signature; infrastructure errors are thrown (retried). */
    async runScenario(input: RunScenarioInput): Promise<ScenarioResult> {
      const { suite } = await loadForEvaluation(store, input.suite, input.expectedDigest);
      const scenario = suite.scenarios[input.index];
      if (!scenario) throw evalFailure([`suite ${suite.id}@${suite.version} has ${suite.scenarios.length} scenarios; index ${input.index} does not exist`]);
      const view = await viewCandidate(input.candidate, scratchRoot);
      const ctx: RunContext = {
        candidate: input.candidate,
        view,
        provider: input.provider,
        env,
        signal: cancellationSignal(),
        fetch: fetchImpl,
        ...(deps.sandbox ? { sandbox: deps.sandbox } : {}),
      };
      let verdict: Verdict;
      try {
        verdict = await runOne(scenario, ctx, input.index);
      } finally {
        await view.release?.();
      }
      if (verdict.pass) return { status: 'pass' };
      scenarioLog('info', `scenario ${scenario.id} failed: ${verdict.reason}`, { index: input.index, kind: scenario.kind });
      return { status: 'fail', signature: failureSignature('fail', scenario.kind, verdict.reason) };
    },
  };
}

/** The scenario activity object type (workflows proxy core/contracts' ScenarioActivityContract). */
export type ScenarioActivities = ReturnType<typeof createScenarioActivities>;
/** Compile-time proof that the scenario worker implements the contract workflows call: fails tsc when they drift. */
export type ImplementsScenarioContract = ScenarioActivities extends ScenarioActivityContract ? true : never;
const implementsContract: ImplementsScenarioContract = true;
void implementsContract;

async function runOne(scenario: Scenario, ctx: RunContext, index: number): Promise<Verdict> {
  const stop = keepAlive();
  try {
    if (scenario.kind === 'command') return await runCommandScenario(scenario, ctx);
    if (scenario.kind === 'http') return await runHttpScenario(scenario, ctx);
    return await runJudgeScenario(scenario, ctx);
  } catch (err) {
    const known = err instanceof ScenarioInfraError || err instanceof ScenarioConfigError || err instanceof ApplicationFailure || err instanceof CancelledFailure;
    scenarioLog('warn', `scenario ${scenario.id} (#${index}) could not run: ${err instanceof Error ? err.message : String(err)}`, { kind: scenario.kind });
    if (known) throw err;
    // An unexpected error's message may quote the scenario: replace it (details are in the log above).
    throw new ScenarioInfraError(`${scenario.kind} scenario #${index}: unexpected error (see the scenario worker's log)`);
  } finally {
    stop();
  }
}

/** Loads a suite for evaluation; EVAL_FAILURE when it is unusable or its digest is not the one bound at boot. */
async function loadForEvaluation(store: SuiteStore, ref: SuiteRefInput, expectedDigest: string): Promise<LoadedSuite> {
  let loaded: LoadedSuite;
  try {
    loaded = await store.load(ref);
  } catch (err) {
    if (err instanceof SuiteUnavailableError) throw evalFailure(err.causes);
    throw err;
  }
  const causes: string[] = [];
  if (loaded.lockDigest !== undefined && loaded.lockDigest !== loaded.digest) causes.push(modifiedCause(loaded));
  if (loaded.digest !== expectedDigest) {
    causes.push(`suite ${loaded.name} has sha256 ${loaded.digest}, but the run was booted with ${expectedDigest}: the suite changed between boot and evaluation`);
  }
  if (causes.length) throw evalFailure(causes);
  return loaded;
}
