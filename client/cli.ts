// The `factory` command line: one commander program, one file per command under client/commands/.
// main() never throws and never exits the process: it returns the exit code for bin/factory to set.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { sanitizeText } from '../core/sanitize';
import { projectRoot } from '../infra/project-root';
import { COMMANDS } from './commands';
import { CliContext, ExitCode, UsageError, processIO, type CliIO } from './context';

/**
 * Builds the program with every command (exported for help-text tests), or, given the first argument,
 * with only the commands it can name: `factory status` loads what status needs, `--version` nothing.
 */
export function buildProgram(ctx: CliContext, first?: string): Command {
  const program = new Command('factory')
    .description('Run software-factory pipelines as durable Temporal workflows')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.replace(/\n$/, '')),
      writeErr: (s) => ctx.io.err(s.replace(/\n$/, '')),
      outputError: (s, write) => write(`factory: ${s.replace(/^error: /, '')}`),
    });
  const named = first === undefined ? undefined : COMMANDS.find((c) => c.names.includes(first));
  const versionOnly = first === '-V' || first === '--version';
  for (const module of named ? [named] : versionOnly ? [] : COMMANDS) module.load()(program, ctx);
  return program;
}

/** Runs one invocation (`argv` without node and script) and returns its exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2), rawIO: CliIO = processIO()): Promise<number> {
  const io = sanitizingIO(rawIO);
  const ctx = new CliContext(io);
  const program = buildProgram(ctx, argv[0]);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return ExitCode.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    ctx.fail(report(err, io));
  }
  return ctx.exitCode;
}

/** Prints an escaped error as `factory: <message>` and picks its exit code. Never prints a stack unless FACTORY_DEBUG is set. */
function report(err: unknown, io: CliIO): ExitCode {
  if (err instanceof CommanderError) {
    // commander has already printed its message through outputError; help and --version exit 0.
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (io.env.FACTORY_DEBUG && err instanceof Error && err.stack) io.err(err.stack);
  // before the requires below: a usage error of `status` over HTTP needs no Temporal SDK to be reported
  if (err instanceof UsageError) {
    io.err(`factory: ${message}`);
    return ExitCode.usage;
  }
  // the error classes come from modules the failing command has loaded already: require them only here
  const { SpecFileError } = require('../definitions/load') as typeof import('../definitions/load');
  const { RegistryError } = require('../definitions/registry') as typeof import('../definitions/registry');
  const { WorkflowNotFoundError } = require('@temporalio/client') as typeof import('@temporalio/client');
  const { NoWorkerError, isServerUnavailable } = require('./worker-wait') as typeof import('./worker-wait');
  if (err instanceof SpecFileError) {
    io.err(`factory: ${message}`);
    return ExitCode.usage;
  }
  if (err instanceof WorkflowNotFoundError) {
    io.err(`factory: ${/already completed/i.test(message) ? `run ${err.workflowId} has already completed` : `no run ${err.workflowId} on this server (check the run id, --address and --namespace)`}`);
    return ExitCode.usage;
  }
  if (isServerUnavailable(err)) {
    io.err(`factory: Temporal server unavailable: ${message}`);
    return ExitCode.unavailable;
  }
  if (err instanceof NoWorkerError) {
    io.err(`factory: ${message}; nothing was applied`);
    return ExitCode.noWorker;
  }
  if (err instanceof RegistryError) {
    io.err(`factory: ${message}`);
    return ExitCode.failed;
  }
  io.err(`factory: internal error: ${message} (set FACTORY_DEBUG=1 for the stack)`);
  return ExitCode.failed;
}

/**
 * Every line a command prints goes through the output sanitiser: run ids, gate labels, answers and
 * reasons reach the terminal with their control characters escaped, whichever command prints them.
 * Raw tty writes (the live view's redraws) are left alone: the live view sanitises its own lines.
 */
export function sanitizingIO(io: CliIO): CliIO {
  return { ...io, out: (line) => io.out(sanitizeText(line)), err: (line) => io.err(sanitizeText(line)) };
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
