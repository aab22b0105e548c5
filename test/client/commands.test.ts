// Commands run in-process (main with captured IO): output details without the cost of a process.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './run-cli';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'factory-cmd-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const SUITE = `kind: ScenarioSuite
id: tiny-holdout
version: 2.1.0
pipeline_id: tiny
pipeline_major: 2
scenarios:
  - { id: ok, kind: command, run: "true" }
`;

describe('lint', () => {
  it('names files as typed, relative to cwd, and orders diagnostics by line when a file has several', async () => {
    await writeFile(join(dir, 'p.yaml'), 'kind: PipelineSpec\nid: p\nnodes:\n  - { id: a, bogus: 1 }\n  - { id: b, timeout: soon }\n');
    const r = await runCli(['lint', 'p.yaml'], dir);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('p.yaml:'));
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['p.yaml:4:14', 'p.yaml:5:23']);
    expect(r.code).toBe(1);
  });

  it('keeps going after an unreadable file and reports it in JSON when --json is given', async () => {
    await writeFile(join(dir, 's.yaml'), SUITE);
    const r = await runCli(['lint', '--json', 'missing.dot', 's.yaml'], dir);
    const doc = JSON.parse(r.stdout) as { files: { file: string; error?: string; kind?: string }[]; summary: { unreadable: number } };
    expect(doc.files).toEqual([
      expect.objectContaining({ file: 'missing.dot', error: 'cannot read missing.dot: no such file' }),
      expect.objectContaining({ file: 's.yaml', kind: 'ScenarioSuite' }),
    ]);
    expect(doc.summary.unreadable).toBe(1);
    expect(r.code).toBe(2);
  });
});

describe('publish', () => {
  it('puts a suite under scenarios/ with its own lock when published to a root', async () => {
    await writeFile(join(dir, 's.yaml'), SUITE);
    const r = await runCli(['publish', 's.yaml', '--root', 'proj', '--json'], dir);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { ok: boolean; files: { status: string; entry: { file: string; kind: string } }[] };
    expect(doc.ok).toBe(true);
    expect(doc.files[0]).toMatchObject({ status: 'published', entry: { kind: 'suite', file: join('proj', 'scenarios', 'tiny-holdout@2.1.0.yaml') } });
    expect(await readFile(join(dir, 'proj/scenarios/tiny-holdout@2.1.0.yaml'), 'utf8')).toBe(SUITE);
  });

  it('prints every diagnostic and refuses with exit 1 when the spec has errors', async () => {
    await writeFile(join(dir, 'bad.yaml'), SUITE.replace('pipeline_major: 2', 'pipeline_major: two'));
    const r = await runCli(['publish', 'bad.yaml'], dir);
    expect(r.stdout).toMatch(/^bad\.yaml:5:\d+ error invalid_type /m);
    expect(r.stderr).toBe('factory: bad.yaml has errors; fix them before publishing\n');
    expect(r.code).toBe(1);
  });

  it('exits 2 when the file to publish cannot be read', async () => {
    const r = await runCli(['publish', 'nope.yaml'], dir);
    expect(r.stderr).toBe('factory: cannot read nope.yaml: no such file\n');
    expect(r.code).toBe(2);
  });
});
