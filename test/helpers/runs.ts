// Helpers for run-workflow tests: write a pipeline/profile pair into a temp dir, start runs,
// read run directories back.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { RunEvent } from '../../core/run-model';
import type { runPipeline } from '../../workflows/run';
import type { RunInput } from '../../workflows/types';
import { uniqueId } from './temporal';

/** A profile for tests: twin provider, fast retries, no suite required. Override with `extra` YAML. */
export function testProfileYaml(extra = ''): string {
  return `kind: FactoryProfile
id: test
version: 1.0.0
provider: { kind: twin }
environment: { run_root: runs, workdir: ., capabilities: [git, node], allowed_dependency_modes: [real, twin] }
dependencies: { llm: twin }
policy:
  retry: { initial_interval: 100ms, backoff_coefficient: 2, maximum_interval: 1s, maximum_attempts: 1 }
  stage_timeout: 1m
  human_gate: { timeout: 1h, on_timeout: default_choice, allow_self_approval: true }
  require_suite: false
${extra}`;
}

export interface Workspace {
  dir: string;
  pipeline: string;
  profile: string;
  write(name: string, text: string): string;
}

/** A temp project dir with pipeline.yaml (or .dot) and profile.yaml. */
export function workspace(pipeline: string, opts: { profile?: string; ext?: 'yaml' | 'dot' } = {}): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'factory-run-'));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  return { dir, pipeline: write(`pipeline.${opts.ext ?? 'yaml'}`, pipeline), profile: write('profile.yaml', opts.profile ?? testProfileYaml()), write };
}

/** Starts a run of the workspace's pipeline on `taskQueue`. */
export async function startRun(
  client: Client,
  taskQueue: string,
  ws: Workspace,
  extra: Partial<RunInput> = {},
): Promise<WorkflowHandle<typeof runPipeline>> {
  const runId = extra.runId ?? uniqueId('run');
  const input: RunInput = {
    runId,
    pipeline: { file: ws.pipeline },
    profile: { file: ws.profile },
    runRoot: join(ws.dir, 'runs'),
    startedBy: 'tester',
    ...extra,
  };
  return client.workflow.start('runPipeline', { taskQueue, workflowId: runId, args: [input] }) as Promise<WorkflowHandle<typeof runPipeline>>;
}

/** Events persisted in a run directory's events.jsonl. */
export function readEvents(runDir: string): RunEvent[] {
  const file = join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RunEvent);
}

export function readJson<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Polls `fn` until it returns a truthy value (or throws after `timeoutMs`). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`eventually: timed out${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
