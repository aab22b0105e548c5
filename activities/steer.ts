// Manager loop "steer" (Attractor §4.11): the supervisor writes an intervention into the child run's
// active stage directory, `<stage>/steer/`, which the coding-agent loop reads before its next model
// call (activities/agent/loop.ts). One instruction per manager node and stage visit: the cool-down.
import { NO_FOLLOW_CREATE } from './no-follow';
import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STEER_DIR } from './agent/loop';
import { readEvents } from './run-dir';
import { stageDirName } from './stage';


export interface SteerChildInput {
  /** The child run's directory. */
  childRunDir: string;
  /** The manager node steering (names the file, so each manager steers a stage visit once). */
  manager: string;
  message: string;
}

/** Which stage was steered, if any: `steered` is false when no stage runs or this visit was already steered. */
export interface SteerChildResult {
  steered: boolean;
  stage?: string;
}

/** Writes the instruction for the child's running stage (the last stage.started without its end). */
export async function steerChild(input: SteerChildInput): Promise<SteerChildResult> {
  const events = await readEvents(input.childRunDir).catch(() => []);
  const running = new Map<string, number>();
  for (const e of events) {
    const node = e.data['node'];
    if (typeof node !== 'string') continue;
    if (e.type === 'stage.started') running.set(node, Number(e.data['visit'] ?? 1));
    else if (e.type === 'stage.completed' || e.type === 'stage.failed') running.delete(node);
  }
  const active = [...running.entries()].pop();
  if (!active) return { steered: false };
  const [stage, visit] = active;
  const stageDir = join(input.childRunDir, stageDirName(stage));
  const st = await lstat(stageDir).catch(() => undefined);
  if (!st?.isDirectory()) return { steered: false, stage }; // not started on disk yet, or a link: never written through
  const dir = join(stageDir, STEER_DIR);
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(join(dir, `manager-${stageDirName(input.manager)}-v${visit}.md`), input.message, { flag: NO_FOLLOW_CREATE });
  } catch (err) {
    if ((err as { code?: string }).code === 'EEXIST') return { steered: false, stage };
    throw err;
  }
  return { steered: true, stage };
}
