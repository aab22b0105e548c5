// `factory approve|reject|answer <runId>`: answer a human gate through the validated `answerGate`
// update (refused answers exit 2 with the reason, and never reach history), or with --signal.
import type { Command } from 'commander';
import { sanitizeLine } from '../../core/sanitize';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { answerGateUpdate, answerSignal, approveSignal, rejectSignal } from '../../workflows/messages';
import { ExitCode, type CliContext } from '../context';
import { votesLine } from '../gate-text';
import { connectClient, resolveTarget, type TargetOptions } from '../temporal';
import { expiringArgs, withWorkerDeadline, workerWaitMs } from '../worker-wait';
import { defaultUser } from './run';

interface AnswerOptions extends TargetOptions {
  gate?: string;
  choice?: string;
  text?: string;
  by: string;
  comment?: string;
  signal?: boolean;
  json?: boolean;
}

type Kind = 'approve' | 'reject' | 'answer';

/** Registers approve, reject and answer. */
export function registerAnswer(program: Command, ctx: CliContext): void {
  const kinds: [Kind, string][] = [
    ['approve', 'approve an open human gate'],
    ['reject', 'reject an open human gate (takes its reject/revise choice)'],
    ['answer', 'answer an open human gate with a choice'],
  ];
  for (const [kind, description] of kinds) {
    const cmd = program
      .command(kind)
      .description(description)
      .argument('<run>', 'run id (workflow id)')
      .option('--gate <gate>', 'gate id (default: the only open gate)')
      .option('--by <name>', 'who answers', defaultUser(ctx))
      .option('--comment <text>', 'comment recorded with the answer')
      .option('--signal', 'send a fire-and-forget signal instead of a validated update')
      .option('--address <host:port>', 'Temporal frontend')
      .option('--namespace <ns>', 'Temporal namespace')
      .option('--json', 'print the gate as JSON');
    if (kind === 'answer') {
      cmd.option('--choice <choice>', 'choice: target node id, label or key (yes/no gates: yes or no)');
      cmd.option('--text <text>', 'the reply to a free-text (freeform) gate');
    }
    cmd.action(async (run: string, opts: AnswerOptions) => ctx.fail(await answer(ctx, kind, run, opts)));
  }
}

async function answer(ctx: CliContext, kind: Kind, run: string, opts: AnswerOptions): Promise<ExitCode> {
  if (kind === 'answer' && opts.choice === undefined && opts.text === undefined) {
    ctx.io.err('factory: answer needs --choice <choice> or, for a free-text gate, --text <text> (see `factory gates <run>`)');
    return ExitCode.usage;
  }
  const client = await connectClient(resolveTarget(ctx.io, opts));
  try {
    const handle = client.workflow.getHandle(run);
    const base = { by: opts.by, ...(opts.gate ? { gate: opts.gate } : {}), ...(opts.comment ? { comment: opts.comment } : {}) };
    if (opts.signal) {
      if (kind === 'answer') await handle.signal(answerSignal, { ...base, ...(opts.choice !== undefined ? { choice: opts.choice } : {}), ...(opts.text !== undefined ? { text: opts.text } : {}) });
      else await handle.signal(kind === 'approve' ? approveSignal : rejectSignal, base);
      ctx.io.out(`sent ${kind} signal to ${run} (check \`factory events ${run}\` for gate.answered or gate.answer_rejected)`);
      return ExitCode.ok;
    }
    try {
      const waitMs = workerWaitMs(ctx.io.env);
      const input = expiringArgs({ kind, ...base, ...(opts.choice ? { choice: opts.choice } : {}), ...(opts.text !== undefined ? { text: opts.text } : {}) }, waitMs);
      const gate = await withWorkerDeadline(handle, `the ${kind} update`, waitMs, () => handle.executeUpdate(answerGateUpdate, { args: [input] }));
      if (opts.json) ctx.io.out(JSON.stringify(gate, null, 2));
      else ctx.io.out(gate.closed ? `gate ${gate.id} closed: ${gate.selected || (gate.question === 'freeform' ? 'reply recorded' : 'declined')}` : `gate ${gate.id}: answer recorded (${votesLine(gate)})`);
      return ExitCode.ok;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        // the reason may quote what was sent: on one line, escaped
        ctx.io.err(`factory: ${kind} refused: ${sanitizeLine(err.cause?.message ?? err.message)}`);
        return ExitCode.usage;
      }
      throw err;
    }
  } catch (err) {
    // no such run, or it has already closed: a refusal, not an internal error
    if (err instanceof WorkflowNotFoundError) {
      ctx.io.err(`factory: ${kind} refused: ${notOpen(run, err)}`);
      return ExitCode.usage;
    }
    throw err;
  } finally {
    await client.connection.close();
  }
}

/** Why a run cannot take an answer, from the server's not-found error. */
export function notOpen(run: string, err: Error): string {
  return /already completed/i.test(err.message) ? `run ${run} has already completed; its gates are closed` : `no run ${run} on this server (check the run id, --address and --namespace)`;
}
