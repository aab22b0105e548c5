// `factory run <id@version | file>`: boots a run. With no Temporal address configured it uses the
// project's local dev server (found or started; it persists) and an in-process pipeline worker;
// otherwise it connects to the configured server.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { WorkflowFailedError } from '@temporalio/client';
import { runDirName } from '../../activities/run-create';
import type { SpecRef } from '../../activities/types';
import type { RunEnvelope } from '../../core/run-model';
import { runSummary } from '../../core/run-details';
import { SEARCH_ATTRIBUTES, TASK_QUEUES, WORKFLOW_TYPES } from '../../core/temporal-names';
import { loadSpecFile, type LoadedSpec } from '../../definitions/load';
import { withSubmitOverrides, type SubmitOverrides } from '../../core/transforms';
import { compareSemver, openRegistries } from '../../definitions/registry';
import type { FactoryProfile } from '../../definitions/schemas/profile';
import type { RunInput, RunResult } from '../../workflows/types';
import { defaultUser, ExitCode, UsageError, type CliContext, type CliIO } from '../context';
import { comeBackLines, follow } from '../follow';
import { connectClient, resolveTarget, workflowUrl } from '../temporal';
import { localRunDir, serverRunDir } from '../run-outcome';
import { openRunStack } from '../run-stack';
import { exitCodeForFailure, failureOf, failureText } from '../outcome';
import { recordLineage } from '../processes';
import { ONE_RUN_PER_ID, refuseFinishedResume, refuseTakenRunDir, refuseWhileOpen, startRefusal } from '../run-guards';
import { lintPreview } from '../lint-preview';

interface RunOptions {
  profile: string;
  suite?: string;
  runDir?: string;
  runId?: string;
  autoApprove?: boolean;
  resume?: string;
  json?: boolean;
  quiet?: boolean;
  address?: string;
  namespace?: string;
  taskQueue?: string;
  registry?: string;
  by?: string;
  /** Set by `rerun`: the run this one reruns. */
  rerun?: string;
  /** `run --ref`: the base's branch, tag or commit (overrides environment.ref). */
  ref?: string;
  /** `rerun --from <node>`: start at the earlier run's snapshot before that node. */
  from?: string;
  /** `--goal`: the pipeline's goal for this run. */
  goal?: string;
  /** `-p name=value`, repeatable: the pipeline's parameters for this run. */
  param?: string[];
  /** Embedded mode: start a scenario-worker process when the run has a suite (default true). */
  scenarioWorker?: boolean;
  scenariosRoot?: string;
}

