// Extensions without writing a worker (issue 8; Attractor §4.12 custom handlers, §7.4 custom lint rules):
// a profile's `plugins` load the example plugin (examples/plugins/shout.ts) into `factory lint --profile`,
// preflight and the stage activity of a worker that never registered the type.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, REPO } from '../client/run-cli';
import { loadPlugins } from '../../activities/plugins';
import { allEvents, settle, testProfileYaml, useRunEnv, workspace } from '../helpers/runs';

const env = useRunEnv();
const PLUGIN = join(REPO, 'examples', 'plugins', 'shout.ts');
const DOT = readFileSync(join(REPO, 'examples', 'plugins', 'shout.dot'), 'utf8');
/** A transform plugin (§9.3): gives every example.shout node without text a default one. */
const DEFAULT_TEXT = `export default { transforms: [{ name: 'default_text', apply(graph) {
  return { ...graph, nodes: graph.nodes.map((n) => n.type === 'example.shout' && n.attrs.text === undefined ? { ...n, attrs: { ...n.attrs, text: 'defaulted by ' + n.id } } : n) };
} }] };
`;

describe('plugins from the profile', () => {
  it('lints the example pipeline clean with the plugin, and reports the plugin rule with file:line when text is missing', async () => {
    const ok = await runCli(['lint', 'examples/plugins/shout.dot', '--profile', 'examples/plugins/profile.yaml']);
    expect(ok).toMatchObject({ code: 0, stdout: expect.stringContaining('0 errors, 0 warnings') });
    const ws = workspace(DOT.replace(', text="hello plugins"', ''), { ext: 'dot', profile: testProfileYaml(`plugins: [${PLUGIN}]`) });
    const bad = await runCli(['lint', ws.pipeline, '--profile', ws.profile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${ws.pipeline}:4:3 error shout_has_text node 'loud' (example.shout) has no text attribute`);
  });

  it('runs a handler type the worker never registered when the run profile names its plugin', async () => {
    const ws = workspace(DOT, { ext: 'dot', profile: testProfileYaml('plugins: [./shout.ts]') });
    ws.write('shout.ts', readFileSync(PLUGIN, 'utf8').split('../../').join(`${REPO}/`));
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    const done = (await allEvents(handle)).find((e) => e.type === 'stage.completed' && e.data['node'] === 'loud');
    expect(done?.data).toMatchObject({ status: 'success' });
    expect(JSON.parse(readFileSync(join(result.runDir as string, 'checkpoint.json'), 'utf8')).context['shout.text']).toBe('HELLO PLUGINS');
  });

  it('fails boot naming the plugin file when the profile points at a missing plugin', async () => {
    const ws = workspace(DOT, { ext: 'dot', profile: testProfileYaml('plugins: [./nowhere.ts]') });
    const settled = await settle(await env.start(ws));
    if (settled.ok) throw new Error('expected BOOT_FAILURE');
    expect(settled.failure.type).toBe('BOOT_FAILURE');
    expect(settled.failure.message).toContain(`plugin ${join(ws.dir, 'nowhere.ts')} does not exist`);
  });

  it('runs the graph a plugin transform rewrote when the profile names a transform plugin', async () => {
    const ws = workspace(DOT.replace(', text="hello plugins"', ''), { ext: 'dot', profile: testProfileYaml('plugins: [./shout.ts, ./default-text.ts]') });
    ws.write('shout.ts', readFileSync(PLUGIN, 'utf8').split('../../').join(`${REPO}/`));
    ws.write('default-text.ts', DEFAULT_TEXT);
    // without the transform, preflight's shout_has_text rule fails the boot: lint and run both see the rewritten graph
    const lint = await runCli(['lint', ws.pipeline, '--profile', ws.profile]);
    expect(lint).toMatchObject({ code: 0, stdout: expect.stringContaining('0 errors') });
    const handle = await env.start(ws);
    const result = await handle.result();
    expect(result.outcome).toBe('succeeded');
    expect(JSON.parse(readFileSync(join(result.runDir as string, 'checkpoint.json'), 'utf8')).context['shout.text']).toBe('DEFAULTED BY LOUD');
  });

  it('fails boot naming the transform when a plugin transform throws', async () => {
    const ws = workspace(DOT, { ext: 'dot', profile: testProfileYaml('plugins: [./broken.ts]') });
    ws.write('broken.ts', "export default { transforms: [{ name: 'broken_rewrite', apply() { throw new Error('no graph for you'); } }] };\n");
    const settled = await settle(await env.start(ws));
    if (settled.ok) throw new Error('expected BOOT_FAILURE');
    expect(settled.failure.type).toBe('BOOT_FAILURE');
    expect(settled.failure.message).toContain('transform broken_rewrite failed: no graph for you');
    const lint = await runCli(['lint', ws.pipeline, '--profile', ws.profile]);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('plugin_transform');
  });

  it('refuses a plugin that exports nothing usable, naming the file and what it lacks', async () => {
    const ws = workspace(DOT, { ext: 'dot' });
    const path = ws.write('empty.ts', 'export const nothing = 1;\n');
    await expect(loadPlugins([path])).rejects.toThrow(`plugin ${path}: it exports none of handlers, transforms, lintRules`);
  });
});
