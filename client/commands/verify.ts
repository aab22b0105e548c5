// `factory verify <run-dir | run-id>`: checks a finalized run directory against its sha256 freeze manifest,
// the manifest against the digest the Temporal server recorded when the run froze it (or --digest), and the
// candidate decision.json names against its git remote. With the server unreachable it says so, runs the
// offline check, and still exits 1: nothing anchored it.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyRunDir } from '../../activities/finalize';
import type { DecisionRecord } from '../../core/decision-policy';
import type { RunEnvelope } from '../../core/run-model';
import type { CandidateSnapshot } from '../../core/workspace';
import { checkPublished } from '../../activities/workspace/check-candidate';
import { ExitCode, UsageError, type CliContext } from '../context';
import { recordedFreezeDigest } from '../freeze-digest';
import { palette } from '../colour';
import { localRunDir, serverRunDir } from '../run-outcome';
import { connectClient, resolveTarget, TemporalUnreachableError } from '../temporal';

interface VerifyOptions {
  digest?: string;
  json?: boolean;
  offline?: boolean;
  address?: string;
  namespace?: string;
}

/** Registers `verify`. */
export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description('check a finalized run directory against its freeze manifest (exit 1 on any change)')
    .argument('<run>', 'run directory, or run id (./runs/<id>, else the directory the server recorded)')
    .option('--digest <sha256>', 'expected freeze manifest digest (the run envelope\'s freezeDigest)')
    .option('--json', 'print the report as JSON')
    .option('--offline', 'check files against the manifest only, not the manifest against the server\'s record (weaker: a rewritten manifest passes)')
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .action(async (runArg: string, opts: VerifyOptions) => {
      const dir = await runDirectory(ctx, runArg, opts);
      const runDir = runArg;
      const anchor = opts.digest || opts.offline ? { digest: opts.digest } : await serverDigest(ctx, dir, opts);
      const report = await verifyRunDir(dir, anchor.digest);
      if (anchor.unreachable) {
        // the server is down, not the run: say so, and give the weaker answer the files can give
        ctx.io.err(`factory: ${anchor.unreachable}`);
        ctx.io.err('factory: ran the offline check only: the freeze manifest itself was NOT checked against the server\'s record (pass --digest <sha256> from the run\'s summary to anchor it)');
        if (opts.json) ctx.io.out(JSON.stringify({ ...report, anchored: false }, null, 2));
        else {
          for (const line of diffLines(report)) ctx.io.out(line);
          ctx.io.out(report.ok ? `offline ok: ${report.files} files match the freeze manifest (sha256 ${report.freezeDigest}); not verified against the server` : `FAILED: ${runDir} does not match its freeze manifest`);
        }
        return ctx.fail(ExitCode.failed);
      }
      if (anchor.problem) {
        report.problems.push(anchor.problem);
        report.ok = false;
      }
      // the decision names what was decided on: its commit must still be what the candidate remote holds
      const candidate = decidedCandidate(dir);
      if (candidate) {
        const problems = await checkPublished(candidate);
        report.problems.push(...problems);
        if (problems.length) report.ok = false;
      }
      if (opts.offline && !opts.digest) ctx.io.err('factory: --offline: the freeze manifest itself was not checked against the server\'s record');
      if (opts.json) ctx.io.out(JSON.stringify(report, null, 2));
      else {
        for (const line of diffLines(report)) ctx.io.out(line);
        const filesMatch = report.modified.length + report.missing.length + report.added.length === 0;
        const paint = palette(ctx.io);
        ctx.io.out(report.ok ? `${paint.good('ok')}: ${report.files} files match (freeze manifest sha256 ${report.freezeDigest})${candidate ? `; candidate commit ${candidate.commit} is in ${candidate.remote}` : ''}` : `${paint.bad('FAILED')}: ${runDir}${filesMatch ? ': see the problem above' : ' does not match its freeze manifest'}`);
      }
      if (!report.ok) ctx.fail(ExitCode.failed);
    });
}

type VerifyReport = Awaited<ReturnType<typeof verifyRunDir>>;

function diffLines(report: VerifyReport): string[] {
  return [
    ...report.problems.map((p) => `problem: ${p}`),
    ...report.modified.map((f) => `modified: ${f}`),
    ...report.missing.map((f) => `missing:  ${f}`),
    ...report.added.map((f) => `added:    ${f}`),
  ];
}

/** The run directory `arg` names: a directory, ./runs/<id>, or the directory the server's result records. */
async function runDirectory(ctx: CliContext, arg: string, opts: VerifyOptions): Promise<string> {
  const local = localRunDir(ctx.io.cwd, arg);
  if (local) return local;
  if (arg.includes('/')) return resolve(ctx.io.cwd, arg); // a path: verify reports what is missing there
  const client = await connectClient(resolveTarget(ctx.io, opts));
  try {
    const dir = await serverRunDir(client, arg);
    if (dir) return dir;
  } finally {
    await client.connection.close();
  }
  throw new UsageError(`no run directory for "${arg.slice(0, 80)}": not a directory, not ./runs/${arg.slice(0, 80)}, and the server records none on this machine`);
}

/** The digest the server recorded for the run in `dir`, or why it could not be had (`unreachable`: no server answered). */
async function serverDigest(ctx: CliContext, dir: string, opts: VerifyOptions): Promise<{ digest?: string; problem?: string; unreachable?: string }> {
  let workflowId: string;
  try {
    workflowId = (JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunEnvelope).workflowId;
  } catch (err) {
    return { problem: `cannot read ${join(dir, 'run.json')} for the run's workflow id (${err instanceof Error ? err.message : String(err)})` };
  }
  try {
    const client = await connectClient(resolveTarget(ctx.io, opts));
    try {
      const digest = await recordedFreezeDigest(client, workflowId);
      return digest ? { digest } : { problem: `the server's history of workflow ${workflowId} has no finalizeRun result: the run was not finalized by its workflow` };
    } finally {
      await client.connection.close();
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (err instanceof TemporalUnreachableError) return { unreachable: why };
    return { problem: `the freeze digest could not be checked against the server's record of workflow ${workflowId} (${why}); pass --digest <sha256> from the run's summary, or --offline` };
  }
}

/** The candidate decision.json names (runs decided since issue 21), if any. */
function decidedCandidate(dir: string): CandidateSnapshot | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'decision.json'), 'utf8')) as DecisionRecord).candidate;
  } catch {
    return undefined;
  }
}
