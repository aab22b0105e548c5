// Each loader rule, with the exact line and column it is reported at.
import type { Diagnostic } from '../../core/diagnostics';
import { loadPipelineYaml, loadYamlSpec } from '../../definitions/yaml';

const HEAD = 'kind: PipelineSpec\nid: p\nnodes:\n';
const TAIL = '  - { id: start, shape: Mdiamond }\n  - { id: done, shape: Msquare }\nedges:\n  - { from: start, to: done }\n';

interface Case {
  name: string;
  text: string;
  rule: string;
  line: number;
  column: number;
  path?: string;
  message?: RegExp;
  fix?: RegExp;
  node?: string;
}

const CASES: Case[] = [
  { name: 'unclosed flow sequence', text: 'kind: PipelineSpec\nid: p\ncapabilities: [git\nnodes: []\n', rule: 'yaml_syntax', line: 4, column: 1 },
  { name: 'tab indentation', text: 'kind: PipelineSpec\nnodes:\n\t- id: a\n', rule: 'yaml_syntax', line: 3, column: 1 },
  { name: 'duplicate map key', text: 'kind: PipelineSpec\nid: p\ngoal: a\ngoal: b\nnodes: []\n', rule: 'duplicate_key', line: 4, column: 1 },
  { name: 'second document', text: 'kind: PipelineSpec\nid: p\nnodes: []\n---\nkind: PipelineSpec\n', rule: 'multiple_documents', line: 5, column: 1 },
  { name: 'unresolved alias', text: 'kind: PipelineSpec\nid: p\ngoal: *nope\nnodes: []\n', rule: 'yaml_syntax', line: 3, column: 7 },
  {
    name: 'typo in a node key',
    text: `${HEAD}  - id: plan\n    promt: hi\n${TAIL}`,
    rule: 'unknown_key',
    line: 5,
    column: 5,
    path: 'nodes[plan].promt',
    message: /unknown key "promt" \(did you mean "prompt"\?\)/,
    fix: /rename "promt" to "prompt"/,
    node: 'plan',
  },
  { name: 'unknown top-level key without a close match', text: `${HEAD}${TAIL}zzzzzz: 1\n`, rule: 'unknown_key', line: 8, column: 1, path: 'zzzzzz', fix: /remove "zzzzzz" or move it under "attrs:".*allowed keys: kind, id, version/ },
  { name: 'unknown key in an edge', text: `${HEAD}${TAIL}  - { from: start, too: done }\n`, rule: 'unknown_key', line: 8, column: 20, path: 'edges[1].too', fix: /"to"/ },
  {
    name: 'max_retries given as a string',
    text: `${HEAD}  - id: plan\n    max_retries: "3"\n${TAIL}`,
    rule: 'invalid_type',
    line: 5,
    column: 19,
    path: 'nodes[plan].max_retries',
    message: /^expected integer, got string "3"$/,
    fix: /write 3 without quotes/,
    node: 'plan',
  },
  { name: 'max_retries not whole', text: `${HEAD}  - { id: plan, max_retries: 2.5 }\n${TAIL}`, rule: 'invalid_type', line: 4, column: 30, message: /expected integer, got number 2.5/ },
  { name: 'goal_gate as a string', text: `${HEAD}  - { id: plan, goal_gate: "yes" }\n${TAIL}`, rule: 'invalid_type', line: 4, column: 29, message: /expected boolean, got string "yes"/, fix: /true or false/ },
  { name: 'version as a number', text: 'kind: PipelineSpec\nid: p\nversion: 1.5\nnodes: []\n', rule: 'invalid_type', line: 3, column: 10, message: /expected string, got number 1.5/, fix: /quote the value: "1.5"/ },
  { name: 'nodes not a list', text: 'kind: PipelineSpec\nid: p\nnodes: { a: 1 }\n', rule: 'invalid_type', line: 3, column: 8, path: 'nodes', message: /expected list, got mapping/ },
  { name: 'class neither string nor list', text: `${HEAD}  - { id: plan, class: 3 }\n${TAIL}`, rule: 'invalid_type', line: 4, column: 24, message: /expected string or list, got number 3/ },
  { name: 'document is a list', text: '- kind: PipelineSpec\n', rule: 'invalid_type', line: 1, column: 1, message: /expected a mapping/ },
  { name: 'document is empty', text: '# nothing\n', rule: 'invalid_type', line: 1, column: 1, message: /empty document/ },
  { name: 'node without id', text: `${HEAD}  - prompt: hi\n${TAIL}`, rule: 'missing_key', line: 4, column: 5, path: 'nodes[0].id', message: /missing required key "id"/ },
  { name: 'pipeline without nodes', text: 'kind: PipelineSpec\nid: p\n', rule: 'missing_key', line: 1, column: 1, path: 'nodes' },
  { name: 'edge without to', text: `${HEAD}${TAIL}  - { from: start }\n`, rule: 'missing_key', line: 8, column: 5, path: 'edges[1].to' },
  { name: 'no kind', text: 'id: p\nnodes: []\n', rule: 'missing_kind', line: 1, column: 1, fix: /kind: PipelineSpec/ },
  { name: 'timeout with a bad unit', text: `${HEAD}  - { id: plan, timeout: 90x }\n${TAIL}`, rule: 'invalid_duration', line: 4, column: 26, message: /"900s".*got string "90x"/ },
  { name: 'timeout as a bare number', text: `${HEAD}  - { id: plan, timeout: 90 }\n${TAIL}`, rule: 'invalid_duration', line: 4, column: 26, fix: /"90s"/ },
  { name: 'human timeout bad', text: `${HEAD}  - { id: gate, type: wait.human, human: { timeout: soon } }\n${TAIL}`, rule: 'invalid_duration', line: 4, column: 53, path: 'nodes[gate].human.timeout' },
  { name: 'reasoning_effort outside the enum', text: `${HEAD}  - { id: plan, reasoning_effort: hgh }\n${TAIL}`, rule: 'invalid_value', line: 4, column: 35, message: /one of low \| medium \| high/, fix: /"high"/ },
  { name: 'negative max_retries', text: `${HEAD}  - { id: plan, max_retries: -1 }\n${TAIL}`, rule: 'invalid_value', line: 4, column: 30, message: /must be >= 0/ },
  { name: 'bad node id', text: `${HEAD}  - { id: 9lives }\n${TAIL}`, rule: 'invalid_value', line: 4, column: 11, message: /node id/ },
  { name: 'bad pipeline id', text: 'kind: PipelineSpec\nid: Feature\nnodes: []\n', rule: 'invalid_value', line: 2, column: 5, path: 'id' },
  { name: 'bad version', text: 'kind: PipelineSpec\nid: p\nversion: "1.0"\nnodes: []\n', rule: 'invalid_value', line: 3, column: 11, path: 'version', message: /x\.y\.z/ },
  { name: 'empty edge target', text: `${HEAD}${TAIL}  - { from: start, to: "" }\n`, rule: 'invalid_value', line: 8, column: 25, message: /must not be empty/ },
];

