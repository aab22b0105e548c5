// `command` scenarios: `sh -c <run>` in the candidate's directory with the candidate environment;
// pass = expected exit code, every stdout_contains substring, stdout_matches. A command that cannot be
// started at all is infrastructure (retried); a timeout or a wrong exit code is a failed check.
// The command runs the agent's code, so it runs in a bubblewrap sandbox (activities/sandbox): the
// candidate read-only, a private /tmp, no network, only the candidate variables and ENV_ALLOW — never the
// suite, the scenario worker's arguments, environment or log. Expectations are checked out here.

import { describeExit } from '../handlers/process';
import { candidateEnv, inCandidateDir } from './candidate';
import { ScenarioConfigError, ScenarioInfraError } from '../errors';
import type { Box } from '../sandbox/bwrap';
import { runConfined } from '../sandbox/run';
import { resolveSandbox, type ResolvedSandbox } from '../sandbox/policy';
import type { RunContext, ScenarioRunner, Verdict } from './types';

/** The shell command scenarios run under. */
export const SCENARIO_SHELL = '/bin/sh';

/** Runs a command scenario. */
export const runCommandScenario: ScenarioRunner<'command'> = async (scenario, ctx) => {
  const sandbox = await scenarioSandbox(ctx);
  const vars = candidateEnv(ctx.candidate, ctx.view, {}) as Record<string, string>;
  const result = await inCandidateDir(ctx.view, (cwd) => {
    const box: Box = ctx.view.path !== undefined ? { sandbox, writable: [], readOnly: [ctx.view.path] } : { sandbox, writable: [cwd] };
    const spec = {
      argv: [SCENARIO_SHELL, '-c', scenario.run],
      cwd,
      env: { ...ctx.env, ...vars },
      signal: ctx.signal,
      timeoutMs: scenario.timeout_ms,
      stdoutFile: '/dev/null',
      stderrFile: '/dev/null',
    };
    return runConfined(spec, box, Object.keys(vars));
  });
  if (result.spawnError) throw new ScenarioInfraError(`command scenario: ${SCENARIO_SHELL} could not be started (${spawnCode(result.spawnError)})`);
  if (result.aborted) throw ctx.signal.reason ?? new ScenarioInfraError('command scenario: cancelled');
  const problems: string[] = [];
  if (result.timedOut) problems.push(`timed out after ${scenario.timeout_ms} ms`);
  else if (result.exitCode !== scenario.expect.exit_code) problems.push(`${describeExit(result)} (expected exit code ${scenario.expect.exit_code})`);
  for (const text of scenario.expect.stdout_contains) if (!result.stdout.includes(text)) problems.push(`stdout lacks ${JSON.stringify(text)}`);
  const re = scenario.expect.stdout_matches;
  if (re !== undefined && !new RegExp(re, 'm').test(result.stdout)) problems.push(`stdout does not match /${re}/`);
  return verdict(problems, lastLine(result.stderrTail));
};

/** The worker's sandbox for candidate code; a worker without bubblewrap refuses (unless its operator chose `none`). */
async function scenarioSandbox(ctx: RunContext): Promise<ResolvedSandbox> {
  try {
    return await resolveSandbox(ctx.sandbox, false);
  } catch (err) {
    throw new ScenarioConfigError(`command scenario: ${(err as Error).message}`);
  }
}

function verdict(problems: string[], stderr: string): Verdict {
  if (problems.length === 0) return { pass: true };
  return { pass: false, reason: `${problems.join('; ')}${stderr ? `; stderr: ${stderr}` : ''}` };
}

/** The last non-empty line of a text, at most 200 characters. */
export function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

/** ENOENT / EACCES ... out of a spawn error message (the message itself may name scenario paths). */
function spawnCode(message: string): string {
  return /\b(E[A-Z]+)\b/.exec(message)?.[1] ?? 'spawn error';
}
