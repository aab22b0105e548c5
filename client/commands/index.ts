// The command list: adding a command is one file here plus one line below.
import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerLint } from './lint';
import { registerPublish } from './publish';
import { registerSchema } from './schema';

/** Adds one subcommand (with its options and action) to the program. */
export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command, in help order. */
export const COMMANDS: readonly RegisterCommand[] = [registerLint, registerSchema, registerPublish];
