// The sandbox module without a model: how the policy resolves on a machine with and without
// bubblewrap, what the bwrap command line hides and passes, and that a policy reaching a stage is
// honoured (network on, none); a shell call that times out takes its background jobs with it.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bwrapArgs, confine, hiddenInWorkspace, sandboxEnv } from '../../activities/sandbox/bwrap';
import { DEFAULT_SANDBOX, resolveSandbox } from '../../activities/sandbox/policy';
import { probeBwrap } from '../../activities/sandbox/probe';
import { StageConfigError } from '../../activities/errors';
import { toolHandler } from '../../activities/handlers/tool';
import { shellTool } from '../../activities/agent/tools-shell';
import type { ProcessSpec } from '../../activities/handlers/process';
import { node, stageContext, tempDir } from './helpers';
import { eventually } from '../helpers/runs';

/** Host pids of `sleep <token>…` processes (the program itself, not a shell or bwrap naming it). */
function sleepers(token: string): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const [prog, arg] = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      return prog === 'sleep' && (arg ?? '').startsWith(token);
    } catch {
      return false;
    }
  });
}

const missing = async () => ({ ok: false as const, reason: '/usr/bin/bwrap not found' });

describe('resolveSandbox', () => {
  it('refuses a stage with a real model on a machine without bubblewrap, naming the package and the opt-out', async () => {
    const err = await resolveSandbox(undefined, false, missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StageConfigError);
    expect((err as Error).message).toMatch(/bubblewrap does not work on this worker \(\/usr\/bin\/bwrap not found\).*Debian package bubblewrap.*sandbox: none/);
  });

  it('runs a twin-only stage unsandboxed without bubblewrap and says so', async () => {
    expect(await resolveSandbox(undefined, true, missing)).toMatchObject({ mode: 'none', note: expect.stringContaining('twin-only run runs commands unsandboxed') });
  });

  it('honours `sandbox: none` without asking for bubblewrap, and uses bubblewrap where it works', async () => {
    const never = () => Promise.reject(new Error('not asked'));
    expect(await resolveSandbox({ ...DEFAULT_SANDBOX, mode: 'none' }, false, never)).toMatchObject({ mode: 'none', note: expect.stringContaining('profile') });
    expect(await resolveSandbox(undefined, false)).toEqual(DEFAULT_SANDBOX);
  });
});

describe('probeBwrap', () => {
  it('names a missing binary and a failing one, and answers yes for the real one', async () => {
    expect(await probeBwrap('/nonexistent/bwrap')).toEqual({ ok: false, reason: '/nonexistent/bwrap not found' });
    expect(await probeBwrap('/bin/false')).toMatchObject({ ok: false, reason: expect.stringContaining('/bin/false failed') });
    expect(await probeBwrap()).toEqual({ ok: true });
  });
});

