// The holdout boundary's contract: the scenario worker's activity inputs/outputs and the evaluateSuite
// child workflow's input, as zod schemas. core/evaluation.ts keeps the interfaces (the evaluate workflow
// and the scenario side import them); test/core/contracts/fixtures.test.ts proves they agree. Nothing
// here can carry a scenario body (SPEC §5: references, counts and signatures only).
// Pure: workflow code may import this module.

import { z } from 'zod';
import { providerConfig, suiteManifest } from './activity-io';
import { candidateSnapshot } from './records';

/** Which suite: a registry `id@version` or a suite file path. */
export const suiteRefInput = z.object({ ref: z.string().optional(), file: z.string().optional() });

/** The run's result as scenarios see it: an artifact reference and the exported context keys. */
export const candidate = z.object({ ref: z.string(), exports: z.record(z.string(), z.unknown()), snapshot: candidateSnapshot.optional() });

/** suiteManifest's input (boot, on the scenario queue). */
export const suiteManifestInput = z.object({ suite: suiteRefInput });

/** suitePlan's input: the suite, the digest bound at boot, the profile's must-pass ids. */
export const suitePlanInput = z.object({ suite: suiteRefInput, expectedDigest: z.string(), mustPass: z.array(z.string()).optional() });
/** suitePlan's output: counts and indexes, never bodies. */
export const suitePlan = z.object({
  id: z.string(),
  version: z.string(),
  digest: z.string(),
  count: z.number(),
  satisfaction: z.number(),
  mustPassIdx: z.array(z.number()),
  unknownMustPass: z.number(),
  maxTimeoutMs: z.number(),
});

/** runScenario's input: references only; the activity loads the body itself. */
export const runScenarioInput = z.object({ suite: suiteRefInput, expectedDigest: z.string(), index: z.number(), candidate, provider: providerConfig });
/** runScenario's output: pass, or fail/error with a signature (never the message). */
export const scenarioResult = z.object({ status: z.enum(['pass', 'fail', 'error']), signature: z.string().optional() });

/** evaluateSuite's input (the child workflow on the scenario queue). */
export const evaluateInput = z.object({
  runId: z.string(),
  suite: suiteRefInput,
  expectedDigest: z.string(),
  candidate,
  provider: providerConfig,
  passBar: z.object({ satisfaction: z.number().optional(), must_pass: z.array(z.string()).optional() }).optional(),
  maxParallel: z.number().optional(),
});

/** Per scenario activity name, the schemas of its input and output. */
export const SCENARIO_ACTIVITY_CONTRACTS = {
  suiteManifest: { input: suiteManifestInput, output: suiteManifest },
  suitePlan: { input: suitePlanInput, output: suitePlan },
  runScenario: { input: runScenarioInput, output: scenarioResult },
} as const;

type Contracts = typeof SCENARIO_ACTIVITY_CONTRACTS;
/** The scenario worker's activities as workflows call them (proxyActivities<ScenarioActivityContract>). */
export type ScenarioActivityContract = { [K in keyof Contracts]: (input: z.infer<Contracts[K]['input']>) => Promise<z.infer<Contracts[K]['output']>> };
