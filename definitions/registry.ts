// The spec registry: published, immutable `id@version` files plus a lock of their sha256 digests.
// Pipelines and profiles live under specs/, suites under scenarios/ — two separate roots and objects,
// so the pipeline side never opens a scenario body (SPEC §5 holdout isolation).
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../activities/atomic-files';
import { dirname, join, relative, resolve as resolvePath } from 'node:path';
import type { Diagnostic } from '../core/diagnostics';
import { suiteManifestOf, type SuiteManifest } from './suite-manifest';
import { hasErrors } from '../core/diagnostics';
import {
  compareSemver,
  DOC_KIND_TO_SPEC_KIND,
  isSemver,
  LOCK_FILE,
  parseRef,
  RegistryError,
  RegistryErrorCode,
  SAFE_ID,
  stableLockJson,
  type LockEntry,
  type RegistryLock,
  type SpecKind,
} from './registry-lock';
import { lintLoaded, loadSpecBytes, loadSpecFile, sha256, specSyntax, type LoadedSpec, type LoadSpecOptions } from './load';

export * from './registry-lock';

export type { SuiteManifest } from './suite-manifest';

/** A resolved `id@version`: its lock entry and the loaded (digest-checked) content. */
export interface ResolvedSpec {
  entry: LockEntry;
  loaded: LoadedSpec;
}

/** publish() outcome: `unchanged` when the same bytes were already published. */
export interface PublishResult {
  status: 'published' | 'unchanged';
  entry: LockEntry;
  diagnostics: Diagnostic[];
}

/** One registry root (specs/ or scenarios/) and the kinds it may hold. */
export class SpecRegistry {
  readonly root: string;
  constructor(
    root: string,
    readonly kinds: readonly SpecKind[],
    private readonly layout: (kind: SpecKind, id: string, version: string, ext: string) => string,
  ) {
    this.root = resolvePath(root);
  }

  /** Where the lock lives. */
  get lockPath(): string {
    return join(this.root, LOCK_FILE);
  }

  /** Reads the lock; a missing lock is an empty registry. */
  async readLock(): Promise<RegistryLock> {
    let text: string;
    try {
      text = await readFile(this.lockPath, 'utf8');
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return { lockfileVersion: 1, entries: [] };
      throw err;
    }
    try {
      const lock = JSON.parse(text) as RegistryLock;
      if (lock.lockfileVersion !== 1 || !Array.isArray(lock.entries)) throw new Error('unexpected shape');
      return lock;
    } catch (err) {
      throw new RegistryError(RegistryErrorCode.corruptLock, `${this.lockPath} is not a registry lock (${(err as Error).message}); restore it from version control`);
    }
  }

  /** Every published entry, optionally of one kind. */
  async list(kind?: SpecKind): Promise<LockEntry[]> {
    return (await this.readLock()).entries.filter((e) => !kind || e.kind === kind);
  }