/** Registers `run`. */
export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('boot and run a pipeline to completion (on the local Temporal dev server unless an address is configured)')
    .argument('[pipeline]', 'id@version from the registry, or a .yaml/.dot file')
    .option('--profile <profile>', 'FactoryProfile: id, id@version or file', 'local')
    .option('--goal <text>', 'the pipeline\'s goal for this run ($goal in prompts; recorded in run.json)')
    .option('-p, --param <name=value>', 'a pipeline parameter for this run ($name in prompts; one of the pipeline\'s own graph attributes); repeatable', collect, [])
    .option('-s, --suite <suite>', 'ScenarioSuite: id, id@version or file')
    .option('--run-dir <dir>', 'run directory (default <run_root>/<runId>)')
    .option('--run-id <id>', 'run id (default generated)')
    .option('--auto-approve', 'answer every human gate with its first choice')
    .option('--resume <runDir>', 'continue an interrupted run from its checkpoint')
    .option('--ref <ref>', 'branch, tag or commit of the base repository to start from (default: environment.ref, else HEAD)')
    .option('--by <name>', 'who starts the run (self-approval rules)', defaultUser(ctx))
    .option('--json', 'print events and the result as JSON lines')
    .option('--quiet', 'print only the result')
    .option('--address <host:port>', 'Temporal frontend (default: profile, TEMPORAL_ADDRESS, else the local server in .factory/)')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--task-queue <queue>', 'pipeline task queue (default: profile)')
    .option('--registry <dir>', 'project root holding specs/ and scenarios/', '.')
    .option('--no-scenario-worker', 'embedded mode: do not start a scenario-worker process (the run waits in evaluating)')
    .option('--scenarios-root <dir>', 'embedded mode: the scenario worker\'s scenarios registry (default <registry>/scenarios)')
    .action(async (pipeline: string | undefined, opts: RunOptions) => {
      ctx.fail(await run(ctx, pipeline, opts));
    });
  program
    .command('rerun')
    .description('start a new run of the same pipeline, profile and suite, linked to the old one (lineage in both)')
    .argument('<run>', 'run directory, or run id (./runs/<id>, else the directory the server recorded)')
    .option('--auto-approve', 'answer every human gate with its first choice')
    .option('--by <name>', 'who starts the run', defaultUser(ctx))
    .option('--json', 'print events and the result as JSON lines')
    .option('--quiet', 'print only the result')
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .option('--registry <dir>', 'project root holding specs/ and scenarios/', '.')
    .option('--no-scenario-worker', 'embedded mode: do not start a scenario-worker process')
    .option('--from <node>', 'start the workspace at the snapshot the old run had before this node (default: the base)')
    .action(async (old: string, opts: RunOptions) => {
      ctx.fail(await run(ctx, undefined, { ...opts, profile: '', rerun: old }));
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `-p name=value` arguments as a record; bad syntax or a name given twice is a usage error naming it. */
export function parseParams(args: readonly string[] | undefined): Record<string, string> | undefined {
  if (!args?.length) return undefined;
  const params: Record<string, string> = {};
  for (const arg of args) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(arg);
    if (!m) throw new UsageError(`-p/--param expects name=value (a name is a letter or _, then letters, digits or _), got ${JSON.stringify(arg.length > 60 ? `${arg.slice(0, 60)}…` : arg)}`);
    const [, name, value] = m as unknown as [string, string, string];
    if (Object.hasOwn(params, name)) throw new UsageError(`-p/--param: parameter "${name}" is given twice`);
    params[name] = value;
  }
  return params;
}

/** The goal and parameters of this run: given now, or (rerun, --resume) those the earlier run was booted with. */
function submitOverrides(opts: RunOptions, previous: RunEnvelope | undefined): SubmitOverrides {
  const params = parseParams(opts.param);
  const given = opts.goal !== undefined || params !== undefined;
  if (given && opts.resume) throw new UsageError('--goal and -p/--param cannot change a resumed run: it continues with the goal and parameters it was booted with');
  if (!given) return previous?.overrides ?? {};
  return { ...(opts.goal !== undefined ? { goal: opts.goal } : {}), ...(params ? { params } : {}) };
}

/** `run` and `rerun`: resolve what to run, open the Temporal side, start the workflow, follow it. */
async function run(ctx: CliContext, pipelineArg: string | undefined, opts: RunOptions): Promise<ExitCode> {
  const io = ctx.io;
  const sources = await runSources(io.cwd, pipelineArg, opts, io.env);
  const overrides = submitOverrides(opts, sources.previous);
  // a parameter the pipeline does not declare is refused here, before a server starts (the worker checks again at boot)
  const summary = await pipelineSummary(sources.pipeline, sources.root, overrides);
  const local = await localProfile(sources.profile, sources.root);
  const temporal = local?.environment.temporal;
  const configured = opts.address ?? io.env.TEMPORAL_ADDRESS ?? temporal?.address;
  const { resumed, previous, oldRunDir } = sources;
  const runId = resumed?.runId ?? opts.runId ?? `run-${randomUUID().slice(0, 8)}`;
  // a run id names one run forever: refused here, before a server starts or a file is written
  if (resumed) refuseFinishedResume(resolve(io.cwd, opts.resume as string), resumed);
  else if (opts.runDir) refuseTakenRunDir(resolve(io.cwd, opts.runDir));
  // the embedded worker resolves run_root against this checkout; a remote worker's createRun checks its own
  else if (!configured && local) refuseTakenRunDir(join(resolve(sources.root, local.environment.run_root), runDirName(runId)));
  const namespace = opts.namespace ?? io.env.TEMPORAL_NAMESPACE ?? temporal?.namespace ?? 'default';
  const taskQueue = opts.taskQueue ?? temporal?.task_queue ?? TASK_QUEUES.pipeline;
  const print = (line: string) => !opts.quiet && !opts.json && io.out(line);
  if (!sources.resumed) for (const line of await lintPreview(sources.pipeline, sources.root)) io.err(line);
  const stack = await openRunStack(io, {
    configured,
    namespace,
    taskQueue,
    temporal,
    registryRoot: sources.root,
    scenariosRoot: sources.suite && opts.scenarioWorker !== false ? resolve(io.cwd, opts.scenariosRoot ?? join(sources.root, 'scenarios')) : undefined,
    print,
  });
  try {
    if (resumed) await refuseWhileOpen(stack.client, resumed);
    const workflowId = resumed ? `${runId}-resume-${Date.now().toString(36)}` : runId;
    const handle = await stack.client.workflow
      .start(WORKFLOW_TYPES.run, {
        taskQueue,
        workflowId,
        ...ONE_RUN_PER_ID,
        args: [runInput(io.cwd, runId, sources, opts, stack.server !== undefined, overrides)],
        searchAttributes: { [SEARCH_ATTRIBUTES.status]: ['booting'], [SEARCH_ATTRIBUTES.pipeline]: [pipelineName(sources.pipeline)] },
        // what the Temporal UI shows for the run (issue 23); the workflow keeps its current details
        staticSummary: summary,
        staticDetails: runStaticDetails(runId, sources, overrides),
      })
      .catch(async (err: unknown) => {
        throw (await startRefusal(err, stack.client, workflowId)) ?? err;
      });
    // lineage is written once the new run exists: a refused start leaves the old run's directory as it was
    if (oldRunDir && previous) recordLineage(oldRunDir, previous.runId, runId);
    const ui = workflowUrl(stack.target.uiUrl, namespace, workflowId);
    print(`run ${runId} started (workflow ${workflowId})${ui ? `\n  UI: ${ui}` : ''}`);
    const end = await follow(io, { client: stack.client, workflowId, address: stack.target.address, ...(ui ? { uiUrl: ui } : {}) }, { json: opts.json, quiet: opts.quiet, by: opts.by ?? defaultUser(ctx) });
    if (end.kind === 'interrupted') {
      for (const line of comeBackLines(workflowId, end, { address: stack.target.address, embedded: stack.server !== undefined })) io.err(line);
      return ExitCode.interrupted;
    }
    try {
      const result = (await handle.result()) as RunResult;
      report(ctx, opts, result, ui);
      return result.outcome === 'succeeded' || result.outcome === 'approved' ? ExitCode.ok : ExitCode.failed;
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      const failure = failureOf(err);
      if (opts.json) io.out(JSON.stringify({ runId, outcome: 'failed', failure }));
      else io.err(`factory: run ${runId} failed: ${failureText(failure)}`);
      return exitCodeForFailure(failure.domain);
    }
  } finally {
    await stack.stop();
  }
}

/** What a run runs: the specs named on the command line, or those of the run it resumes or reruns. */
interface RunSources {
  root: string;
  pipeline: SpecRef;
  profile: SpecRef;
  suite?: SpecRef;
  /** --resume: the interrupted run's envelope. */
  resumed?: RunEnvelope;
  /** --resume or rerun: the earlier run's envelope. */
  previous?: RunEnvelope;
  /** rerun: the earlier run's directory. */
  oldRunDir?: string;
}

async function runSources(cwd: string, pipelineArg: string | undefined, opts: RunOptions, env: CliIO['env'] = {}): Promise<RunSources> {
  const root = resolve(cwd, opts.registry ?? '.');
  const resumed = opts.resume ? readEnvelope(resolve(cwd, opts.resume)) : undefined;
  const oldRunDir = opts.rerun ? await rerunDir(cwd, opts.rerun, opts, env) : undefined;
  const previous = resumed ?? (oldRunDir ? readEnvelope(oldRunDir) : undefined);
  if (!pipelineArg && !previous) throw new UsageError('run needs a pipeline (id@version or file), or --resume <runDir>');
  const pipeline = previous ? previous.sources.pipeline : await specRef(pipelineArg as string, root, cwd, 'pipeline');
  const profile = previous ? previous.sources.profile : await specRef(opts.profile, root, cwd, 'profile');
  const suite = previous ? previous.sources.suite : opts.suite ? await specRef(opts.suite, root, cwd, 'suite') : undefined;
  return {
    root,
    pipeline,
    profile,
    ...(suite ? { suite } : {}),
    ...(resumed ? { resumed } : {}),
    ...(previous ? { previous } : {}),
    ...(oldRunDir ? { oldRunDir } : {}),
  };
}

function runInput(cwd: string, runId: string, s: RunSources, opts: RunOptions, embedded: boolean, overrides: SubmitOverrides): RunInput {
  return {
    runId,
    pipeline: s.pipeline,
    profile: s.profile,
    ...(overrides.goal !== undefined ? { goal: overrides.goal } : {}),
    ...(overrides.params ? { params: overrides.params } : {}),
    ...(s.suite ? { suite: s.suite } : {}),
    ...(opts.autoApprove ? { autoApprove: true } : {}),
    ...(opts.by ? { startedBy: opts.by } : {}),
    // the embedded worker shares this checkout; remote workers resolve specs from their own --registry
    ...(embedded ? { registryRoot: s.root } : {}),
    ...(s.previous && !s.resumed ? { rerunOf: s.previous.runId } : {}),
    ...(opts.ref !== undefined ? { ref: opts.ref } : {}),
    ...(opts.from !== undefined && s.oldRunDir ? { rerunFrom: { runDir: s.oldRunDir, node: opts.from } } : {}),
    ...(s.resumed ? { resume: true, runDir: resolve(cwd, opts.resume as string) } : opts.runDir ? { runDir: resolve(cwd, opts.runDir) } : {}),
  };
}

/** Prints the run's events until it ends: JSON lines, the live view on a terminal, or progress lines. */
function report(ctx: CliContext, opts: RunOptions, result: RunResult, ui: string | undefined): void {
  if (opts.json) {
    ctx.io.out(JSON.stringify({ ...result, context: undefined }));
    return;
  }
  const summary = result.runDir ? join(result.runDir, 'summary.md') : undefined;
  if (!opts.quiet && summary && existsSync(summary)) ctx.io.out(`\n${readFileSync(summary, 'utf8').trimEnd()}\n`);
  ctx.io.out(`run ${result.runId}: ${result.outcome}`);
  if (result.runDir) ctx.io.out(`  run directory: ${result.runDir}`);
  if (ui) ctx.io.out(`  Temporal UI:   ${ui}`);
}

/**
 * A spec argument as a SpecRef: an existing file, `id@version`, or a bare id (newest published version).
 * A suite file that is not here is passed as given: the scenario worker resolves it in its own root.
 */
export async function specRef(value: string, root: string, cwd: string, kind: 'pipeline' | 'profile' | 'suite'): Promise<SpecRef> {
  const asPath = isAbsolute(value) ? value : resolve(cwd, value);
  if (existsSync(asPath) || /\.(ya?ml|dot|gv)$/i.test(value)) {
    if (!existsSync(asPath) && kind === 'suite') return { file: value };
    if (!existsSync(asPath)) throw new UsageError(`${kind} file not found: ${value}`);
    return { file: asPath };
  }
  if (value.includes('@')) return { ref: value };
  const { specs, scenarios } = openRegistries(root);
  const registry = kind === 'suite' ? scenarios : specs;
  const versions = (await registry.list(kind === 'suite' ? 'suite' : kind)).filter((e) => e.id === value).map((e) => e.version);
  const newest = versions.sort(compareSemver).pop();
  if (!newest) throw new UsageError(`no published ${kind} "${value}" in ${root} (publish it with \`factory publish\`, or pass a file)`);
  return { ref: `${value}@${newest}` };
}

/** Reads the profile on this machine (for its Temporal settings); the worker resolves it again at boot. */
async function localProfile(ref: SpecRef, root: string): Promise<FactoryProfile | undefined> {
  try {
    const loaded = ref.file ? await loadSpecFile(ref.file) : (await openRegistries(root).specs.resolve('profile', ref.ref as string)).loaded;
    return loaded.kind === 'FactoryProfile' ? loaded.profile : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The run `rerun` names: a run directory, ./runs/<id>, or (a run id) the directory the server's result
 * records for it, as `verify` and `status` find it.
 */
async function rerunDir(cwd: string, arg: string, opts: RunOptions, env: CliIO['env']): Promise<string> {
  const local = localRunDir(cwd, arg) ?? localRunDir(cwd, join('runs', runDirName(arg)));
  if (local) return local;
  if (arg.includes('/') || arg === '.' || arg === '..') throw new UsageError(`no run directory for "${arg.slice(0, 80)}" (no ${resolve(cwd, arg)}/run.json)`);
  const looked = `looked for ${resolve(cwd, arg)}/run.json and ${resolve(cwd, 'runs', runDirName(arg))}/run.json`;
  let why: string;
  try {
    const client = await connectClient(resolveTarget({ out: () => undefined, err: () => undefined, cwd, env }, opts));
    try {
      const dir = await serverRunDir(client, arg);
      if (dir) return dir;
      why = 'the server records no finished run directory of that id on this machine';
    } finally {
      await client.connection.close();
    }
  } catch (err) {
    why = err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
  }
  throw new UsageError(`no run directory for "${arg.slice(0, 80)}" (${looked}; ${why})`);
}

function readEnvelope(runDir: string): RunEnvelope {
  const file = join(runDir, 'run.json');
  if (!existsSync(file)) throw new UsageError(`not a run directory (no run.json): ${runDir}`);
  return JSON.parse(readFileSync(file, 'utf8')) as RunEnvelope;
}

function pipelineName(ref: SpecRef): string {
  return ref.ref !== undefined ? (ref.ref.split('@')[0] as string) : (ref.file.split('/').pop() as string);
}

/**
 * The run's static summary for the Temporal UI: `id@version — goal` (the goal given with --goal, else the
 * pipeline's) read from the pipeline here, else its name. A parameter the pipeline does not declare is a
 * usage error naming it.
 */
async function pipelineSummary(ref: SpecRef, root: string, overrides: SubmitOverrides): Promise<string> {
  let loaded: LoadedSpec | undefined;
  try {
    loaded = ref.file ? await loadSpecFile(ref.file) : (await openRegistries(root).specs.resolve('pipeline', ref.ref as string)).loaded;
  } catch {
    // the worker resolves the pipeline again at boot and reports what is wrong with it
  }
  if (loaded?.kind === 'PipelineSpec' && loaded.graph) {
    let graph = loaded.graph;
    if ((overrides.goal !== undefined || overrides.params) && loaded.unexpanded) {
      try {
        graph = withSubmitOverrides(loaded.unexpanded, overrides);
      } catch (err) {
        throw new UsageError(`-p/--param: ${(err as Error).message}`);
      }
    }
    return runSummary(graph.id, graph.version, graph.goal || undefined);
  }
  return runSummary(pipelineName(ref), ref.ref?.split('@')[1], overrides.goal || undefined);
}

/** The run's static details in the Temporal UI: which sources it runs, and the goal and parameters given at submit. */
function runStaticDetails(runId: string, s: RunSources, o: SubmitOverrides): string {
  const src = (r: SpecRef) => r.ref ?? r.file ?? '?';
  const oneLine = (v: string) => JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…` : v);
  return [
    `factory run \`${runId}\``,
    `- pipeline: ${src(s.pipeline)}`,
    `- profile: ${src(s.profile)}`,
    ...(s.suite ? [`- suite: ${src(s.suite)}`] : []),
    ...(o.goal !== undefined ? [`- goal (given at submit): ${oneLine(o.goal)}`] : []),
    ...Object.entries(o.params ?? {}).map(([k, v]) => `- param ${k} = ${oneLine(v)}`),
  ].join('\n');
}

/** Kept here for importers of run.ts; lives in context.ts so reading commands need not load run.ts. */
export { defaultUser };

