// Building blocks shared by the pipeline, profile and suite schemas: ids, versions, durations, lists.
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../../core/durations';

/** Every duration problem's message starts with this, so the issue mapper can tell it is `invalid_duration`. */
export const DURATION_MESSAGE = 'expected a duration string such as "900s", "15m" or "250ms" (units ms, s, m, h, d)';

/** Rule ids a schema's custom checks attach through `params.rule`. */
export const SchemaRule = {
  invalidDuration: 'invalid_duration',
  invalidValue: 'invalid_value',
  duplicateId: 'duplicate_id',
} as const;
export type SchemaRule = (typeof SchemaRule)[keyof typeof SchemaRule];

/** Spec ids (pipelines, profiles, suites): lower-case, as they appear in registry file names. */
export const specId = z
  .string()
  .regex(/^[a-z][a-z0-9_.-]*$/, { error: 'expected an id of lower-case letters, digits, "_", "." or "-", starting with a letter' })
  .describe('Identifier: [a-z][a-z0-9_.-]*');

/** Semantic version `x.y.z`; the registry pins runs to exact versions. */
export const semver = z
  .string()
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/, { error: 'expected a semantic version x.y.z such as "1.0.0"' })
  .describe('Semantic version x.y.z');

/** A duration string (`900s`) read into milliseconds; every failure is reported as `invalid_duration`. */
export const duration = z
  .string({ error: (iss) => (iss.input === undefined ? undefined : DURATION_MESSAGE) })
  .regex(new RegExp(DURATION_PATTERN), { error: DURATION_MESSAGE })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${DURATION_MESSAGE}; "${text}" is too large`, params: { rule: 'invalid_duration' } });
      return z.NEVER;
    }
    return ms;
  });

/** A list of strings that defaults to empty. */
export const stringList = z.array(z.string()).default([]);

/** `"a,b"` or `[a, b]`: the form Attractor writes lists in attributes, or the YAML form. */
export const stringOrList = z.union([z.string(), z.array(z.string())]);

/** A free-form attribute value: what DOT can carry and custom handlers read. */
export const attrValue = z.union([z.string(), z.number(), z.boolean()]);

/** Free-form attributes (custom handlers, Graphviz drawing attributes). */
export const attrs = z.record(z.string(), attrValue).default({}).describe('Free-form attributes, read by custom handlers');

/** Splits `"a, b"` / `[a, b]` into trimmed, non-empty, de-duplicated entries. */
export function splitList(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const parts = typeof value === 'string' ? value.split(',') : value;
  const out: string[] = [];
  for (const p of parts) {
    const t = p.trim();
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

type Flat<T> = { [K in keyof T]: T[K] } & {};
/** `T` with each duration key `k` renamed `k_ms` (optionality kept). */
export type WithMs<T, K extends string> = Flat<
  { [P in keyof T as P extends K ? never : P]: T[P] } & { [P in keyof T as P extends K ? `${P}_ms` : never]: T[P] }
>;

/** A transform that renames parsed duration fields `timeout` → `timeout_ms`, leaving absent ones absent. */
export function renameMs<K extends string>(...keys: readonly K[]) {
  return <T extends object>(obj: T): WithMs<T, K> => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      out[(keys as readonly string[]).includes(k) ? `${k}_ms` : k] = v;
    }
    return out as WithMs<T, K>;
  };
}

/** Custom-issue helper: attaches our rule id so the mapper reports it verbatim. */
export function ruleIssue(rule: SchemaRule, message: string, path: (string | number)[]) {
  return { code: 'custom' as const, message, path, params: { rule } };
}
