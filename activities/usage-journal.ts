// The run's usage journal, `<runDir>/usage.jsonl` (issue 20, item 6): one fsynced line per model call
// a stage made, appended as soon as the call returns, and one line each time a stage's final outcome
// reported its calls to the workflow. It is the activity side's record of what a run spent: the agent
// loop reads it before every model call to hold the run budget, and a stage's outcome carries every
// call of the node not yet reported, so failed, retried and cut-off attempts are counted.

import { constants } from 'node:fs';
import { join } from 'node:path';
import type { Outcome } from '../core/outcome';
import { addUsage, budgetExceeded, type Budget, type TokenUsage } from '../core/usage';
import { appendJsonLine, readJsonLines } from './jsonl-file';
import { NO_FOLLOW_READ } from './no-follow';

/** The journal's file name in the run directory. */
export const USAGE_FILE = 'usage.jsonl';

/** Append, create, never through a link; read too (a torn last line is closed before the next). */
const APPEND = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

/** One journal line: a model call, or a stage's final outcome reporting the node's calls so far. */
export type UsageLine =
  | { type: 'call'; node: string; at: string; attempt?: number; session?: string; turn?: number; provider: string; model: string; usage: TokenUsage }
  | { type: 'reported'; node: string; at: string; calls: number; usage: TokenUsage };

/** What some calls spent. */
export interface Spent {
  calls: number;
  usage: TokenUsage;
}

/** Every complete line (a line torn by a crash is skipped: its call is lost, not invented). */
export function readUsage(runDir: string): Promise<UsageLine[]> {
  return readJsonLines<UsageLine>(join(runDir, USAGE_FILE), NO_FOLLOW_READ);
}

/** Appends one line and fsyncs it before returning. */
export function appendUsage(runDir: string, line: UsageLine): Promise<void> {
  return appendJsonLine(join(runDir, USAGE_FILE), line, APPEND);
}

/** Every call the run made, whichever stage, attempt or outcome. */
export function runSpent(lines: readonly UsageLine[]): Spent {
  return sum(lines.filter((l) => l.type === 'call'));
}

/** The node's calls after its last report: this visit's attempts, and any cut off before they could report. */
export function unreported(lines: readonly UsageLine[], node: string): Spent {
  let from = 0;
  lines.forEach((l, i) => {
    if (l.node === node && l.type === 'reported') from = i + 1;
  });
  return sum(lines.slice(from).filter((l) => l.type === 'call' && l.node === node));
}

/** Why the run may not make another model call (its journaled spend is over budget), or undefined. */
export async function overBudget(runDir: string, budget: Budget | undefined): Promise<string | undefined> {
  if (!budget || (budget.max_tokens === undefined && budget.max_cost_usd === undefined)) return undefined;
  return budgetExceeded(runSpent(await readUsage(runDir)).usage, budget);
}

/**
 * What the node's outcome reports: its unreported calls (undefined when it made none). With `final`
 * (the outcome the workflow keeps: not an attempt it will retry) they are marked reported, so the next
 * visit of the node starts from zero.
 */
export async function stageSpent(runDir: string, node: string, final: boolean): Promise<Spent | undefined> {
  const spent = unreported(await readUsage(runDir), node);
  if (spent.calls === 0) return undefined;
  if (final) await appendUsage(runDir, { type: 'reported', node, at: new Date().toISOString(), calls: spent.calls, usage: spent.usage });
  return spent;
}

/** The outcome with the node's unreported usage (the journal holds every call, so it replaces the handler's figure). */
export async function withStageSpent(runDir: string, node: string, outcome: Outcome, final: boolean): Promise<Outcome> {
  const spent = await stageSpent(runDir, node, final);
  return spent ? { ...outcome, usage: spent.usage } : outcome;
}

function sum(lines: readonly UsageLine[]): Spent {
  let usage: TokenUsage = { input_tokens: 0, output_tokens: 0 };
  for (const l of lines) usage = addUsage(usage, l.usage);
  return { calls: lines.length, usage };
}
