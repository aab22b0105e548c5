// `factory status <run dir>` without a server: run.json is rewritten only at some flushes, while every
// event reaches events.jsonl before the workflow goes on. A run parked at a gate can have a run.json
// that still says `booting`; the events after run.json's lastSeq say where the run really is.
import type { RunEnvelope, RunEvent, RunStatus } from '../core/run-model';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The envelope brought up to date with the events written after it (status, current node, open gates, outcome). */
export function envelopeWithEvents(env: RunEnvelope, events: readonly RunEvent[]): RunEnvelope {
  let status: RunStatus = env.status;
  let currentNode = env.currentNode;
  let outcome = env.outcome;
  const open = new Set(env.openGates ?? []);
  let lastSeq = env.lastSeq ?? 0;
  for (const e of events) {
    if (e.seq <= (env.lastSeq ?? 0)) continue;
    lastSeq = e.seq;
    const gate = typeof e.data['gate'] === 'string' ? e.data['gate'] : undefined;
    switch (e.type) {
      case 'run.started':
      case 'run.resumed':
        status = 'executing';
        break;
      case 'stage.started':
        status = 'executing';
        if (typeof e.data['node'] === 'string') currentNode = e.data['node'];
        break;
      case 'run.awaiting_human':
      case 'gate.opened':
        status = 'awaiting_human';
        if (gate) open.add(gate);
        break;
      case 'gate.closed':
        if (gate) open.delete(gate);
        if (open.size === 0 && status === 'awaiting_human') status = 'executing';
        break;
      case 'run.evaluating':
        status = 'evaluating';
        break;
      case 'run.approved':
        status = 'approved';
        outcome = 'approved';
        break;
      case 'run.rejected':
        status = 'rejected';
        outcome = 'rejected';
        break;
      case 'run.failed':
        status = 'failed';
        outcome = 'failed';
        break;
      case 'run.completed':
        status = 'completed';
        if (typeof e.data['outcome'] === 'string') outcome = e.data['outcome'] as RunEnvelope['outcome'];
        break;
      default:
        break;
    }
  }
  if (lastSeq === (env.lastSeq ?? 0)) return env;
  return { ...env, status, lastSeq, openGates: [...open], ...(currentNode !== undefined ? { currentNode } : {}), ...(outcome !== undefined ? { outcome } : {}) };
}

/** `arg` as a run directory (relative to `cwd`) when it is one (holds run.json), else undefined: then it is a run id. */
export function runDirOf(cwd: string, arg: string): string | undefined {
  const dir = resolve(cwd, arg);
  return existsSync(join(dir, 'run.json')) && statSync(dir).isDirectory() ? dir : undefined;
}
