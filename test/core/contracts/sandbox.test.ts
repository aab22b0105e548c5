// core/contracts is pure: its schemas (zod) run inside the Temporal workflow sandbox, so workflow code may
// import its values, not only its types (the run workflow imports types only today).
import { bundleTestWorkflows, connectTestClient, connectTestNativeConnection, createTestWorker, uniqueId } from '../../helpers/temporal';

const at = '2026-12-07T18:00:00.000Z';

describe('core/contracts in the workflow sandbox', () => {
  it('validates a good and a bad event inside a workflow, naming the type and field of the bad one', async () => {
    const workflowBundle = await bundleTestWorkflows(require.resolve('../../fixtures/workflows/contracts-sandbox'));
    const connection = await connectTestNativeConnection();
    const client = await connectTestClient();
    try {
      const { worker, taskQueue } = await createTestWorker({ connection, workflowBundle });
      const events = [
        { seq: 1, type: 'run.started', runId: 'r', at, data: { start: 'start', resumed: false } },
        { seq: 2, type: 'stage.started', runId: 'r', at, data: { type: 'tool', visit: 1 } },
      ];
      const result = await worker.runUntil(client.workflow.execute('validateEventsInSandbox', { taskQueue, workflowId: uniqueId('contracts'), args: [events] }));
      expect(result).toEqual(['ok', 'stage.started data.node: Invalid input: expected string, received undefined']);
    } finally {
      await client.connection.close();
      await connection.close();
    }
  }, 120_000);
});
