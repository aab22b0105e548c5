// `judge` scenarios: the profile's provider judges the candidate text against the rubric.
// - twin: deterministic; pass iff every criterion (the `criteria` list, else the rubric's "- " lines)
//   appears case-insensitively in the candidate text (an empty list passes).
// - openai: one chat completion asking for {"pass": bool, "reason": str}; 429/5xx/network → retried,
//   other 4xx → not retried; an answer that is not that JSON is retried too.
// - agent: the agent command with rubric + candidate on stdin; exit 0 = pass. The candidate text is the
//   agent's and may steer a judge that runs commands, so the judge runs in the scenario worker's sandbox
//   like a command scenario: the candidate read-only, its own variables and allow_hosts only, never the suite.

import { ProviderRejectedError, StageConfigError } from '../errors';
import { resolveCommand } from '../sandbox/command-path';
import { agentSandbox, resolveSandbox } from '../sandbox/policy';
import { runConfined } from '../sandbox/run';
import { askProvider } from '../llm/ask';
import type { ProviderConfig } from '../../definitions/schemas/profile';
import type { Scenario } from '../../definitions/schemas/suite';
import { candidateEnv, candidateText, inCandidateDir } from './candidate';
import { lastLine } from './command';
import { ScenarioConfigError, ScenarioInfraError } from '../errors';
import type { RunContext, ScenarioRunner, Verdict } from './types';

type JudgeScenario = Extract<Scenario, { kind: 'judge' }>;

/** The instruction every real judge gets before the rubric. */
export const JUDGE_INSTRUCTIONS =
  'You are a strict reviewer. Judge the CANDIDATE against the RUBRIC. Answer with one JSON object only: {"pass": true|false, "reason": "<one sentence>"}.';

/** Runs a judge scenario with the profile's provider. */
export const runJudgeScenario: ScenarioRunner<'judge'> = async (scenario, ctx) => {
  const text = await candidateText(ctx.candidate, ctx.view);
  const provider = ctx.provider;
  if (provider.kind === 'twin') return twinVerdict(scenario, text);
  if (provider.kind === 'openai') return openaiVerdict(scenario, text, provider, ctx);
  if (provider.kind === 'agent') return agentVerdict(scenario, text, provider, ctx);
  return llmVerdict(scenario, text, provider, ctx);
};

/** The criteria a twin checks: `criteria`, else the rubric's lines starting with "- ". */
export function twinCriteria(scenario: Pick<JudgeScenario, 'rubric' | 'criteria'>): string[] {
  if (scenario.criteria !== undefined) return scenario.criteria;
  return scenario.rubric
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('- '))
    .map((l) => l.slice(2).trim())
    .filter(Boolean);
}

/** The twin's deterministic verdict. */
export function twinVerdict(scenario: Pick<JudgeScenario, 'rubric' | 'criteria'>, candidate: string): Verdict {
  const haystack = candidate.toLowerCase();
  const missing = twinCriteria(scenario).filter((c) => !haystack.includes(c.toLowerCase()));
  return missing.length === 0 ? { pass: true } : { pass: false, reason: `criteria not met: ${missing.map((c) => JSON.stringify(c)).join(', ')}` };
}

function prompt(scenario: JudgeScenario, candidate: string): string {
  return `RUBRIC:\n${scenario.rubric}\n\nCANDIDATE:\n${candidate}\n`;
}

async function openaiVerdict(scenario: JudgeScenario, text: string, provider: Extract<ProviderConfig, { kind: 'openai' }>, ctx: RunContext): Promise<Verdict> {
  const key = ctx.env[provider.api_key_env];
  if (!key) throw new ScenarioConfigError(`judge provider openai: environment variable ${provider.api_key_env} is not set on the scenario worker`);
  const url = `${provider.base_url.replace(/\/+$/, '')}/chat/completions`;
  const timeout = AbortSignal.timeout(Math.min(provider.timeout_ms, scenario.timeout_ms));
  let res: Response;
  let body: string;
  try {
    res = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: provider.model,
        messages: [
          { role: 'system', content: JUDGE_INSTRUCTIONS },
          { role: 'user', content: prompt(scenario, text) },
        ],
      }),
      signal: AbortSignal.any([ctx.signal, timeout]),
    });
    body = await res.text();
  } catch {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw new ScenarioInfraError(`judge provider openai: POST ${url} ${timeout.aborted ? 'timed out' : 'failed (network)'}`);
  }
  // Server error bodies may echo the prompt: only the status is reported.
  if (res.status === 429 || res.status === 408 || res.status >= 500) throw new ScenarioInfraError(`judge provider openai: POST ${url} → HTTP ${res.status}`);
  if (!res.ok) throw new ScenarioConfigError(`judge provider openai: POST ${url} → HTTP ${res.status} (request refused; check the profile's provider)`);
  const answer = parseJudgeAnswer(body);
  if (!answer) throw new ScenarioInfraError('judge provider openai: the answer was not {"pass": bool, "reason": str} JSON');
  return answer.pass ? { pass: true } : { pass: false, reason: answer.reason.split('\n')[0]?.slice(0, 300) ?? '' };
}

