// The console interviewer: in a terminal, `factory run` and `factory watch` ask at an open gate.
// The prompt races every other answer channel (Web UI, `temporal workflow signal`, `factory approve`):
// the followed events close it as soon as the gate closes elsewhere, and it says who answered.
import { confirm, input, select } from '@inquirer/prompts';
import type { PolicyCheck } from '../core/decision-policy';
import { AnswerValue, QUESTION_TYPES, QuestionType, type Question, type QuestionOption } from '../core/questions';
import { sanitizeLine } from '../core/sanitize';
import type { WorkspaceChange } from '../core/workspace';
import { changeBlock, eventChange } from './gate-text';
import type { GateChoice, RunEvent } from '../core/run-model';
import type { DecideSignalInput } from '../workflows/messages';

/** An open gate as the `run.awaiting_human` event describes it. */
export interface OpenGate {
  gate: string;
  prompt: string;
  choices: GateChoice[];
  /** The gate's question (yes/no, multiple choice, free text, confirmation) when the event carries one. */
  question?: Question;
  /** What the run changed up to the gate (runs with a workspace): files, +/- lines, the commit. */
  change?: WorkspaceChange;
  /** Set for the decision gate: the decisions policy allows and the checks behind them. */
  decision?: { allowed: string[]; checks: PolicyCheck[] };
}

/** An answer given at the prompt: a choice (target id, or option key for an option without a target), or free text. */
export interface PromptAnswer {
  choice?: string;
  text?: string;
}

/** How an answer given at the prompt reaches the run; each returns the refusal reason, or undefined when taken. */
export interface GateAnswerer {
  answer(gate: string, answer: PromptAnswer): Promise<string | undefined>;
  decide(input: Omit<DecideSignalInput, 'by'>): Promise<string | undefined>;
}

/** Where the prompter shows its notes and what it pauses while a prompt owns the terminal. */
export interface PromptScreen {
  pause(): void;
  resume(): void;
  note(text: string): void;
}

/** Terminal streams for the prompts (default: the process's stdin/stdout). */
export interface PromptStreams {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
}

/** Why a prompt ended without an answer from this terminal. */
class ClosedElsewhere extends Error {
  override readonly name = 'ClosedElsewhere';
}

/**
 * Feeds on the run's events (call onEvent for each); opens one prompt at a time for the oldest open
 * gate. `interrupted` resolves when the person presses Ctrl-C at a prompt (the run stays parked).
 */
export class GatePrompter {
  private readonly open = new Map<string, OpenGate>();
  private readonly answeredBy = new Map<string, string>();
  private active?: { gate: string; abort: AbortController };
  private stopped = false;
  private onInterrupt: (gate: string) => void = () => undefined;
  /** Resolves with the gate id when Ctrl-C was pressed at its prompt. */
  readonly interrupted: Promise<string>;

  constructor(
    private readonly answerer: GateAnswerer,
    private readonly screen: PromptScreen,
    private readonly streams: PromptStreams = {},
  ) {
    this.interrupted = new Promise((resolve) => (this.onInterrupt = resolve));
  }

  onEvent(e: RunEvent): void {
    const d = e.data;
    const gate = String(d['gate'] ?? '');
    switch (e.type) {
      case 'run.awaiting_human':
        this.open.set(gate, openGateOf(d));
        // after the whole batch: a gate opened and closed in one batch (a replay) is never asked
        queueMicrotask(() => void this.next());
        break;
      case 'gate.answered':
        this.answeredBy.set(gate, `${String(d['by'])} chose ${String(d['choice'])} (${viaText(String(d['via']))})`);
        break;
      case 'gate.closed':
        this.close(gate, closedWhy(d['via']) ?? this.answeredBy.get(gate) ?? 'closed elsewhere');
        break;
      case 'run.approved':
      case 'run.rejected':
        this.close('decision', `${String(d['by'])} decided ${e.type.slice(4)}`);
        break;
      case 'run.completed':
      case 'run.failed':
        for (const id of [...this.open.keys()]) this.close(id, e.type === 'run.failed' ? 'the run failed' : 'the run completed');
        break;
      default:
        break;
    }
  }

  /** Closes any prompt and asks nothing more (the follower is leaving). */
  stop(): void {
    this.stopped = true;
    this.active?.abort.abort(new ClosedElsewhere('stopped'));
  }

  private close(gate: string, who: string): void {
    if (!this.open.delete(gate)) return;
    if (this.active?.gate === gate) this.active.abort.abort(new ClosedElsewhere(who));
  }

  private async next(): Promise<void> {
    if (this.active || this.stopped) return;
    const gate = this.open.values().next().value as OpenGate | undefined;
    if (!gate) return;
    const abort = new AbortController();
    this.active = { gate: gate.gate, abort };
    this.screen.pause();
    try {
      const note = await this.ask(gate, abort.signal);
      this.open.delete(gate.gate);
      this.screen.note(note);
    } catch (err) {
      const reason = abort.signal.reason as unknown;
      if (reason instanceof ClosedElsewhere) {
        if (reason.message !== 'stopped') this.screen.note(`gate ${gate.gate} was answered elsewhere: ${reason.message}; prompt closed`);
      } else if (isCtrlC(err)) {
        this.stopped = true;
        this.onInterrupt(gate.gate);
      } else {
        this.screen.note(`gate ${gate.gate}: prompt failed (${err instanceof Error ? err.message : String(err)}); answer with factory approve/answer`);
        this.open.delete(gate.gate);
      }
    } finally {
      this.active = undefined;
      this.screen.resume();
    }
    if (!this.stopped) void this.next();
  }

