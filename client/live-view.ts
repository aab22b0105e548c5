// `factory watch` / `factory run` on a terminal: a block that redraws in place — stage progress, the
// current stage and how long it has run, what is retrying (from describe), the holdout progress bar,
// open gates with the exact command to answer them. Pauses while a gate prompt owns the terminal.
import type { QuestionType } from '../core/questions';
import { sanitizeLine } from '../core/sanitize';
import { answerCommands, changeBlock, choicesLine, eventChange } from './gate-text';
import type { GateChoice, RunEvent } from '../core/run-model';
import type { PromptScreen } from './gate-prompt';
import { decisionLines, signatureLines } from './progress';
import { duration, formatPending, formatStageRetry, isRetrying, progressBar, retryingStages, type MonitorSnapshot, type StageRetry } from './run-monitor';

/** Frame lines that hold a command to copy (answer a gate, signal it): shown whole, never cut at the terminal's width. */
const COMMAND_LINE = /^\s+(factory|temporal) /;

interface StageRow {
  node: string;
  type: string;
  status: string;
  attempts: number;
  runs: number;
  startedAt: number;
  /** Set between attempts of the workflow's retry loop (`stage.retrying`). */
  retry?: StageRetry;
}

interface OpenGate {
  gate: string;
  prompt: string;
  choices: GateChoice[];
  data: Record<string, unknown>;
  question?: QuestionType;
}

const ICON: Record<string, string> = { running: '▶', success: '✓', partial_success: '✓', fail: '✗', retry: '↻', skipped: '·' };
const MAX_NOTES = 3;

/** Redraws the run's state block on each event and once a second; a PromptScreen for the gate prompt. */
export class LiveView implements PromptScreen {
  private readonly stages = new Map<string, StageRow>();
  private readonly gates = new Map<string, OpenGate>();
  private readonly notes: string[] = [];
  private status = 'booting';
  private current = '';
  private lastLine = '';
  private started = Date.now();
  private lines = 0;
  private paused = false;
  private evaluation?: { total: number; clusters?: unknown };
  private monitor?: MonitorSnapshot;
  private timer?: ReturnType<typeof setInterval> | undefined;
  /** node → its running agent's latest turn / tool line (factory watch, from heartbeats). */
  private agents = new Map<string, string>();

  constructor(
    private readonly tty: { write(text: string): void; columns: number },
    private readonly runId: string,
    private readonly opts: { address?: string; uiUrl?: string; now?: () => number } = {},
  ) {}

