// `factory publish <files...> [--root <dir>] [--json]`: copy lint-clean specs into the registry as
// immutable id@version files (pipelines/profiles → <root>/specs, suites → <root>/scenarios).
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatDiagnostic, sortDiagnostics } from '../../core/diagnostics';
import { publishToRoot, RegistryError, RegistryErrorCode, type LockEntry } from '../../definitions/registry';
import { ExitCode, type CliContext } from '../context';

/** One file's publish outcome as `--json` prints it. */
export interface PublishReport {
  file: string;
  status: 'published' | 'unchanged' | 'refused';
  entry?: LockEntry & { file: string };
  error?: { code: string; message: string };
}

/** Registers `publish`. */
export function registerPublish(program: Command, ctx: CliContext): void {
  program
    .command('publish')
    .description('publish lint-clean specs as immutable id@version files with a sha256 lock entry')
    .argument('<files...>', 'pipeline, profile or suite files')
    .option('--root <dir>', 'project root holding specs/ and scenarios/', '.')
    .option('--json', 'print one JSON document instead of text')
    .action(async (files: string[], opts: { root: string; json?: boolean }) => {
      const root = resolve(ctx.io.cwd, opts.root);
      const reports: PublishReport[] = [];
      for (const file of files) reports.push(await publishOne(ctx, root, file, !opts.json));
      if (opts.json) ctx.io.out(JSON.stringify({ ok: reports.every((r) => r.status !== 'refused'), files: reports }, null, 2));
    });
}

async function publishOne(ctx: CliContext, root: string, file: string, text: boolean): Promise<PublishReport> {
  const show = (p: string) => relative(ctx.io.cwd, p) || p;
  try {
    const result = await publishToRoot(root, resolve(ctx.io.cwd, file), { displayName: file });
    const path = show(resolve(result.registry.root, result.entry.path));
    if (text) {
      for (const d of sortDiagnostics(result.diagnostics)) ctx.io.out(formatDiagnostic(d));
      const verb = result.status === 'published' ? 'published' : 'unchanged';
      ctx.io.out(`${verb} ${result.entry.kind} ${result.entry.id}@${result.entry.version} -> ${path} (sha256 ${result.entry.sha256})`);
    }
    return { file, status: result.status, entry: { ...result.entry, file: path } };
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    ctx.fail(ExitCode.failed);
    if (text) {
      if (err.code === RegistryErrorCode.invalidSpec && err.details.diagnostics) {
        for (const d of sortDiagnostics(err.details.diagnostics)) ctx.io.out(formatDiagnostic(d));
      }
      ctx.io.err(`factory: ${err.message}`);
    }
    return { file, status: 'refused', error: { code: err.code, message: err.message } };
  }
}
