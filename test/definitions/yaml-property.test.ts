// Property: loadYamlSpec never throws, and returns either a model or at least one error, on >= 10,000 inputs.
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import type { SpecLoadResult } from '../../definitions/yaml';
import { loadYamlSpec } from '../../definitions/yaml';
import { FULL_PIPELINE, FULL_PROFILE, FULL_SUITE, MINIMAL_PIPELINE, OPENAI_PROFILE } from './examples';

const FILE = 'fuzz.yaml';
const KINDS = ['PipelineSpec', 'FactoryProfile', 'ScenarioSuite', 'Other'] as const;

function model(r: SpecLoadResult): unknown {
  if (r.kind === 'PipelineSpec') return r.graph;
  if (r.kind === 'FactoryProfile') return r.profile;
  if (r.kind === 'ScenarioSuite') return r.suite;
  return undefined;
}

function fail(text: string, why: string, r: SpecLoadResult): never {
  throw new Error(`${why}\ninput: ${JSON.stringify(text)}\nresult: ${JSON.stringify(r)}`);
}

/** The invariant every input must satisfy (plain checks: expect() is too slow for 10,000 runs). */
function check(text: string): SpecLoadResult {
  const r = loadYamlSpec(text, FILE);
  const errors = r.diagnostics.filter((d) => d.severity === 'error').length;
  if (model(r) !== undefined && errors > 0) fail(text, 'a model came back with errors', r);
  if (model(r) === undefined && errors === 0) fail(text, 'neither a model nor an error', r);
  for (const d of r.diagnostics) {
    if (!/^[a-z_]+$/.test(d.rule) || d.rule === 'internal_error') fail(text, `bad rule ${d.rule}`, r);
    if (d.file !== FILE || typeof d.message !== 'string' || !d.message) fail(text, 'diagnostic without file or message', r);
    if ((d.line !== undefined && !(d.line >= 1)) || (d.column !== undefined && !(d.column >= 1))) fail(text, 'position below 1', r);
  }
  return r;
}

/** YAML-ish characters, so random text hits the parser's interesting paths. */
const yamlChar = fc.constantFrom(...'abkind:-[]{},*&!|>?#"\'\t\n \\%@`~=0.1'.split(''), 'kind: PipelineSpec\n', 'nodes:\n', '  - ', '---\n', '<<: ', '!!binary ');
const yamlish = fc.array(yamlChar, { maxLength: 80 }).map((parts) => parts.join(''));

const anyValue = fc.anything({ maxDepth: 3, maxKeys: 5, size: 'small', withNullPrototype: true, withMap: true, withSet: true, withBigInt: true, withDate: true });

function serialize(value: unknown): string {
  try {
    return stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** A random path into a parsed document, then a replacement, deletion or renamed key there. */
type Mutation = { path: number[]; op: 'set' | 'delete' | 'rename'; value: unknown; name: string };
const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat({ max: 12 }), { minLength: 1, maxLength: 4 }),
  op: fc.constantFrom('set', 'delete', 'rename'),
  value: fc.oneof(anyValue, fc.constantFrom('90x', '15m', -1, 0, 1.5, '3', 'Mdiamond', 'wait.human', null, [], {})),
  name: fc.oneof(fc.constantFrom('promt', 'id', 'kind', 'timeout', 'nodes', 'edges', '__proto__', 'constructor'), fc.string({ maxLength: 8 })),
});

function mutate(doc: unknown, m: Mutation): unknown {
  const root = structuredClone(doc) as Record<string, unknown>;
  let parent: unknown = root;
  for (let i = 0; i < m.path.length; i++) {
    if (parent === null || typeof parent !== 'object') return root;
    const keys = Object.keys(parent);
    if (keys.length === 0) return root;
    const key = keys[(m.path[i] as number) % keys.length] as string;
    const obj = parent as Record<string, unknown>;
    if (i === m.path.length - 1 || obj[key] === null || typeof obj[key] !== 'object') {
      if (m.op === 'delete') delete obj[key];
      else if (m.op === 'set') obj[key] = m.value;
      else if (!Array.isArray(obj)) Object.defineProperty(obj, m.name, { value: obj[key], enumerable: true, writable: true, configurable: true }), delete obj[key];
      return root;
    }
    parent = obj[key];
  }
  return root;
}

const SMALL_SUITE = 'kind: ScenarioSuite\nid: s\npipeline_id: p\npipeline_major: 1\npass_bar: { must_pass: [a] }\nscenarios:\n  - { id: a, kind: command, run: "true", timeout: 5s }\n';
const SMALL_TEXTS = [MINIMAL_PIPELINE, OPENAI_PROFILE, SMALL_SUITE];
const FULL_TEXTS = [FULL_PIPELINE, FULL_PROFILE, FULL_SUITE];
const SMALL_DOCS = SMALL_TEXTS.map((t) => parse(t) as unknown);
const FULL_DOCS = FULL_TEXTS.map((t) => parse(t) as unknown);

/** A valid document mutated structurally (then serialized) or as text. */
function mutated(texts: readonly string[], docs: readonly unknown[]): fc.Arbitrary<string> {
  const structural = fc.tuple(fc.constantFrom(...docs), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([d, ms]) => serialize(ms.reduce(mutate, d)));
  const textual = fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.nat({ max: 12 }), fc.string({ maxLength: 6 })).map(([t, at, cut, insert]) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + insert + t.slice(i + cut);
  });
  return fc.oneof(structural, textual);
}

describe('loadYamlSpec (property)', () => {
  it('never throws and returns a model or an error when the text is arbitrary (4,000 runs)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 60 }), yamlish), (text) => void check(text)),
      { numRuns: 4000 },
    );
  });

  it('never throws when the text is a random YAML document, with or without a kind (3,000 runs)', () => {
    const doc = fc.oneof(
      anyValue,
      fc.record({ kind: fc.constantFrom(...KINDS), rest: fc.dictionary(fc.string({ maxLength: 12 }), anyValue, { maxKeys: 6 }) }).map(({ kind, rest }) => ({ kind, ...rest })),
      fc.object({ maxDepth: 3 }),
    );
    fc.assert(fc.property(doc, (value) => void check(serialize(value))), { numRuns: 3000 });
  });

  it('never throws when a small valid document is mutated, structurally or as text (3,000 runs)', () => {
    fc.assert(fc.property(mutated(SMALL_TEXTS, SMALL_DOCS), (text) => void check(text)), { numRuns: 3000 });
  });

  it('never throws when a full valid document is mutated (500 runs)', () => {
    fc.assert(fc.property(mutated(FULL_TEXTS, FULL_DOCS), (text) => void check(text)), { numRuns: 500 });
  });

  it('loads every unmutated valid document when it is reserialized (sanity for the generators)', () => {
    for (const d of [...SMALL_DOCS, ...FULL_DOCS]) expect(model(check(serialize(d)))).toBeDefined();
  });
});
