// Following a run until it completes, shared by `factory run` and `factory watch`: JSON lines, plain
// lines, or (on a terminal) the live view with the gate prompt and what describe says is retrying.
// Ctrl-C stops following and never touches the run: it stays parked where it is.
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { RunEvent } from '../core/run-model';
import { answerGateUpdate, decideUpdate, type GateUpdateInput } from '../workflows/messages';
import type { CliIO } from './context';
import { GatePrompter, type GateAnswerer } from './gate-prompt';
import { LiveView } from './live-view';
import { PlainProgress } from './plain-progress';
import { AgentLines } from './agent-progress';
import { followEvents, formatEvent } from './progress';
import { snapshot } from './run-monitor';
import { expiringArgs, NoWorkerError, withWorkerDeadline, workerWaitMs } from './worker-wait';

/** Which run to follow and how to name it in commands printed for the operator. */
export interface FollowTarget {
  client: Client;
  workflowId: string;
  address?: string;
  uiUrl?: string;
}

export interface FollowOptions {
  json?: boolean;
  quiet?: boolean;
  after?: number;
  /** Who answers gates at the prompt. */
  by: string;
  /** How often describe is asked for retries and holdout progress (default 2s). */
  monitorMs?: number;
}

/** How following ended: the run completed (or closed), or the operator pressed Ctrl-C. */
export type FollowEnd = { kind: 'completed' } | { kind: 'interrupted'; gate?: string; runDir?: string };

/** Follows the run's events until run.completed, the workflow closes, or Ctrl-C. */
export async function follow(io: CliIO, target: FollowTarget, opts: FollowOptions): Promise<FollowEnd> {
  const { client, workflowId } = target;
  const handle = client.workflow.getHandle(workflowId);
  const print = (line: string) => !opts.quiet && io.out(line);
  const live = io.tty && !opts.json && !opts.quiet ? new LiveView(io.tty, workflowId, { ...(target.address ? { address: target.address } : {}), ...(target.uiUrl ? { uiUrl: target.uiUrl } : {}) }) : undefined;
  const prompter = live && io.tty?.prompts ? new GatePrompter(answerer(client, workflowId, opts.by, workerWaitMs(io.env)), live) : undefined;
  const plain = !live && !opts.json && !opts.quiet ? new PlainProgress() : undefined;
  let interrupted: FollowEnd | undefined;
  let runDir: string | undefined;
  const onSigint = () => (interrupted = { kind: 'interrupted', ...(runDir ? { runDir } : {}) });
  process.once('SIGINT', onSigint);
  void prompter?.interrupted.then((gate) => (interrupted = { kind: 'interrupted', gate, ...(runDir ? { runDir } : {}) }));

  let polling: Promise<void> | undefined;
  // one describe per period serves the live view, the plain progress and the agent lines (turns, tool calls)
  const agentLines = new AgentLines();
  const monitor = live || plain ? setInterval(() => {
    if (polling) return;
    // bounded by a deadline and awaited before the connection closes: the SDK retries an unreachable
    // server's calls on timers, and a retry firing after close would crash the process
    polling = client.connection
      .withDeadline(Date.now() + 10_000, () => snapshot(client, workflowId))
      .then((s) => {
        if (!s) return;
        live?.onSnapshot(s);
        for (const line of plain?.onSnapshot(s, Date.now()) ?? []) print(line);
        for (const { line, node } of agentLines.changed(s.agents ?? [])) {
          if (live) live.onAgent(node, line);
          else print(line);
        }
      })
      .catch(() => undefined)
      .finally(() => (polling = undefined));
    for (const line of plain?.tick(Date.now()) ?? []) print(line);
  }, opts.monitorMs ?? 2000) : undefined;
  monitor?.unref();

  live?.start();
  try {
    await followEvents(
      handle,
      (e: RunEvent) => {
        if (e.type === 'run.created' && typeof e.data['runDir'] === 'string') runDir = e.data['runDir'];
        if (opts.json) io.out(JSON.stringify(e));
        else if (live) live.onEvent(e);
        else {
          plain?.onEvent(e, Date.now());
          const line = formatEvent(e, { runId: workflowId, ...(target.address ? { address: target.address } : {}), ...(target.uiUrl ? { uiUrl: target.uiUrl } : {}) });
          if (line) print(line);
        }
        prompter?.onEvent(e);
      },
      {
        ...(opts.after ? { after: opts.after } : {}),
        stop: () => interrupted !== undefined,
        waitMs: workerWaitMs(io.env),
        onWaiting: (line) => (live ? live.note(line) : opts.json ? io.err(line) : print(line)),
      },
    );
  } finally {
    process.removeListener('SIGINT', onSigint);
    if (monitor) clearInterval(monitor);
    await polling;
    prompter?.stop();
    live?.stop();
  }
  return interrupted ?? { kind: 'completed' };
}

/** The operator's way back after Ctrl-C: the run is untouched, parked where it was. */
export function comeBackLines(workflowId: string, end: Extract<FollowEnd, { kind: 'interrupted' }>, opts: { address?: string; embedded?: boolean }): string[] {
  const where = end.gate ? ` at gate ${end.gate}` : '';
  if (opts.embedded) {
    return [
      `stopped following run ${workflowId}${where}; nothing was cancelled: it stays parked on the local server, but its worker stopped with this process.`,
      `  come back with: factory worker (in another terminal), then factory watch ${workflowId}`,
    ];
  }
  return [
    `stopped following run ${workflowId}${where}; the run is not cancelled and stays parked there.`,
    `  come back with: factory watch ${workflowId}${opts.address ? ` --address ${opts.address}` : ''}`,
  ];
}

/**
 * Answers from the prompt go through the validated updates, so a refused answer never reaches history;
 * each waits at most `waitMs` for a worker and expires then (a worker that comes later refuses it as stale).
 */
function answerer(client: Client, workflowId: string, by: string, waitMs: number): GateAnswerer {
  const handle = client.workflow.getHandle(workflowId);
  const refusal = (err: unknown): string => {
    if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
    if (err instanceof NoWorkerError) return err.message;
    throw err;
  };
  return {
    // `text` is for free-text questions; the update's validator decides what this gate accepts
    answer: (gate, a) =>
      withWorkerDeadline(handle, 'the answer', waitMs, () => handle.executeUpdate(answerGateUpdate, { args: [expiringArgs({ kind: 'answer', gate, by, ...a } as GateUpdateInput, waitMs)] })).then(
        () => undefined,
        refusal,
      ),
    decide: (input) => withWorkerDeadline(handle, 'the decision', waitMs, () => handle.executeUpdate(decideUpdate, { args: [expiringArgs({ ...input, by }, waitMs)] })).then(() => undefined, refusal),
  };
}
