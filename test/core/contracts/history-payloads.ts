// The payloads a committed Temporal history holds (test/fixtures/histories*/*.json, protobufjs plain
// form: payload metadata and data base64): run inputs, continue-as-new inputs, activity inputs and
// results (local activities' results from their markers), and every run event inside any of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The committed history directories, by the release that recorded them (docs/upgrading.md). */
export const RELEASES = [
  { release: 'r1 (48b29ba)', dir: 'histories' },
  { release: 'after r1 (v2)', dir: 'histories-v2' },
  { release: 'r2 (48156ae)', dir: 'histories-r2-48156ae' },
  { release: 'r3 (22a0871)', dir: 'histories-r3-22a0871' },
  { release: 'r4 (712efb6)', dir: 'histories-r4-712efb6' },
] as const;

/** One decoded payload and where it was recorded. */
export interface RecordedPayload {
  where: string;
  kind: 'run input' | 'continue-as-new input' | 'activity input' | 'activity output';
  activity?: string;
  value: unknown;
}

interface Payload {
  metadata?: { encoding?: string };
  data?: string;
}
type HistoryEvent = Record<string, unknown> & { eventId: string; eventType: string };

const FIXTURES = join(__dirname, '..', '..', 'fixtures');

/** `<dir>/<file>.json` for every history of one release directory. */
export function historyFiles(dir: string): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => `${dir}/${f}`);
}

/** A json/plain payload decoded; undefined for binary/null (an activity returning nothing). */
function decode(p: Payload | undefined): unknown {
  const encoding = Buffer.from(p?.metadata?.encoding ?? '', 'base64').toString('utf8');
  if (encoding === 'binary/null') return undefined;
  if (encoding !== 'json/plain') throw new Error(`unexpected payload encoding "${encoding}"`);
  return JSON.parse(Buffer.from(p?.data ?? '', 'base64').toString('utf8')) as unknown;
}

const first = (payloads: unknown): unknown => decode((payloads as { payloads?: Payload[] } | undefined)?.payloads?.[0]);

/** Every run input, continue-as-new input and activity input/output recorded in one history file. */
export function recordedPayloads(file: string): RecordedPayload[] {
  return payloadsOf(readFileSync(join(FIXTURES, file), 'utf8'), file);
}

/** The same for a history in fixture form (test/replay/history-file.ts historyToFixture), named `file` in `where`. */
export function payloadsOf(fixtureText: string, file: string): RecordedPayload[] {
  const history = JSON.parse(fixtureText) as { events: HistoryEvent[] };
  const scheduled = new Map<string, string>();
  const out: RecordedPayload[] = [];
  for (const e of history.events) {
    const where = `${file}#${e.eventId}`;
    const attrs = (name: string) => e[name] as Record<string, unknown>;
    switch (e.eventType) {
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED':
        out.push({ where, kind: 'run input', value: first(attrs('workflowExecutionStartedEventAttributes').input) });
        break;
      case 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW':
        out.push({ where, kind: 'continue-as-new input', value: first(attrs('workflowExecutionContinuedAsNewEventAttributes').input) });
        break;
      case 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED': {
        const a = attrs('activityTaskScheduledEventAttributes');
        const activity = (a.activityType as { name: string }).name;
        scheduled.set(e.eventId, activity);
        out.push({ where, kind: 'activity input', activity, value: first(a.input) });
        break;
      }
      case 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED': {
        const a = attrs('activityTaskCompletedEventAttributes');
        const activity = scheduled.get(a.scheduledEventId as string) ?? '?';
        out.push({ where, kind: 'activity output', activity, value: first(a.result) });
        break;
      }
      case 'EVENT_TYPE_MARKER_RECORDED': {
        const a = attrs('markerRecordedEventAttributes');
        const details = a.details as Record<string, unknown>;
        if (a.markerName !== 'core_local_activity' || !details.result) break;
        const meta = first(details.data) as { activity_type: string };
        out.push({ where, kind: 'activity output', activity: meta.activity_type, value: first(details.result) });
        break;
      }
    }
  }
  return out;
}

/** Every run event (`{ seq, type, runId, at, data }`) anywhere inside `value`. */
export function eventsIn(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) eventsIn(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.seq === 'number' && typeof o.type === 'string' && 'runId' in o && 'data' in o) out.push(o);
    else for (const v of Object.values(o)) eventsIn(v, out);
  }
  return out;
}
