// Telling a process apart from a later one that reuses its pid: Linux's /proc/<pid>/stat start time
// (clock ticks since boot) is fixed for a process's life, so pid + start time names one process.
import { readFileSync } from 'node:fs';

/** State and start time of a process from /proc/<pid>/stat; undefined when it is gone or there is no /proc. */
function procStat(pid: number): { state: string; start: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', start: fields[19] ?? '?' };
  } catch {
    return undefined;
  }
}

/** The process's start time (field 22 of /proc/<pid>/stat), to record beside its pid. */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/** Why a recorded process is not the one running now (dead, a zombie, or pid reused), or undefined when it is. */
export function recordedProcessGone(pid: number, startTime: string | undefined): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return `no valid pid (${String(pid)})`;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return `pid ${pid} is gone`;
  }
  const now = procStat(pid);
  // an exited process nobody reaped yet still answers kill(pid, 0)
  if (now?.state === 'Z') return `pid ${pid} is gone`;
  if (startTime !== undefined && now !== undefined && now.start !== startTime) return `pid ${pid} now belongs to another process`;
  return undefined;
}
