// Where `factory graph` finds what to draw: a spec file, a registry `id@version`, a run directory
// (run.json) or a run id; and, for a run, the pipeline it booted with (its recorded source).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { hasErrors, type Diagnostic } from '../core/diagnostics';
import type { PipelineGraph } from '../core/model';
import type { RunEnvelope, SpecSource } from '../core/run-model';
import { loadSpecFile, type LoadedSpec } from '../definitions/load';
import { openRegistries } from '../definitions/registry';

/** What a `factory graph` argument names. */
export type GraphTarget =
  | { kind: 'spec'; path: string }
  | { kind: 'ref'; ref: string }
  | { kind: 'runDir'; dir: string }
  | { kind: 'runId'; runId: string };

/** The spec named could not give a graph (parse/schema errors, or not a pipeline); carries every diagnostic. */
export class GraphSourceError extends Error {
  override readonly name = 'GraphSourceError';
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
    /** True when the argument itself is wrong (not a run directory): a usage error, exit 2. */
    readonly badInput = false,
  ) {
    super(message);
  }
}

/** A pipeline ready to draw, with where it came from. */
export interface LoadedGraph {
  graph: PipelineGraph;
  /** sha256 of the spec bytes (compared with the run's recorded digest). */
  digest: string;
  /** Non-fatal diagnostics (warnings, or lint-level problems the picture can still show). */
  diagnostics: Diagnostic[];
  /** The file or ref, as named in messages. */
  source: string;
}

/** Classifies an argument: an existing path (run directory or spec file), a spec-like name, `id@version`, else a run id. */
export function classifyTarget(arg: string, cwd: string): GraphTarget {
  const path = isAbsolute(arg) ? arg : resolve(cwd, arg);
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) return { kind: 'runDir', dir: path };
    return { kind: 'spec', path };
  }
  if (/\.(ya?ml|dot|gv)$/i.test(arg) || arg.includes('/')) return { kind: 'spec', path };
  if (arg.includes('@')) return { kind: 'ref', ref: arg };
  return { kind: 'runId', runId: arg };
}

/** Loads a pipeline from a file or the registry under `registryRoot`; throws GraphSourceError when no graph comes out. */
export async function loadGraph(source: SpecSource, opts: { cwd: string; registryRoot: string; displayName?: string }): Promise<LoadedGraph> {
  let loaded: LoadedSpec;
  let name: string;
  if (source.file !== undefined) {
    const path = isAbsolute(source.file) ? source.file : resolve(opts.cwd, source.file);
    name = opts.displayName ?? source.file;
    loaded = await loadSpecFile(path, { displayName: name });
  } else {
    name = source.ref;
    loaded = (await openRegistries(opts.registryRoot).specs.resolve('pipeline', source.ref)).loaded;
  }
  if (loaded.kind !== undefined && loaded.kind !== 'PipelineSpec') {
    throw new GraphSourceError(`${name} is a ${loaded.kind}, not a PipelineSpec: only pipelines can be drawn`);
  }
  if (loaded.kind !== 'PipelineSpec' || !loaded.graph || hasErrors(loaded.diagnostics)) {
    throw new GraphSourceError(`${name} has errors; fix them to draw it (factory lint ${name})`, loaded.diagnostics);
  }
  return { graph: loaded.graph, digest: loaded.digest, diagnostics: loaded.diagnostics, source: name };
}

/** Reads `<dir>/run.json`; a directory without one is not a run directory. */
export function readRunDir(dir: string): RunEnvelope {
  const file = join(dir, 'run.json');
  if (!existsSync(file)) throw new GraphSourceError(`${dir} is not a run directory (no run.json) and not a spec file`, [], true);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunEnvelope;
  } catch (err) {
    throw new GraphSourceError(`${file} is not readable JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** The run directory a run id has on this machine, when it exists (`<cwd>/runs/<id>` then `<registry>/runs/<id>`). */
export function localRunDir(runId: string, cwd: string, registryRoot: string): string | undefined {
  for (const root of [cwd, registryRoot]) {
    const dir = join(root, 'runs', runId);
    if (existsSync(join(dir, 'run.json'))) return dir;
  }
  return undefined;
}

/**
 * The pipeline a run booted with: `pipeline` (a file or ref given by the user) or the run's recorded
 * source. Warns when the spec's digest differs from the run's: the picture may not match what ran.
 */
export async function graphOfRun(
  envelope: RunEnvelope,
  opts: { cwd: string; registryRoot: string; pipeline?: string },
): Promise<LoadedGraph & { warnings: string[] }> {
  const source: SpecSource | undefined = opts.pipeline
    ? classifyTarget(opts.pipeline, opts.cwd).kind === 'ref'
      ? { ref: opts.pipeline }
      : { file: opts.pipeline }
    : envelope.sources?.pipeline;
  if (!source) throw new GraphSourceError(`run ${envelope.runId} records no pipeline source; pass --pipeline <file | id@version>`);
  const loaded = await loadGraph(source, opts);
  const warnings: string[] = [];
  const recorded = envelope.digests?.pipeline;
  if (recorded && recorded !== loaded.digest) {
    warnings.push(`${loaded.source} (sha256 ${loaded.digest.slice(0, 12)}) is not the pipeline run ${envelope.runId} booted with (sha256 ${recorded.slice(0, 12)}); the picture may not match the run`);
  }
  return { ...loaded, warnings };
}
