// The command list: adding a command is one file here plus one line below.
import type { Command } from 'commander';
import type { CliContext } from '../context';
/** Adds one subcommand (with its options and action) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** A module of commands: the top-level names it registers and its registration, loaded only when needed. */
export interface CommandModule {
  names: readonly string[];
  load(): RegisterCommand;
}

// require() on demand: `factory status` loads the Temporal client, not the worker, the renderer or the AI SDKs
const lazy = <M>(load: () => M, pick: (m: M) => RegisterCommand) => () => pick(load());

/** Every command, in help order. */
export const COMMANDS: readonly CommandModule[] = [
  { names: ['run', 'rerun'], load: lazy(() => require('./run') as typeof import('./run'), (m) => m.registerRun) },
  { names: ['runs'], load: lazy(() => require('./runs') as typeof import('./runs'), (m) => m.registerRuns) },
  { names: ['status'], load: lazy(() => require('./status') as typeof import('./status'), (m) => m.registerStatus) },
  { names: ['events', 'gates', 'watch'], load: lazy(() => require('./inspect') as typeof import('./inspect'), (m) => m.registerInspect) },
  { names: ['answer', 'approve', 'reject'], load: lazy(() => require('./answer') as typeof import('./answer'), (m) => m.registerAnswer) },
  { names: ['logs'], load: lazy(() => require('./logs') as typeof import('./logs'), (m) => m.registerLogs) },
  { names: ['cancel'], load: lazy(() => require('./cancel') as typeof import('./cancel'), (m) => m.registerCancel) },
  { names: ['decide'], load: lazy(() => require('./decide') as typeof import('./decide'), (m) => m.registerDecide) },
  { names: ['diff'], load: lazy(() => require('./diff') as typeof import('./diff'), (m) => m.registerDiff) },
  { names: ['verify'], load: lazy(() => require('./verify') as typeof import('./verify'), (m) => m.registerVerify) },
  { names: ['worker'], load: lazy(() => require('./worker') as typeof import('./worker'), (m) => m.registerWorker) },
  { names: ['server'], load: lazy(() => require('./server') as typeof import('./server'), (m) => m.registerServer) },
  { names: ['scenario-worker'], load: lazy(() => require('./scenario-worker') as typeof import('./scenario-worker'), (m) => m.registerScenarioWorker) },
  { names: ['lint'], load: lazy(() => require('./lint') as typeof import('./lint'), (m) => m.registerLint) },
  { names: ['graph'], load: lazy(() => require('./graph') as typeof import('./graph'), (m) => m.registerGraph) },
  { names: ['schema'], load: lazy(() => require('./schema') as typeof import('./schema'), (m) => m.registerSchema) },
  { names: ['publish'], load: lazy(() => require('./publish') as typeof import('./publish'), (m) => m.registerPublish) },
];
