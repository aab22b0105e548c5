// Extensions without writing a worker (Attractor §4.12 custom handlers, §9.3 custom transforms, §7.4 custom
// lint rules): a profile's `plugins: [./plugins/x.ts]` names modules that export
// `{ handlers?: { [type]: Handler }, transforms?: Transform[], lintRules?: LintRule[] }` (default or named
// exports). `factory lint --profile`, preflight and executeStage load them by absolute path, once per
// process, so `factory run` and any `factory worker` run them without a rebuild.

import { stat } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import type { LintRule } from '../core/lint';
import type { Transform } from '../core/transforms';
import { StageConfigError } from './errors';
import type { Handler } from './handler-registry';

/** What the plugins of one profile add, merged in profile order (a later plugin's handler type wins). */
export interface PluginSet {
  handlers: Record<string, Handler>;
  transforms: Transform[];
  lintRules: LintRule[];
}

/** A plugin that cannot be loaded or has the wrong shape: a StageConfigError (never retried) naming the file. */
const PluginError = StageConfigError;

const cache = new Map<string, Promise<PluginSet>>();

/** Loads every plugin module (absolute paths); throws StageConfigError naming the file on the first bad one. */
export async function loadPlugins(paths: readonly string[] | undefined): Promise<PluginSet> {
  const out: PluginSet = { handlers: {}, transforms: [], lintRules: [] };
  for (const path of paths ?? []) {
    let loading = cache.get(path);
    if (!loading) {
      loading = loadOne(path);
      cache.set(path, loading);
      loading.catch(() => cache.delete(path));
    }
    const one = await loading;
    Object.assign(out.handlers, one.handlers);
    out.transforms.push(...one.transforms);
    out.lintRules.push(...one.lintRules);
  }
  return out;
}

async function loadOne(path: string): Promise<PluginSet> {
  try {
    await stat(path);
  } catch {
    throw new PluginError(`plugin ${path} does not exist; fix the path in the profile's plugins (relative to the profile file)`);
  }
  let mod: Record<string, unknown>;
  try {
    // require first: a .ts plugin is compiled on the way in (tsx's hook, registered on first need; jest's own
    // transform in tests); import() for ESM-only files
    mod = /\.m[jt]s$/.test(path) ? ((await import(pathToFileURL(path).href)) as Record<string, unknown>) : requireModule(path);
  } catch (err) {
    throw new PluginError(`plugin ${path} failed to load: ${(err as Error).message}`);
  }
  const exported = (isObject(mod.default) && !('execute' in mod.default) ? mod.default : mod) as Record<string, unknown>;
  const problems: string[] = [];
  const handlers: Record<string, Handler> = {};
  if (exported.handlers !== undefined) {
    if (!isObject(exported.handlers)) problems.push('"handlers" must be an object of type → { execute(stage) }');
    else
      for (const [type, h] of Object.entries(exported.handlers)) {
        if (isObject(h) && typeof h.execute === 'function') handlers[type] = h as unknown as Handler;
        else problems.push(`handler "${type}" has no execute(stage) function`);
      }
  }
  const list = <T>(key: string, ok: (v: unknown) => boolean, what: string): T[] => {
    const v = exported[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every(ok)) {
      problems.push(`"${key}" must be an array of ${what}`);
      return [];
    }
    return v as T[];
  };
  const transforms = list<Transform>('transforms', (t) => isObject(t) && typeof t.apply === 'function', '{ name, apply(graph) }');
  const lintRules = list<LintRule>('lintRules', (r) => isObject(r) && typeof r.name === 'string' && typeof r.apply === 'function', '{ name, apply(graph, ctx) }');
  if (Object.keys(handlers).length + transforms.length + lintRules.length === 0 && problems.length === 0) {
    problems.push('it exports none of handlers, transforms, lintRules');
  }
  if (problems.length > 0) throw new PluginError(`plugin ${path}: ${problems.join('; ')}`);
  return { handlers, transforms, lintRules };
}

let tsHook = false;
function requireModule(path: string): Record<string, unknown> {
  // the compiled CLI has no TypeScript hook: register tsx's only when a .ts plugin is loaded
  if (/\.[cm]?tsx?$/.test(path) && !tsHook && !(require as NodeJS.Require).extensions['.ts']) {
    tsHook = true;
    (require('tsx/cjs/api') as { register: () => void }).register();
  }
  return require(path) as Record<string, unknown>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
