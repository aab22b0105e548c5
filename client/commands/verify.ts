// `factory verify <run-dir>`: checks a finalized run directory against its sha256 freeze manifest, the
// manifest against the digest the Temporal server recorded when the run froze it (or --digest), and the
// candidate decision.json names against its git remote.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { verifyRunDir } from '../../activities/finalize';
import type { DecisionRecord } from '../../core/decision-policy';
import type { RunEnvelope } from '../../core/run-model';
import type { CandidateSnapshot } from '../../core/workspace';
import { checkPublished } from '../../activities/workspace/check-candidate';
import { ExitCode, type CliContext } from '../context';
import { recordedFreezeDigest } from '../freeze-digest';
import { connectClient, resolveTarget } from '../temporal';

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
    .argument('<runDir>', 'run directory')
    .option('--digest <sha256>', 'expected freeze manifest digest (the run envelope\'s freezeDigest)')
    .option('--json', 'print the report as JSON')
    .option('--offline', 'check files against the manifest only, not the manifest against the server\'s record (weaker: a rewritten manifest passes)')
    .option('--address <host:port>', 'Temporal frontend')
    .option('--namespace <ns>', 'Temporal namespace')
    .action(async (runDir: string, opts: VerifyOptions) => {
      const dir = resolve(ctx.io.cwd, runDir);
      const anchor = opts.digest || opts.offline ? { digest: opts.digest } : await serverDigest(ctx, dir, opts);
      const report = await verifyRunDir(dir, anchor.digest);
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
        for (const p of report.problems) ctx.io.out(`problem: ${p}`);
        for (const f of report.modified) ctx.io.out(`modified: ${f}`);
        for (const f of report.missing) ctx.io.out(`missing:  ${f}`);
        for (const f of report.added) ctx.io.out(`added:    ${f}`);
        ctx.io.out(report.ok ? `ok: ${report.files} files match (freeze manifest sha256 ${report.freezeDigest})${candidate ? `; candidate commit ${candidate.commit} is in ${candidate.remote}` : ''}` : `FAILED: ${runDir} does not match its freeze manifest${candidate ? ' or its decided candidate' : ''}`);
      }
      if (!report.ok) ctx.fail(ExitCode.failed);
    });
}

/** The digest the server recorded for the run in `dir`, or the reason it could not be had. */
async function serverDigest(ctx: CliContext, dir: string, opts: VerifyOptions): Promise<{ digest?: string; problem?: string }> {
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
