// The process guard of infra/cluster.ts: when the process that started the cluster dies without
// cleaning up (SIGKILL), `cluster.sh up --foreground` sees its stdin close and tears everything
// down — temporal-server, the Web UI, both workers and PostgreSQL.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/runs';
import { alive, REPO } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'factory-cluster-guard-'));

afterAll(() => {
  // only has work to do when the guard failed: then it stops what was left running
  spawnSync('bash', [join(REPO, 'scripts', 'cluster.sh'), 'down', '--purge'], { env: { ...process.env, FACTORY_CLUSTER_DIR: dir }, stdio: 'ignore', timeout: 180_000 });
}, 200_000);

describe('the cluster process guard', () => {
  it('tears the whole cluster down when the process that started it is killed with SIGKILL', async () => {
    const owner = spawn(process.execPath, ['-e', `
      require('tsx/cjs/api').register();
      require(${JSON.stringify(join(REPO, 'infra', 'cluster.ts'))}).startCluster(process.argv[1]).then(
        () => console.log('READY'), (e) => { console.error(e.message); process.exit(1); });
    `, dir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    owner.stdout.on('data', (d: Buffer) => (out += d.toString()));
    owner.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(async () => out.includes('READY') || owner.exitCode !== null, 600_000, 500);
    expect(out).toContain('READY');

    const pids = readdirSync(join(dir, 'pids')).map((f) => Number(readFileSync(join(dir, 'pids', f), 'utf8')));
    const postmaster = Number(readFileSync(join(dir, 'pg', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(pids).toHaveLength(4);
    for (const pid of [...pids, postmaster]) expect(alive(pid)).toBe(true);

    owner.kill('SIGKILL');
    await eventually(async () => [...pids, postmaster].every((pid) => !alive(pid)), 120_000, 500);
    for (const pid of [...pids, postmaster]) expect(alive(pid)).toBe(false);
    expect(readFileSync(join(dir, 'logs', 'down.log'), 'utf8')).toContain('cluster: down');
    rmSync(dir, { recursive: true, force: true });
  }, 900_000);
});