describe('loader rules', () => {
  test.each(CASES)('reports $rule at its line and column when $name', (c) => {
    const { diagnostics, graph } = loadPipelineYaml(c.text, 'case.yaml');
    expect(graph).toBeUndefined();
    const d = diagnostics.find((x) => x.rule === c.rule) as Diagnostic;
    expect(d).toMatchObject({ rule: c.rule, severity: 'error', file: 'case.yaml', line: c.line, column: c.column });
    if (c.path) expect(d.path).toBe(c.path);
    if (c.message) expect(d.message).toMatch(c.message);
    if (c.fix) expect(d.fix).toMatch(c.fix);
    if (c.node) expect(d.node).toBe(c.node);
  });

  test.each([
    ['no kind', 'id: p\n', 'missing_kind', 1, 1],
    ['unknown kind', 'kind: Pipeline\nid: p\n', 'unknown_kind', 1, 7],
    ['kind not a string', 'kind: [a]\n', 'unknown_kind', 1, 7],
  ])('loadYamlSpec reports %s as %s', (_name, text, rule, line, column) => {
    const r = loadYamlSpec(text, 'k.yaml');
    expect(r.kind).toBeUndefined();
    expect(r.diagnostics).toEqual([expect.objectContaining({ rule, line, column, file: 'k.yaml' })]);
  });

  it('suggests the closest kind when the kind is a prefix of one', () => {
    const r = loadYamlSpec('kind: Pipeline\n', 'k.yaml');
    expect(r.diagnostics[0]?.fix).toBe('use "kind: PipelineSpec"');
  });

  it('points inside quotes and at block content when it reports a string value', () => {
    const r = loadPipelineYaml(`${HEAD}  - { id: plan, fidelity: "x" }\n${TAIL}model_stylesheet: |\n  * { }\n`, 'f.yaml');
    expect(r.sourceMap['nodes[plan].fidelity']).toEqual({ line: 4, column: 28 });
    expect(r.sourceMap['model_stylesheet']).toEqual({ line: 10, column: 3 });
  });
});

describe('duplicate keys', () => {
  it('names the repeated key and points at its second occurrence when a flow mapping repeats it', () => {
    const r = loadPipelineYaml('kind: PipelineSpec\nid: p\nnodes: [{ id: a, id: b }]\n', 'd.yaml');
    expect(r.diagnostics).toEqual([expect.objectContaining({ rule: 'duplicate_key', line: 3, column: 18, message: 'key "id" appears more than once in the same mapping' })]);
  });
});
