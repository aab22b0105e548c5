// `factory verify <run-dir>`: checks a finalized run directory against its sha256 freeze manifest.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyRunDir } from '../../activities/finalize';
import { ExitCode, type CliContext } from '../context';

/** Registers `verify`. */
export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description('check a finalized run directory against its freeze manifest (exit 1 on any change)')
    .argument('<runDir>', 'run directory')
    .option('--digest <sha256>', 'expected freeze manifest digest (the run envelope\'s freezeDigest)')
    .option('--json', 'print the report as JSON')
    .action(async (runDir: string, opts: { digest?: string; json?: boolean }) => {
      const report = await verifyRunDir(resolve(ctx.io.cwd, runDir), opts.digest);
      if (opts.json) ctx.io.out(JSON.stringify(report, null, 2));
      else {
        for (const p of report.problems) ctx.io.out(`problem: ${p}`);
        for (const f of report.modified) ctx.io.out(`modified: ${f}`);
        for (const f of report.missing) ctx.io.out(`missing:  ${f}`);
        for (const f of report.added) ctx.io.out(`added:    ${f}`);
        ctx.io.out(report.ok ? `ok: ${report.files} files match (freeze manifest sha256 ${report.freezeDigest})` : `FAILED: ${runDir} does not match its freeze manifest`);
      }
      if (!report.ok) ctx.fail(ExitCode.failed);
    });
}
