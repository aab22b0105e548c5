import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../../definitions/load';
import {
  openRegistries,
  openScenarioRegistry,
  openSpecRegistry,
  publishToRoot,
  RegistryError,
  RegistryErrorCode,
  type RegistryLock,
} from '../../definitions/registry';
import { CANARY, pipelineYaml, profileYaml, suiteYaml, tempRoot } from './fixtures';

type Root = Awaited<ReturnType<typeof tempRoot>>;
let t: Root;
beforeEach(async () => {
  t = await tempRoot();
});
afterEach(() => t.cleanup());

async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RegistryError) return err;
    throw err;
  }
  throw new Error('expected a RegistryError');
}

async function lockOf(dir: string): Promise<RegistryLock> {
  return JSON.parse(await readFile(join(dir, 'registry.lock.json'), 'utf8')) as RegistryLock;
}

describe('publish', () => {
  it('copies the bytes to pipelines/<id>@<version>.yaml and locks their sha256 when the spec is clean', async () => {
    const text = pipelineYaml();
    const src = await t.write('src/demo.yaml', text);
    const reg = openSpecRegistry(join(t.root, 'specs'));
    const result = await reg.publish(src);
    expect(result.status).toBe('published');
    expect(result.entry).toEqual({ kind: 'pipeline', id: 'demo-pipeline', version: '1.0.0', path: 'pipelines/demo-pipeline@1.0.0.yaml', sha256: sha256(text) });
    expect(await readFile(join(t.root, 'specs/pipelines/demo-pipeline@1.0.0.yaml'), 'utf8')).toBe(text);
    expect((await lockOf(reg.root)).entries).toEqual([result.entry]);
  });

  it('is a no-op when the same bytes are published again', async () => {
    const src = await t.write('src/demo.yaml', pipelineYaml());
    const reg = openSpecRegistry(join(t.root, 'specs'));
    await reg.publish(src);
    const before = await readFile(reg.lockPath, 'utf8');
    const again = await reg.publish(src);
    expect(again.status).toBe('unchanged');
    expect(await readFile(reg.lockPath, 'utf8')).toBe(before);
  });

  it('refuses different bytes under a published id@version, naming both digests', async () => {
    const reg = openSpecRegistry(join(t.root, 'specs'));
    const first = pipelineYaml('1.0.0');
    const second = pipelineYaml('1.0.0', ' again');
    await reg.publish(await t.write('a.yaml', first));
    const err = await refusal(reg.publish(await t.write('b.yaml', second)));
    expect(err.code).toBe(RegistryErrorCode.immutableConflict);
    expect(err.message).toMatch(/immutable/);
    expect(err.message).toContain(sha256(first));
    expect(err.message).toContain(sha256(second));
    expect(err.domain).toBe('BOOT_FAILURE');
  });

  it('refuses a spec with errors and carries every diagnostic when it does not lint clean', async () => {
    const bad = pipelineYaml().replace('{ id: work, prompt', '{ id: work, retries: 3, prompt');
    const err = await refusal(openSpecRegistry(join(t.root, 'specs')).publish(await t.write('bad.yaml', bad)));
    expect(err.code).toBe(RegistryErrorCode.invalidSpec);
    expect(err.details.diagnostics?.map((d) => d.rule)).toContain('unknown_key');
  });

  it('refuses a suite when published to the pipeline-side registry', async () => {
    const err = await refusal(openSpecRegistry(join(t.root, 'specs')).publish(await t.write('s.yaml', suiteYaml())));
    expect(err.code).toBe(RegistryErrorCode.wrongRegistry);
  });

  it('routes suites to scenarios/ and pipelines and profiles to specs/ when publishing to a root', async () => {
    const files = [await t.write('p.yaml', pipelineYaml()), await t.write('s.yaml', suiteYaml()), await t.write('f.yaml', profileYaml())];
    for (const f of files) await publishToRoot(t.root, f);
    expect((await lockOf(join(t.root, 'specs'))).entries.map((e) => `${e.kind}:${e.path}`)).toEqual([
      'pipeline:pipelines/demo-pipeline@1.0.0.yaml',
      'profile:profiles/demo-local@1.0.0.yaml',
    ]);
    expect((await lockOf(join(t.root, 'scenarios'))).entries.map((e) => `${e.kind}:${e.path}`)).toEqual(['suite:demo-holdout@1.0.0.yaml']);
  });

  it('keeps lock entries sorted by kind, id and numeric version when published out of order', async () => {
    const reg = openSpecRegistry(join(t.root, 'specs'));
    for (const v of ['1.10.0', '1.2.0', '0.9.1']) await reg.publish(await t.write(`p${v}.yaml`, pipelineYaml(v)));
    await reg.publish(await t.write('f.yaml', profileYaml()));
    const lock = await lockOf(reg.root);
    expect(lock.entries.map((e) => `${e.kind}:${e.version}`)).toEqual(['pipeline:0.9.1', 'pipeline:1.2.0', 'pipeline:1.10.0', 'profile:1.0.0']);
    expect(Object.keys(lock.entries[0]!)).toEqual(['kind', 'id', 'version', 'path', 'sha256']);
  });
});

