// What a scenario runner gets and returns. A failed check is a Verdict; infrastructure trouble is
// thrown (ScenarioInfraError → retried; ScenarioConfigError → not).

import type { SandboxPolicy } from '../sandbox/policy';
import type { Candidate } from '../../core/evaluation';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import type { Scenario } from '../../definitions/schemas/suite';
import type { CandidateView } from './candidate';

/** A check's result: `reason` is scenario-side text, only ever hashed into a signature. */
export type Verdict = { pass: true } | { pass: false; reason: string };

/** Everything one scenario run may use. */
export interface RunContext {
  candidate: Candidate;
  view: CandidateView;
  provider: ProviderConfig;
  /** Environment child processes inherit (the worker's). */
  env: NodeJS.ProcessEnv;
  /** Activity cancellation. */
  signal: AbortSignal;
  /** HTTP client (tests inject transport failures). */
  fetch: typeof fetch;
  /** The sandbox command scenarios run the candidate in (absent: bubblewrap, network off). */
  sandbox?: SandboxPolicy;
}

/** Runs one kind of scenario. */
export type ScenarioRunner<K extends Scenario['kind']> = (scenario: Extract<Scenario, { kind: K }>, ctx: RunContext) => Promise<Verdict>;
