// `factory` as users run it: spawned, checked for exit codes, output format and the absence of stack traces.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaFiles } from '../../client/commands/schema';
import { BIN, REPO, spawnCli, spawnCmd } from './run-cli';

const DIAG_LINE = /^\S+:\d+:\d+ (error|warning|info) [a-z_]+ .+/;
const STACK = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at /m;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'factory-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('factory lint (spawned)', () => {
  it('exits 0 with a summary when every example lints clean', async () => {
    const files = ['examples/pipelines/feature.yaml', 'examples/pipelines/feature.dot', 'examples/profiles/local.yaml', 'examples/scenarios/feature-holdout.yaml'];
    const r = await spawnCli(['lint', ...files]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n').pop()).toBe('4 files checked: 0 errors, 0 warnings');
    expect(r.code).toBe(0);
  });

  it('exits 1 and prints file:line:col severity rule message when a spec has errors', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'kind: PipelineSpec\nid: bad\nnodes:\n  - { id: start, type: start, colour: red }\n');
    const r = await spawnCli(['lint', file]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const diags = lines.filter((l) => DIAG_LINE.test(l));
    expect(diags.length).toBeGreaterThan(0);
    expect(diags.some((l) => l.startsWith(`${file}:4:`) && l.includes(' error unknown_key '))).toBe(true);
    expect(lines.pop()).toMatch(/^1 file checked: [1-9]\d* errors?, \d+ warnings?$/);
  });

  it('exits 2 with one factory: line and no stack trace when the path does not exist', async () => {
    const r = await spawnCli(['lint', 'no/such/file.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('factory: cannot read no/such/file.yaml: no such file\n');
    expect(r.stderr).not.toMatch(STACK);
  });

  it('exits 2 when a path is a directory, still linting the other files', async () => {
    const r = await spawnCli(['lint', 'examples', 'examples/pipelines/feature.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('factory: cannot read examples: is a directory');
    expect(r.stdout).toContain('2 files checked: 0 errors, 0 warnings, 1 unreadable');
  });

  it('prints one JSON document when --json is given', async () => {
    const r = await spawnCli(['lint', '--json', 'examples/pipelines/feature.dot', 'test/corpus/misc/empty_file__empty.yaml']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { ok: boolean; summary: { files: number; errors: number }; files: { file: string; diagnostics: { rule: string }[] }[] };
    expect(doc.ok).toBe(false);
    expect(doc.summary).toMatchObject({ files: 2, errors: 1 });
    expect(doc.files[1]?.diagnostics.map((d) => d.rule)).toEqual(['empty_file']);
  });

  it('works from any cwd when bin/factory is called by absolute path', async () => {
    const r = await spawnCmd(process.execPath, [BIN, 'lint', join(REPO, 'examples/pipelines/feature.yaml')], tmpdir());
    expect(r.code).toBe(0);
  });

  it('runs through npm run factory --', async () => {
    const r = await spawnCmd('npm', ['run', '--silent', 'factory', '--', 'lint', 'examples/profiles/ci.yaml']);
    expect(r.stdout.trim()).toBe('1 file checked: 0 errors, 0 warnings');
    expect(r.code).toBe(0);
  });
});

describe('usage errors (spawned)', () => {
  it.each([
    [['bogus'], /^factory: unknown command 'bogus'/],
    [['lint'], /^factory: missing required argument 'files'/],
    [['lint', '--frobnicate', 'x.yaml'], /^factory: unknown option '--frobnicate'/],
    [['schema', 'widget'], /^factory: command-argument value 'widget' is invalid/],
    [[], /^Usage: factory/],
  ])('exits 2 without a stack trace when invoked as %j', async (args, message) => {
    const r = await spawnCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('exits 0 and prints the command list when --help is given', async () => {
    const r = await spawnCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lint .*\n[\s\S]*schema[\s\S]*publish/);
  });
});

describe('factory schema (spawned)', () => {
  it('prints valid JSON with the three schemas when no name is given', async () => {
    const r = await spawnCli(['schema']);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout) as object).sort()).toEqual(['pipeline', 'profile', 'suite']);
  });

  it('prints one schema when a name is given', async () => {
    const r = await spawnCli(['schema', 'suite']);
    expect(r.code).toBe(0);
    expect(`${JSON.stringify(JSON.parse(r.stdout), null, 2)}\n`).toBe(schemaFiles(['suite'])['suite.schema.json']);
  });

  it('writes <name>.schema.json files when --out is given', async () => {
    const out = join(dir, 'schemas');
    const r = await spawnCli(['schema', '--out', out]);
    expect(r.code).toBe(0);
    for (const [name, text] of Object.entries(schemaFiles())) expect(await readFile(join(out, name), 'utf8')).toBe(text);
  });
});

describe('factory publish (spawned)', () => {
  it('publishes, then reports unchanged, then refuses a changed id@version with exit 1', async () => {
    const root = join(dir, 'project');
    const src = join(dir, 'p.yaml');
    const text = (await readFile(join(REPO, 'examples/pipelines/feature.yaml'), 'utf8')).replace(/^# yaml-language-server.*\n/, '');
    await writeFile(src, text);
    const first = await spawnCli(['publish', src, '--root', root]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^published pipeline feature-pipeline@1\.0\.0 -> .*specs\/pipelines\/feature-pipeline@1\.0\.0\.yaml \(sha256 [0-9a-f]{64}\)$/m);
    const again = await spawnCli(['publish', src, '--root', root]);
    expect(again.stdout).toMatch(/^unchanged pipeline feature-pipeline@1\.0\.0/m);
    await writeFile(src, `${text}# edited\n`);
    const changed = await spawnCli(['publish', src, '--root', root, '--json']);
    expect(changed.code).toBe(1);
    const doc = JSON.parse(changed.stdout) as { ok: boolean; files: { status: string; error?: { code: string; message: string } }[] };
    expect(doc.ok).toBe(false);
    expect(doc.files[0]?.error?.code).toBe('immutable_version_conflict');
    expect(doc.files[0]?.error?.message).toMatch(/immutable/);
  });
});

describe('exit codes (spawned)', () => {
  it('exits 0 and prints the warning when a spec has warnings only', async () => {
    const file = join(dir, 'warn.yaml');
    await writeFile(
      file,
      'kind: PipelineSpec\nid: warn\nnodes:\n  - { id: start, type: start }\n  - { id: work }\n  - { id: exit, type: exit }\nedges:\n  - { from: start, to: work }\n  - { from: work, to: exit }\n',
    );
    const r = await spawnCli(['lint', file]);
    expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+ warning prompt_on_llm_nodes `, 'm'));
    expect(r.stdout.trim().split('\n').pop()).toBe('1 file checked: 0 errors, 1 warning');
    expect(r.code).toBe(0);
  });
});
