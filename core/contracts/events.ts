// One line of events.jsonl as a zod schema: `{ seq, type, runId, at, data }`, a discriminated union on
// `type` whose `data` is that type's payload (event-payloads.ts), and the check readers call on one event.
// Pure: workflow code may import this module.

import { z } from 'zod';
import { EventType } from '../run-model';
import { EVENT_PAYLOADS, type EventPayload } from './event-payloads';

/** Every event type, in the order core/run-model.ts lists them. */
export const EVENT_TYPES: readonly EventType[] = Object.values(EventType);

/** One event of one type: gapless `seq` from 1, workflow time `at` (ISO). */
function eventOf<T extends EventType>(type: T) {
  return z.strictObject({
    seq: z.number().int().min(1),
    type: z.literal(type),
    runId: z.string().min(1),
    at: z.iso.datetime(),
    data: EVENT_PAYLOADS[type] as (typeof EVENT_PAYLOADS)[T],
  });
}

/** The schema of one event of type T. */
export type EventSchema<T extends EventType> = ReturnType<typeof eventOf<T>>;

/** Per type, the schema of a whole event of that type. */
export const EVENT_SCHEMAS = Object.fromEntries(EVENT_TYPES.map((t) => [t, eventOf(t)])) as { [T in EventType]: EventSchema<T> };

/** Any event: the discriminated union on `type`. */
export const runEventSchema = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((t) => EVENT_SCHEMAS[t]) as unknown as [EventSchema<EventType>, ...EventSchema<EventType>[]],
);

/** An event whose `data` is typed by its `type`. */
export type TypedRunEvent = { [T in EventType]: { seq: number; type: T; runId: string; at: string; data: EventPayload<T> } }[EventType];

/** validateEvent's answer: the event, or every problem as `<type> <field>: <message>`. */
export type EventCheck = { ok: true; event: TypedRunEvent } | { ok: false; issues: string[] };

/** Longest message kept from one issue: a hostile file never gets echoed at length. */
const MAX_ISSUE = 200;

/** Checks one event (a parsed events.jsonl line or a workflow's event) against its type's schema. */
export function validateEvent(value: unknown): EventCheck {
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    const shown = typeof type === 'string' ? `"${printable(type)}"` : typeof type;
    return { ok: false, issues: [`type: unknown event type ${shown} (expected one of ${EVENT_TYPES.join(', ')})`] };
  }
  const parsed = EVENT_SCHEMAS[type as EventType].safeParse(value);
  if (parsed.success) return { ok: true, event: parsed.data as TypedRunEvent };
  return { ok: false, issues: parsed.error.issues.map((i) => `${type} ${fieldPath(i.path)}: ${printable(i.message)}`) };
}

/** `data.choices[0].to`: the field an issue is about. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(event)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${printable(String(p))}`)).join('');
}

/** Control characters out, length capped: text from a file or a signal is never echoed raw. */
function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > MAX_ISSUE ? `${clean.slice(0, MAX_ISSUE)}…` : clean;
}