  /** Publishes a spec file (`preloaded`: its load + lint, already done by the caller): it must be error-free; its id@version becomes immutable. */
  async publish(path: string, preloaded?: LoadedSpec): Promise<PublishResult> {
    const loaded = preloaded ?? lintLoaded(await loadSpecFile(path));
    const file = loaded.file;
    if (hasErrors(loaded.diagnostics) || !loaded.kind) {
      throw new RegistryError(RegistryErrorCode.invalidSpec, `${file} has errors; fix them before publishing`, { diagnostics: loaded.diagnostics });
    }
    const withPromptFile = loaded.kind === 'PipelineSpec' ? loaded.graph?.nodes.find((n) => n.attrs.prompt_file !== undefined) : undefined;
    if (withPromptFile) {
      throw new RegistryError(
        RegistryErrorCode.invalidSpec,
        `${file}: node '${withPromptFile.id}' reads prompt_file, which the registry's digest would not lock; inline the prompt (prompt="...") before publishing`,
      );
    }
    const kind = DOC_KIND_TO_SPEC_KIND[loaded.kind] as SpecKind;
    if (!this.kinds.includes(kind)) {
      throw new RegistryError(RegistryErrorCode.wrongRegistry, `${kind} specs are not published to ${this.root} (it holds ${this.kinds.join(', ')})`);
    }
    const { id, version } = identity(loaded);
    const ref = `${id}@${version}`;
    if (!SAFE_ID.test(id)) throw new RegistryError(RegistryErrorCode.invalidSpec, `id "${id}" cannot name a registry file`, { ref });
    if (!isSemver(version)) {
      throw new RegistryError(RegistryErrorCode.invalidSpec, `${ref}: version "${version}" is not semver x.y.z; set \`version:\` before publishing`, { ref });
    }
    const lock = await this.readLock();
    const existing = lock.entries.find((e) => e.kind === kind && e.id === id && e.version === version);
    const suite = loaded.kind === 'ScenarioSuite' && loaded.suite ? suiteManifestOf(loaded.suite, loaded.digest) : undefined;
    const manifest = suite ? { manifest: { count: suite.count, capabilities: suite.capabilities, pipeline_id: suite.pipeline_id, pipeline_major: suite.pipeline_major } } : {};
    if (existing) {
      if (existing.sha256 === loaded.digest && suite && !existing.manifest) {
        // a suite published before locks carried manifests: record it, so the pipeline side can bind it from the lock
        const entry: LockEntry = { ...existing, ...manifest };
        await this.writeLock({ lockfileVersion: 1, entries: lock.entries.map((e) => (e === existing ? entry : e)) });
        return { status: 'unchanged', entry, diagnostics: loaded.diagnostics };
      }
      if (existing.sha256 === loaded.digest) return { status: 'unchanged', entry: existing, diagnostics: loaded.diagnostics };
      throw new RegistryError(
        RegistryErrorCode.immutableConflict,
        `${kind} ${ref} is already published and immutable: published sha256 ${existing.sha256}, ${file} has sha256 ${loaded.digest}; bump the version`,
        { ref, lockDigest: existing.sha256, fileDigest: loaded.digest },
      );
    }
    const ext = specSyntax(path) === 'dot' ? '.dot' : '.yaml';
    const target = this.layout(kind, id, version, ext);
    const bytes = await readFile(path);
    if (sha256(bytes) !== loaded.digest) throw new RegistryError(RegistryErrorCode.invalidSpec, `${file} changed while publishing; try again`, { ref });
    await writeAtomic(join(this.root, target), bytes);
    const entry: LockEntry = { kind, id, version, path: target, sha256: loaded.digest, ...manifest };
    await this.writeLock({ lockfileVersion: 1, entries: [...lock.entries, entry] });
    return { status: 'published', entry, diagnostics: loaded.diagnostics };
  }

  /** Loads an exact `id@version`, re-hashing the file against the lock (immutability check). */
  async resolve(kind: SpecKind, ref: string): Promise<ResolvedSpec> {
    const { id, version } = parseRef(ref);
    if (!this.kinds.includes(kind)) {
      throw new RegistryError(RegistryErrorCode.wrongRegistry, `${kind} specs are not kept in ${this.root} (it holds ${this.kinds.join(', ')})`, { ref });
    }
    const entries = await this.list(kind);
    const entry = entries.find((e) => e.id === id && e.version === version);
    if (!entry) {
      const available = entries.filter((e) => e.id === id).map((e) => e.version).sort(compareSemver);
      const hint = available.length ? `available versions: ${available.join(', ')}` : `no ${kind} "${id}" is published in ${this.root}`;
      throw new RegistryError(RegistryErrorCode.notFound, `${kind} ${ref} is not published (${hint})`, { ref, available });
    }
    const file = join(this.root, entry.path);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      throw new RegistryError(RegistryErrorCode.fileMissing, `${kind} ${ref} is in the lock but ${file} cannot be read; restore it from version control`, { ref, lockDigest: entry.sha256 });
    }
    const digest = sha256(bytes);
    if (digest !== entry.sha256) {
      throw new RegistryError(
        RegistryErrorCode.immutableModified,
        `immutable spec modified: ${kind} ${ref} (${relative(process.cwd(), file) || file}) has sha256 ${digest} but the lock records ${entry.sha256}; restore the published file and publish changes as a new version`,
        { ref, lockDigest: entry.sha256, fileDigest: digest },
      );
    }
    return { entry, loaded: loadSpecBytes(bytes, file) };
  }

  private async writeLock(lock: RegistryLock): Promise<void> {
    await writeAtomic(this.lockPath, stableLockJson(lock));
  }
}

/** The pipeline-side registry: `<root>/pipelines/<id>@<v>.yaml|.dot`, `<root>/profiles/<id>@<v>.yaml`. */
export function openSpecRegistry(root: string): SpecRegistry {
  return new SpecRegistry(root, ['pipeline', 'profile'], (kind, id, version, ext) =>
    kind === 'pipeline' ? `pipelines/${id}@${version}${ext}` : `profiles/${id}@${version}.yaml`,
  );
}