describe('the bwrap command line', () => {
  const spec = (env: NodeJS.ProcessEnv): ProcessSpec => ({ argv: ['/bin/sh', '-c', 'true'], cwd: '/w/ws', env, signal: new AbortController().signal, stdoutFile: '/dev/null', stderrFile: '/dev/null' });

  it('takes the environment from the allow-list and the named variables only, and starts bwrap itself with none', () => {
    const out = confine(spec({ PATH: '/usr/bin', LANG: 'C.UTF-8', FACTORY_RUN_KEY: 'k', OPENAI_API_KEY: 'sk', FACTORY_NODE_ID: 'n', MY_REGISTRY: 'r' }), { sandbox: { ...DEFAULT_SANDBOX, env: ['MY_REGISTRY'] }, writable: ['/w/ws'] }, ['FACTORY_NODE_ID']);
    expect(out.env).toEqual({});
    const set = new Map<string, string>();
    out.argv.forEach((a, i) => a === '--setenv' && set.set(out.argv[i + 1] as string, out.argv[i + 2] as string));
    expect(Object.fromEntries(set)).toEqual({ PATH: '/usr/bin', LANG: 'C.UTF-8', FACTORY_NODE_ID: 'n', MY_REGISTRY: 'r', HOME: '/home/sandbox', TMPDIR: '/tmp' });
    expect(out.argv).toContain('--clearenv');
    expect(out.argv.slice(-4)).toEqual(['--', '/bin/sh', '-c', 'true']);
    expect(sandboxEnv({ SECRET_TOKEN: 'x' }, [])).toEqual({ HOME: '/home/sandbox', TMPDIR: '/tmp' });
  });

  it('turns the network namespace off by default and leaves it shared only with network: on', () => {
    expect(bwrapArgs({ sandbox: DEFAULT_SANDBOX, writable: ['/w/ws'] }, '/w/ws', {})).toContain('--unshare-net');
    expect(bwrapArgs({ sandbox: { ...DEFAULT_SANDBOX, network: 'on' }, writable: ['/w/ws'] }, '/w/ws', {})).not.toContain('--unshare-net');
  });

  it('never binds / and covers a run root inside the workspace, binding the stage directory back on top', () => {
    const a = bwrapArgs({ sandbox: DEFAULT_SANDBOX, writable: ['/w', '/w/runs/r1/t'], hide: hiddenInWorkspace('/w', '/w/runs/r1') }, '/w', {});
    expect(a.join(' ')).not.toMatch(/--(ro-)?bind \/ \//);
    const hideAt = a.findIndex((x, i) => x === '--tmpfs' && a[i + 1] === '/w/runs');
    const rebindAt = a.lastIndexOf('/w/runs/r1/t');
    expect(hideAt).toBeGreaterThan(a.indexOf('/w'));
    expect(rebindAt).toBeGreaterThan(hideAt);
  });

  it('leaves a spec alone when the sandbox is none', () => {
    const s = spec({ PATH: '/usr/bin', FACTORY_RUN_KEY: 'k' });
    expect(confine(s, { sandbox: { ...DEFAULT_SANDBOX, mode: 'none' }, writable: ['/w/ws'] })).toBe(s);
  });
});

describe('a stage\'s policy reaches its processes', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('factory-sbx-')));
  afterEach(() => cleanup());

  it('runs a tool stage with `sandbox: none` unconfined (it sees the worker\'s variables) and sandboxed by default (it does not)', async () => {
    const n = node('t', { type: 'tool', tool_command: 'echo "[$WORKER_ONLY]"; ls / | wc -l' });
    mkdirSync(join(dir, 't'), { recursive: true });
    const env = { PATH: process.env.PATH, WORKER_ONLY: 'w-1' };
    const open = await toolHandler.execute(stageContext(dir, n, { env, sandbox: { ...DEFAULT_SANDBOX, mode: 'none' } }));
    expect(open.context_updates?.['tool.output']).toMatch(/^\[w-1\]/);
    expect(open.notes).toContain('sandbox: none (profile)');
    const boxed = await toolHandler.execute(stageContext(dir, n, { env }));
    expect(boxed.context_updates?.['tool.output']).toMatch(/^\[\]/);
  });

  it('kills a timed-out shell call\'s background jobs with it', async () => {
    const ws = join(dir, 'ws');
    mkdirSync(ws);
    const token = '86417';
    const out = await shellTool.run({ command: `sleep ${token} & sleep ${token}` }, {
      root: ws, stageDir: join(dir, 'code'), env: { PATH: process.env.PATH }, signal: new AbortController().signal,
      defaultTimeoutMs: 300, maxTimeoutMs: 300, callId: 'c1', heartbeat: () => undefined,
    });
    expect(out).toContain('Command timed out after 300ms');
    const deadline = Date.now() + 15_000;
    while (sleepers(token).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const p of sleepers(token)) process.kill(Number(p), 'SIGKILL');
    expect(sleepers(token)).toEqual([]);
  });

  it('never writes the next attempt\'s context.json through a link the sandboxed command left in its stage directory', async () => {
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'untouched\n');
    mkdirSync(join(dir, 'ws'));
    mkdirSync(join(dir, 'runs', 'r1', 't'), { recursive: true });
    const n = node('t', { type: 'tool', tool_command: `ln -sf ${outside} "$FACTORY_CONTEXT_FILE"; exit 1` });
    const ctx = stageContext(join(dir, 'runs', 'r1'), n, { workdir: join(dir, 'ws'), context: { 'a.b': 'from the run' } });
    expect((await toolHandler.execute(ctx)).status).toBe('fail');
    await expect(toolHandler.execute({ ...ctx, attempt: 2 })).rejects.toThrow(/ELOOP|symbolic link/);
    expect(readFileSync(outside, 'utf8')).toBe('untouched\n');
  });

  it('leaves nothing of a sandboxed command running when the worker running it is SIGKILLed', async () => {
    mkdirSync(join(dir, 'ws'));
    const token = '8643';
    const worker = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '..', 'fixtures', 'sandbox-process-main.ts'), dir, token], { stdio: 'ignore' });
    await eventually(async () => readFileSync(join(dir, 'stdout.log'), 'utf8').includes('ready') || undefined, 30_000);
    expect(sleepers(token).length).toBe(4);
    worker.kill('SIGKILL');
    const gone = await eventually(async () => sleepers(token).length === 0 || undefined, 15_000).catch(() => false);
    for (const p of sleepers(token)) process.kill(Number(p), 'SIGKILL');
    expect(gone).toBe(true);
  }, 60_000);
});
