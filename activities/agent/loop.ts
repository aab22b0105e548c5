// The coding-agent loop (coding-agent-loop spec §2.5) for one codergen stage: call the model, run the
// tools it asks for inside the workspace, feed the results back, until it answers with text only or a
// limit stops it. Every turn and tool call is journaled before the next step, so a retried activity
// (worker killed, provider down) resumes where the last one stopped. Every call is also appended to
// the run's usage journal (usage-journal.ts), which is read before each call to hold the run budget.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelMessage } from 'ai';
import type { Budget } from '../../core/usage';
import type { AgentLimits, LlmProviderConfig } from '../../definitions/schemas/providers';
import { ProviderRejectedError } from '../errors';
import { callModel } from '../llm/call';
import type { BoundModel } from '../llm/models';
import { addUsage, type Usage } from '../llm/usage';
import { appendUsage, overBudget } from '../usage-journal';
import { appendJournal, chooseSession, JOURNAL_OUTPUT_LIMIT, readJournal, sessionLines, type JournalLine } from './journal';
import { loopStrikes, replaySession, signature, toolMessage, type CallRecord, type SessionState } from './replay';
import { filteredEnv } from './tools-shell';
import { runTool, toolSet } from './tools';
import type { AgentTool } from './tool-types';
import { hookPassed, runHook, type HookRecord, type ToolHooks } from './tool-hooks';
import type { ResolvedSandbox } from '../sandbox/policy';

/** Where steering messages are dropped while a stage runs (one file per message, injected once). */
export const STEER_DIR = 'steer';
/** Consecutive rounds loop detection may fire before the stage stops: the first warns the model, the last ends it. */
export const LOOP_STRIKES = 3;

/** One stage's agent run. */
export interface AgentInput {
  stageDir: string;
  workdir: string;
  /** Identifies the activity execution across its retries (resume key). */
  activity: string;
  providerName: string;
  provider: LlmProviderConfig;
  model: string;
  bound: BoundModel;
  system: string;
  prompt: string;
  /** The run context as the stage's fidelity carries it, sent before the prompt (absent when continuing a thread). */
  preamble?: string;
  /** Earlier conversation to continue (fidelity=full with a thread). */
  prior?: ModelMessage[];
  thread?: string;
  tools: readonly AgentTool[];
  /** `tool_hooks.pre` / `.post` commands run around each tool call (Attractor §9.7). */
  hooks?: ToolHooks;
  limits: AgentLimits;
  /** Where the run's usage journal lives, and the node and attempt its lines name. */
  usage?: { runDir: string; node: string; attempt: number };
  /** The run's budget (profile policy.budget): checked against the usage journal before every model call. */
  budget?: Budget;
  env: NodeJS.ProcessEnv;
  /** The stage's sandbox for the shell tool and hooks (absent: the default, bubblewrap with the network off). */
  sandbox?: ResolvedSandbox;
  signal: AbortSignal;
  heartbeat(details?: unknown): void;
}

/** How the loop ended. */
export interface AgentResult {
  text: string;
  usage: Usage;
  turns: number;
  toolCalls: number;
  stopReason: 'completed' | 'turn_limit' | 'round_limit' | 'budget' | 'loop' | 'empty_answer';
  /** Why the loop stopped, for every stop reason but completed. */
  stopDetail?: string;
  resumed: boolean;
  /** The whole conversation (for threads). */
  messages: ModelMessage[];
}

