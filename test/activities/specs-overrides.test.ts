// resolveSpecs with the goal and parameters given at submit (issue 23: factory run --goal, -p): the graph a
// run boots with has them expanded, from a published pipeline and from a file alike; a parameter the
// pipeline does not declare is a BOOT_FAILURE naming it, so a run started by another client (the temporal
// CLI, an SDK) with a wrong name fails at boot, not later.
import { resolveSpecs } from '../../activities/specs';
import { publishToRoot } from '../../definitions/registry';
import { loadProfileYaml } from '../../definitions/yaml';
import { bootCauses, failureOf, tempDir, writeUnder } from './helpers';

const PIPELINE = `kind: PipelineSpec
id: demo
version: 1.0.0
goal: the default goal
attrs: { branch: main }
nodes:
  - { id: start, type: start }
  - { id: work, prompt: "Do $goal on $branch" }
  - { id: exit, type: exit }
edges:
  - { from: start, to: work }
  - { from: work, to: exit }
`;
const { profile } = loadProfileYaml('kind: FactoryProfile\nid: p\nversion: 1.0.0\nprovider: { kind: twin }\nenvironment: { capabilities: [node], allowed_dependency_modes: [twin] }\npolicy: { require_suite: false }\n', 'p.yaml');

describe('resolveSpecs with submit overrides', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir: root, cleanup } = await tempDir('factory-overrides-')));
  afterEach(() => cleanup());
  const write = (rel: string, text: string) => writeUnder(root, rel, text);
  const resolve = (pipeline: { file: string } | { ref: string }, o: { goal?: string; params?: Record<string, string> } = {}) =>
    resolveSpecs({ pipeline, profile: profile as NonNullable<typeof profile>, ...o }, { registryRoot: root });

  it('expands the pipeline\'s own goal and parameter defaults when none are given', async () => {
    await write('p.yaml', PIPELINE);
    const res = await resolve({ file: 'p.yaml' });
    expect(res.graph.nodes.find((n) => n.id === 'work')?.prompt).toBe('Do the default goal on main');
  });

  it('boots a published pipeline with the goal and parameters given, its digest unchanged', async () => {
    await publishToRoot(root, await write('src/p.yaml', PIPELINE));
    const plain = await resolve({ ref: 'demo@1.0.0' });
    const res = await resolve({ ref: 'demo@1.0.0' }, { goal: 'ship v2', params: { branch: 'release' } });
    expect(res.graph.nodes.find((n) => n.id === 'work')?.prompt).toBe('Do ship v2 on release');
    expect(res.graph.goal).toBe('ship v2');
    expect(res.pipelineDigest).toBe(plain.pipelineDigest);
  });

  it('fails boot naming a parameter the pipeline does not declare', async () => {
    await write('p.yaml', PIPELINE);
    const causes = bootCauses(await failureOf(resolve({ file: 'p.yaml' }, { params: { brnch: 'x' } })));
    expect(causes).toEqual(['pipeline demo has no parameter "brnch": its parameters are branch']);
  });
});
