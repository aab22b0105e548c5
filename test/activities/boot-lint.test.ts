// Issue 22 through the boot activities: a strict profile refuses a typo'd attribute, shape or edge endpoint, a lenient
// one lets it through as a warning naming the intended word; unknown types say how to add or map a
// handler (or fall back to the shape behind policy.unknown_types); the twin stands in for every provider.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDefaultHandlers } from '../../activities/handlers';
import { resolveNodeProvider } from '../../activities/llm/resolve';
import { preflight } from '../../activities/preflight';
import { resolveSpecs } from '../../activities/specs';
import { WORKFLOW_NODE_TYPES } from '../../core/node-types';
import type { FactoryProfile } from '../../definitions/schemas/profile';
import { loadProfileYaml } from '../../definitions/yaml';
import { bootCauses, failureOf, tempDir, writeUnder } from './helpers';

const REPO = join(__dirname, '..', '..');
const profileOf = (policy: string, provider = '{ kind: twin }'): FactoryProfile => {
  const text = `kind: FactoryProfile\nid: p\nversion: 1.0.0\nprovider: ${provider}\npolicy: { require_suite: false${policy} }\n`;
  const { profile, diagnostics } = loadProfileYaml(text, 'p.yaml');
  if (!profile) throw new Error(JSON.stringify(diagnostics));
  return profile;
};
const LENIENT = profileOf('');
const STRICT = profileOf(', lint: strict');

/** The three typos, each in an otherwise valid graph, with the word lint must name. */
const TYPOS: [string, string, string, string][] = [
  ['shape=hexagone', 'review [shape=hexagone, label="Review"]', 'unknown_shape', "did you mean 'hexagon'?"],
  ['tool_comand=', 'review [shape=parallelogram, tool_comand="make test"]', 'unknown_attr', "did you mean 'tool_command'?"],
  ['conditon=', 'review [prompt="Review it"]', 'unknown_attr', "did you mean 'condition'?"],
];
const graphText = (review: string, edgeAttrs = '') => `digraph typo {
  graph [goal="Ship it"]
  start [shape=Mdiamond]
  exit  [shape=Msquare]
  ${review}
  start -> review
  review -> exit [label="done"${edgeAttrs}]
}
`;

describe('boot with lint warnings (issue 22)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await tempDir('factory-boot-lint-')));
  afterEach(() => cleanup());

  const write = (rel: string, text: string) => writeUnder(root, rel, text);
  const boot = async (text: string, profile: FactoryProfile) => {
    const file = await write('g.dot', text);
    const specs = await resolveSpecs({ pipeline: { file }, profile }, { registryRoot: root });
    return preflight({ graph: specs.graph, profile, workflowTypes: WORKFLOW_NODE_TYPES, source: file }, { handlers: createDefaultHandlers() });
  };
  const typoGraph = (typo: string, review: string) => graphText(review, typo === 'conditon=' ? ', conditon="outcome=success"' : '');

  it.each(TYPOS)('refuses %s under a strict profile, naming the intended word', async (typo, review, rule, fix) => {
    const causes = bootCauses(await failureOf(boot(typoGraph(typo, review), STRICT)));
    const cause = causes.find((c) => c.includes(rule));
    expect(cause).toContain(fix);
    expect(cause).toContain('policy.lint: strict');
  });

  it.each(TYPOS)('lets %s through a lenient profile as a warning naming the intended word', async (typo, review, rule, fix) => {
    const report = await boot(typoGraph(typo, review), LENIENT);
    expect(report.warnings.find((w) => w.includes(rule))).toContain(fix);
  });

  // an edge to `reviw` (typo) makes a codergen node of it: the loader's implicit_node warning, which preflight never sees
  const implicitTypo = graphText('review [prompt="Review it"]').replace('review -> exit [label="done"]', 'review -> exit [label="done"]\n  start -> reviw');

  it('refuses an implicit node (an edge to a misspelt id) under a strict profile at spec resolve, naming the declared id', async () => {
    const causes = bootCauses(await failureOf(boot(implicitTypo, STRICT)));
    const cause = causes.find((c) => c.includes('implicit_node'));
    expect(cause).toMatch(/g\.dot:8:\d+ warning implicit_node node 'reviw' appears only in edges/);
    expect(cause).toContain("did you mean 'review'?");
    expect(cause).toContain('(refused: the profile sets policy.lint: strict)');
  });

  it('lets an implicit node through a lenient profile (the loader warned; the graph runs as Graphviz reads it)', async () => {
    const report = await boot(implicitTypo, LENIENT);
    expect(report.warnings.some((w) => w.includes('implicit_node'))).toBe(false);
  });

  it('boots a graph with Graphviz drawing attributes (rankdir, color) under a strict profile', async () => {
    const text = graphText('review [prompt="x", color=red, style=filled]').replace('graph [goal="Ship it"]', 'graph [goal="Ship it"]\n  rankdir=LR');
    await expect(boot(text, STRICT)).resolves.toMatchObject({ warnings: [] });
  });

  it('ships the ci and prod profiles strict', () => {
    for (const name of ['ci', 'prod']) {
      const { profile } = loadProfileYaml(readFileSync(join(REPO, 'examples', 'profiles', `${name}.yaml`), 'utf8'), `${name}.yaml`);
      expect(profile?.policy.lint).toBe('strict');
    }
  });

  it('refuses an unknown type saying how to add a handler or map the type', async () => {
    const causes = bootCauses(await failureOf(boot(graphText('review [type="deploy.k8s", prompt="x"]'), LENIENT)));
    expect(causes).toEqual([expect.stringMatching(/no handler registered for node type "deploy\.k8s" \(node review\).*plugin.*policy\.unknown_types: shape/)]);
  });

  it('runs an unknown type as its shape\'s handler when the profile sets policy.unknown_types: shape', async () => {
    const profile = profileOf(', unknown_types: shape');
    const file = await write('g.dot', graphText('review [type="deploy.k8s", shape=parallelogram, tool_command="true"]'));
    const specs = await resolveSpecs({ pipeline: { file }, profile }, { registryRoot: root });
    expect(specs.graph.nodes.find((n) => n.id === 'review')?.type).toBe('tool');
    await expect(preflight({ graph: specs.graph, profile, workflowTypes: WORKFLOW_NODE_TYPES }, { handlers: createDefaultHandlers() })).resolves.toBeDefined();
  });

  it('boots the spec\'s §8.6 stylesheet example on the twin and notes the providers it stands in for', async () => {
    const text = readFileSync(join(REPO, 'examples', 'attractor', 'stylesheet.dot'), 'utf8');
    const report = await boot(text, STRICT);
    expect(report.notes).toEqual(['the twin stands in for llm_provider "anthropic", "openai" (provider.kind: twin)']);
  });

  it('still refuses an undeclared llm_provider when the provider is real', async () => {
    const real = profileOf('', '{ kind: openai, model: gpt-4.1 }');
    const causes = bootCauses(await failureOf(boot(graphText('review [prompt="x", llm_provider="anthropic"]'), real)));
    expect(causes.some((c) => c.includes('llm_provider "anthropic" is not declared'))).toBe(true);
  });

  it('resolves any named provider to the twin at stage time when the profile provider is the twin', () => {
    const np = resolveNodeProvider({ id: 'n', llm_provider: 'anthropic', llm_model: 'claude-opus-4-6' }, { kind: 'twin' }, { twin: { kind: 'twin' } });
    expect(np.config).toEqual({ kind: 'twin' });
  });
});
