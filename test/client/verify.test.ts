// `factory verify` anchors the freeze manifest in the server's record (issue 10 item 7): a manifest
// rewritten to match a changed file fails, because the digest comes from the run's finalizeRun result
// in the workflow history, not from the run directory.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pipelineYaml, useRunEnv, workspace } from '../helpers/runs';
import { testTemporalEnv } from '../helpers/temporal';
import { runCli } from './run-cli';

const env = useRunEnv();
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('factory verify against the server record', () => {
  it('fails a run directory whose manifest was rewritten to match a changed file, and passes the untouched one', async () => {
    const ws = workspace(pipelineYaml('verify', ['{ id: hello, type: tool, tool_command: "echo hi" }'], ['{ from: start, to: hello }', '{ from: hello, to: exit }']));
    const result = await (await env.start(ws)).result();
    const dir = result.runDir as string;
    const verify = (...extra: string[]) => runCli(['verify', dir, '--address', testTemporalEnv().address, ...extra]);

    const ok = await verify();
    expect(ok.stdout).toMatch(/^ok: \d+ files match/m);
    expect(ok.code).toBe(0);

    const summary = join(dir, 'summary.md');
    chmodSync(summary, 0o644);
    writeFileSync(summary, '# Run succeeded (edited afterwards)\n');
    const manifestPath = join(dir, 'artifacts.sha256.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: Record<string, string> };
    manifest.files['summary.md'] = sha256(readFileSync(summary));
    chmodSync(manifestPath, 0o644);
    writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

    const bad = await verify();
    expect(bad.stdout).toMatch(/problem: freeze manifest digest [0-9a-f]{64} differs from the recorded [0-9a-f]{64}/);
    expect(bad.stdout).toContain('FAILED');
    expect(bad.code).toBe(1);
    const offline = await verify('--offline');
    expect(offline.code).toBe(0);
    expect(offline.stderr).toContain('--offline: the freeze manifest itself was not checked');
  });

  it('says the server is unreachable, runs the offline check, and still exits 1 when no digest is given', async () => {
    const ws = workspace(pipelineYaml('verify2', [], ['{ from: start, to: exit }']));
    const result = await (await env.start(ws)).result();
    const r = await runCli(['verify', result.runDir as string, '--address', '127.0.0.1:1']);
    expect(r.stderr).toMatch(/^factory: cannot reach Temporal at 127\.0\.0\.1:1 .*factory server start/);
    expect(r.stderr).toContain('ran the offline check only: the freeze manifest itself was NOT checked');
    expect(r.stdout).toMatch(/^offline ok: \d+ files match the freeze manifest \(sha256 [0-9a-f]{64}\); not verified against the server$/m);
    expect(r.stdout).not.toContain('does not match');
    expect(r.code).toBe(1);
  });

  it('takes a run id: ./runs/<id> or the directory the server recorded', async () => {
    const ws = workspace(pipelineYaml('verify3', [], ['{ from: start, to: exit }']));
    const result = await (await env.start(ws)).result();
    const byId = await runCli(['verify', result.runId, '--address', testTemporalEnv().address]);
    expect(byId.stdout).toMatch(/^ok: \d+ files match/m);
    expect(byId.code).toBe(0);
    const unknown = await runCli(['verify', 'run-nobody-knows', '--address', testTemporalEnv().address]);
    expect(unknown.code).toBe(2);
  });
});
