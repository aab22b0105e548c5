// `factory graph <spec-file | id@version | runId | run-dir>`: the pipeline as SVG, PNG, DOT or mermaid;
// given a run, nodes coloured by stage status (read by the `run` query, or from run.json).
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { sanitizeText } from '../../core/sanitize';
import { formatDiagnostic } from '../../core/diagnostics';
import type { RunEnvelope } from '../../core/run-model';
import { FORMAT_EXTENSIONS, PngUnavailableError, RENDER_FORMATS, renderGraph, type RenderFormat } from '../../render';
import { classifyTarget, GraphSourceError, graphOfRun, loadGraph, localRunDir, readRunDir, type LoadedGraph } from '../../render/source';
import { runQuery } from '../../workflows/messages';
import { ExitCode, UsageError, type CliContext } from '../context';
import { endedEnvelope } from '../run-outcome';
import { connectClient, resolveTarget, type TargetOptions } from '../temporal';
import { withWorkerDeadline, workerWaitMs } from '../worker-wait';

interface GraphOptions extends TargetOptions {
  format?: RenderFormat;
  out?: string;
  registry: string;
  pipeline?: string;
}

/** Registers `graph`. */
export function registerGraph(program: Command, ctx: CliContext): void {
  program
    .command('graph')
    .description('draw a pipeline (SVG, PNG, DOT or mermaid); given a run, nodes are coloured by stage status')
    .argument('<target>', 'spec file (.yaml/.dot), registry id@version, run directory, or run id')
    .addOption(new Option('-f, --format <format>', 'output format (default: from --out\'s extension, else svg)').choices(RENDER_FORMATS))
    .option('-o, --out <file>', 'write to a file instead of stdout (required for png)')
    .option('--registry <dir>', 'project root holding specs/ (for id@version and runs booted from the registry)', '.')
    .option('--pipeline <spec>', 'for a run: draw this pipeline file or id@version instead of the one the run recorded')
    .option('--address <host:port>', 'Temporal frontend (for a run id)')
    .option('--namespace <ns>', 'Temporal namespace (for a run id)')
    .action(async (target: string, opts: GraphOptions) => {
      ctx.fail(await graph(ctx, target, opts));
    });
}

async function graph(ctx: CliContext, arg: string, opts: GraphOptions): Promise<ExitCode> {
  const { io } = ctx;
  const format = opts.format ?? formatFromOut(opts.out) ?? 'svg';
  if (format === 'png' && !opts.out) throw new UsageError('png is binary: pass --out FILE.png (or pick --format svg, dot or mermaid for stdout)');
  const registryRoot = resolve(io.cwd, opts.registry);
  let drawn: LoadedGraph;
  let envelope: RunEnvelope | undefined;
  try {
    const target = classifyTarget(arg, io.cwd);
    if (target.kind === 'spec' || target.kind === 'ref') {
      drawn = await loadGraph(target.kind === 'spec' ? { file: target.path } : { ref: target.ref }, { cwd: io.cwd, registryRoot, displayName: arg });
    } else {
      envelope = target.kind === 'runDir' ? readRunDir(target.dir) : await queryRun(ctx, target.runId, registryRoot, opts);
      const run = await graphOfRun(envelope, { cwd: io.cwd, registryRoot, ...(opts.pipeline ? { pipeline: opts.pipeline } : {}) });
      for (const w of run.warnings) io.err(`factory: warning: ${w}`);
      drawn = run;
    }
  } catch (err) {
    if (!(err instanceof GraphSourceError)) throw err;
    for (const d of err.diagnostics) io.out(formatDiagnostic(d));
    io.err(`factory: ${err.message}`);
    return err.badInput ? ExitCode.usage : ExitCode.failed;
  }
  let output: string | Uint8Array;
  try {
    output = await renderGraph(drawn.graph, format, envelope);
    // text formats (mermaid, dot) carry the graph's labels into a terminal or a markdown file: escaped
    if (typeof output === 'string') output = sanitizeText(output);
  } catch (err) {
    if (err instanceof PngUnavailableError) throw new UsageError(err.message);
    throw err;
  }
  if (opts.out) {
    const path = resolve(io.cwd, opts.out);
    writeFileSync(path, output);
    io.err(`factory: wrote ${opts.out} (${format}${envelope ? `, run ${envelope.runId}` : ''})`);
  } else {
    io.out(typeof output === 'string' ? output.replace(/\n$/, '') : Buffer.from(output).toString('base64'));
  }
  return ExitCode.ok;
}

/**
 * A run id's envelope: an ended run's finalized run.json (where the server's result names it, else
 * ./runs/<id>), read without a worker, as `status` does; else (live, or no run.json on this machine)
 * the `run` query. With no
 * reachable Temporal (or no worker answering), the run's directory under ./runs if there is one.
 */
async function queryRun(ctx: CliContext, runId: string, registryRoot: string, opts: TargetOptions): Promise<RunEnvelope> {
  const target = resolveTarget(ctx.io, opts);
  let reason: string;
  try {
    const client = await connectClient(target);
    try {
      const ended = await endedEnvelope(client, runId, ctx.io.cwd);
      // its run.json here (it names the pipeline it booted with); else a worker replays it for the query
      if (ended?.sources) {
        const { temporalStatus: _server, ...envelope } = ended;
        return envelope;
      }
      const handle = client.workflow.getHandle(runId);
      return await withWorkerDeadline(handle, 'the run query', workerWaitMs(ctx.io.env), () => handle.query(runQuery));
    } finally {
      await client.connection.close();
    }
  } catch (err) {
    reason = err instanceof Error ? err.message.split('\n')[0] ?? err.message : String(err);
  }
  const dir = localRunDir(runId, ctx.io.cwd, registryRoot);
  if (dir) {
    ctx.io.err(`factory: the run query failed (${reason}); drawing from ${dir}/run.json`);
    return readRunDir(dir);
  }
  throw new GraphSourceError(`cannot read run ${runId}: ${reason} (and no ./runs/${runId}/run.json here); pass a run directory, or --address`);
}

function formatFromOut(out: string | undefined): RenderFormat | undefined {
  if (!out) return undefined;
  const ext = extname(out).toLowerCase();
  if (ext === '.mmd' || ext === '.mermaid') return 'mermaid';
  if (ext === '.gv') return 'dot';
  return (Object.keys(FORMAT_EXTENSIONS) as RenderFormat[]).find((f) => FORMAT_EXTENSIONS[f] === ext);
}
