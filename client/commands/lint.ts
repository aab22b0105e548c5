// `factory lint <files...> [--json]`: load + lint specs, one line per diagnostic, exit 0/1/2.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostic, sortDiagnostics, type Diagnostic } from '../../core/diagnostics';
import { lintSpecFile, loadSpecFile, SpecFileError, type LintSpecOptions } from '../../definitions/load';
import { loadPlugins } from '../../activities/plugins';
import { BUILTIN_TYPES } from '../../core/lint';
import { dirname } from 'node:path';
import { ExitCode, type CliContext } from '../context';
import { rootCauseFirst } from '../root-cause';
import { explainLines } from '../explain';

/** One file's lint result as `--json` prints it. */
export interface FileReport {
  file: string;
  /** `--explain`: each node's handler and why (pipelines only). */
  handlers?: string[];
  kind?: string;
  digest?: string;
  /** Set when the file could not be read at all (exit 2). */
  error?: string;
  diagnostics: Diagnostic[];
}

/** Counts by severity, for the summary line and JSON. */
export function summarize(reports: readonly FileReport[]): { files: number; errors: number; warnings: number; unreadable: number } {
  const all = reports.flatMap((r) => r.diagnostics);
  return {
    files: reports.length,
    errors: all.filter((d) => d.severity === 'error').length,
    warnings: all.filter((d) => d.severity === 'warning').length,
    unreadable: reports.filter((r) => r.error).length,
  };
}

/** Lints each file; unreadable paths become reports with `error` rather than stopping the others. */
export async function lintFiles(files: readonly string[], cwd: string, extra: Pick<LintSpecOptions, 'knownTypes' | 'extraRules' | 'transforms'> & { explain?: boolean } = {}): Promise<FileReport[]> {
  const reports: FileReport[] = [];
  for (const file of files) {
    try {
      const loaded = await lintSpecFile(resolve(cwd, file), { displayName: file, ...extra });
      const handlers = extra.explain && loaded.kind === 'PipelineSpec' && loaded.graph ? explainLines(loaded.graph, loaded.sourceMap) : undefined;
      reports.push({ file, kind: loaded.kind, digest: loaded.digest, diagnostics: rootCauseFirst(sortDiagnostics(loaded.diagnostics)), ...(handlers ? { handlers } : {}) });
    } catch (err) {
      if (!(err instanceof SpecFileError)) throw err;
      reports.push({ file, error: err.message, diagnostics: [] });
    }
  }
  return reports;
}

/** Registers `lint`. */
export function registerLint(program: Command, ctx: CliContext): void {
  program
    .command('lint')
    .description('check pipeline, profile and suite files (YAML or Attractor DOT); exit 1 on errors')
    .argument('<files...>', 'spec files: *.yaml, *.yml, *.dot, *.gv')
    .option('--json', 'print one JSON document instead of text')
    .option('--profile <file>', "also run the lint rules and know the handler types of the profile's plugins")
    .option('--explain', 'also print the handler each node resolves to, and why')
    .action(async (files: string[], opts: { json?: boolean; profile?: string; explain?: boolean }) => {
      const extra = opts.profile ? await pluginLint(resolve(ctx.io.cwd, opts.profile), ctx) : {};
      if (extra === undefined) return;
      const reports = await lintFiles(files, ctx.io.cwd, { ...extra, ...(opts.explain ? { explain: true } : {}) });
      const sum = summarize(reports);
      if (opts.json) {
        ctx.io.out(JSON.stringify({ ok: sum.errors === 0 && sum.unreadable === 0, summary: sum, files: reports }, null, 2));
      } else {
        for (const r of reports) {
          if (r.error) ctx.io.err(`factory: ${r.error}`);
          if (r.handlers) ctx.io.out([`${r.file}: handlers`, ...r.handlers].join('\n'));
          for (const d of r.diagnostics) ctx.io.out(formatDiagnostic(d));
        }
        ctx.io.out(summaryLine(sum));
      }
      if (sum.unreadable) ctx.fail(ExitCode.usage);
      if (sum.errors) ctx.fail(ExitCode.failed);
    });
}

/** The profile's plugins as lint options; undefined (after printing why, exit 2) when they cannot load. */
async function pluginLint(profileFile: string, ctx: CliContext): Promise<Pick<LintSpecOptions, 'knownTypes' | 'extraRules' | 'transforms'> | undefined> {
  try {
    const loaded = await loadSpecFile(profileFile);
    const plugins = loaded.kind === 'FactoryProfile' ? (loaded.profile?.plugins ?? []) : [];
    if (loaded.kind !== 'FactoryProfile' || !loaded.profile) throw new Error(`${profileFile} is not a valid FactoryProfile (run factory lint on it)`);
    const set = await loadPlugins(plugins.map((p) => resolve(dirname(profileFile), p)));
    return { knownTypes: [...BUILTIN_TYPES, ...Object.keys(set.handlers)], extraRules: set.lintRules, transforms: set.transforms };
  } catch (err) {
    ctx.io.err(`factory: ${(err as Error).message}`);
    ctx.fail(ExitCode.usage);
    return undefined;
  }
}

function summaryLine(s: ReturnType<typeof summarize>): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const unreadable = s.unreadable ? `, ${s.unreadable} unreadable` : '';
  return `${plural(s.files, 'file')} checked: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}${unreadable}`;
}
