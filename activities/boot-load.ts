// Shared by the boot phases: load a spec named by registry ref or by file, turning every problem
// (registry refusal, unreadable file, loader diagnostics, wrong kind) into a BOOT_FAILURE cause.

import { isAbsolute, resolve } from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../core/diagnostics';
import { loadSpecFile, SpecFileError, type LoadedSpec } from '../definitions/load';
import { openSpecRegistry, RegistryError, type SpecKind } from '../definitions/registry';
import { errorMessage } from './errors';
import type { SpecRef } from './types';

/** A spec loaded for boot, with the name it goes by in messages. */
export interface BootSpec {
  loaded: LoadedSpec;
  /** `id@version` for registry refs, the absolute path for files. */
  source: string;
}

/** The document kind each registry kind must load as. */
const DOC_KIND: Readonly<Record<SpecKind, string>> = { pipeline: 'PipelineSpec', profile: 'FactoryProfile', suite: 'ScenarioSuite' };

/** Relative spec files are read against the registry root (the project root), not the worker's cwd. */
export function resolveSpecPath(root: string, file: string): string {
  return isAbsolute(file) ? file : resolve(root, file);
}

/** Loads a pipeline or profile from `<root>/specs` (digest-checked) or from a file; pushes causes on failure. */
export async function loadBootSpec(kind: 'pipeline' | 'profile', ref: SpecRef, root: string, causes: string[]): Promise<BootSpec | undefined> {
  let spec: BootSpec;
  try {
    if (ref.ref !== undefined) {
      const resolved = await openSpecRegistry(resolve(root, 'specs')).resolve(kind, ref.ref);
      spec = { loaded: resolved.loaded, source: ref.ref };
    } else {
      const path = resolveSpecPath(root, ref.file);
      spec = { loaded: await loadSpecFile(path, { regularOnly: true }), source: path };
    }
  } catch (err) {
    causes.push(`${kind} ${ref.ref ?? ref.file}: ${describeLoadError(err)}`);
    return undefined;
  }
  const before = causes.length;
  pushDiagnostics(spec.loaded.diagnostics, causes);
  if (spec.loaded.kind !== undefined && spec.loaded.kind !== DOC_KIND[kind]) {
    causes.push(`${kind} ${spec.source}: is a ${spec.loaded.kind} document, expected kind: ${DOC_KIND[kind]}`);
  }
  return causes.length === before ? spec : undefined;
}

/** Every error diagnostic as one cause line (`file:line:col error rule message`). */
export function pushDiagnostics(diags: readonly Diagnostic[], causes: string[]): void {
  for (const d of diags) if (d.severity === 'error') causes.push(formatDiagnostic(d).replace(/\n\s*/g, ' '));
}

/** Registry and file errors already say what to do; anything else is reported by its message. */
export function describeLoadError(err: unknown): string {
  if (err instanceof RegistryError || err instanceof SpecFileError) return err.message;
  return errorMessage(err);
}
