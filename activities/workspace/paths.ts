// Where factory keeps its own git state under a run root: one directory per run's workspace, and the
// default candidate remote beside them.

import { join } from 'node:path';
import { runBranch } from './git';

/** The directory under a run root that holds workspaces and the default candidate remote. */
export const FACTORY_DIR = '.factory';

/** The workspace directory of a run under its run root (`tree/` and `git/` inside). */
export function workspaceHome(runRoot: string, runId: string): string {
  return join(runRoot, FACTORY_DIR, 'workspaces', runBranch(runId).slice('factory/'.length));
}

/** The default candidate remote: a bare repository under the run root. */
export function defaultRemote(runRoot: string): string {
  return join(runRoot, FACTORY_DIR, 'candidates.git');
}

/** The run root a workspace's git directory (`<run_root>/.factory/workspaces/<id>/git`) lives under. */
export function runRootOf(gitDir: string): string {
  return join(gitDir, '..', '..', '..', '..');
}
