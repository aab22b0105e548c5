// Where the run key lives (issue 24 item 7): clearing the state directory (`rm -rf ~/.factory`) must not lose
// the key that interrupted runs need to resume; a key left in the old place is adopted, not replaced.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointSigned, runKey, runKeyFiles, signCheckpoint } from '../../activities/signing';
import { checkpoint } from './helpers';

function homes() {
  const root = mkdtempSync(join(tmpdir(), 'factory-key-'));
  return { root, env: { HOME: join(root, 'home'), XDG_DATA_HOME: join(root, 'data'), FACTORY_STATE_DIR: join(root, 'home', '.factory') } };
}

describe('the run key', () => {
  it('keeps verifying a checkpoint after the state directory is removed', () => {
    const { root, env } = homes();
    mkdirSync(env.FACTORY_STATE_DIR, { recursive: true });
    writeFileSync(join(env.FACTORY_STATE_DIR, 'server.json'), '{}');
    const signed = signCheckpoint('run-1', checkpoint(), env);
    expect(runKey(env).source).toBe(join(root, 'data', 'factory', 'run-key'));
    expect(statSync(runKey(env).source).mode & 0o777).toBe(0o600);

    rmSync(env.FACTORY_STATE_DIR, { recursive: true, force: true });
    expect(checkpointSigned('run-1', signed, env)).toBe(true);
    expect(existsSync(env.FACTORY_STATE_DIR)).toBe(false);
  });

  it('adopts a key left in the old place so runs it signed stay resumable', () => {
    const { env } = homes();
    mkdirSync(env.FACTORY_STATE_DIR, { recursive: true });
    writeFileSync(join(env.FACTORY_STATE_DIR, 'run-key'), 'a'.repeat(64), { mode: 0o600 });
    expect(runKey(env).key.toString('utf8')).toBe('a'.repeat(64));
    expect(readFileSync(runKeyFiles(env).file, 'utf8')).toBe('a'.repeat(64));
  });

  it('still verifies a checkpoint signed by a different key left in the old place, and refuses one signed by neither', () => {
    const { env } = homes();
    const old = { ...env, FACTORY_RUN_KEY: 'b'.repeat(64) };
    const signedByOld = signCheckpoint('run-2', checkpoint(), old);
    mkdirSync(env.FACTORY_STATE_DIR, { recursive: true });
    writeFileSync(join(env.FACTORY_STATE_DIR, 'run-key'), 'c'.repeat(64));
    runKey(env); // adopts c…
    writeFileSync(join(env.FACTORY_STATE_DIR, 'run-key'), 'b'.repeat(64)); // the old place now holds another key
    expect(checkpointSigned('run-2', signedByOld, env)).toBe(true);
    expect(checkpointSigned('run-2', signCheckpoint('run-2', checkpoint(), { ...env, FACTORY_RUN_KEY: 'd'.repeat(64) }), env)).toBe(false);
  });
});
