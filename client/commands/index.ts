// The command list: adding a command is one file here plus one line below.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerAnswer } from './answer';
import { registerDecide } from './decide';
import { registerDiff } from './diff';
import { registerGraph } from './graph';
import { registerInspect } from './inspect';
import { registerLint } from './lint';
import { registerPublish } from './publish';
import { registerRun } from './run';
import { registerRuns } from './runs';
import { registerScenarioWorker } from './scenario-worker';
import { registerSchema } from './schema';
import { registerVerify } from './verify';
import { registerWorker } from './worker';

/** Adds one subcommand (with its options and action) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command, in help order. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerRun,
  registerRuns,
  registerInspect,
  registerAnswer,
  registerDecide,
  registerVerify,
  registerDiff,
  registerWorker,
  registerScenarioWorker,
  registerLint,
  registerGraph,
  registerSchema,
  registerPublish,
];
