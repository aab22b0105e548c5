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

  it('fails naming the reason when the server cannot be reached and no digest is given', async () => {
    const ws = workspace(pipelineYaml('verify2', [], ['{ from: start, to: exit }']));
    const result = await (await env.start(ws)).result();
    const r = await runCli(['verify', result.runDir as string, '--address', '127.0.0.1:1']);
    expect(r.stdout).toMatch(/problem: the freeze digest could not be checked against the server's record of workflow .*pass --digest/);
    expect(r.code).toBe(1);
  });
});
