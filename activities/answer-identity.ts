// Who sent a gate answer or a decision, as the Temporal server recorded it (issues 20 and 24): the SDK does not
// give signal and update handlers the sender's identity, but the history does, on every
// WorkflowExecutionSignaled and WorkflowExecutionUpdateAccepted event. This activity reads the run's current
// execution's history through the worker's own client and returns the `identity` of the event that carried
// the answer. What that identity is worth (self-declared by the client) is docs/security.md's subject.
import { Context } from '@temporalio/activity';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AnswerIdentityInput, AnswerIdentityResult } from '../core/contracts';
import { UNKNOWN_IDENTITY } from '../core/answer-identity';

/** Longest identity recorded; longer ones are cut (a client chooses its identity freely). */
export const MAX_IDENTITY = 200;

/** History events per page: one page holds a run's history up to its continue-as-new limit (4,000 by default). */
const PAGE = 1000;

/**
 * The `identity` the server recorded with the answer: the `occurrence`-th signal named `name` of this execution
 * (checked to carry `payload`), or the update with `updateId`. Not found (or not the answer) is UNKNOWN_IDENTITY
 * with the reason; a server that cannot be read throws (the workflow retries a bounded number of times).
 */
export async function answerIdentity(input: AnswerIdentityInput): Promise<AnswerIdentityResult> {
  const ctx = Context.current();
  const execution = ctx.info.workflowExecution;
  if (!execution) return { identity: UNKNOWN_IDENTITY, reason: 'not run by a workflow' };
  const namespace = ctx.info.workflowNamespace ?? ctx.info.namespace;
  let seen = 0;
  let token: Uint8Array | undefined;
  do {
    const page = await ctx.client.workflowService.getWorkflowExecutionHistory({ namespace, execution, maximumPageSize: PAGE, ...(token ? { nextPageToken: token } : {}) });
    for (const event of page.history?.events ?? []) {
      const found = input.kind === 'signal' ? signalled(event, input, () => ++seen) : accepted(event, input);
      if (found) return found;
    }
    ctx.heartbeat();
    token = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
  } while (token);
  const what = input.kind === 'signal' ? `signal "${input.name}" #${input.occurrence ?? '?'}` : `update ${input.updateId ?? '?'}`;
  return { identity: UNKNOWN_IDENTITY, reason: `the history of ${execution.workflowId} has no ${what}` };
}

function signalled(event: temporal.api.history.v1.IHistoryEvent, input: AnswerIdentityInput, count: () => number): AnswerIdentityResult | undefined {
  const a = event.workflowExecutionSignaledEventAttributes;
  if (!a || a.signalName !== input.name || count() !== input.occurrence) return undefined;
  const eventId = Number(event.eventId);
  let sent: unknown;
  try {
    sent = defaultPayloadConverter.fromPayload(a.input?.payloads?.[0] ?? {});
  } catch {
    return { identity: UNKNOWN_IDENTITY, reason: `signal event ${eventId} has a payload this worker cannot decode`, eventId };
  }
  if (JSON.stringify(sent) !== JSON.stringify(input.payload)) {
    return { identity: UNKNOWN_IDENTITY, reason: `signal event ${eventId} does not carry this answer`, eventId };
  }
  return identified(a.identity, eventId);
}

function accepted(event: temporal.api.history.v1.IHistoryEvent, input: AnswerIdentityInput): AnswerIdentityResult | undefined {
  const a = event.workflowExecutionUpdateAcceptedEventAttributes;
  const meta = a?.acceptedRequest?.meta;
  if (!a || !meta || meta.updateId !== input.updateId) return undefined;
  return identified(meta.identity, Number(event.eventId));
}

/** The identity as recorded: control and invisible characters shown escaped, cut to MAX_IDENTITY; none is UNKNOWN_IDENTITY. */
function identified(identity: string | null | undefined, eventId: number): AnswerIdentityResult {
  if (!identity) return { identity: UNKNOWN_IDENTITY, reason: `event ${eventId} records no identity (the client sent none)`, eventId };
  const shown = printable(identity);
  return { identity: shown.length > MAX_IDENTITY ? `${shown.slice(0, MAX_IDENTITY - 1)}…` : shown, eventId };
}

/** Control characters, bidi overrides and zero-width characters as \u{…}: an identity is text a client chose. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
