// prompt_file (issue 22): a node's prompt read at load time from a file next to the graph, confined to
// the graph's directory. A graph is untrusted input: it must not read anything outside its directory.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSpecBytes, loadSpecFile } from '../../definitions/load';
import { MAX_PROMPT_FILE_BYTES } from '../../definitions/dot/prompt-file';
import { publishToRoot } from '../../definitions/registry';

const SECRET = 'CANARY-prompt-file-secret-7d1';
const graphWith = (attrs: string) => `digraph p {\n  start [shape=Mdiamond]\n  exit [shape=Msquare]\n  plan [${attrs}]\n  start -> plan -> exit\n}\n`;

describe('prompt_file', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'factory-prompt-file-'));
    dir = join(root, 'graph');
    mkdirSync(join(dir, 'prompts'), { recursive: true });
    writeFileSync(join(dir, 'prompts', 'plan.md'), 'Plan it carefully.\n');
    writeFileSync(join(root, 'secret.txt'), SECRET);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const load = async (attrs: string) => loadSpecFile(writeGraph(attrs));
  const writeGraph = (attrs: string) => {
    const file = join(dir, 'g.dot');
    writeFileSync(file, graphWith(attrs));
    return file;
  };
  const plan = async (attrs: string) => {
    const loaded = await load(attrs);
    return { loaded, node: loaded.kind === 'PipelineSpec' ? loaded.graph?.nodes.find((n) => n.id === 'plan') : undefined };
  };

  it('loads the prompt from a file next to the graph, as plain data', async () => {
    const { loaded, node } = await plan('prompt_file="prompts/plan.md"');
    expect(loaded.diagnostics).toEqual([]);
    expect(node?.prompt).toBe('Plan it carefully.\n');
  });

  it.each([
    ['a path up and out of the directory', '../secret.txt', 'leads out of the graph\'s directory'],
    ['an absolute path', '/etc/passwd', 'must be a path relative to the graph\'s directory'],
    ['a file that does not exist', 'prompts/none.md', 'does not exist'],
    ['the directory itself', '.', 'leads out of the graph\'s directory'],
  ])('refuses %s with an error at the attribute', async (_what, path, why) => {
    const { loaded } = await plan(`prompt_file="${path}"`);
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ rule: 'prompt_file', severity: 'error', node: 'plan', line: 4, message: expect.stringContaining(why) })]);
    expect(JSON.stringify(loaded)).not.toContain(SECRET);
  });

  it('refuses a symlink that points out of the directory', async () => {
    symlinkSync(join(root, 'secret.txt'), join(dir, 'prompts', 'evil.md'));
    const { loaded } = await plan('prompt_file="prompts/evil.md"');
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ rule: 'prompt_file', message: expect.stringContaining('leads out of the graph\'s directory') })]);
    expect(JSON.stringify(loaded)).not.toContain(SECRET);
  });

  it('refuses a prompt file over the size limit', async () => {
    writeFileSync(join(dir, 'prompts', 'big.md'), 'x'.repeat(MAX_PROMPT_FILE_BYTES + 1));
    const { loaded } = await plan('prompt_file="prompts/big.md"');
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ rule: 'prompt_file', message: expect.stringContaining('over the') })]);
  });

  it('keeps an explicit prompt and warns that the file is not read', async () => {
    const { loaded, node } = await plan('prompt="inline", prompt_file="prompts/plan.md"');
    expect(node?.prompt).toBe('inline');
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ rule: 'prompt_file', severity: 'warning' })]);
  });

  it('reads nothing when the graph comes as bytes with no directory (a registry copy)', () => {
    const loaded = loadSpecBytes(Buffer.from(graphWith('prompt_file="prompts/plan.md"')), join(dir, 'g.dot'));
    expect(loaded.diagnostics).toEqual([expect.objectContaining({ rule: 'prompt_file', severity: 'error', message: expect.stringContaining('read only when the graph is loaded from a file') })]);
  });

  it('is refused by publish: the registry digest would not lock the prompt file', async () => {
    const file = writeGraph('prompt_file="prompts/plan.md"');
    await expect(publishToRoot(root, file)).rejects.toThrow(/reads prompt_file, which the registry's digest would not lock/);
  });
});
