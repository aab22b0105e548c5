// The generated JSON Schemas: ids, closed objects, descriptions, and every valid example conforms structurally.
import { parse } from 'yaml';
import { jsonSchemas } from '../../definitions/json-schema';
import { VALID_EXAMPLES } from './examples';

type Schema = Record<string, unknown>;

/** A small structural JSON Schema check (type, const, enum, pattern, bounds, properties, items, anyOf/oneOf). */
function conforms(schema: Schema, value: unknown, path = '$'): string[] {
  const alts = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  // anyOf/oneOf constrains beside the other keywords (the profile's top level: provider or providers)
  const errs: string[] = alts && !alts.some((s) => conforms(s, value, path).length === 0) ? [`${path}: matches no alternative`] : [];
  if (alts && !('type' in schema) && !('properties' in schema)) return errs;
  const types = schema.type === undefined ? [] : ([] as unknown[]).concat(schema.type);
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  const actual = typeOf(value);
  if (types.length && !types.some((t) => t === actual || (t === 'number' && actual === 'integer'))) return [`${path}: ${actual} is not ${types.join('|')}`];
  if ('const' in schema && schema.const !== value) errs.push(`${path}: not ${String(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errs.push(`${path}: not in enum`);
  if (typeof schema.pattern === 'string' && typeof value === 'string' && !new RegExp(schema.pattern).test(value)) errs.push(`${path}: does not match ${schema.pattern}`);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum) errs.push(`${path}: below minimum`);
  if (typeof schema.maximum === 'number' && typeof value === 'number' && value > schema.maximum) errs.push(`${path}: above maximum`);
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const req of (schema.required ?? []) as string[]) if (!(req in obj)) errs.push(`${path}.${req}: required`);
    for (const [k, v] of Object.entries(obj)) {
      const sub = props[k] ?? (typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as Schema) : undefined);
      if (sub) errs.push(...conforms(sub, v, `${path}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${path}.${k}: not allowed`);
    }
  }
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((v, i) => errs.push(...conforms(schema.items as Schema, v, `${path}[${i}]`)));
  return errs;
}

const schemas = jsonSchemas() as unknown as Record<'pipeline' | 'profile' | 'suite', Schema>;
const BY_KIND: Record<string, Schema> = { PipelineSpec: schemas.pipeline, FactoryProfile: schemas.profile, ScenarioSuite: schemas.suite };

describe('jsonSchemas', () => {
  test.each([
    ['pipeline', 'PipelineSpec', ['kind', 'id', 'version', 'goal', 'label', 'model_stylesheet', 'capabilities', 'exports', 'default_max_retries', 'retry_target', 'fallback_retry_target', 'default_fidelity', 'stack', 'tool_hooks', 'attrs', 'nodes', 'edges']],
    ['profile', 'FactoryProfile', ['kind', 'id', 'version', 'provider', 'providers', 'default_provider', 'environment', 'dependencies', 'policy', 'sandbox', 'plugins']],
    ['suite', 'ScenarioSuite', ['kind', 'id', 'version', 'pipeline_id', 'pipeline_major', 'capabilities', 'pass_bar', 'scenarios']],
  ] as const)('describes the %s document as a closed object with every top-level key', (name, title, keys) => {
    const s = schemas[name];
    expect(s).toMatchObject({ $id: `https://factory.dev/schema/${name}.schema.json`, $schema: 'https://json-schema.org/draft/2020-12/schema', title, type: 'object', additionalProperties: false });
    expect(Object.keys(s.properties as object)).toEqual(keys);
    expect(s.required).toContain('kind');
    expect(s.required).toContain('id');
  });

  it('describes user-facing fields and their input form (durations as strings) when generating the pipeline schema', () => {
    const node = ((schemas.pipeline.properties as Record<string, Schema>).nodes?.items ?? {}) as Schema;
    const props = node.properties as Record<string, Schema>;
    expect(node.additionalProperties).toBe(false);
    expect(node.required).toEqual(['id']);
    expect(props.timeout).toMatchObject({ type: 'string', pattern: '^(\\d+)(ms|s|m|h|d)$' });
    expect(props.prompt?.description).toMatch(/\$goal/);
    expect(props.timeout_ms).toBeUndefined();
  });

  it('is deterministic when generated twice', () => {
    expect(JSON.stringify(jsonSchemas())).toBe(JSON.stringify(jsonSchemas()));
  });

  test.each(VALID_EXAMPLES)('accepts the %s example (%s)', (_name, kind, text) => {
    expect(conforms(BY_KIND[kind] as Schema, parse(text))).toEqual([]);
  });

  test.each([
    ['an unknown node key', 'kind: PipelineSpec\nid: p\nnodes: [{ id: a, promt: x }]\n', 'PipelineSpec', /promt: not allowed/],
    ['a numeric timeout', 'kind: PipelineSpec\nid: p\nnodes: [{ id: a, timeout: 90 }]\n', 'PipelineSpec', /timeout: integer is not string/],
    ['a bad provider kind', 'kind: FactoryProfile\nid: p\nprovider: { kind: gpt }\n', 'FactoryProfile', /provider: matches no alternative/],
    ['a profile without provider or providers (lint requires one)', 'kind: FactoryProfile\nid: p\n', 'FactoryProfile', /\$: matches no alternative/],
    ['no scenarios', 'kind: ScenarioSuite\nid: s\npipeline_id: p\npipeline_major: 1\n', 'ScenarioSuite', /scenarios: required/],
  ])('rejects %s as the zod schema does', (_name, text, kind, problem) => {
    expect(conforms(BY_KIND[kind] as Schema, parse(text)).join('\n')).toMatch(problem);
  });
});