/** Runs (or resumes) the loop; throws provider errors and the abort reason, journaling first. */
export async function runAgent(input: AgentInput): Promise<AgentResult> {
  const all = await readJournal(input.stageDir);
  const { session, resumed } = chooseSession(all, input.activity, input.prompt);
  const now = () => new Date().toISOString();
  const write = (line: JournalLine) => appendJournal(input.stageDir, line);
  let opening: ModelMessage[];
  let system = input.system;
  if (resumed) {
    const start = all.find((l) => l.type === 'session' && l.session === session) as Extract<JournalLine, { type: 'session' }>;
    opening = openingMessages(start.prior ?? [], start.preamble, input.prompt);
    system = start.system ?? system;
  } else {
    opening = openingMessages(input.prior ?? [], input.preamble, input.prompt);
    const line = { type: 'session' as const, session, activity: input.activity, at: now(), provider: input.providerName, model: input.model, ...(input.thread ? { thread: input.thread } : {}), prior_messages: input.prior?.length ?? 0, system, prompt: input.prompt, ...(input.preamble ? { preamble: input.preamble } : {}), ...(input.prior?.length ? { prior: input.prior } : {}) };
    await write(line);
  }
  const s = replaySession(opening, resumed ? sessionLines(all, session) : []);
  const tools = input.tools;
  const sdkTools = tools.length ? toolSet(tools) : undefined;
  const shellEnv = filteredEnv(input.env, input.provider.api_key_env ? [input.provider.api_key_env] : []);
  let toolCalls = s.signatures.length;

  const runCalls = async (turn: number, calls: CallRecord[]): Promise<void> => {
    for (const c of calls) {
      if (c.result) continue;
      input.heartbeat({ agent: { turn, phase: 'tool', tool: c.name, detail: preview(c.args), tool_calls: toolCalls, tokens: s.usage.input_tokens + s.usage.output_tokens } });
      const started = Date.now();
      const callId = `t${turn}-${safe(c.id)}`;
      const hook = (phase: 'pre' | 'post', command: string, result?: { output: string; is_error: boolean }): Promise<HookRecord> => runHook({
        phase, command, cwd: input.workdir, stageDir: input.stageDir, env: shellEnv, ...(input.sandbox ? { sandbox: input.sandbox } : {}), signal: input.signal,
        timeoutMs: input.limits.command_timeout_ms, callId, tool: { name: c.name, call_id: c.id, args: c.args, ...(result ? { result } : {}) },
      });
      const pre = input.hooks?.pre ? await hook('pre', input.hooks.pre) : undefined;
      const r = pre && !hookPassed(pre)
        ? vetoed(c.name, pre)
        : await runTool(tools, c.name, c.args, {
          root: input.workdir, stageDir: input.stageDir, env: shellEnv, ...(input.sandbox ? { sandbox: input.sandbox } : {}), signal: input.signal,
          defaultTimeoutMs: input.limits.command_timeout_ms, maxTimeoutMs: input.limits.max_command_timeout_ms,
          callId, heartbeat: () => input.heartbeat(),
        });
      const post = input.hooks?.post ? await hook('post', input.hooks.post, { output: r.output, is_error: r.isError }) : undefined;
      c.result = { forModel: r.forModel, isError: r.isError };
      await write({ type: 'tool', session, turn, at: now(), call_id: c.id, name: c.name, args: c.args, output: r.output.slice(0, JOURNAL_OUTPUT_LIMIT), for_model: r.forModel, is_error: r.isError, duration_ms: Date.now() - started, ...(pre ? { pre_hook: pre } : {}), ...(post ? { post_hook: post } : {}) });
      toolCalls += 1;
    }
    s.messages.push(toolMessage(calls));
  };
  const steer = async (turn: number, text: string, source: string): Promise<void> => {
    s.steered.add(source);
    s.messages.push({ role: 'user', content: text });
    await write({ type: 'steer', session, turn, at: now(), text, source });
  };

  if (s.pending.length) await runCalls(s.turns, s.pending);
  let stopReason: AgentResult['stopReason'] = 'completed';
  let stopDetail: string | undefined;
  for (;;) {
    if (input.limits.max_tool_rounds > 0 && s.rounds >= input.limits.max_tool_rounds) { stopReason = 'round_limit'; break; }
    if (input.limits.max_turns > 0 && s.turns >= input.limits.max_turns) { stopReason = 'turn_limit'; break; }
    if (input.signal.aborted) throw input.signal.reason;
    // before EVERY call: what the whole run has spent (all stages, attempts and workers) against its budget
    const over = input.usage ? await overBudget(input.usage.runDir, input.budget) : undefined;
    if (over) {
      stopReason = 'budget';
      stopDetail = `${over}; the agent stopped before model call ${s.turns + 1} of this stage`;
      break;
    }
    for (const m of await newSteering(input.stageDir, s)) await steer(s.turns, m.text, m.source);
    input.heartbeat({ agent: { turn: s.turns + 1, phase: 'model', tool_calls: toolCalls, tokens: s.usage.input_tokens + s.usage.output_tokens } });
    const turn = s.turns + 1;
    const spent = async (usage: Usage): Promise<void> => {
      if (input.usage) await appendUsage(input.usage.runDir, { type: 'call', node: input.usage.node, at: now(), attempt: input.usage.attempt, session, turn, provider: input.providerName, model: input.model, usage });
    };
    const res = await callModel({
      bound: input.bound, provider: input.provider, providerName: input.providerName, system,
      messages: s.messages, ...(sdkTools ? { tools: sdkTools } : {}), ...(input.limits.max_output_tokens ? { maxOutputTokens: input.limits.max_output_tokens } : {}), signal: input.signal,
    }).catch(async (err: unknown) => {
      // a refusal that answered (content filter) was billed: journaled before the error ends the stage
      if (err instanceof ProviderRejectedError && err.usage) await spent(err.usage);
      throw err;
    });
    // the spend first: a turn cut off before its transcript line is asked again, and billed again
    await spent(res.usage);
    await write({ type: 'turn', session, turn, at: now(), text: res.text, tool_calls: res.toolCalls, messages: res.messages, usage: res.usage, finish_reason: res.finishReason });
    s.turns = turn;
    s.usage = addUsage(s.usage, res.usage);
    s.lastText = res.text;
    s.messages.push(...res.messages);
    if (res.toolCalls.length === 0) {
      if (!res.text.trim()) {
        stopReason = 'empty_answer';
        stopDetail = `the model's final answer (turn ${turn}, finish reason ${res.finishReason}) was empty`;
      }
      break;
    }
    s.rounds += 1;
    const calls: CallRecord[] = res.toolCalls.map((c) => ({ ...c }));
    for (const c of calls) s.signatures.push(signature(c.name, c.args));
    s.roundEnds.push(s.signatures.length);
    await runCalls(turn, calls);
    const w = input.limits.loop_detection_window;
    const strikes = loopStrikes(s.signatures, s.roundEnds, w);
    if (strikes >= LOOP_STRIKES) {
      stopReason = 'loop';
      stopDetail = `loop detected: the last ${w} tool calls repeated a pattern for ${strikes} rounds in a row, after the model was warned`;
      break;
    }
    if (strikes === 1) await steer(turn, `Loop detected: the last ${w} tool calls follow a repeating pattern. Try a different approach.`, `loop-detection@${turn}`);
  }
  await write({ type: 'end', session, at: now(), reason: stopReason, ...(stopDetail ? { detail: stopDetail } : {}), text: s.lastText, usage: s.usage, turns: s.turns });
  return { text: s.lastText, usage: s.usage, turns: s.turns, toolCalls, stopReason, ...(stopDetail ? { stopDetail } : {}), resumed, messages: s.messages };
}

