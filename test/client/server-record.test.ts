// `.factory/server.json` cleans itself: a record whose dev server is dead, or whose pid now belongs to
// another process (told apart by the /proc start time), or that is unreadable, is removed when read,
// and a command that falls back to the default address says so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readServerRecord, removeServerRecord, resolveTarget } from '../../client/temporal';
import { processStartTime } from '../../infra/process-identity';
import { runCli } from './run-cli';

function project(record: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'factory-server-record-'));
  mkdirSync(join(dir, '.factory'));
  const file = join(dir, '.factory', 'server.json');
  writeFileSync(file, typeof record === 'string' ? record : JSON.stringify(record));
  return { dir, file };
}

/** A pid that was a process a moment ago and is gone now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

const io = (cwd: string, env: Record<string, string> = {}) => {
  const err: string[] = [];
  return { err, io: { out: () => undefined, err: (l: string) => void err.push(l), cwd, env } };
};

describe('the embedded server record', () => {
  it('keeps a record whose pid and start time name the running process', () => {
    const record = { address: '127.0.0.1:40001', namespace: 'default', pid: process.pid, pidStart: processStartTime(process.pid) };
    const { dir, file } = project(record);
    expect(readServerRecord(dir)).toEqual(record);
    expect(existsSync(file)).toBe(true);
    const t = io(dir);
    expect(resolveTarget(t.io, {}).address).toBe('127.0.0.1:40001');
    expect(t.err).toEqual([]);
  });

  test.each<[string, () => unknown, RegExp]>([
    ['its server process is dead', () => ({ address: '127.0.0.1:40002', namespace: 'default', pid: deadPid(), pidStart: '1' }), /it names the dev server at 127\.0\.0\.1:40002, but pid \d+ is gone/],
    ['its pid was reused by another process', () => ({ address: '127.0.0.1:40003', namespace: 'default', pid: process.pid, pidStart: '1' }), /but pid \d+ now belongs to another process/],
    ['it was left by a release that recorded no start time and the pid is dead', () => ({ address: '127.0.0.1:40004', namespace: 'default', pid: deadPid() }), /but pid \d+ is gone/],
    ['it is not JSON', () => '{"address": "127.0.0.1:4', /it is not a server record/],
  ])('removes the record and says so when %s', (_name, record, reason) => {
    const { dir, file } = project(record());
    const t = io(dir);
    const target = resolveTarget(t.io, {});
    expect(target.address).toBe('127.0.0.1:7233');
    expect(existsSync(file)).toBe(false);
    expect(t.err).toHaveLength(1);
    expect(t.err[0]).toMatch(/^factory: removed stale \.factory\/server\.json: /);
    expect(t.err[0]).toMatch(reason);
    expect(t.err[0]).toContain('using the default address 127.0.0.1:7233 (pass --address or set TEMPORAL_ADDRESS)');
    expect(readServerRecord(dir)).toBeUndefined();
  });

  it('removes a stale record quietly when the command names its address', () => {
    const { dir, file } = project({ address: '127.0.0.1:40005', namespace: 'default', pid: deadPid() });
    const t = io(dir, { TEMPORAL_ADDRESS: '127.0.0.1:40006' });
    expect(resolveTarget(t.io, {}).address).toBe('127.0.0.1:40006');
    expect(existsSync(file)).toBe(false);
    expect(t.err).toEqual([]);
  });

  it('leaves the record of a later factory run in place when an earlier one stops', () => {
    const { dir, file } = project({ address: '127.0.0.1:40008', namespace: 'default', pid: process.pid });
    removeServerRecord(dir, process.pid + 1);
    expect(existsSync(file)).toBe(true);
    removeServerRecord(dir, process.pid);
    expect(existsSync(file)).toBe(false);
  });

  it('prints the fallback before the command runs when a command meets a stale record', async () => {
    const { dir, file } = project({ address: '127.0.0.1:40007', namespace: 'default', pid: deadPid(), pidStart: '1' });
    const r = await runCli(['gates', 'run-none'], dir);
    expect(r.stderr.split('\n')[0]).toMatch(/^factory: removed stale \.factory\/server\.json: it names the dev server at 127\.0\.0\.1:40007, but pid \d+ is gone; using the default address/);
    expect(existsSync(file)).toBe(false);
  }, 30_000);
});
