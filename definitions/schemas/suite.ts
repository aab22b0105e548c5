// The ScenarioSuite document: holdout scenarios for one pipeline id and major version, and the pass
// bar a candidate must clear. Parsing fills defaults and turns durations into `_ms` fields.
import { z } from 'zod';
import { duration, renameMs, ruleIssue, semver, specId, stringList } from './common';

const scenarioId = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: 'expected a scenario id of letters, digits, "_", "." or "-"' })
  .describe('Scenario id, unique in the suite');

const validRegex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected a valid regular expression' },
);

const common = {
  id: scenarioId,
  title: z.string().optional().describe('Human-readable title; default the id'),
};

const commandScenario = z
  .strictObject({
    ...common,
    kind: z.literal('command'),
    run: z.string().min(1).describe('Shell command run in the candidate workdir'),
    timeout: duration.prefault('60s').describe('Command timeout'),
    expect: z
      .strictObject({
        exit_code: z.int().default(0).describe('Expected exit status'),
        stdout_contains: stringList.describe('Substrings stdout must contain'),
        stdout_matches: validRegex.optional().describe('Regular expression stdout must match'),
      })
      .prefault({}),
  })
  .transform(renameMs('timeout'))
  .describe('Runs a command against the candidate');

const httpScenario = z
  .strictObject({
    ...common,
    kind: z.literal('http'),
    request: z.strictObject({
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
      path: z.string().regex(/^\//, { error: 'expected a path starting with "/"' }).describe('Request path on the candidate service'),
      headers: z.record(z.string(), z.string()).default({}),
      body: z.string().default(''),
    }),
    timeout: duration.prefault('30s').describe('Request timeout'),
    expect: z
      .strictObject({
        status: z.int().min(100).max(599).default(200).describe('Expected HTTP status'),
        body_contains: stringList.describe('Substrings the body must contain'),
        json: z
          .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
          .default({})
          .describe('JSONPath → expected value, e.g. {"$.status": "ok"}'),
      })
      .prefault({}),
  })
  .transform(renameMs('timeout'))
  .describe('Sends an HTTP request to the candidate service');

const judgeScenario = z
  .strictObject({
    ...common,
    kind: z.literal('judge'),
    rubric: z.string().min(1).describe('What the provider judges the candidate against'),
    criteria: z
      .array(z.string().min(1))
      .optional()
      .describe('Checkable criteria; the twin provider passes iff each appears (case-insensitively) in the candidate. Default: the rubric lines starting with "- "'),
    timeout: duration.prefault('120s').describe('Judging timeout'),
  })
  .transform(renameMs('timeout'))
  .describe('Judged by the provider against a rubric');

/** One holdout scenario, discriminated on `kind`. */
export const scenarioSchema = z.discriminatedUnion('kind', [commandScenario, httpScenario, judgeScenario]);

/** The whole ScenarioSuite document. */
export const suiteSchema = z
  .strictObject({
    kind: z.literal('ScenarioSuite').describe('Document kind'),
    id: specId.describe('Suite id'),
    version: semver.default('0.0.0'),
    pipeline_id: specId.describe('Pipeline this suite judges'),
    pipeline_major: z.int().min(0).describe('Pipeline major version this suite judges'),
    capabilities: stringList.describe('Capabilities scenario workers need'),
    pass_bar: z
      .strictObject({
        satisfaction: z.number().min(0).max(1).default(1).describe('Share of scenarios that must pass, in [0, 1]'),
        must_pass: stringList.describe('Scenario ids that must pass'),
      })
      .prefault({}),
    scenarios: z.array(scenarioSchema).describe('Holdout scenarios; an empty suite never approves'),
  })
  .superRefine((suite, ctx) => crossCheck(suite, ctx), { when: () => true })
  .meta({ title: 'ScenarioSuite', description: 'Holdout scenarios that judge a pipeline candidate' });

/** Unique scenario ids and must_pass naming existing ones; runs even when other fields are wrong. */
function crossCheck(suite: unknown, ctx: z.RefinementCtx): void {
  const doc = suite as { scenarios?: unknown; pass_bar?: { must_pass?: unknown } };
  const scenarios = Array.isArray(doc.scenarios) ? doc.scenarios : [];
  const seen = new Set<string>();
  scenarios.forEach((s: unknown, i) => {
    const id = (s as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id)) ctx.addIssue(ruleIssue('duplicate_id', `scenario id "${id}" is used more than once`, ['scenarios', i, 'id']));
    seen.add(id);
  });
  const mustPass = doc.pass_bar?.must_pass;
  if (!Array.isArray(mustPass)) return;
  mustPass.forEach((id: unknown, i) => {
    if (typeof id === 'string' && !seen.has(id)) {
      const known = [...seen].join(', ') || 'none';
      ctx.addIssue({ ...ruleIssue('invalid_value', `must_pass names unknown scenario "${id}" (scenarios: ${known})`, ['pass_bar', 'must_pass', i]) });
    }
  });
}

/** A loaded suite: plain data, defaults filled, durations in milliseconds (`*_ms`). */
export type ScenarioSuite = z.output<typeof suiteSchema>;
export type Scenario = ScenarioSuite['scenarios'][number];
