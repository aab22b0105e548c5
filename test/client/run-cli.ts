// Helpers to run the CLI as users do (spawned `node bin/factory`) and in-process (main with captured IO).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../client/cli';

export const REPO = join(__dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'factory');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Spawns `node bin/factory ...args` in `cwd` (default: the repo). */
export function spawnCli(args: readonly string[], cwd = REPO): Promise<CliResult> {
  return spawnCmd(process.execPath, [BIN, ...args], cwd);
}

/** Spawns any command and collects its output and exit code. */
export function spawnCmd(cmd: string, args: readonly string[], cwd = REPO): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd, encoding: 'utf8', env: { ...process.env, FACTORY_DEBUG: '' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs main() in-process with captured output (`env`: the environment the command sees; default empty). */
export async function runCli(args: readonly string[], cwd = REPO, env: Record<string, string> = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => void out.push(l), err: (l) => void err.push(l), cwd, env });
  return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.map((l) => `${l}\n`).join('') };
}
