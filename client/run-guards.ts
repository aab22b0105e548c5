// What `factory run`, `rerun` and `--resume` refuse before they start anything: a run id names one run
// forever (issue 24). A directory that holds a run, finished or open, never takes another; a finished run
// is never resumed; a workflow id the server knows is never reused (REJECT_DUPLICATE, conflict FAIL).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { FREEZE_MANIFEST } from '../activities/freeze';
import { takenRunDirText } from '../activities/run-create';
import { RUN_FILES } from '../activities/run-dir';
import type { RunEnvelope } from '../core/run-model';
import { UsageError } from './context';
import { sanitizeLine } from '../core/sanitize';

/** The start options that make the server refuse a workflow id it has seen, closed or open. */
export const ONE_RUN_PER_ID = { workflowIdReusePolicy: 'REJECT_DUPLICATE', workflowIdConflictPolicy: 'FAIL' } as const;

/** Refuses (exit 2) a new run whose directory already holds a run, before any server or file is touched. */
export function refuseTakenRunDir(runDir: string): void {
  const holder = readEnvelope(runDir);
  if (!holder) return;
  throw new UsageError(sanitizeLine(takenRunDirText(runDir, holder, existsSync(join(runDir, FREEZE_MANIFEST)))));
}

/** Refuses (exit 2) `--resume` of a run that has finished: its directory is frozen, or its envelope says it ended. */
export function refuseFinishedResume(runDir: string, envelope: RunEnvelope): void {
  const frozen = existsSync(join(runDir, FREEZE_MANIFEST));
  if (!frozen && envelope.outcome === undefined && envelope.status !== 'completed') return;
  throw new UsageError(
    sanitizeLine(
      `run ${envelope.runId} in ${runDir} has finished (outcome ${envelope.outcome ?? 'unknown'}${frozen ? ', files frozen' : ''}); ` +
        `only an interrupted run can be resumed: start a linked new run with \`factory rerun ${runDir}\``,
    ),
  );
}

/** A resume while the run's workflow is still open would put two workflows on one run directory: refuse (exit 2). */
export async function refuseWhileOpen(client: Client, envelope: RunEnvelope): Promise<void> {
  for (const id of new Set([envelope.workflowId, envelope.runId])) {
    const desc = await client.workflow
      .getHandle(id)
      .describe()
      .catch((err: unknown) => {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      });
    if (desc?.status.name === 'RUNNING') {
      throw new UsageError(
        sanitizeLine(
          `run ${envelope.runId} is still open in workflow ${id}: answer its gates or follow it with \`factory watch ${id}\`; ` +
            `resume only a run whose workflow has ended (cancel it first: temporal workflow cancel --workflow-id ${id})`,
        ),
      );
    }
  }
}

/** The server refused the start because the workflow id exists: a usage error saying whether that run is open or closed. */
export async function startRefusal(err: unknown, client: Client, workflowId: string): Promise<UsageError | undefined> {
  if (!(err instanceof WorkflowExecutionAlreadyStartedError)) return undefined;
  const status = await client.workflow
    .getHandle(workflowId)
    .describe()
    .then((d) => d.status.name)
    .catch(() => undefined);
  const state = status === 'RUNNING' ? 'is still open' : status ? `has already run (${status.toLowerCase()})` : 'exists';
  const next = status === 'RUNNING' ? `follow it with \`factory watch ${workflowId}\`, or` : 'its record stays as it is;';
  return new UsageError(sanitizeLine(`run id ${workflowId} is taken: workflow ${workflowId} ${state} on this server; a run id names one run forever: ${next} choose another --run-id`));
}

function readEnvelope(runDir: string): RunEnvelope | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, RUN_FILES.envelope), 'utf8')) as RunEnvelope;
  } catch {
    return existsSync(join(runDir, RUN_FILES.envelope)) ? ({ runId: '(unreadable run.json)', createdAt: '?', status: 'booting' } as RunEnvelope) : undefined;
  }
}
