// Where the scenario worker reads suites from, and a cache of parsed suites by digest.
// Scenario root: the folder holding the scenario registry's registry.lock.json (a project root whose
// `scenarios/` holds it works too). Suites by `ref` resolve there; suites by `file` are absolute paths
// or paths relative to the scenario root. Every read re-hashes the bytes, so a changed suite is seen.

import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SuiteRefInput } from '../../core/evaluation';
import { loadSpecBytes, sha256 } from '../../definitions/load';
import { LOCK_FILE, openScenarioRegistry, parseRef } from '../../definitions/registry';
import { suiteManifestOf, type SuiteManifest } from '../../definitions/suite-manifest';
import type { ScenarioSuite } from '../../definitions/schemas/suite';
import { scenarioLog } from './context';
import { SuiteUnavailableError } from '../errors';

/** A suite read from disk: its digest, a display name (ref or file) and the parsed document. */
export interface LoadedSuite {
  name: string;
  digest: string;
  /** The registry lock's digest for a ref (differs from `digest` when the published file was modified). */
  lockDigest?: string;
  suite: ScenarioSuite;
}

const CACHE_LIMIT = 32;

/** The registry folder for a configured scenario root (see the file comment). */
export function scenarioRegistryRoot(root: string): string {
  const abs = resolve(root);
  if (!existsSync(join(abs, LOCK_FILE)) && existsSync(join(abs, 'scenarios', LOCK_FILE))) return join(abs, 'scenarios');
  return abs;
}

/** Reads suites for one scenario root; parsed suites are cached by digest (the bytes are re-hashed on every read). */
export class SuiteStore {
  private readonly cache = new Map<string, ScenarioSuite>();

  constructor(readonly root: string) {}

  /** Loads a suite by ref or file; throws SuiteUnavailableError with causes free of scenario content. */
  async load(ref: SuiteRefInput): Promise<LoadedSuite> {
    const { name, path, lockDigest } = await this.locate(ref);
    let bytes: Buffer;
    try {
      // a FIFO or device under the suite's name would hold the read (and the evaluation) until it timed out
      if (!statSync(path).isFile()) throw new SuiteUnavailableError([`suite ${name}: ${path} on the scenario worker is not a regular file`]);
      bytes = await readFile(path);
    } catch (err) {
      if (err instanceof SuiteUnavailableError) throw err;
      throw new SuiteUnavailableError([`suite ${name}: cannot read ${path} on the scenario worker (${(err as { code?: string }).code ?? 'error'})`]);
    }
    const digest = sha256(bytes);
    const suite = this.cache.get(digest) ?? this.parse(name, path, bytes, digest);
    return { name, digest, ...(lockDigest !== undefined ? { lockDigest } : {}), suite };
  }

  /** The manifest the pipeline side may see (no bodies); a modified published suite is refused. */
  async manifest(ref: SuiteRefInput): Promise<SuiteManifest> {
    const loaded = await this.load(ref);
    if (loaded.lockDigest !== undefined && loaded.lockDigest !== loaded.digest) throw new SuiteUnavailableError([modifiedCause(loaded)]);
    return suiteManifestOf(loaded.suite, loaded.digest);
  }

  private async locate(ref: SuiteRefInput): Promise<{ name: string; path: string; lockDigest?: string }> {
    if (ref.ref !== undefined) {
      const registry = openScenarioRegistry(scenarioRegistryRoot(this.root));
      let id: string;
      let version: string;
      try {
        ({ id, version } = parseRef(ref.ref));
      } catch (err) {
        throw new SuiteUnavailableError([(err as Error).message]);
      }
      let entries;
      try {
        entries = await registry.list('suite');
      } catch (err) {
        throw new SuiteUnavailableError([`suite ${ref.ref}: ${(err as Error).message}`]);
      }
      const entry = entries.find((e) => e.id === id && e.version === version);
      if (!entry) {
        const available = entries.filter((e) => e.id === id).map((e) => e.version);
        const hint = available.length ? `published versions: ${available.join(', ')}` : `no suite "${id}" is published there`;
        throw new SuiteUnavailableError([`suite ${ref.ref} is not published in the scenario registry ${registry.root} (${hint})`]);
      }
      return { name: ref.ref, path: join(registry.root, entry.path), lockDigest: entry.sha256 };
    }
    if (ref.file !== undefined && ref.file !== '') return { name: ref.file, path: resolve(this.root, ref.file) };
    throw new SuiteUnavailableError(['no suite given: pass a suite ref (id@version) or file']);
  }

  private parse(name: string, path: string, bytes: Buffer, digest: string): ScenarioSuite {
    const loaded = loadSpecBytes(bytes, path);
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    if (loaded.kind !== 'ScenarioSuite' || !loaded.suite || errors.length > 0) {
      // Diagnostics may quote scenario content: they stay in this worker's log.
      for (const d of errors) scenarioLog('warn', `suite ${name}: ${d.message}`, { file: d.file, line: d.line, path: d.path });
      const what = loaded.kind && loaded.kind !== 'ScenarioSuite' ? `is a ${loaded.kind} document, not a ScenarioSuite` : `does not load (${errors.length} problem${errors.length === 1 ? '' : 's'})`;
      throw new SuiteUnavailableError([`suite ${name} ${what}; run \`factory lint\` on it where the scenarios live`]);
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(digest, loaded.suite);
    return loaded.suite;
  }
}

/** Cause for a published suite whose file no longer matches its lock entry. */
export function modifiedCause(loaded: LoadedSuite): string {
  return `immutable suite modified: ${loaded.name} has sha256 ${loaded.digest} but the scenario registry lock records ${loaded.lockDigest}; restore the published file and publish changes as a new version`;
}
