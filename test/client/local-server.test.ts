// The project's local Temporal server persists: `factory server start|stop|status`, its state in
// .factory/temporal.db survives a stop and a start, two concurrent starters in one directory share one
// server and one record, and a command that cannot reach Temporal says in one line what to run (exit 2).
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { findFreePorts } from '../../infra/free-port';
import { recordedProcessGone } from '../../infra/process-identity';
import { ensureLocalServer, stopLocalServer } from '../../client/local-server';
import type { ServerRecord } from '../../client/temporal';
import { runCli } from './run-cli';

const dirs: string[] = [];
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'factory-local-server-'));
  dirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of dirs) await stopLocalServer(dir).catch(() => undefined);
});

describe('the local Temporal server', () => {
  it('starts once for two concurrent starters, keeps its state across stop and start, and stops for good', async () => {
    const dir = project();
    const [a, b] = await Promise.all([ensureLocalServer(dir), ensureLocalServer(dir)]);
    expect(a.pid).toBe(b.pid);
    expect(a.address).toBe(b.address);
    expect([a.started, b.started].sort()).toEqual([false, true]);
    const record = JSON.parse(readFileSync(join(dir, '.factory', 'server.json'), 'utf8')) as ServerRecord;
    expect(record).toMatchObject({ pid: a.pid, address: a.address, dbFilename: join(dir, '.factory', 'temporal.db') });

    // a workflow nobody works on: it only has to be remembered by the server
    const workflowId = `persisted-${Date.now()}`;
    await withClient(a.address, (c) => c.workflow.start('noSuchWorkflow', { taskQueue: 'nobody-polls', workflowId }));

    const status = await runCli(['server', 'status'], dir);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`address: ${a.address}`);

    const stop = await runCli(['server', 'stop'], dir);
    expect(stop.stdout).toMatch(new RegExp(`^local Temporal server stopped \\(pid ${a.pid}\\); state kept in `));
    expect(recordedProcessGone(a.pid, record.pidStart)).toBeDefined();
    expect(existsSync(join(dir, '.factory', 'server.json'))).toBe(false);
    expect((await runCli(['server', 'status'], dir)).code).toBe(1);

    const start = await runCli(['server', 'start'], dir);
    expect(start.code).toBe(0);
    expect(start.stdout.split('\n')[0]).toBe('local Temporal server started');
    const again = JSON.parse(readFileSync(join(dir, '.factory', 'server.json'), 'utf8')) as ServerRecord;
    expect(again.pid).not.toBe(a.pid);
    const described = await withClient(again.address, (c) => c.workflow.getHandle(workflowId).describe());
    expect(described.status.name).toBe('RUNNING');
    await withClient(again.address, (c) => c.workflow.getHandle(workflowId).terminate('test over'));

    expect((await runCli(['server', 'start'], dir)).stdout.split('\n')[0]).toBe('local Temporal server already running');
    expect((await runCli(['server', 'stop'], dir)).code).toBe(0);
    expect((await runCli(['server', 'stop'], dir)).stdout).toBe('no local Temporal server running here\n');
  }, 180_000);

  it.each([['status', 'run-x'], ['runs'], ['events', 'run-x'], ['gates', 'run-x']])('`factory %s` with nothing to reach says what to run in one line (exit 2)', async (...args) => {
    const [port] = await findFreePorts(1);
    const r = await runCli([...args, '--address', `127.0.0.1:${port}`], project());
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^factory: cannot reach Temporal at 127\\.0\\.0\\.1:${port} \\(.+\\): start the local server with \`factory server start\`, or pass --address`));
    expect(r.stderr).not.toContain('internal error');
  }, 30_000);
});

async function withClient<T>(address: string, body: (c: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await body(new Client({ connection }));
  } finally {
    await connection.close();
  }
}
