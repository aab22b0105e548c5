// The registry's vocabulary: kinds, lock entries, exact refs, semver order, the canonical lock text and
// the one error class every registry refusal uses. No I/O here.
import type { Diagnostic } from '../core/diagnostics';

/** What a registry holds; also the `factory schema` names. */
export const SpecKind = { pipeline: 'pipeline', profile: 'profile', suite: 'suite' } as const;
export type SpecKind = (typeof SpecKind)[keyof typeof SpecKind];

/** Document `kind:` → registry kind. */
export const DOC_KIND_TO_SPEC_KIND: Readonly<Record<string, SpecKind>> = {
  PipelineSpec: 'pipeline',
  FactoryProfile: 'profile',
  ScenarioSuite: 'suite',
};

/** One published file, as recorded in `registry.lock.json`. */
export interface LockEntry {
  kind: SpecKind;
  id: string;
  version: string;
  /** Relative to the registry root, `/`-separated. */
  path: string;
  sha256: string;
  /** Suites only: the manifest (no scenario bodies), so the pipeline side can bind a suite from the lock alone. */
  manifest?: { count: number; capabilities: string[]; pipeline_id: string; pipeline_major: number };
}

/** The lock file: entries sorted by kind, id, version so diffs stay small. */
export interface RegistryLock {
  lockfileVersion: 1;
  entries: LockEntry[];
}

/** Failure codes a registry raises; stable so callers and tests can branch on them. */
export const RegistryErrorCode = {
  immutableModified: 'immutable_spec_modified',
  immutableConflict: 'immutable_version_conflict',
  notFound: 'spec_not_found',
  fileMissing: 'spec_file_missing',
  invalidRef: 'invalid_ref',
  invalidSpec: 'invalid_spec',
  wrongRegistry: 'wrong_registry',
  corruptLock: 'corrupt_lock',
} as const;
export type RegistryErrorCode = (typeof RegistryErrorCode)[keyof typeof RegistryErrorCode];

/** A registry refusal. Always a BOOT_FAILURE when it happens during a run: fix the spec or ref, start a new run. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  /** SPEC §4 failure domain. */
  readonly domain = 'BOOT_FAILURE';
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly details: { ref?: string; lockDigest?: string; fileDigest?: string; available?: string[]; diagnostics?: Diagnostic[] } = {},
  ) {
    super(message);
  }
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** Ids that are safe as file names (no `/`, no leading `.`). */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** The lock's file name inside a registry root. */
export const LOCK_FILE = 'registry.lock.json';

/** True for `x.y.z` semver (pre-release and build suffixes allowed). */
export function isSemver(version: string): boolean {
  return SEMVER.test(version);
}

/** Splits `id@version`; throws invalid_ref when it is not exactly that. */
export function parseRef(ref: string): { id: string; version: string } {
  const at = ref.lastIndexOf('@');
  const id = ref.slice(0, at);
  const version = ref.slice(at + 1);
  if (at <= 0 || !SAFE_ID.test(id) || !isSemver(version)) {
    throw new RegistryError(RegistryErrorCode.invalidRef, `"${ref}" is not an exact reference: write <id>@<x.y.z>, e.g. feature-pipeline@1.0.0`, { ref });
  }
  return { id, version };
}

/** Canonical lock text: sorted entries, fixed key order, 2-space indent, trailing newline. */
export function stableLockJson(lock: RegistryLock): string {
  const entries = [...lock.entries]
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id) || compareSemver(a.version, b.version))
    .map(({ kind, id, version, path, sha256: digest, manifest }) => ({
      kind,
      id,
      version,
      path,
      sha256: digest,
      ...(manifest
        ? { manifest: { count: manifest.count, capabilities: manifest.capabilities, pipeline_id: manifest.pipeline_id, pipeline_major: manifest.pipeline_major } }
        : {}),
    }));
  return `${JSON.stringify({ lockfileVersion: 1, entries }, null, 2)}\n`;
}

/** Orders x.y.z versions numerically (pre-release before release, then lexically). */
export function compareSemver(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('+')[0]!.split(/-(.*)/s);
    return { nums: core.split('.').map(Number), pre };
  };
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa.nums[i] ?? 0) - (pb.nums[i] ?? 0);
    if (d) return d;
  }
  if (pa.pre === pb.pre) return a.localeCompare(b);
  if (pa.pre === undefined) return 1;
  if (pb.pre === undefined) return -1;
  return pa.pre.localeCompare(pb.pre);
}