/** Reads {"pass", "reason"} out of a Chat Completions body (content may be fenced or wrapped in prose). */
export function parseJudgeAnswer(body: string): { pass: boolean; reason: string } | undefined {
  try {
    const content = (JSON.parse(body) as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]?.message?.content;
    if (typeof content !== 'string') return undefined;
    const start = content.indexOf('{');
    const end = content.lastIndexOf('}');
    if (start < 0 || end < start) return undefined;
    const obj = JSON.parse(content.slice(start, end + 1)) as { pass?: unknown; reason?: unknown };
    if (typeof obj.pass !== 'boolean') return undefined;
    return { pass: obj.pass, reason: typeof obj.reason === 'string' ? obj.reason : '' };
  } catch {
    return undefined;
  }
}

/** anthropic, google, openai_compatible: one call through the LLM library. */
async function llmVerdict(scenario: JudgeScenario, text: string, provider: ProviderConfig, ctx: RunContext): Promise<Verdict> {
  let answer: string;
  try {
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(scenario.timeout_ms)]);
    answer = (await askProvider({ provider, system: JUDGE_INSTRUCTIONS, prompt: prompt(scenario, text), env: ctx.env, signal })).text;
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (err instanceof ProviderRejectedError || err instanceof StageConfigError) throw new ScenarioConfigError(`judge ${err.message}`);
    throw new ScenarioInfraError(`judge ${(err as Error).message}`);
  }
  const verdict = parseJudgeAnswer(JSON.stringify({ choices: [{ message: { content: answer } }] }));
  if (!verdict) throw new ScenarioInfraError(`judge provider ${provider.kind}: the answer was not {"pass": bool, "reason": str} JSON`);
  return verdict.pass ? { pass: true } : { pass: false, reason: verdict.reason.split('\n')[0]?.slice(0, 300) ?? '' };
}

async function agentVerdict(scenario: JudgeScenario, text: string, provider: Extract<ProviderConfig, { kind: 'agent' }>, ctx: RunContext): Promise<Verdict> {
  const vars = { ...(candidateEnv(ctx.candidate, ctx.view, {}) as Record<string, string>), FACTORY_JUDGE: '1' };
  let sandbox;
  try {
    sandbox = agentSandbox(await resolveSandbox(ctx.sandbox, false), provider);
  } catch (err) {
    throw new ScenarioConfigError(`judge provider agent: ${(err as Error).message}`);
  }
  const result = await inCandidateDir(ctx.view, async (cwd) => {
    const found = await resolveCommand(provider.command[0] ?? '', cwd, ctx.env.PATH ?? '/usr/bin:/bin');
    if ('error' in found) throw new ScenarioInfraError(`judge provider agent: ${JSON.stringify(provider.command[0])} could not be started (${found.error})`);
    const readOnly = [...(ctx.view.path !== undefined ? [ctx.view.path] : []), ...found.outside];
    return runConfined(
      {
        argv: provider.command,
        cwd,
        env: { ...ctx.env, ...vars },
        stdin: `${JUDGE_INSTRUCTIONS}\n\n${prompt(scenario, text)}`,
        signal: ctx.signal,
        timeoutMs: Math.min(provider.timeout_ms, scenario.timeout_ms),
        stdoutFile: '/dev/null',
        stderrFile: '/dev/null',
      },
      { sandbox, writable: ctx.view.path !== undefined ? [] : [cwd], readOnly },
      Object.keys(vars),
    );
  });
  if (result.spawnError) throw new ScenarioInfraError(`judge provider agent: ${JSON.stringify(provider.command[0])} could not be started`);
  if (result.aborted) throw ctx.signal.reason ?? new ScenarioInfraError('judge scenario: cancelled');
  if (result.timedOut) return { pass: false, reason: 'the agent judge timed out' };
  if (result.exitCode === 0) return { pass: true };
  return { pass: false, reason: `agent judge exit code ${result.exitCode}: ${lastLine(result.stderrTail) || lastLine(result.stdout)}` };
}
