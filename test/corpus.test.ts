// The malformed-input corpus: every file under test/corpus/{yaml,dot,misc}/ is named `<rule>__<what>.<ext>`
// and must produce at least one diagnostic with that rule, naming the file, without throwing.
// See test/corpus/README.md for how to add a case.
import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Diagnostic } from '../core/diagnostics';
import { lintSpecFile, loadSpecBytes, MAX_SPEC_BYTES } from '../definitions/load';

const CORPUS = join(__dirname, 'corpus');
const DIRS = ['yaml', 'dot', 'misc'] as const;

/**
 * Rules whose diagnostics may carry no line: they are about the file as a whole (nothing was parsed:
 * empty_file, file_too_large, unknown_extension) or about a `kind` the document lacks, so there is nothing
 * to point at. Every other rule must point at a line >= 1: a graph-level finding (no start node, no exit
 * node) points at the graph's own line (issue 22: never 0:0).
 * `not_text` is not here: the loader always points at the first bad byte.
 */
const POSITIONLESS_RULES: ReadonlySet<string> = new Set([
  'empty_file',
  'file_too_large',
  'unknown_extension',
  'missing_kind',
]);

function corpusFiles(): string[] {
  return DIRS.flatMap((dir) => {
    const abs = join(CORPUS, dir);
    try {
      return readdirSync(abs)
        .filter((f) => f.includes('__') && statSync(join(abs, f)).isFile())
        .sort()
        .map((f) => `${dir}/${f}`);
    } catch {
      return [];
    }
  });
}

const FILES = corpusFiles();

function describeDiags(diags: readonly Diagnostic[]): string {
  return diags.map((d) => `${d.rule}@${d.line ?? '-'}:${d.column ?? '-'} ${d.message}`).join('\n  ') || '(none)';
}

describe('malformed-input corpus', () => {
  it('holds at least 40 cases when yaml/, dot/ and misc/ are counted together', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(40);
  });

  it('names every case <rule>__<desc> with a snake_case rule', () => {
    const bad = FILES.filter((f) => !/^[a-z][a-z0-9_]*$/.test(basename(f).split('__')[0] ?? ''));
    expect(bad).toEqual([]);
  });

  it.each(FILES)('%s reports its rule with the file and a position', async (rel) => {
    const rule = basename(rel).split('__')[0] as string;
    const path = join(CORPUS, rel);
    const loaded = await lintSpecFile(path);
    const hits = loaded.diagnostics.filter((d) => d.rule === rule);
    if (hits.length === 0) throw new Error(`expected rule ${rule}; got:\n  ${describeDiags(loaded.diagnostics)}`);
    for (const d of hits) expect(d.file).toBe(path);
    if (!POSITIONLESS_RULES.has(rule)) {
      const positioned = hits.filter((d) => (d.line ?? 0) >= 1 && (d.column ?? 1) >= 1);
      if (positioned.length === 0) throw new Error(`rule ${rule} has no line >= 1:\n  ${describeDiags(hits)}`);
    }
  });
});

describe('file-level checks', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'factory-corpus-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reports file_too_large without parsing when a 5 MB file is linted', async () => {
    const file = join(dir, 'huge.yaml');
    const line = '  - { id: n, prompt: "x" }\n';
    await writeFile(file, `kind: PipelineSpec\nid: huge\nnodes:\n${line.repeat(Math.ceil((5 * 1024 * 1024) / line.length))}`);
    const loaded = await lintSpecFile(file);
    // parsed, its nodes (all named `n`) would add duplicate_id diagnostics (speed: npm run bench lint-5k)
    expect(loaded.diagnostics.map((d) => d.rule)).toEqual(['file_too_large']);
    expect(loaded.diagnostics[0]?.file).toBe(file);
    expect(loaded.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['one byte over the limit', MAX_SPEC_BYTES + 1, 'file_too_large'],
    ['exactly at the limit', MAX_SPEC_BYTES, 'empty_file'],
  ])('applies the 2 MiB limit exactly when the file is %s', (_what, size, rule) => {
    const loaded = loadSpecBytes(Buffer.alloc(size, 0x20), 'blank.yaml');
    expect(loaded.diagnostics.map((d) => d.rule)).toEqual([rule]);
  });
});
