// Property: loadPipelineDot never throws. Arbitrary text, DOT token soups and mutations of a valid
// file (>= 10,000 inputs together) each give a graph or positioned diagnostics.
import fc from 'fast-check';
import { loadPipelineDot } from '../../definitions/dot';

const FILE = 'fuzz.dot';

/** Small on purpose (parsing dominates the run time); it still has every construct the loader maps. */
const VALID = `digraph fuzz {
  graph [goal="G", default_max_retry=2, capabilities="git,node"]
  rankdir=LR
  node [timeout="15m"] edge [weight=1]
  start [shape=Mdiamond]
  subgraph cluster_a { label="Loop A"; plan [prompt="P\\n$goal // x", max_retries=2, human.quorum=1] }
  gate [shape=hexagon, human.default_choice=ok, human.timeout=24h]
  exit [shape=Msquare]
  /* c */ start -> plan -> gate [label="go"] // c
  gate -> exit [condition="outcome=success", loop_restart=false]
}
`;

/** The invariants every load result must keep, whatever the input; throws a readable error otherwise. */
function checkResult(text: string): void {
  const result = loadPipelineDot(text, FILE);
  const lines = text.split('\n').length;
  for (const d of result.diagnostics) {
    const where = d.line === undefined || (Number.isInteger(d.line) && d.line >= 1 && d.line <= lines && Number.isInteger(d.column) && (d.column as number) >= 1);
    if (!/^[a-z][a-z0-9_]*$/.test(d.rule) || d.rule === 'internal_error' || d.file !== FILE || !where) {
      throw new Error(`bad diagnostic ${JSON.stringify(d)}`);
    }
  }
  const hasError = result.diagnostics.some((d) => d.severity === 'error');
  if (Boolean(result.graph) === hasError) throw new Error(`graph ${result.graph ? 'returned despite' : 'missing without'} errors`);
}

const TOKENS = [
  'digraph', 'graph', 'strict', 'subgraph', 'node', 'edge', '{', '}', '[', ']', '=', ';', ',', '->', '--',
  '"', '"x"', '"a\\"b"', '"\\n"', '"line\nbreak"', 'a', 'b', 'start', 'exit', 'human.quorum', 'stack.child_dotfile',
  'max_retries', 'goal_gate', 'timeout', '900s', '15m', 'abc', 'true', 'false', '1', '-1', '0.5', '1.2.3',
  '<', '>', '<b>x</b>', '//', '/*', '*/', '#', '\\', 'label', 'shape', 'Mdiamond', 'Msquare', 'class',
  '"Loop A"', ':', 'port', '__proto__', 'weight', 'capabilities', '"git,node"', 'id', 'version', '\u00AA', '\u2028',
];
const SEPARATORS = ['', ' ', '\n', '\t', '\r\n'];

const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(...SEPARATORS)), { maxLength: 60 })
  .map((parts) => parts.map(([t, s]) => t + s).join(''));

/** A digraph wrapper around a soup, so the parser gets past the header more often. */
const wrappedSoup = tokenSoup.map((body) => `digraph fuzz {\n${body}\n}`);

type Mutation = { kind: 'delete' | 'duplicate'; at: number; length: number } | { kind: 'insert'; at: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })) }),
);

function mutate(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'insert') out = out.slice(0, at) + m.text + out.slice(at);
    else if (m.kind === 'delete') out = out.slice(0, at) + out.slice(at + m.length);
    else out = out.slice(0, at + m.length) + out.slice(at, at + m.length) + out.slice(at + m.length);
  }
  return out;
}

const mutatedValid = fc.array(mutation, { minLength: 1, maxLength: 6 }).map((ms) => mutate(VALID, ms));

describe('loadPipelineDot robustness', () => {
  it('never throws and keeps its result invariants when given arbitrary strings', () => {
    const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }));
    fc.assert(fc.property(anyText, (text) => checkResult(text)), { numRuns: 3000 });
  });

  it('never throws and keeps its result invariants when given soups of DOT tokens', () => {
    fc.assert(fc.property(fc.oneof(tokenSoup, wrappedSoup), (text) => checkResult(text)), { numRuns: 3500 });
  });

  it('never throws and keeps its result invariants when a valid file is mutated', () => {
    fc.assert(fc.property(mutatedValid, (text) => checkResult(text)), { numRuns: 3500 });
  });

  it('loads the unmutated file when no mutation is applied', () => {
    expect(loadPipelineDot(VALID, FILE).diagnostics).toEqual([]);
  });
});