/** The scenario-side registry (`<root>/<id>@<v>.yaml`); only scenario workers resolve bodies from it. */
export class ScenarioRegistry extends SpecRegistry {
  constructor(root: string) {
    super(root, ['suite'], (_kind, id, version) => `${id}@${version}.yaml`);
  }

  /**
   * The manifest from the lock alone — the suite file is not opened (the pipeline side may hold only
   * the lock; the scenario worker re-checks the digest against its own copy at evaluation).
   */
  async lockedManifest(ref: string): Promise<SuiteManifest> {
    const { id, version } = parseRef(ref);
    const lock = await this.readLock();
    const entry = lock.entries.find((e) => e.kind === 'suite' && e.id === id && e.version === version);
    if (!entry) {
      const available = lock.entries.filter((e) => e.kind === 'suite' && e.id === id).map((e) => e.version);
      throw new RegistryError(RegistryErrorCode.notFound, `suite ${ref} is not published in ${this.root}${available.length ? ` (available: ${available.join(', ')})` : ''}`, { ref, available });
    }
    if (!entry.manifest) {
      // never fall back to parsing the suite here: this is the pipeline side's way to bind a suite without opening it
      throw new RegistryError(
        RegistryErrorCode.corruptLock,
        `suite ${ref}: its lock entry in ${this.root} has no manifest (published by an older factory); run \`factory publish\` on the suite file again to record it`,
        { ref },
      );
    }
    // Where the suite file is present (one machine), its bytes are hashed — never parsed — so a
    // modified published suite is refused at boot; elsewhere the scenario worker checks at evaluation.
    const file = join(this.root, entry.path);
    if (existsSync(file)) {
      const digest = sha256(await readFile(file));
      if (digest !== entry.sha256) {
        throw new RegistryError(
          RegistryErrorCode.immutableModified,
          `immutable spec modified: suite ${ref} (${relative(process.cwd(), file) || file}) has sha256 ${digest} but the lock records ${entry.sha256}; restore the published file and publish changes as a new version`,
          { ref, lockDigest: entry.sha256, fileDigest: digest },
        );
      }
    }
    return { id, version, digest: entry.sha256, ...entry.manifest, capabilities: [...entry.manifest.capabilities] };
  }

  /** The suite manifest the pipeline side may read: counts and compatibility facts, never bodies. */
  async manifest(ref: string): Promise<SuiteManifest> {
    const { entry, loaded } = await this.resolve('suite', ref);
    if (loaded.kind !== 'ScenarioSuite' || !loaded.suite) {
      throw new RegistryError(RegistryErrorCode.invalidSpec, `suite ${ref} no longer loads; restore it from version control`, { ref, diagnostics: loaded.diagnostics });
    }
    return suiteManifestOf(loaded.suite, entry.sha256);
  }
}

/** Opens the scenario-side registry root. */
export function openScenarioRegistry(root: string): ScenarioRegistry {
  return new ScenarioRegistry(root);
}

/** Both registries of a project root: `<root>/specs` and `<root>/scenarios`. */
export function openRegistries(root: string): { specs: SpecRegistry; scenarios: ScenarioRegistry } {
  return { specs: openSpecRegistry(join(root, 'specs')), scenarios: openScenarioRegistry(join(root, 'scenarios')) };
}

/** Publishes a file into whichever registry of `root` holds its kind (suites → scenarios/, the rest → specs/). */
export async function publishToRoot(root: string, path: string, opts: LoadSpecOptions = {}): Promise<PublishResult & { registry: SpecRegistry }> {
  const loaded = lintLoaded(await loadSpecFile(path, opts));
  const { specs, scenarios } = openRegistries(root);
  const registry = loaded.kind === 'ScenarioSuite' ? scenarios : specs;
  return { ...(await registry.publish(path, loaded)), registry };
}

function identity(loaded: LoadedSpec): { id: string; version: string } {
  const doc = loaded.kind === 'PipelineSpec' ? loaded.graph : loaded.kind === 'FactoryProfile' ? loaded.profile : loaded.kind === 'ScenarioSuite' ? loaded.suite : undefined;
  if (!doc) throw new RegistryError(RegistryErrorCode.invalidSpec, `${loaded.file} did not load`, { diagnostics: loaded.diagnostics });
  return { id: doc.id, version: doc.version };
}

/** The run directory's fsync'd temp-file + rename, after creating the folder. */
async function writeAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, data);
}
