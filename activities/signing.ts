// checkpoint.json is signed by the worker that writes it (HMAC-SHA256 with the workers' run key), so a
// resume never trusts a checkpoint someone edited by hand (e.g. a gate marked completed with no answer).
// The key: FACTORY_RUN_KEY (share it between the hosts of one deployment), else a per-user key file
// created on first use at $FACTORY_STATE_DIR/run-key (default ~/.factory/run-key, mode 0600).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint } from '../core/run-model';

/** The signature field added to checkpoint.json. */
export const SIGNATURE_FIELD = 'signature';

/** What checkpoint.json carries besides the checkpoint. */
export interface CheckpointSignature {
  alg: 'hmac-sha256';
  mac: string;
}

let cached: { source: string; key: Buffer } | undefined;

/** The run key (from the environment, else the key file, created once); where it came from for messages. */
export function runKey(env: NodeJS.ProcessEnv = process.env): { source: string; key: Buffer } {
  if (env.FACTORY_RUN_KEY) return { source: 'FACTORY_RUN_KEY', key: Buffer.from(env.FACTORY_RUN_KEY, 'utf8') };
  if (cached) return cached;
  const dir = env.FACTORY_STATE_DIR ?? join(homedir(), '.factory');
  const file = join(dir, 'run-key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
  cached = { source: file, key: Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8') };
  return cached;
}

/** The checkpoint with its signature, bound to the run id (a checkpoint copied from another run fails). */
export function signCheckpoint(runId: string, checkpoint: Checkpoint): Checkpoint & { signature: CheckpointSignature } {
  const { signature: _old, ...plain } = checkpoint as Checkpoint & { signature?: unknown };
  return { ...plain, signature: { alg: 'hmac-sha256', mac: mac(runId, plain) } };
}

/** Whether a checkpoint read back from checkpoint.json carries this key's signature for `runId`. */
export function checkpointSigned(runId: string, checkpoint: Checkpoint & { signature?: Partial<CheckpointSignature> }): boolean {
  const { signature, ...plain } = checkpoint;
  if (!signature || signature.alg !== 'hmac-sha256' || typeof signature.mac !== 'string') return false;
  const want = Buffer.from(mac(runId, plain), 'hex');
  const got = Buffer.from(signature.mac, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

function mac(runId: string, plain: object): string {
  return createHmac('sha256', runKey().key).update(`${runId}\n${JSON.stringify(plain)}`).digest('hex');
}
