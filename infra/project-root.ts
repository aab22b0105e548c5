// The checkout's root from wherever the code runs: the sources (<root>/infra) or the build
// (<root>/dist/infra). Paths to bin/, scripts/, .venv and package.json start here.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The nearest directory above this file that holds package.json. */
export function projectRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(__dirname);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  cached = dir;
  return dir;
}
