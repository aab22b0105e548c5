// checkpoint.json is signed by the worker that writes it (HMAC-SHA256 with the workers' run key), so a
// resume never trusts a checkpoint someone edited by hand (e.g. a gate marked completed with no answer).
// The key: FACTORY_RUN_KEY (share it between the hosts of one deployment), else a per-user key file
// created on first use. The file is user data, not state: it lives at $FACTORY_RUN_KEY_FILE, else
// $XDG_DATA_HOME/factory/run-key (default ~/.local/share/factory/run-key, mode 0600), so clearing the
// state directory (`rm -rf ~/.factory`) no longer loses every interrupted run's resume. A key left in the
// old place ($FACTORY_STATE_DIR or ~/.factory, run-key) is adopted when the new file does not exist yet,
// and still verifies checkpoints it signed while it exists. Like ~/.factory, the key's directory must stay
// outside whatever the agent's sandbox can read.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Checkpoint } from '../core/run-model';

/** The signature field added to checkpoint.json. */
export const SIGNATURE_FIELD = 'signature';

/** What checkpoint.json carries besides the checkpoint. */
export interface CheckpointSignature {
  alg: 'hmac-sha256';
  mac: string;
}

type Env = Readonly<Record<string, string | undefined>>;
const cache = new Map<string, { source: string; key: Buffer }>();

/** Where the run key file lives (FACTORY_RUN_KEY_FILE, else the XDG data directory), and the old place it may still be. */
export function runKeyFiles(env: Env = process.env): { file: string; legacy: string } {
  const home = env.HOME || homedir();
  const data = env.XDG_DATA_HOME || join(home, '.local', 'share');
  return {
    file: env.FACTORY_RUN_KEY_FILE || join(data, 'factory', 'run-key'),
    legacy: join(env.FACTORY_STATE_DIR || join(home, '.factory'), 'run-key'),
  };
}

/** The run key (from the environment, else the key file, created once or adopted from the old place); where it came from for messages. */
export function runKey(env: Env = process.env): { source: string; key: Buffer } {
  if (env.FACTORY_RUN_KEY) return { source: 'FACTORY_RUN_KEY', key: Buffer.from(env.FACTORY_RUN_KEY, 'utf8') };
  const { file, legacy } = runKeyFiles(env);
  const known = cache.get(file);
  if (known) return known;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // exclusive create: two workers starting at once agree on one key
    writeFileSync(file, readKey(legacy) ?? randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
  const text = readKey(file)?.trim();
  if (!text) throw new Error(`the run key file ${file} is unreadable or empty; restore it, or set FACTORY_RUN_KEY`);
  const key = { source: file, key: Buffer.from(text, 'utf8') };
  cache.set(file, key);
  return key;
}

/** Every key a checkpoint may be signed with here: the run key, and a different key still left in the old place. */
function verifyingKeys(env: Env): Buffer[] {
  const primary = runKey(env);
  if (primary.source === 'FACTORY_RUN_KEY') return [primary.key];
  const old = readKey(runKeyFiles(env).legacy)?.trim();
  return old && old !== primary.key.toString('utf8') ? [primary.key, Buffer.from(old, 'utf8')] : [primary.key];
}

function readKey(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The checkpoint with its signature, bound to the run id (a checkpoint copied from another run fails). */
export function signCheckpoint(runId: string, checkpoint: Checkpoint, env: Env = process.env): Checkpoint & { signature: CheckpointSignature } {
  const { signature: _old, ...plain } = checkpoint as Checkpoint & { signature?: unknown };
  return { ...plain, signature: { alg: 'hmac-sha256', mac: mac(runKey(env).key, runId, plain) } };
}

/** Whether a checkpoint read back from checkpoint.json carries this key's signature for `runId`. */
export function checkpointSigned(runId: string, checkpoint: Checkpoint & { signature?: Partial<CheckpointSignature> }, env: Env = process.env): boolean {
  const { signature, ...plain } = checkpoint;
  if (!signature || signature.alg !== 'hmac-sha256' || typeof signature.mac !== 'string') return false;
  const got = Buffer.from(signature.mac, 'hex');
  return verifyingKeys(env).some((key) => {
    const want = Buffer.from(mac(key, runId, plain), 'hex');
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

function mac(key: Buffer, runId: string, plain: object): string {
  return createHmac('sha256', key).update(`${runId}\n${JSON.stringify(plain)}`).digest('hex');
}
