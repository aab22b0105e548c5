// Builders shared by the activities tests: temp dirs, events, nodes, profiles, stage inputs.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { PipelineNode } from '../../core/model';
import type { Checkpoint, RunEnvelope, RunEvent } from '../../core/run-model';
import type { StageContext } from '../../activities/handler-registry';
import type { StageInput } from '../../activities/types';
import type { DomainFailureDetails } from '../../core/failures';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import { LlmMock } from '../helpers/llm-mock';

/** A fresh temp directory, removed by the returned cleanup. */
export async function tempDir(prefix = 'factory-act-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `text` to `rel` under `root` (parent directories made) and returns the file's path. */
export async function writeUnder(root: string, rel: string, text: string): Promise<string> {
  const file = join(root, rel);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

/** What useLlmMockDir gives a test: the per-test LLM mock server, its base URL and a fresh directory. */
export interface LlmMockDir {
  readonly mock: LlmMock;
  readonly base: string;
  readonly dir: string;
}

/** A fresh LLM mock server (accepting `key`) and temp directory for each test, stopped and removed after it. */
export function useLlmMockDir(key: string, prefix: string): LlmMockDir {
  const t = {} as { mock: LlmMock; base: string; dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    t.mock = new LlmMock(key);
    t.base = await t.mock.start();
    ({ dir: t.dir, cleanup: t.cleanup } = await tempDir(prefix));
  });
  afterEach(async () => {
    await t.mock.stop();
    await t.cleanup();
  });
  return t;
}

export function event(seq: number, type: RunEvent['type'] = 'stage.started', data: Record<string, unknown> = {}): RunEvent {
  return { seq, type, runId: 'run-1', at: `2024-01-01T00:00:${String(seq % 60).padStart(2, '0')}.000Z`, data };
}

export function events(from: number, to: number): RunEvent[] {
  const out: RunEvent[] = [];
  for (let s = from; s <= to; s++) out.push(event(s));
  return out;
}

export function checkpoint(current = 'start'): Checkpoint {
  return {
    timestamp: '2024-01-01T00:00:00.000Z',
    current_node: current,
    completed_nodes: [],
    node_retries: {},
    node_outcomes: {},
    context: {},
    logs: [],
  };
}

export function envelope(runId = 'run-1'): RunEnvelope {
  return {
    runId,
    workflowId: `wf-${runId}`,
    pipeline: { id: 'demo', version: '1.0.0' },
    profile: { id: 'local', version: '1.0.0' },
    digests: { profile: 'p'.repeat(64), pipeline: 'q'.repeat(64) },
    sources: { pipeline: { ref: 'demo@1.0.0' }, profile: { ref: 'local@1.0.0' } },
    status: 'booting',
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    stages: {},
    openGates: [],
    continuedAsNew: 0,
    lastSeq: 1,
  };
}

export function node(id: string, extra: Partial<PipelineNode> = {}): PipelineNode {
  return {
    id,
    type: 'codergen',
    shape: 'box',
    label: id,
    prompt: '',
    goal_gate: false,
    classes: [],
    auto_status: false,
    allow_partial: false,
    attrs: {},
    ...extra,
  };
}

export const TWIN: ProviderConfig = { kind: 'twin' };

/** A handler StageContext in a given stage dir (handlers tested directly, without executeStage). */
export function stageContext(runDir: string, n: PipelineNode, extra: Partial<StageContext> = {}): StageContext {
  return {
    runId: 'run-1',
    runDir,
    stageDir: join(runDir, n.id),
    workdir: runDir,
    node: n,
    goal: 'ship it',
    pipelineId: 'demo',
    context: {},
    provider: TWIN,
    attempt: 1,
    signal: new AbortController().signal,
    timeoutMs: 10_000,
    env: { PATH: process.env.PATH },
    heartbeat: () => undefined,
    ...extra,
  };
}

export function stageInput(runDir: string, n: PipelineNode, extra: Partial<StageInput> = {}): StageInput {
  return {
    runId: 'run-1',
    runDir,
    workdir: runDir,
    node: n,
    goal: 'ship it',
    pipelineId: 'demo',
    context: {},
    provider: TWIN,
    maxAttempts: 3,
    stageTimeoutMs: 10_000,
    pendingWrites: { events: [] },
    ...extra,
  };
}

/** Awaits a promise expected to reject with an ApplicationFailure and returns it. */
export async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  }
  throw new Error('expected a rejection, got a result');
}

/** The causes of a BOOT_FAILURE, after checking its type, flag and recovery rule. */
export function bootCauses(f: ApplicationFailure): string[] {
  expect(f.type).toBe('BOOT_FAILURE');
  expect(f.nonRetryable).toBe(true);
  expect(f.message).toMatch(/recovery: fix config\/spec, create new run$/);
  const details = f.details?.[0] as DomainFailureDetails;
  expect(details.domain).toBe('BOOT_FAILURE');
  expect(details.recovery).toBe('fix config/spec, create new run');
  for (const c of details.causes) expect(f.message).toContain(c);
  return details.causes;
}
