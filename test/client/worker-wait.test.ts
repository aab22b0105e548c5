// Commands that wait on a worker (issue 24 items 2 and 7): with no worker they give up after
// FACTORY_WORKER_TIMEOUT saying which task queue nobody polled (exit 75); an update they send carries its
// expiry, which the pure rule refuses once passed; a server lost under a follower ends it with its own
// message and exit 69, never "internal error" exit 1.
import { Client, Connection } from '@temporalio/client';
import { main } from '../../client/cli';
import { ExitCode } from '../../client/context';
import { expiringArgs } from '../../client/worker-wait';
import { commandExpired } from '../../core/command-expiry';
import { startDevServer } from '../../infra/dev-server';
import { eventually } from '../helpers/runs';
import { testTemporalEnv, uniqueId } from '../helpers/temporal';
import { runCli } from './run-cli';

describe('commandExpired', () => {
  const now = Date.parse('2026-01-01T00:00:30.000Z');
  test.each<[string, unknown, RegExp | undefined]>([
    ['no expiry (older clients, signals)', { by: 'alice' }, undefined],
    ['an expiry still ahead', { by: 'alice', expiresAt: '2026-01-01T00:00:31.000Z' }, undefined],
    ['an expiry exactly now', { by: 'alice', expiresAt: '2026-01-01T00:00:30.000Z' }, undefined],
    ['an expiry passed', { by: 'alice', expiresAt: '2026-01-01T00:00:29.999Z' }, /^stale command: it expired at 2026-01-01T00:00:29.999Z .*nothing was applied/],
    ['a malformed expiry', { by: 'alice', expiresAt: 'soon' }, /^malformed command: "expiresAt" must be an ISO-8601 time/],
    ['a numeric expiry', { by: 'alice', expiresAt: 5 }, /^malformed command/],
    ['not an object', 'approve', undefined],
  ])('judges %s', (_what, input, want) => {
    const r = commandExpired(input, now);
    if (want) expect(r).toMatch(want);
    else expect(r).toBeUndefined();
  });

  it('stamps what the CLI sends with the instant it stops waiting', () => {
    expect(expiringArgs({ kind: 'approve', by: 'alice' }, 30_000, Date.parse('2026-01-01T00:00:00.000Z'))).toEqual({ kind: 'approve', by: 'alice', expiresAt: '2026-01-01T00:00:30.000Z' });
  });
});

describe('no worker on the run\'s task queue', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connection: await Connection.connect({ address: testTemporalEnv().address }), namespace: testTemporalEnv().namespace });
  });
  afterAll(() => client.connection.close());

  it('ends approve, gates, events and status after FACTORY_WORKER_TIMEOUT naming the task queue, exit 75', async () => {
    const taskQueue = uniqueId('nobody');
    const id = uniqueId('orphan');
    const handle = await client.workflow.start('runPipeline', { taskQueue, workflowId: id, args: [{}] });
    try {
      const env = { FACTORY_WORKER_TIMEOUT: '1s' };
      const address = ['--address', testTemporalEnv().address];
      const approve = await runCli(['approve', id, '--by', 'alice', ...address], undefined, env);
      expect(approve.stderr).toBe(`factory: no pipeline worker answered the approve update on task queue ${taskQueue} within 1s; start one (\`factory worker\`) or check the address; nothing was applied\n`);
      expect(approve.code).toBe(ExitCode.noWorker);
      for (const [cmd, what] of [['gates', 'the gates query'], ['events', 'the events query'], ['status', 'the run query']] as const) {
        const r = await runCli([cmd, id, ...address], undefined, env);
        expect(r.stderr).toContain(`no pipeline worker answered ${what} on task queue ${taskQueue} within 1s`);
        expect(r.code).toBe(ExitCode.noWorker);
      }
    } finally {
      await handle.terminate('test done');
    }
  });
});

describe('a Temporal server lost under a follower', () => {
  it('ends watch with its own message and exit 69 when the server goes away', async () => {
    const server = await startDevServer({ namespace: 'default', ui: false });
    let stopped = false;
    try {
      const c = new Client({ connection: await Connection.connect({ address: server.address }) });
      const id = uniqueId('outage');
      await c.workflow.start('runPipeline', { taskQueue: uniqueId('nobody'), workflowId: id, args: [{}] });
      await c.connection.close();
      const err: string[] = [];
      const watching = main(['watch', id, '--address', server.address], { out: () => undefined, err: (l) => void err.push(l), cwd: process.cwd(), env: { FACTORY_WORKER_TIMEOUT: '1s' } });
      await eventually(async () => err.some((l) => l.includes('watching anyway')), 60_000);
      await server.stop();
      stopped = true;
      const code = await watching;
      expect(err.join('\n')).toMatch(new RegExp(`factory: Temporal server unavailable: lost the Temporal server while following run ${id}; the run is durable and untouched`));
      expect(err.join('\n')).not.toMatch(/internal error/);
      expect(code).toBe(ExitCode.unavailable);
    } finally {
      if (!stopped) await server.stop();
    }
  });
});
