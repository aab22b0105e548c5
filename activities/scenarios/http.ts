// `http` scenarios: one request to the candidate service (base URL from the `candidate.url` export or
// an http(s) candidate ref); pass = expected status, every body_contains substring, every JSON path
// value. No connection at all (refused, reset, DNS) is infrastructure (retried); a slow or wrong
// answer is a failed check.

import { candidateBaseUrl } from './candidate';
import { ScenarioInfraError } from '../errors';
import { parseJsonPath, readJsonPath } from './json-path';
import type { ScenarioRunner, Verdict } from './types';

/** Runs an http scenario. */
export const runHttpScenario: ScenarioRunner<'http'> = async (scenario, ctx) => {
  const base = candidateBaseUrl(ctx.candidate);
  if (base === undefined) return { pass: false, reason: 'the candidate has no URL (no candidate.url export and no http(s) ref)' };
  const url = `${base.replace(/\/+$/, '')}${scenario.request.path}`;
  const { method, headers, body } = scenario.request;
  const timeout = AbortSignal.timeout(scenario.timeout_ms);
  let res: Response;
  let text: string;
  try {
    res = await ctx.fetch(url, {
      method,
      headers,
      ...(body !== '' && method !== 'GET' && method !== 'HEAD' ? { body } : {}),
      signal: AbortSignal.any([ctx.signal, timeout]),
      redirect: 'manual',
    });
    text = method === 'HEAD' ? '' : await res.text();
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (timeout.aborted) return { pass: false, reason: `no response within ${scenario.timeout_ms} ms` };
    throw new ScenarioInfraError(`http scenario: the candidate service is unreachable (${networkCode(err)})`);
  }
  return check(scenario.expect, res.status, text);
};

function check(expect: Parameters<ScenarioRunner<'http'>>[0]['expect'], status: number, text: string): Verdict {
  const problems: string[] = [];
  if (status !== expect.status) problems.push(`status ${status} (expected ${expect.status})`);
  for (const s of expect.body_contains) if (!text.includes(s)) problems.push(`body lacks ${JSON.stringify(s)}`);
  const paths = Object.entries(expect.json);
  if (paths.length > 0) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      problems.push('body is not JSON');
      return { pass: false, reason: problems.join('; ') };
    }
    for (const [expr, want] of paths) {
      const steps = parseJsonPath(expr);
      if (!steps) {
        problems.push(`unsupported JSON path ${expr}`);
        continue;
      }
      const got = readJsonPath(doc, steps);
      if (!got.found) problems.push(`${expr} is missing`);
      else if (got.value !== want) problems.push(`${expr} is ${JSON.stringify(got.value)} (expected ${JSON.stringify(want)})`);
    }
  }
  return problems.length ? { pass: false, reason: problems.join('; ') } : { pass: true };
}

/** ECONNREFUSED, ENOTFOUND, ... from a fetch failure (never the URL, which holds the scenario's path). */
function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; errors?: { code?: unknown }[] } }).cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : 'network error';
}
