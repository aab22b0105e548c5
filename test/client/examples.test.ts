// The examples are what teams start from: they must load, lint clean, agree across YAML and DOT,
// match the committed JSON Schemas, and be published unchanged in the repo's registries.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { schemaFiles } from '../../client/commands/schema';
import { lintSpecFile, loadSpecFile, sha256 } from '../../definitions/load';
import { openRegistries, type SpecKind } from '../../definitions/registry';
import { REPO } from './run-cli';

const EXAMPLES = join(REPO, 'examples');
const exampleFiles = ['pipelines', 'profiles', 'scenarios'].flatMap((d) => readdirSync(join(EXAMPLES, d)).map((f) => `${d}/${f}`));
const yamlExamples = exampleFiles.filter((f) => f.endsWith('.yaml'));

describe('examples', () => {
  it('load to deep-equal pipeline models when the YAML and DOT describe the same graph', async () => {
    const yaml = await loadSpecFile(join(EXAMPLES, 'pipelines/feature.yaml'));
    const dot = await loadSpecFile(join(EXAMPLES, 'pipelines/feature.dot'));
    expect(yaml.kind === 'PipelineSpec' && yaml.graph).toBeTruthy();
    expect(dot.kind === 'PipelineSpec' && dot.graph).toEqual(yaml.kind === 'PipelineSpec' && yaml.graph);
  });

  it('cover every node type the feature pipeline promises when loaded', async () => {
    const loaded = await loadSpecFile(join(EXAMPLES, 'pipelines/feature.yaml'));
    const graph = loaded.kind === 'PipelineSpec' ? loaded.graph : undefined;
    expect(graph?.nodes.map((n) => `${n.id}:${n.type}`)).toEqual([
      'start:start', 'plan:codergen', 'implement:codergen', 'test:tool', 'check:conditional', 'fix:codergen', 'review:wait.human', 'exit:exit',
    ]);
    expect(graph?.nodes.find((n) => n.id === 'review')?.human?.default_choice).toBe('approve');
    expect(graph?.nodes.find((n) => n.id === 'implement')).toMatchObject({ goal_gate: true, retry_target: 'plan', reasoning_effort: 'high' });
  });

  it.each(exampleFiles)('%s lints with no errors and no warnings', async (file) => {
    const loaded = await lintSpecFile(join(EXAMPLES, file));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.kind).toBeDefined();
  });

  it.each(yamlExamples)('%s names the schema of its kind on its first line', async (file) => {
    const text = readFileSync(join(EXAMPLES, file), 'utf8');
    const m = /^# yaml-language-server: \$schema=(\S+)\n/.exec(text);
    expect(m).not.toBeNull();
    const schemaPath = resolve(dirname(join(EXAMPLES, file)), m?.[1] ?? '');
    const loaded = await loadSpecFile(join(EXAMPLES, file));
    const name = { PipelineSpec: 'pipeline', FactoryProfile: 'profile', ScenarioSuite: 'suite' }[loaded.kind ?? 'PipelineSpec'];
    expect(schemaPath).toBe(join(REPO, 'schema', `${name}.schema.json`));
  });
});

describe('committed JSON Schemas', () => {
  it.each(Object.entries(schemaFiles()))('schema/%s equals what jsonSchemas() generates now', (name, text) => {
    expect(readFileSync(join(REPO, 'schema', name), 'utf8')).toBe(text);
  });
});

describe('published examples', () => {
  const published: [string, SpecKind, string][] = [
    ['pipelines/feature.yaml', 'pipeline', 'feature-pipeline@1.0.0'],
    ['profiles/local.yaml', 'profile', 'local@1.0.0'],
    ['profiles/ci.yaml', 'profile', 'ci@1.1.0'],
    ['profiles/prod.yaml', 'profile', 'prod@1.1.0'],
    ['scenarios/feature-holdout.yaml', 'suite', 'feature-pipeline-holdout@1.0.0'],
  ];

  it.each(published)('%s is published as %s %s with the same bytes', async (file, kind, ref) => {
    const { specs, scenarios } = openRegistries(REPO);
    const { entry } = await (kind === 'suite' ? scenarios : specs).resolve(kind, ref);
    expect(entry.sha256).toBe(sha256(readFileSync(join(EXAMPLES, file))));
  });

  it('gives the pipeline side a manifest of the published suite without bodies', async () => {
    const manifest = await openRegistries(REPO).scenarios.manifest('feature-pipeline-holdout@1.0.0');
    expect(manifest).toMatchObject({ count: 4, pipeline_id: 'feature-pipeline', pipeline_major: 1, capabilities: ['node'] });
  });
});