describe('resolve', () => {
  it('returns the loaded model and lock entry when the file matches its lock', async () => {
    const reg = openSpecRegistry(join(t.root, 'specs'));
    await reg.publish(await t.write('p.yaml', pipelineYaml()));
    const { entry, loaded } = await reg.resolve('pipeline', 'demo-pipeline@1.0.0');
    expect(entry.sha256).toBe(loaded.digest);
    expect(loaded.kind === 'PipelineSpec' && loaded.graph?.nodes.map((n) => n.id)).toEqual(['start', 'work', 'exit']);
  });

  it('fails with "immutable spec modified", the ref and both digests when a published file changed', async () => {
    const reg = openSpecRegistry(join(t.root, 'specs'));
    const text = pipelineYaml();
    await reg.publish(await t.write('p.yaml', text));
    const edited = `${text}# sneaky edit\n`;
    await writeFile(join(reg.root, 'pipelines/demo-pipeline@1.0.0.yaml'), edited);
    const err = await refusal(reg.resolve('pipeline', 'demo-pipeline@1.0.0'));
    expect(err.code).toBe(RegistryErrorCode.immutableModified);
    expect(err.domain).toBe('BOOT_FAILURE');
    expect(err.message).toContain('immutable spec modified');
    expect(err.message).toContain('demo-pipeline@1.0.0');
    expect(err.message).toContain(sha256(text));
    expect(err.message).toContain(sha256(edited));
  });

  it('lists the available versions when the exact version is not published', async () => {
    const reg = openSpecRegistry(join(t.root, 'specs'));
    for (const v of ['1.1.0', '1.0.0']) await reg.publish(await t.write(`p${v}.yaml`, pipelineYaml(v)));
    const err = await refusal(reg.resolve('pipeline', 'demo-pipeline@1.2.0'));
    expect(err.code).toBe(RegistryErrorCode.notFound);
    expect(err.details.available).toEqual(['1.0.0', '1.1.0']);
    expect(err.message).toContain('1.0.0, 1.1.0');
  });

  it('says nothing is published when the id is unknown', async () => {
    const err = await refusal(openSpecRegistry(join(t.root, 'specs')).resolve('pipeline', 'nope@1.0.0'));
    expect(err.code).toBe(RegistryErrorCode.notFound);
    expect(err.message).toMatch(/no pipeline "nope" is published/);
  });

  it('reports a missing file when the lock names a file that is gone', async () => {
    const reg = openSpecRegistry(join(t.root, 'specs'));
    await reg.publish(await t.write('p.yaml', pipelineYaml()));
    await writeFile(reg.lockPath, (await readFile(reg.lockPath, 'utf8')).replace('pipelines/demo', 'pipelines/gone'));
    expect((await refusal(reg.resolve('pipeline', 'demo-pipeline@1.0.0'))).code).toBe(RegistryErrorCode.fileMissing);
  });

  it('refuses a corrupt lock with a way out', async () => {
    const reg = openSpecRegistry(join(t.root, 'specs'));
    await t.write('specs/registry.lock.json', '{"entries": 3}');
    const err = await refusal(reg.list());
    expect(err.code).toBe(RegistryErrorCode.corruptLock);
    expect(err.message).toMatch(/restore it/);
  });

  it.each(['demo-pipeline', 'demo-pipeline@', '@1.0.0', 'demo-pipeline@1', 'demo-pipeline@^1.0.0', 'demo-pipeline@latest', '../x@1.0.0'])(
    'refuses the inexact ref %j',
    async (ref) => {
      const err = await refusal(openSpecRegistry(join(t.root, 'specs')).resolve('pipeline', ref));
      expect(err.code).toBe(RegistryErrorCode.invalidRef);
    },
  );

  it('never resolves suites from the pipeline-side registry', async () => {
    const { specs, scenarios } = openRegistries(t.root);
    await scenarios.publish(await t.write('s.yaml', suiteYaml()));
    expect((await refusal(specs.resolve('suite', 'demo-holdout@1.0.0'))).code).toBe(RegistryErrorCode.wrongRegistry);
  });
});

