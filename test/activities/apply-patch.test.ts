// apply_patch (v4a, coding-agent-loop spec Appendix A): parsing, hunk matching, and the tool confined
// to the workspace.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyHunks, applyPatchTool, parsePatch } from '../../activities/agent/apply-patch';
import { runTool } from '../../activities/agent/tools';
import type { ToolEnv } from '../../activities/agent/tool-types';
import { tempDir } from './helpers';

const P = (body: string) => `*** Begin Patch\n${body}\n*** End Patch\n`;

describe('parsePatch', () => {
  it.each<[string, string, unknown]>([
    ['an added file', P('*** Add File: a.py\n+x = 1\n+y = 2'), [{ kind: 'add', path: 'a.py', lines: ['x = 1', 'y = 2'] }]],
    ['a deleted file', P('*** Delete File: old.py'), [{ kind: 'delete', path: 'old.py' }]],
    ['an update with a move and two hunks', P('*** Update File: a.py\n*** Move to: b.py\n@@ def f():\n-    return 0\n+    return 1\n@@\n x\n-y\n+z'),
      [{ kind: 'update', path: 'a.py', moveTo: 'b.py', hunks: [{ hint: 'def f():', lines: ['-    return 0', '+    return 1'] }, { hint: '', lines: [' x', '-y', '+z'] }] }]],
  ])('reads %s', (_n, patch, ops) => {
    expect(parsePatch(patch)).toEqual(ops);
  });

  it.each([
    ['no Begin line', '*** Update File: a\n*** End Patch', /must start with/],
    ['no End line', '*** Begin Patch\n*** Add File: a\n+x', /must end with/],
    ['a stray line', P('hello'), /line 2: expected "\*\*\* Add\/Delete\/Update File/],
    ['an update without hunks', P('*** Update File: a.py'), /has no hunks/],
  ])('refuses a patch with %s', (_n, patch, why) => {
    expect(() => parsePatch(patch)).toThrow(why);
  });
});

describe('applyHunks', () => {
  it('replaces the lines the context locates, after the hint, when the same context appears twice', () => {
    const text = 'def a():\n    return 0\n\ndef b():\n    return 0\n';
    expect(applyHunks(text, [{ hint: 'def b():', lines: ['-    return 0', '+    return 2'] }], 'f.py')).toBe('def a():\n    return 0\n\ndef b():\n    return 2\n');
  });

  it('matches context whose indentation differs when the exact match fails', () => {
    expect(applyHunks('  x = 1\n', [{ hint: '', lines: ['-x = 1', '+x = 2'] }], 'f')).toBe('x = 2\n');
  });

  it('names the hunk that does not match when the context is not in the file', () => {
    expect(() => applyHunks('a\nb\n', [{ hint: '', lines: ['-zzz', '+y'] }], 'f.py')).toThrow(/hunk 1 of f\.py does not match/);
  });
});

describe('apply_patch tool', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let env: ToolEnv;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('factory-patch-'));
    mkdirSync(join(dir, 'ws'));
    env = { root: join(dir, 'ws'), stageDir: dir, env: {}, signal: new AbortController().signal, defaultTimeoutMs: 1000, maxTimeoutMs: 1000, callId: 'c1', heartbeat: () => undefined };
  });
  afterEach(() => cleanup());

  it('adds, updates, moves and deletes files in one patch when every operation checks out', async () => {
    writeFileSync(join(dir, 'ws', 'main.py'), 'import sys\nprint("Hello")\nreturn 0\n');
    writeFileSync(join(dir, 'ws', 'gone.py'), 'x\n');
    const out = await applyPatchTool.run(
      { patch: P('*** Add File: pkg/new.py\n+VALUE = 1\n*** Update File: main.py\n*** Move to: app.py\n@@ import sys\n print("Hello")\n-return 0\n+return 1\n*** Delete File: gone.py') },
      env,
    );
    expect(out).toBe('A pkg/new.py\nR main.py -> app.py\nD gone.py');
    expect(readFileSync(join(dir, 'ws', 'pkg', 'new.py'), 'utf8')).toBe('VALUE = 1\n');
    expect(readFileSync(join(dir, 'ws', 'app.py'), 'utf8')).toBe('import sys\nprint("Hello")\nreturn 1\n');
    expect(existsSync(join(dir, 'ws', 'main.py'))).toBe(false);
    expect(existsSync(join(dir, 'ws', 'gone.py'))).toBe(false);
  });

  it('writes nothing and reports the error to the model when one hunk fails or a path leaves the workspace', async () => {
    writeFileSync(join(dir, 'ws', 'a.py'), 'a\n');
    const bad = await runTool([applyPatchTool], 'apply_patch', { patch: P('*** Add File: b.py\n+b\n*** Update File: a.py\n@@\n-nope\n+x') }, env);
    expect(bad).toMatchObject({ isError: true });
    expect(bad.output).toMatch(/Tool error \(apply_patch\): hunk 1 of a\.py does not match/);
    expect(existsSync(join(dir, 'ws', 'b.py'))).toBe(false);
    const out = await runTool([applyPatchTool], 'apply_patch', { patch: P('*** Add File: ../escape.py\n+x') }, env);
    expect(out.output).toMatch(/outside the workspace/);
    expect(existsSync(join(dir, 'escape.py'))).toBe(false);
  });
});
