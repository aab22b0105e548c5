// The `twin` provider: a deterministic digital twin of an LLM, no network. A fixture file scripts each
// node's answers; the n-th call for a node (every attempt and every visit count) gets the n-th step,
// and the last step repeats once the list is used up. Without an entry: success with a response derived
// from the prompt alone. The call count lives in `<stage>/twin-calls.json`, so it survives worker restarts.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { STAGE_STATUSES } from '../../../core/model';
import type { Outcome } from '../../../core/outcome';
import { sha256 } from '../../../definitions/load';
import type { ProviderConfig } from '../../../definitions/schemas/profile';
import { ProviderUnavailableError, StageConfigError } from '../../errors';
import type { StageContext } from '../../handler-registry';
import type { BackendResult, CodergenBackend } from './types';

const stepSchema = z.strictObject({
  /** Absent: the response decides (a JSON Outcome object), else success. */
  status: z.enum(STAGE_STATUSES as [string, ...string[]]).optional(),
  response: z.string().optional(),
  preferred_label: z.string().optional(),
  suggested_next_ids: z.array(z.string()).optional(),
  context_updates: z.record(z.string(), z.unknown()).optional(),
  notes: z.string().optional(),
  failure_reason: z.string().optional(),
  /** Wait this long first (abortable): exercises timeouts and heartbeats. */
  delay_ms: z.int().min(0).optional(),
  /** Throw a transient provider error with this message instead of answering (exercises retries). */
  error: z.string().optional(),
});

/** The fixture: node id → one step or a list of steps. */
export const twinFixtureSchema = z.record(
  z.string(),
  z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(stepSchema).min(1)),
);
/** One scripted answer, and a node id → answers map. */
export type TwinStep = z.output<typeof stepSchema>;
export type TwinFixture = Record<string, TwinStep[]>;

const CALLS_FILE = 'twin-calls.json';

/** Reads and validates a fixture (YAML or JSON); throws StageConfigError listing every problem. */
export async function loadTwinFixture(file: string): Promise<TwinFixture> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StageConfigError(`twin fixture ${file} cannot be read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new StageConfigError(`twin fixture ${file} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  const parsed = twinFixtureSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new StageConfigError(`twin fixture ${file} is invalid:\n  ${issues.join('\n  ')}`);
  }
  return parsed.data;
}

/** The answer the twin gives a node without a fixture entry: a pure function of node id and prompt. */
export function defaultTwinResponse(nodeId: string, prompt: string): string {
  const digest = sha256(prompt).slice(0, 12);
  const firstLine = prompt.split('\n', 1)[0]?.slice(0, 120) ?? '';
  return `[twin] ${nodeId} (prompt sha256:${digest}): ${firstLine}`;
}

/** Builds the twin backend; the fixture is read on every call (it is small, and edits apply at once). */
export function createTwinBackend(): CodergenBackend {
  return {
    async run(stage: StageContext, prompt: string): Promise<BackendResult> {
      const provider = stage.provider as Extract<ProviderConfig, { kind: 'twin' }>;
      const fixture = provider.fixture ? await loadTwinFixture(provider.fixture) : {};
      const steps = fixture[stage.node.id];
      const call = await nextCall(stage.stageDir);
      if (!steps) return { response: defaultTwinResponse(stage.node.id, prompt) };
      const step = steps[Math.min(call, steps.length - 1)] as TwinStep;
      if (step.delay_ms) await abortableDelay(step.delay_ms, stage.signal);
      if (step.error !== undefined) throw new ProviderUnavailableError(step.error);
      const response = step.response ?? defaultTwinResponse(stage.node.id, prompt);
      const scripted = ['status', 'preferred_label', 'suggested_next_ids', 'context_updates', 'notes', 'failure_reason'].some(
        (k) => step[k as keyof TwinStep] !== undefined,
      );
      if (!scripted) return { response };
      const outcome: Outcome = { status: (step.status ?? 'success') as Outcome['status'] };
      if (step.preferred_label !== undefined) outcome.preferred_label = step.preferred_label;
      if (step.suggested_next_ids !== undefined) outcome.suggested_next_ids = step.suggested_next_ids;
      if (step.context_updates !== undefined) outcome.context_updates = step.context_updates;
      if (step.notes !== undefined) outcome.notes = step.notes;
      if (step.failure_reason !== undefined) outcome.failure_reason = step.failure_reason;
      return { response, outcome };
    },
  };
}

/** 0-based index of this call for the stage, persisted before the answer is given. */
async function nextCall(stageDir: string): Promise<number> {
  const file = join(stageDir, CALLS_FILE);
  let calls = 0;
  try {
    const v = (JSON.parse(await readFile(file, 'utf8')) as { calls?: unknown }).calls;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) calls = v;
  } catch {
    calls = 0;
  }
  await writeFile(file, JSON.stringify({ calls: calls + 1 }) + '\n');
  return calls;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
