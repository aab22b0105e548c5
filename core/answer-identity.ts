// The Temporal client identity of a gate answer or a decision (issues 20 and 24): how the workflow names the
// history event that carried an answer, and what is recorded when the identity cannot be read. Pure: workflow
// code imports it; the lookup itself is the answerIdentity activity (activities/answer-identity.ts).

/** Recorded as the identity when the server's history could not be read or holds none; `identityReason` says why. */
export const UNKNOWN_IDENTITY = 'unknown';

/**
 * The history event that carried an answer: the `occurrence`-th signal of that name this execution handled
 * (signals reach handlers in history order, refused ones included; `payload` is what it carried, checked
 * against the event), or the update with that id (the SDK's currentUpdateInfo()).
 */
export type AnswerSource =
  | { kind: 'signal'; name: string; occurrence: number; payload: unknown }
  | { kind: 'update'; name: string; updateId: string };

/** What an answer records beside `by`: the identity, and why it is UNKNOWN_IDENTITY when it is. */
export interface AnswerIdentity {
  identity: string;
  identityReason?: string;
}
