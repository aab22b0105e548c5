// The fast YAML path (definitions/yaml-fast.ts) must read every document exactly as the full `yaml` parse does:
// same data, same positions for every path, and it must step aside whenever the full parse has anything to say.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePipelineYaml } from '../../bench/lint';
import { loadPipelineYaml } from '../../definitions/yaml';
import { parseDocument, parseYaml } from '../../definitions/yaml-doc';
import { parseFast } from '../../definitions/yaml-fast';

const ROOT = join(__dirname, '..', '..');
const DIRS = ['examples/pipelines', 'examples/profiles', 'examples/scenarios', 'scenarios', 'specs/pipelines', 'specs/profiles', 'test/fixtures/pipelines', 'test/corpus/yaml', 'test/corpus/misc'];
const FILES = DIRS.flatMap((d) => readdirSync(join(ROOT, d)).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(d, f)));

type Path = (string | number)[];

/** Every path into a plain value, containers included. */
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

/** Asserts the fast parse agrees with the full one; returns whether the fast path took the text. */
function agrees(text: string, file: string): boolean {
  const slow = parseDocument(text, file);
  const fast = parseFast(text);
  if (!fast) return false;
  expect(slow.diagnostics).toEqual([]);
  expect(fast.raw).toStrictEqual(slow.raw);
  const quick = parseYaml(text, file);
  for (const p of paths(slow.raw)) expect([p, quick.locate(p)]).toEqual([p, slow.locate(p)]);
  return true;
}

const TRICKY: Record<string, string> = {
  scalars: 'a: 0o17\nb: 0x1F\nc: 1e3\nd: .inf\ne: -.5\nf: yes\ng: ~\nh: Null\ni: "q"\nj: \'s\'\nk: 1_000\nl: 12:30\nm: 007\nn: TRUE\n',
  'block scalars': 'kind: x\nprompt: |\n  line one\n  line two\nfolded: >-\n\n  after blank\nempty: |\nlast: 1\n',
  comments: '# head\n\nkind: PipelineSpec # trailing\nnodes: # list\n  # inside\n  - id: a   # c\n    prompt: "x"\n',
  'empty values': 'a:\nb: \nd: {x: , y}\ne:\n  - \n  -\n',
  'document marker': '---\nkind: PipelineSpec\nid: x\n...\n',
  'nested flow': 'nodes: [{ id: a, attrs: { k: [1, 2, {z: q}] } }, [x, y]]\nedges: []\n',
  crlf: 'kind: PipelineSpec\r\nnodes:\r\n  - id: a\r\n    prompt: hi\r\n',
  'numeric keys': '1: one\ntrue: yes\n"quoted key": 2\n',
  'multi-line flow': 'a: { b: 1,\n  c: 2 }\nd: "long\n  string"\n',
  'compact seqs': 'a:\n- x\n- - y\n  - z\n- k: v\n  j: w\n',
};

describe('fast YAML path', () => {
  test.each(FILES)('reads %s exactly as the full parse does when it takes it', (file) => {
    agrees(readFileSync(join(ROOT, file), 'utf8'), file);
  });

  it('takes every spec and example file when they are clean', () => {
    const clean = FILES.filter((f) => !f.startsWith('test/corpus'));
    expect(clean.length).toBeGreaterThan(5);
    for (const f of clean) expect([f, agrees(readFileSync(join(ROOT, f), 'utf8'), f)]).toEqual([f, true]);
  });

  test.each(Object.keys(TRICKY))('reads %s exactly as the full parse does when it takes it', (name) => {
    expect(agrees(TRICKY[name] as string, `${name}.yaml`)).toBe(true);
  });

  it('steps aside when the text has tags, anchors, aliases, tabs or directives', () => {
    for (const text of ['a: !!str 1\n', 'a: &x 1\nb: *x\n', 'a:\n\tb: 1\n', '%YAML 1.2\n---\na: 1\n', 'a: [1,\n]\n', 'a: 1\na: 2\n', 'a: 1\n---\nb: 2\n', '? a\n: b\n', 'c: [1, , 2]\n']) {
      expect([text, parseFast(text)]).toEqual([text, undefined]);
    }
  });

  it('gives a generated pipeline the same source map as the full parse when it is clean', () => {
    const text = generatePipelineYaml(200);
    expect(agrees(text, 'big.yaml')).toBe(true);
    const loaded = loadPipelineYaml(text, 'big.yaml');
    expect(loaded.graph?.nodes.length).toBe(200);
    expect(loaded.sourceMap['nodes[tool_3].tool_command']).toEqual(parseDocument(text, 'big.yaml').locate(['nodes', 14, 'tool_command']));
  });
});
