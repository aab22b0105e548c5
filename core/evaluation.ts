// Holdout evaluation contract (notes/HOLDOUT.md): what crosses between the pipeline side and the
// scenario side, and the pure aggregation of per-scenario results into an EvaluationSummary.
// Pure: imported by the evaluate workflow and the run workflow. No scenario body ever appears here.

import type { ProviderConfig } from '../definitions/schemas/profile';
import { FailureDomain } from './run-model';
import { signatureOf } from './signatures';
import type { CandidateSnapshot } from './workspace';

/** The run's result as scenarios see it: an artifact reference plus the exported context keys. */
export interface Candidate {
  /** Artifact reference: file:///abs/path (shared storage) or http(s)://... */
  ref: string;
  /** Context keys the pipeline spec exports (graph.exports) with their values. */
  exports: Record<string, unknown>;
  /**
   * The pinned candidate (issue 21): the run's final snapshot published to a git remote. When set, scenario
   * workers fetch exactly this commit and check its tree instead of opening a file:// `ref`; an http(s)
   * `ref` or `candidate.url` export still names the service http scenarios call. Absent in older runs.
   */
  snapshot?: CandidateSnapshot;
}

/** Which suite: a registry `id@version` (scenario worker's registry) or a suite file path. */
export interface SuiteRefInput {
  ref?: string;
  file?: string;
}

/** Input of the evaluateSuite child workflow (runs on the scenario task queue). */
export interface EvaluateInput {
  runId: string;
  suite: SuiteRefInput;
  /** Digest bound at boot: evaluation refuses a suite whose digest differs (EVAL_FAILURE). */
  expectedDigest: string;
  candidate: Candidate;
  /** Provider config for judge scenarios (profile.provider). */
  provider: ProviderConfig;
  /** Profile policy.decision pass_bar / must_pass (the profile's ids; may be empty). */
  passBar?: { satisfaction?: number; must_pass?: string[] };
  /** Scenarios run at once (default 4). */
  maxParallel?: number;
}

/** One failure cluster: a stable hashed id and how many scenarios failed (or errored) that way. */
export interface SignatureCluster {
  signature: string;
  count: number;
  kind: 'fail' | 'error';
}

/** What evaluation returns to the pipeline side: counts, pass bar and signatures only. */
export interface EvaluationSummary {
  suite: { id: string; version: string; digest: string };
  total: number;
  passed: number;
  failed: number;
  errored: number;
  /** passed / total (0 when total is 0). */
  satisfaction: number;
  /** max(suite pass_bar.satisfaction, profile pass_bar). */
  requiredSatisfaction: number;
  /** All must-pass scenarios (suite + profile) passed. */
  mustPassOk: boolean;
  /** total > 0 && satisfaction >= required && mustPassOk && errored === 0. */
  passed_bar: boolean;
  /** Sorted by count desc, then signature. */
  signatures: SignatureCluster[];
}

/** suiteManifest activity input (boot, called by the run workflow on the scenario queue). */
export interface SuiteManifestInput {
  suite: SuiteRefInput;
}

/** suitePlan activity input: the suite and the digest bound at boot, plus the profile's must-pass ids. */
export interface SuitePlanInput {
  suite: SuiteRefInput;
  expectedDigest: string;
  /** Profile must_pass ids, resolved to indexes on the scenario side. */
  mustPass?: string[];
}

/** What the evaluate workflow learns about a suite: counts and indexes, never bodies. */
export interface SuitePlan {
  id: string;
  version: string;
  digest: string;
  count: number;
  /** Suite pass_bar.satisfaction. */
  satisfaction: number;
  /** Indexes of must-pass scenarios (suite pass_bar.must_pass plus the profile's ids). */
  mustPassIdx: number[];
  /** How many profile must_pass ids name no scenario of this suite (they can never pass). */
  unknownMustPass: number;
  /** The longest scenario timeout (ms): bounds each runScenario attempt. */
  maxTimeoutMs: number;
}

/** runScenario activity input: everything is a reference; the activity loads the body itself. */
export interface RunScenarioInput {
  suite: SuiteRefInput;
  expectedDigest: string;
  index: number;
  candidate: Candidate;
  provider: ProviderConfig;
}

/** Outcome of one scenario run by the scenario worker. */
export const ScenarioStatus = { pass: 'pass', fail: 'fail', error: 'error' } as const;
export type ScenarioStatus = (typeof ScenarioStatus)[keyof typeof ScenarioStatus];

/** One scenario's result: status and, unless it passed, the failure signature (message never returned). */
export interface ScenarioResult {
  status: ScenarioStatus;
  signature?: string;
}

/** Failure type the scenario side and the evaluate workflow use for EVAL_FAILURE. */
export const EVAL_FAILURE = FailureDomain.eval;

/** Signature cluster of profile must_pass ids that name no scenario of the suite (they can never pass). */
export const UNKNOWN_MUST_PASS_SIGNATURE = signatureOf('fail', 'must_pass', 'profile must_pass id names no scenario of the suite');

const EPSILON = 1e-9;

/** Aggregates per-scenario results (index-aligned with the plan) into the summary the pipeline sees. */
export function summarize(plan: SuitePlan, results: readonly ScenarioResult[], profileBar: EvaluateInput['passBar'] = {}): EvaluationSummary {
  const total = plan.count;
  let passed = 0;
  let failed = 0;
  let errored = 0;
  const clusters = new Map<string, SignatureCluster>();
  const add = (signature: string, kind: SignatureCluster['kind'], n = 1): void => {
    const key = `${kind}:${signature}`;
    const c = clusters.get(key);
    if (c) c.count += n;
    else clusters.set(key, { signature, count: n, kind });
  };
  results.forEach((r) => {
    if (r.status === ScenarioStatus.pass) passed++;
    else if (r.status === ScenarioStatus.fail) failed++;
    else errored++;
    if (r.status !== ScenarioStatus.pass && r.signature) add(r.signature, r.status === ScenarioStatus.error ? 'error' : 'fail');
  });
  if (plan.unknownMustPass > 0) add(UNKNOWN_MUST_PASS_SIGNATURE, 'fail', plan.unknownMustPass);
  const satisfaction = total > 0 ? passed / total : 0;
  const requiredSatisfaction = Math.max(plan.satisfaction, profileBar.satisfaction ?? 0);
  const mustPassOk = plan.unknownMustPass === 0 && plan.mustPassIdx.every((i) => results[i]?.status === ScenarioStatus.pass);
  return {
    suite: { id: plan.id, version: plan.version, digest: plan.digest },
    total,
    passed,
    failed,
    errored,
    satisfaction,
    requiredSatisfaction,
    mustPassOk,
    passed_bar: total > 0 && satisfaction + EPSILON >= requiredSatisfaction && mustPassOk && errored === 0,
    signatures: [...clusters.values()].sort((a, b) => b.count - a.count || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0)),
  };
}