/** The error the model reads when the pre-hook skipped its call (§9.7). */
function vetoed(name: string, pre: HookRecord): { output: string; forModel: string; isError: boolean } {
  const why = pre.timed_out ? 'timed out' : `exited ${pre.exit_code}`;
  const msg = `Tool call skipped: the tool_hooks.pre hook ${why}${pre.output ? `:\n${pre.output}` : ''}`;
  return { output: msg, forModel: msg, isError: true };
}

/** Prior conversation, then the fidelity preamble (if any), then the stage's prompt. */
function openingMessages(prior: ModelMessage[], preamble: string | undefined, prompt: string): ModelMessage[] {
  return [...prior, ...(preamble ? [{ role: 'user' as const, content: preamble }] : []), { role: 'user', content: prompt }];
}

/** Steering files (`<stage>/steer/*`) not yet injected, oldest name first. */
async function newSteering(stageDir: string, s: SessionState): Promise<{ source: string; text: string }[]> {
  const dir = join(stageDir, STEER_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: { source: string; text: string }[] = [];
  for (const name of names.sort()) {
    const source = `file:${name}`;
    if (s.steered.has(source) || name.startsWith('.')) continue;
    const text = (await readFile(join(dir, name), 'utf8').catch(() => '')).trim();
    if (text) out.push({ source, text });
  }
  return out;
}

/** A one-line glimpse of a tool call's arguments for `factory watch` (command, path or pattern). */
function preview(args: unknown): string {
  const a = (args ?? {}) as Record<string, unknown>;
  const v = a.command ?? a.file_path ?? a.pattern ?? a.path ?? '';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.replace(/\s+/g, ' ').slice(0, 80);
}

function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}