describe('manifest', () => {
  it('gives only id, version, digest, count, capabilities and pipeline compatibility when asked for a suite', async () => {
    const reg = openScenarioRegistry(join(t.root, 'scenarios'));
    const text = suiteYaml();
    await reg.publish(await t.write('s.yaml', text));
    const manifest = await reg.manifest('demo-holdout@1.0.0');
    expect(manifest).toEqual({
      id: 'demo-holdout',
      version: '1.0.0',
      digest: sha256(text),
      count: 2,
      capabilities: ['node'],
      pipeline_id: 'demo-pipeline',
      pipeline_major: 1,
    });
    expect(JSON.stringify(manifest)).not.toContain(CANARY);
  });

  it('fails like resolve when the suite file was modified', async () => {
    const reg = openScenarioRegistry(join(t.root, 'scenarios'));
    await reg.publish(await t.write('s.yaml', suiteYaml()));
    await writeFile(join(reg.root, 'demo-holdout@1.0.0.yaml'), suiteYaml().replace('echo', 'true; echo'));
    expect((await refusal(reg.manifest('demo-holdout@1.0.0'))).message).toContain('immutable spec modified');
  });
});

describe('lockedManifest (the pipeline side binds a suite from the lock alone)', () => {
  /** Publishes the demo suite, then drops the manifest from its lock entry, as an older factory wrote it. */
  async function publishedWithoutManifest() {
    const reg = openScenarioRegistry(join(t.root, 'scenarios'));
    const src = await t.write('s.yaml', suiteYaml());
    await reg.publish(src);
    const lock = await lockOf(reg.root);
    await writeFile(reg.lockPath, JSON.stringify({ ...lock, entries: lock.entries.map(({ manifest: _m, ...e }) => e) }));
    return { reg, src };
  }

  it('refuses, naming the remedy, and never parses the suite when the lock entry has no manifest', async () => {
    const { reg } = await publishedWithoutManifest();
    // a body that would not even parse: lockedManifest must not open it
    await writeFile(join(reg.root, 'demo-holdout@1.0.0.yaml'), '{{{ not yaml');
    const err = await refusal(reg.lockedManifest('demo-holdout@1.0.0'));
    expect(err.code).toBe(RegistryErrorCode.corruptLock);
    expect(err.message).toContain('has no manifest');
    expect(err.message).toContain('factory publish');
  });

  it('records the missing manifest when the same suite is published again', async () => {
    const { reg, src } = await publishedWithoutManifest();
    const again = await reg.publish(src);
    expect(again.status).toBe('unchanged');
    expect((await lockOf(reg.root)).entries[0]?.manifest).toEqual({ count: 2, capabilities: ['node'], pipeline_id: 'demo-pipeline', pipeline_major: 1 });
    expect(await reg.lockedManifest('demo-holdout@1.0.0')).toMatchObject({ id: 'demo-holdout', count: 2 });
  });
});
