// `factory server start|stop|status`: the project's local Temporal dev server (state in
// .factory/temporal.db, Web UI on), the one an embedded `factory run` uses and leaves running.
import type { Command } from 'commander';
import { ExitCode, type CliContext } from '../context';
import { ensureLocalServer, liveLocalServer, localServerFiles, stopLocalServer } from '../local-server';
import type { ServerRecord } from '../temporal';

interface ServerOptions {
  namespace?: string;
  json?: boolean;
}

function describe(rec: ServerRecord): string[] {
  return [
    `  address: ${rec.address}   namespace(s): ${(rec.namespaces ?? [rec.namespace]).join(', ')}`,
    `  Web UI:  ${rec.uiUrl ?? '(off)'}`,
    ...(rec.httpAddress ? [`  HTTP API: http://${rec.httpAddress}/api/v1`] : []),
    `  state:   ${rec.dbFilename ?? '(in memory)'}   pid ${rec.pid}`,
  ];
}

/** Registers `server` and its three subcommands. */
export function registerServer(program: Command, ctx: CliContext): void {
  const server = program.command('server').description('the local Temporal dev server of this directory (state in .factory/, Web UI on)');
  server
    .command('start')
    .description('start the local server (or say where the running one is)')
    .option('--namespace <ns>', 'also serve this namespace')
    .option('--json', 'print the server record as JSON')
    .action(async (opts: ServerOptions) => {
      const rec = await ensureLocalServer(ctx.io.cwd, opts.namespace);
      if (opts.json) return ctx.io.out(JSON.stringify(rec, null, 2));
      ctx.io.out(rec.started ? 'local Temporal server started' : 'local Temporal server already running');
      for (const line of describe(rec)) ctx.io.out(line);
      ctx.io.out(`  log:     ${localServerFiles(ctx.io.cwd).log}   stop: factory server stop`);
    });
  server
    .command('stop')
    .description('stop the local server; its state stays in .factory/temporal.db for the next start')
    .action(async () => {
      const rec = await stopLocalServer(ctx.io.cwd);
      ctx.io.out(rec ? `local Temporal server stopped (pid ${rec.pid}); state kept in ${rec.dbFilename ?? '(in memory: lost)'}` : 'no local Temporal server running here');
    });
  server
    .command('status')
    .description('say whether the local server runs, and where (exit 1 when it does not)')
    .option('--json', 'print the server record as JSON (null when not running)')
    .action((opts: ServerOptions) => {
      const rec = liveLocalServer(ctx.io.cwd);
      if (opts.json) ctx.io.out(JSON.stringify(rec ?? null, null, 2));
      else if (rec) {
        ctx.io.out('local Temporal server running');
        for (const line of describe(rec)) ctx.io.out(line);
      } else ctx.io.out('no local Temporal server running here (start it: factory server start)');
      if (!rec) ctx.fail(ExitCode.failed);
    });
}