  /** Starts the once-a-second redraw (elapsed time); call stop() when done. */
  start(): void {
    this.timer = setInterval(() => this.render(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.paused = false;
    this.render();
  }

  /** A prompt is about to draw below the block: stop redrawing until resume(). */
  pause(): void {
    this.paused = true;
  }

  /** The prompt cleared itself: the cursor is back under the block, redraw in place. */
  resume(): void {
    this.paused = false;
    this.render();
  }

  /** A line shown under the block (the last few are kept): who answered a gate, a refused answer. */
  note(text: string): void {
    this.notes.push(text);
    if (this.notes.length > MAX_NOTES) this.notes.shift();
    this.render();
  }

  /** What describe says: pending activities (retries) and scenarios done. */
  onSnapshot(s: MonitorSnapshot): void {
    this.monitor = s;
    this.render();
  }

  /** Shows a running stage's agent progress under the stage rows (cleared when the stage ends). */
  onAgent(node: string, line: string): void {
    this.agents.set(node, line.trim());
    this.render();
  }

  onEvent(e: RunEvent): void {
    const d = e.data;
    if (e.seq === 1) this.started = Date.parse(e.at) || this.started;
    const node = String(d['node'] ?? '');
    switch (e.type) {
      case 'run.started':
        this.status = 'executing';
        break;
      case 'stage.started': {
        const row = this.stages.get(node) ?? { node, type: String(d['type']), status: 'running', attempts: 0, runs: 0, startedAt: 0 };
        row.status = 'running';
        row.startedAt = Date.parse(e.at) || this.now();
        this.stages.set(node, row);
        this.current = node;
        break;
      }
      case 'stage.retrying': {
        const row = this.stages.get(node);
        const [retry] = retryingStages([e]);
        if (row && retry) row.retry = retry;
        break;
      }
      case 'stage.completed':
      case 'stage.failed': {
        this.agents.delete(node);
        const row = this.stages.get(node);
        if (row) {
          delete row.retry;
          row.status = String(d['status']);
          row.attempts += Number(d['attempts'] ?? 1);
          row.runs += 1;
        }
        break;
      }
      case 'run.awaiting_human':
        this.status = 'awaiting_human';
        this.gates.set(String(d['gate']), {
          gate: String(d['gate']),
          prompt: String(d['prompt'] ?? 'decide this run'),
          choices: (d['choices'] as GateChoice[] | undefined) ?? [],
          data: d,
          ...(typeof d['question'] === 'string' ? { question: d['question'] as QuestionType } : {}),
        });
        break;
      case 'gate.closed':
        this.gates.delete(String(d['gate']));
        // a gate ended by its deadline or a deadlock may fail without run.resumed: the run goes on
        if (this.gates.size === 0 && this.status === 'awaiting_human') this.status = 'executing';
        break;
      case 'run.resumed':
        this.status = 'executing';
        break;
      case 'run.evaluating':
        this.status = 'evaluating';
        this.evaluation = { total: Number(d['scenarios'] ?? 0) };
        break;
      case 'evaluation.completed':
        this.evaluation = { total: Number(d['total'] ?? 0), clusters: d['clusters'] };
        break;
      case 'run.approved':
      case 'run.rejected':
        this.status = e.type.slice(4);
        this.gates.clear();
        break;
      case 'run.failed':
        this.status = `failed (${String(d['domain'])})`;
        break;
      case 'run.completed':
        this.status = `completed: ${String(d['outcome'])}`;
        this.current = '';
        break;
      default:
        break;
    }
    this.lastLine = `#${e.seq} ${e.type}${node ? ` ${node}` : ''}`;
    this.render();
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** The block as plain lines (no clipping, no control sequences). */
  frame(): string[] {
    const now = this.now();
    const done = [...this.stages.values()].filter((s) => s.status !== 'running').length;
    const running = [...this.stages.values()].filter((s) => s.status === 'running');
    const pending = this.monitor?.pending ?? [];
    const stageRetry = running.length === 1 ? pending.find((p) => p.type === 'executeStage' && isRetrying(p)) : undefined;
    const out = [
      `run ${this.runId} — ${this.status} — ${done}/${this.stages.size} stages — ${duration(now - this.started)}`,
      ...[...this.stages.values()].map((s) => {
        const attempts = s.attempts > s.runs ? ` (${s.attempts} attempts)` : '';
        const retrying = s.retry ? ` — ${formatStageRetry(s.retry, now).replace(`stage ${s.node} is `, '')}` : stageRetry ? ` — retrying, attempt ${stageRetry.attempt}` : '';
        const live = s.status === 'running' ? ` ${duration(now - s.startedAt)}${retrying}` : '';
        return `  ${ICON[s.status] ?? '?'} ${s.node.padEnd(18)} ${s.type.padEnd(16)} ${s.status}${live}${attempts}${s.node === this.current ? '  ← current' : ''}`;
      }),
    ];
    for (const line of this.agents.values()) out.push(`    ${line}`);
    for (const p of pending.filter(isRetrying)) out.push(`  ↻ ${formatPending(p, now)}`);
    if (this.status === 'evaluating' && this.evaluation) {
      out.push(`  holdout ${progressBar(this.monitor?.evaluation?.done ?? 0, this.evaluation.total)} scenarios`);
    }
    for (const g of this.gates.values()) out.push(...this.gateLines(g));
    if (this.opts.uiUrl) out.push(`  UI: ${this.opts.uiUrl}`);
    for (const n of this.notes) out.push(`  » ${n}`);
    out.push(`  last: ${this.lastLine}`);
    return out;
  }

  private gateLines(g: OpenGate): string[] {
    if (g.data['kind'] === 'decision') {
      return [`  ⏸ decision awaited:`, ...decisionLines(g.data, this.runId, '      '), ...signatureLines(this.evaluation?.clusters, '      ')];
    }
    // what the run changed so far: its one summary line here (the files are in `factory gates` and at the prompt)
    const change = eventChange(g.data['change']);
    return [
      `  ⏸ gate ${g.gate}: ${g.prompt}`,
      `      ${choicesLine(g.question, g.choices)}`,
      ...(change ? changeBlock(change, '      ').slice(0, 1) : []),
      `      ${answerCommands(this.runId, g.gate, g.question)}`,
      `      temporal workflow signal${this.opts.address ? ` --address ${this.opts.address}` : ''} --workflow-id ${this.runId} --name approve --input '{"by":"you"}'`,
    ];
  }

  private render(): void {
    if (this.paused) return;
    const width = Math.max(40, this.tty.columns - 1);
    // frame lines carry gate labels, answers and run ids: escaped before the view adds its own escapes;
    // a command to copy is never cut: it wraps, and the redraw counts the rows it takes
    const lines = this.frame().map((raw) => {
      const l = sanitizeLine(raw);
      return l.length > width && !COMMAND_LINE.test(l) ? `${l.slice(0, width - 1)}…` : l;
    });
    const up = this.lines > 0 ? `\x1b[${this.lines}F` : '';
    this.tty.write(`${up}\x1b[J${lines.join('\n')}\n`);
    this.lines = lines.reduce((rows, l) => rows + Math.max(1, Math.ceil(l.length / Math.max(1, this.tty.columns))), 0);
  }
}
