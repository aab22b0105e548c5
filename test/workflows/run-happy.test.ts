import { join } from 'node:path';
import { createActivities } from '../../activities';
import { createDefaultHandlers } from '../../activities/handlers';
import { eventsQuery, statusQuery } from '../../workflows/messages';
import { useTemporalTestEnv } from '../helpers/temporal';
import { readEvents, readJson, startRun, workspace } from '../helpers/runs';

const PIPELINE = `kind: PipelineSpec
id: happy
version: 1.0.0
goal: say hello
nodes:
  - { id: start, type: start }
  - { id: plan, prompt: "Plan: $goal" }
  - { id: build, type: tool, tool_command: "echo built-$FACTORY_NODE_ID" }
  - { id: exit, type: exit }
edges:
  - { from: start, to: plan }
  - { from: plan, to: build }
  - { from: build, to: exit }
`;

const t = useTemporalTestEnv({ workflowsPath: require.resolve('../../workflows') });

describe('run workflow happy path', () => {
  it('runs boot, every stage and finalize with the ordered event list when the pipeline is linear', async () => {
    const ws = workspace(PIPELINE);
    const activities = createActivities({ handlers: createDefaultHandlers(), registryRoot: ws.dir });
    await t.withWorker(
      async ({ client, taskQueue }) => {
        const handle = await startRun(client, taskQueue, ws);
        const result = await handle.result();
        expect(result.outcome).toBe('succeeded');
        expect(result.status).toBe('completed');
        const runDir = result.runDir as string;
        const events = await handle.query(eventsQuery, {});
        expect(events.map((e) => e.type)).toEqual([
          'run.created',
          'run.started',
          'stage.started',
          'stage.completed',
          'stage.started',
          'stage.completed',
          'stage.started',
          'stage.completed',
          'run.completed',
        ]);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(readEvents(runDir)).toEqual(events);
        expect((await handle.query(statusQuery)).status).toBe('completed');
        const status = readJson(join(runDir, 'build', 'status.json'));
        expect(status['outcome']).toBe('success');
        const cp = readJson(join(runDir, 'checkpoint.json'));
        expect(cp['completed_nodes']).toEqual(['start', 'plan', 'build', 'exit']);
        expect((cp['context'] as Record<string, unknown>)['tool.output']).toContain('built-build');
      },
      { activities },
    );
  });
});
