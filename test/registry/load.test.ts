import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { lintSpecFile, loadSpecBytes, loadSpecFile, sha256, SpecFileError, specSyntax } from '../../definitions/load';
import { pipelineYaml, profileYaml, tempRoot } from './fixtures';

type Root = Awaited<ReturnType<typeof tempRoot>>;
let t: Root;
beforeEach(async () => {
  t = await tempRoot();
});
afterEach(() => t.cleanup());

const DOT = 'digraph demo {\n  graph [id="demo-dot"]\n  start [shape=Mdiamond]\n  work [prompt="go"]\n  exit [shape=Msquare]\n  start -> work -> exit\n}\n';

describe('loadSpecFile', () => {
  it.each([
    ['p.yaml', 'yaml'],
    ['p.yml', 'yaml'],
    ['P.YAML', 'yaml'],
    ['p.dot', 'dot'],
    ['p.gv', 'dot'],
    ['p.json', undefined],
    ['Makefile', undefined],
  ])('maps %s to the %s parser', (file, syntax) => {
    expect(specSyntax(file)).toBe(syntax);
  });

  it('returns the kind, model and sha256 of the bytes when a YAML pipeline loads', async () => {
    const text = pipelineYaml();
    const file = await t.write('p.yml', text);
    const loaded = await loadSpecFile(file);
    expect(loaded).toMatchObject({ kind: 'PipelineSpec', file, digest: sha256(text), size: Buffer.byteLength(text), diagnostics: [] });
    expect(loaded.kind === 'PipelineSpec' && loaded.sourceMap['nodes[work]']).toEqual({ line: 7, column: expect.any(Number) });
  });

  it('dispatches .gv files to the DOT loader', async () => {
    const loaded = await loadSpecFile(await t.write('p.gv', DOT));
    expect(loaded.kind === 'PipelineSpec' && loaded.graph?.nodes.map((n) => n.type)).toEqual(['start', 'codergen', 'exit']);
  });

  it('loads profiles through the YAML kind dispatch', async () => {
    const loaded = await loadSpecFile(await t.write('local.yaml', profileYaml()));
    expect(loaded.kind === 'FactoryProfile' && loaded.profile?.id).toBe('demo-local');
  });

  it('names the file by displayName when one is given', async () => {
    const loaded = await loadSpecFile(await t.write('e.yaml', ''), { displayName: 'shown.yaml' });
    expect(loaded.diagnostics[0]).toMatchObject({ rule: 'empty_file', file: 'shown.yaml' });
  });

  it('reads a UTF-8 BOM as nothing when the rest is a valid spec', async () => {
    const loaded = await loadSpecFile(await t.write('bom.yaml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pipelineYaml())])));
    expect(loaded.diagnostics).toEqual([]);
  });

  it.each([
    ['a NUL byte', Buffer.from('kind: x\nid: \u0000y\n'), { line: 2, column: 5 }],
    ['a lone continuation byte', Buffer.from([0x61, 0x0a, 0x62, 0x80]), { line: 2, column: 2 }],
    ['an overlong encoding', Buffer.from([0x6b, 0xc0, 0xaf]), { line: 1, column: 2 }],
  ])('reports not_text at the first bad byte when the file holds %s', (_what, bytes, pos) => {
    const loaded = loadSpecBytes(bytes, 'x.yaml');
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ rule: 'not_text', file: 'x.yaml', ...pos })]);
  });

  it.each([
    ['missing.yaml', 'ENOENT', 'no such file'],
    ['dir.yaml', 'EISDIR', 'is a directory'],
  ])('throws SpecFileError naming the path when %s cannot be read', async (name, code, detail) => {
    await mkdir(join(t.root, 'dir.yaml'));
    const path = join(t.root, name);
    const err = await loadSpecFile(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpecFileError);
    expect(err).toMatchObject({ code, file: path, message: `cannot read ${path}: ${detail}` });
  });
});

describe('lintSpecFile', () => {
  it('adds lint findings at their source line when a pipeline loads but has lint problems', async () => {
    const text = pipelineYaml().replace('{ id: work, prompt: "Do it: $goal" }', '{ id: work }');
    const loaded = await lintSpecFile(await t.write('p.yaml', text));
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ rule: 'prompt_on_llm_nodes', severity: 'warning', line: 7 })]);
  });

  it('does not lint when the pipeline failed to load', async () => {
    const loaded = await lintSpecFile(await t.write('p.yaml', 'kind: PipelineSpec\nid: x\nnodes: 3\n'));
    expect(loaded.diagnostics.map((d) => d.rule)).toEqual(['invalid_type']);
  });
});
