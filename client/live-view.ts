// `factory watch` / `factory run` on a terminal: a block that redraws in place — stage progress, the
// current stage, elapsed time, open gates with the exact command to answer them.
import type { QuestionType } from '../core/questions';
import { answerCommands, choicesLine } from './gate-text';
import type { GateChoice, RunEvent } from '../core/run-model';

interface StageRow {
  node: string;
  type: string;
  status: string;
  attempts: number;
  runs: number;
}

interface OpenGate {
  gate: string;
  prompt: string;
  choices: GateChoice[];
  question?: QuestionType;
  decision: boolean;
}

const ICON: Record<string, string> = { running: '▶', success: '✓', partial_success: '✓', fail: '✗', retry: '↻', skipped: '·' };

export class LiveView {
  private stages = new Map<string, StageRow>();
  private gates = new Map<string, OpenGate>();
  private status = 'booting';
  private current = '';
  private lines = 0;
  private started = Date.now();
  private lastLine = '';
  private timer: NodeJS.Timeout | undefined;
  /** node → its running agent's latest turn / tool line (factory watch, from heartbeats). */
  private agents = new Map<string, string>();

  constructor(
    private readonly tty: { write(text: string): void; columns: number },
    private readonly runId: string,
    private readonly opts: { address?: string; uiUrl?: string } = {},
  ) {}

  /** Starts the once-a-second redraw (elapsed time); call stop() when done. */
  start(): void {
    this.timer = setInterval(() => this.render(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
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
        const row = this.stages.get(node) ?? { node, type: String(d['type']), status: 'running', attempts: 0, runs: 0 };
        row.status = 'running';
        this.stages.set(node, row);
        this.current = node;
        break;
      }
      case 'stage.completed':
      case 'stage.failed': {
        this.agents.delete(node);
        const row = this.stages.get(node);
        if (row) {
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
          ...(typeof d['question'] === 'string' ? { question: d['question'] as QuestionType } : {}),
          decision: d['kind'] === 'decision',
        });
        break;
      case 'gate.closed':
        this.gates.delete(String(d['gate']));
        break;
      case 'run.resumed':
        this.status = 'executing';
        break;
      case 'run.evaluating':
        this.status = 'evaluating';
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

  private render(): void {
    const width = Math.max(40, this.tty.columns - 1);
    const elapsed = Math.round((Date.now() - this.started) / 1000);
    const done = [...this.stages.values()].filter((s) => s.status !== 'running').length;
    const out = [
      `run ${this.runId} — ${this.status} — ${done}/${this.stages.size} stages — ${Math.floor(elapsed / 60)}m${String(elapsed % 60).padStart(2, '0')}s`,
      ...[...this.stages.values()].map(
        (s) => `  ${ICON[s.status] ?? '?'} ${s.node.padEnd(18)} ${s.type.padEnd(16)} ${s.status}${s.attempts > s.runs ? ` (${s.attempts} attempts)` : ''}${s.node === this.current ? '  ← current' : ''}`,
      ),
    ];
    for (const line of this.agents.values()) out.push(`    ${line}`);
    for (const g of this.gates.values()) {
      out.push(`  ⏸ gate ${g.gate}: ${g.prompt}`);
      if (g.decision) {
        out.push(`      factory decide ${this.runId} --decision approved|rejected --reason "…" [--remediation "…"]`);
      } else {
        out.push(`      ${choicesLine(g.question, g.choices)}`);
        out.push(`      ${answerCommands(this.runId, g.gate, g.question)}`);
        out.push(`      temporal workflow signal${this.opts.address ? ` --address ${this.opts.address}` : ''} --workflow-id ${this.runId} --name approve --input '{"by":"you"}'`);
      }
    }
    if (this.opts.uiUrl) out.push(`  UI: ${this.opts.uiUrl}`);
    out.push(`  last: ${this.lastLine}`);
    const clipped = out.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    const up = this.lines > 0 ? `\x1b[${this.lines}F` : '';
    this.tty.write(`${up}${clipped.map((l) => `\x1b[2K${l}`).join('\n')}\n\x1b[J`);
    this.lines = clipped.length;
  }
}
