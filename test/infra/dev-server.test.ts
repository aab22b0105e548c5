import { chmodSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { SEARCH_ATTRIBUTES, SEARCH_ATTRIBUTE_TYPES } from '../../core/temporal-names';
import { DevServerStartError, startDevServer } from '../../infra/dev-server';
import { uniqueId, uniqueTaskQueue, useTemporalTestEnv } from '../helpers/temporal';
import * as activities from '../fixtures/workflows/activities';
import { finishSignal, greetingWorkflow, statusWorkflow } from '../fixtures/workflows';

const t = useTemporalTestEnv({ workflowsPath: require.resolve('../fixtures/workflows'), activities });

/** True while `pid` exists (our children are reaped by Node once they exit). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pids whose command line contains `needle` (Linux /proc). */
function pidsMatching(needle: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Polls `probe` until it returns true or `timeoutMs` passes (visibility is eventually consistent). */
async function eventually(probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function listIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

describe('global dev server', () => {
  it('runs a workflow and its activity on a real Worker when connected to the shared server', async () => {
    const result = await t.withWorker(({ client, taskQueue, workflowId }) =>
      client.workflow.execute(greetingWorkflow, { taskQueue, workflowId: workflowId('greet'), args: ['factory'] }),
    );
    expect(result).toBe(`hello, factory (pid ${process.pid})`);
  });

  it('lists our search attributes with their types when the server is ready', async () => {
    const res = await t.client.connection.operatorService.listSearchAttributes({ namespace: t.env.namespace });
    const custom = res.customAttributes ?? {};
    const KEYWORD = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
    expect(SEARCH_ATTRIBUTE_TYPES).toEqual({ FactoryStatus: 'Keyword', FactoryPipeline: 'Keyword' });
    expect(custom[SEARCH_ATTRIBUTES.status]).toBe(KEYWORD);
    expect(custom[SEARCH_ATTRIBUTES.pipeline]).toBe(KEYWORD);
  });

  it('finds a run by FactoryStatus and FactoryPipeline when the workflow upserted them', async () => {
    const status = uniqueId('status');
    const pipeline = uniqueId('pipe');
    await t.withWorker(async ({ client, taskQueue, workflowId }) => {
      const handle = await client.workflow.start(statusWorkflow, { taskQueue, workflowId: workflowId('sa'), args: [status, pipeline] });
      await eventually(async () => (await listIds(client, `FactoryStatus = '${status}'`)).includes(handle.workflowId));
      expect(await listIds(client, `FactoryPipeline = '${pipeline}' AND ExecutionStatus = 'Running'`)).toEqual([handle.workflowId]);
      await handle.signal(finishSignal, `${status}-done`);
      expect(await handle.result()).toBe(`${status}-done`);
      await eventually(async () => (await listIds(client, `FactoryStatus = '${status}-done'`)).includes(handle.workflowId));
    });
  });
});

describe('startDevServer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'factory-devserver-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a running workflow across a restart and leaves no process when given a dbFilename', async () => {
    const dbFilename = join(dir, 'temporal.db');
    const taskQueue = uniqueTaskQueue('persist');
    const workflowId = uniqueId('persist');

    const first = await startDevServer({ dbFilename, ui: false });
    const c1 = await Connection.connect({ address: first.address });
    const started = await new Client({ connection: c1 }).workflow.start(statusWorkflow, { taskQueue, workflowId, args: ['before', 'p'] });
    await c1.close();
    await first.stop();
    expect(pidAlive(first.pid)).toBe(false);

    // SQLite header bytes 18-19 are 2 in WAL mode (our --sqlite-pragma journal_mode=wal).
    const header = Buffer.alloc(20);
    const fd = openSync(dbFilename, 'r');
    readSync(fd, header, 0, 20, 0);
    closeSync(fd);
    expect([header[18], header[19]]).toEqual([2, 2]);

    const second = await startDevServer({ dbFilename, ui: false });
    try {
      const c2 = await Connection.connect({ address: second.address });
      const native = await NativeConnection.connect({ address: second.address });
      try {
        const handle = new Client({ connection: c2 }).workflow.getHandle(workflowId);
        const described = await handle.describe();
        expect({ status: described.status.name, runId: described.runId }).toEqual({ status: 'RUNNING', runId: started.firstExecutionRunId });
        const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: t.workflowBundle, activities });
        const result = await worker.runUntil(async () => {
          await handle.signal(finishSignal, 'after-restart');
          return handle.result();
        });
        expect(result).toBe('after-restart');
      } finally {
        await native.close();
        await c2.close();
      }
    } finally {
      await second.stop();
    }
    expect(pidAlive(second.pid)).toBe(false);
    expect(pidsMatching(dbFilename)).toEqual([]);
  });

  it('fails with the server output when the CLI exits during startup', async () => {
    const cliPath = join(dir, 'temporal');
    writeFileSync(cliPath, '#!/bin/sh\necho "boom: cannot open database" >&2\nexit 3\n');
    chmodSync(cliPath, 0o755);
    const error = await startDevServer({ cliPath, ui: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevServerStartError);
    expect((error as Error).message).toMatch(/exited during startup \(code 3[\s\S]*boom: cannot open database/);
  });

  it('gives up after the startup timeout and kills the server when it never becomes ready', async () => {
    const cliPath = join(dir, 'temporal');
    writeFileSync(cliPath, '#!/bin/sh\necho "starting slowly" >&2\nwhile true; do sleep 0.2; done\n');
    chmodSync(cliPath, 0o755);
    const error = await startDevServer({ cliPath, ui: false, startupTimeoutMs: 1500, stopGraceMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevServerStartError);
    expect((error as Error).message).toMatch(/not ready after \d+ ms[\s\S]*starting slowly/);
    expect(pidsMatching(cliPath)).toEqual([]);
  });
});
