// `factory graph` in-process: what it reads (spec file, id@version, run directory), where it writes,
// and its exit codes (0 drawn, 1 input read but unusable, 2 bad invocation).
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pngAvailable } from '../../render';
import { sha256 } from '../../definitions/load';
import { runCli } from '../client/run-cli';
import { awaitingReview, FEATURE_YAML, REPO } from './fixtures';

let dir: string;
let runDir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'factory-graph-cli-'));
  runDir = join(dir, 'runs', 'run-test');
  await mkdir(runDir, { recursive: true });
  const env = awaitingReview();
  env.digests.pipeline = sha256(await readFile(FEATURE_YAML));
  await writeFile(join(runDir, 'run.json'), JSON.stringify(env));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('factory graph', () => {
  it('prints SVG on stdout and exits 0 when given a spec file and no format', async () => {
    const r = await runCli(['graph', FEATURE_YAML], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\n$/);
    expect(r.stderr).toBe('');
  });

  it('reads a published id@version from the registry when given a ref', async () => {
    const r = await runCli(['graph', 'feature-pipeline@1.0.0', '--format', 'dot'], REPO);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('digraph "feature-pipeline" {')).toBe(true);
  });

  it('colours the run and infers mermaid from the --out extension when given a run directory', async () => {
    const r = await runCli(['graph', 'runs/run-test', '--out', 'run.mmd'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('factory: wrote run.mmd (mermaid, run run-test)\n');
    const text = await readFile(join(dir, 'run.mmd'), 'utf8');
    expect(text).toContain('flowchart TD');
    expect(text).toContain('  class review status_running\n');
  });

  it('warns but still draws when the pipeline file differs from the one the run booted with', async () => {
    const env = { ...awaitingReview(), digests: { profile: 'p', pipeline: 'f'.repeat(64) } };
    await writeFile(join(runDir, 'run.json'), JSON.stringify(env));
    const r = await runCli(['graph', runDir, '-f', 'dot'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^factory: warning: .*feature\.yaml \(sha256 [0-9a-f]{12}\) is not the pipeline run run-test booted with/);
    expect(r.stdout).toContain('status-running');
  });

  it('draws the pipeline named by --pipeline instead of the recorded one when given one for a run', async () => {
    const other = join(dir, 'other.yaml');
    await writeFile(other, (await readFile(FEATURE_YAML, 'utf8')).replace('label: Plan', 'label: Plan it'));
    const r = await runCli(['graph', runDir, '-f', 'dot', '--pipeline', other], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('label="Plan it\\nsuccess · 1.0s"');
  });

  test.each([
    ['the spec file does not exist', ['graph', 'missing.yaml'], /^factory: cannot read missing\.yaml: no such file\n$/],
    ['the format is unknown', ['graph', FEATURE_YAML, '--format', 'gif'], /argument 'gif' is invalid/],
    ['png is asked for without --out', ['graph', FEATURE_YAML, '--format', 'png'], /png is binary: pass --out FILE\.png/],
    ['the target is a directory without run.json', ['graph', '.'], /is not a run directory \(no run\.json\)/],
    ['no target is given', ['graph'], /missing required argument 'target'/],
  ])('exits 2 when %s', async (_why, args, stderr) => {
    const r = await runCli(args, dir);
    expect(r.stderr).toMatch(stderr);
    expect(r.code).toBe(2);
  });

  it('prints every diagnostic and exits 1 when the spec has errors', async () => {
    await writeFile(join(dir, 'bad.yaml'), 'kind: PipelineSpec\nid: bad\nnodes:\n  - { id: a, bogus: 1 }\n  - { id: b, timeout: soon }\n');
    const r = await runCli(['graph', 'bad.yaml'], dir);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('bad.yaml:')).length).toBeGreaterThanOrEqual(2);
    expect(r.stderr).toBe('factory: bad.yaml has errors; fix them to draw it (factory lint bad.yaml)\n');
    expect(r.code).toBe(1);
  });

  it('exits 1 when the file is a profile, not a pipeline', async () => {
    const r = await runCli(['graph', join(REPO, 'examples/profiles/local.yaml')], dir);
    expect(r.stderr).toMatch(/is a FactoryProfile, not a PipelineSpec/);
    expect(r.code).toBe(1);
  });

  it('exits 1 when the id@version is not published', async () => {
    const r = await runCli(['graph', 'nope@9.9.9'], REPO);
    expect(r.stderr).toMatch(/^factory: .*nope@9\.9\.9/);
    expect(r.code).toBe(1);
  });

  it('writes a PNG when resvg is installed, else exits 2 naming the package to install', async () => {
    const r = await runCli(['graph', FEATURE_YAML, '--out', 'g.png'], dir);
    if (pngAvailable()) {
      expect(r.code).toBe(0);
      expect((await readFile(join(dir, 'g.png'))).subarray(0, 4).toString('hex')).toBe('89504e47');
    } else {
      expect(r.stderr).toMatch(/PNG output needs the @resvg\/resvg-js package/);
      expect(r.code).toBe(2);
    }
  });
});