  /** Asks until an answer is taken; a refused answer is shown and asked again. Returns the note to show. */
  private async ask(gate: OpenGate, signal: AbortSignal): Promise<string> {
    const ctx = { signal, clearPromptOnDone: true, ...this.streams };
    let refusal: string | undefined;
    for (;;) {
      const header = refusal ? `refused: ${sanitizeLine(refusal)}\n` : '';
      if (gate.decision) {
        const decision = await select(
          {
            message: `${header}Decide this run (${sanitizeLine(gate.decision.checks.map((c) => `${c.name} ${c.ok ? 'ok' : 'FAILED'}`).join(', '))})`,
            choices: gate.decision.allowed.map((d) => ({ name: sanitizeLine(d), value: d })),
          },
          ctx,
        );
        const reason = await input({ message: `Reason for ${decision}:`, validate: (v) => v.trim() !== '' || 'a reason is required' }, ctx);
        const remediation = decision === 'rejected' ? await input({ message: 'Remediation (what to fix, where to rerun from):', validate: (v) => v.trim() !== '' || 'required when rejecting' }, ctx) : undefined;
        refusal = await this.answerer.decide({ decision: decision as 'approved' | 'rejected', reason, ...(remediation ? { remediation } : {}) });
        if (!refusal) return `decision ${decision} sent from this terminal`;
      } else {
        // what the run changed so far, above the question (nothing when no file changed: the prompt stays one line)
        const changed = gate.change && gate.change.files > 0 ? `${changeBlock(gate.change, '').map(sanitizeLine).join('\n')}\n` : '';
        const answer = await askQuestion(questionOf(gate), `${header}${changed}gate ${sanitizeLine(gate.gate)}: `, ctx);
        refusal = await this.answerer.answer(gate.gate, answer);
        if (!refusal) return `gate ${gate.gate}: answered ${answer.choice ?? JSON.stringify(answer.text)} from this terminal`;
      }
    }
  }
}

type PromptContext = { signal: AbortSignal; clearPromptOnDone: boolean } & PromptStreams;

/** Asks one question with the prompt that fits its type. */
async function askQuestion(q: Question, prefix: string, ctx: PromptContext): Promise<PromptAnswer> {
  // the prompt writes straight to the terminal: the graph's text is escaped here, not by the CLI's output sink
  const message = `${prefix}${sanitizeLine(q.text)}`;
  if (q.type === QuestionType.freeform) {
    const text = await input({ message, validate: (v) => v.trim() !== '' || 'an answer is required' }, ctx);
    return { text };
  }
  if (q.type === QuestionType.yesNo || q.type === QuestionType.confirmation) {
    const yes = await confirm({ message, default: false }, ctx);
    const option = q.options.find((o) => o.value === (yes ? AnswerValue.yes : AnswerValue.no));
    return { choice: option ? choiceOf(option) : yes ? 'Y' : 'N' };
  }
  const choice = await select({ message, choices: q.options.map((o) => ({ name: sanitizeLine(o.label), value: choiceOf(o), description: o.to ? `→ ${sanitizeLine(o.to)}` : '' })) }, ctx);
  return { choice };
}

/** The target id names an option unambiguously; an option without a target (a decline) goes by its key. */
function choiceOf(o: QuestionOption): string {
  return o.to !== '' ? o.to : o.key;
}

/** The gate's question, or (for runs whose events carry none) a multiple choice over its edges. */
function questionOf(gate: OpenGate): Question {
  return gate.question ?? { text: gate.prompt, type: QuestionType.multipleChoice, stage: gate.gate, options: gate.choices.map((c) => ({ ...c })) };
}

function openGateOf(d: Record<string, unknown>): OpenGate {
  const gate = String(d['gate']);
  if (d['kind'] === 'decision') {
    return { gate, prompt: 'decide this run', choices: [], decision: { allowed: (d['allowed'] as string[] | undefined) ?? [], checks: (d['checks'] as PolicyCheck[] | undefined) ?? [] } };
  }
  const prompt = String(d['prompt'] ?? '');
  const choices = (d['choices'] as GateChoice[] | undefined) ?? [];
  // the event names the question type; its options are the gate's choices (yes/no ones carry value YES/NO)
  const type = typeof d['question'] === 'string' && (QUESTION_TYPES as readonly string[]).includes(d['question']) ? (d['question'] as QuestionType) : undefined;
  const question: Question | undefined = type ? { text: prompt, type, stage: gate, options: type === QuestionType.freeform ? [] : choices.map((c) => ({ ...c })) } : undefined;
  const change = eventChange(d['change']);
  return { gate, prompt, choices, ...(question ? { question } : {}), ...(change ? { change } : {}) };
}

/** Who an answer came from, as far as the server knows: signals come from the Web UI or the temporal CLI. */
function viaText(via: string): string {
  if (via === 'signal') return 'signal: Web UI or temporal CLI';
  if (via === 'update') return 'update: factory approve/answer';
  if (via === 'auto') return 'auto-approve';
  return via;
}

/** @inquirer rejects with ExitPromptError on Ctrl-C (and on a forced exit). */
function isCtrlC(err: unknown): boolean {
  return err instanceof Error && err.name === 'ExitPromptError';
}

/** Why a gate closed without a winning answer (deadline or deadlock); undefined when an answer closed it. */
function closedWhy(via: unknown): string | undefined {
  if (via === 'timeout') return 'its deadline passed';
  if (via === 'quorum_unreachable') return 'its quorum can no longer be reached';
  return undefined;
}
