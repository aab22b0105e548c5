// Human gates inside the run workflow: open, wait for a valid answer (signal, update, auto) or
// the deadline, close. Invalid answers change no gate and are recorded as events.

import { allHandlersFinished, condition, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import { gateDetails } from '../core/run-details';
import { type AnswerInput, type AnswerKind, applyAnswer, checkAnswer, closeWith, findChoice, gateQuestion, pastDeadline, quorumUnreachable, type QuorumUnreachable, unreachableText, votesFor } from '../core/gate-rules';
import { answerOutcome, autoAnswer, buildQuestion, QuestionType } from '../core/questions';
import { humanChoices } from '../core/routing';
import type { PipelineGraph } from '../core/model';
import type { PipelineNode } from '../core/model';
import type { Outcome } from '../core/outcome';
import { EventType, type GateRecord, RunStatus } from '../core/run-model';
import type { FactoryProfile } from '../definitions/schemas/profile';
import type { WorkspaceChange } from '../core/workspace';
import type { RunState } from './run-state';
import type { AnswerIdentities } from './answer-identity';

type Via = 'signal' | 'update' | 'auto' | 'timeout';

/** History events an execution adds at a gate before it may continue-as-new from it. */
const PARK_AFTER_EVENTS = 10;

/**
 * When a gate or the decision waiting from now may hand over to a new execution, with no message handler
 * running: `upgrade` (a newer version of the workflow is current: the run moves to it at the hand-over), or
 * history grew (the server's suggestion, or `pause` by count only after PARK_AFTER_EVENTS of this wait's
 * own, so a limit below what an execution needs to take a gate over never loops).
 */
export function handOverDue(pause: () => boolean, upgrade: () => boolean = () => false): () => boolean {
  const from = workflowInfo().historyLength + PARK_AFTER_EVENTS;
  const grown = () => pause() && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= from);
  return () => (upgrade() || grown()) && allHandlersFinished();
}

/** How a waiting gate hands over to a new execution (run.ts): when to, and the continue-as-new itself. */
export interface GateParking {
  pause: () => boolean;
  /** A newer version is current and this execution may move to it (pipeline-run.ts upgradeDue). */
  upgrade: () => boolean;
  /** Continues as new with the open gate carried; returns only when the gate closed meanwhile. */
  park: (gate: GateRecord, visit: number) => Promise<void>;
}

export class HumanGates {
  /** Gates found deadlocked (quorum unreachable), by id: run() ends them as a deadline would. */
  private readonly deadlocked = new Map<string, QuorumUnreachable>();

  constructor(
    private readonly state: RunState,
    private readonly policy: () => FactoryProfile['policy']['human_gate'] | undefined,
    private readonly graph: () => PipelineGraph | undefined,
    private readonly opts: { autoApprove: boolean; startedBy?: string; now: () => Date; identities?: AnswerIdentities; change?: () => Promise<WorkspaceChange | undefined> },
    private readonly flush: () => Promise<void>,
    private readonly parking?: GateParking,
  ) {}

  /**
   * Validates an answer without touching state (update validators use this). Judged at the workflow time of
   * the task that handles it: an answer at or after the gate's deadline is late and refused (issue 24 item 2),
   * even when it is handled before the fired timer in the same activation.
   */
  check(kind: AnswerKind, input: AnswerInput) {
    return checkAnswer(this.state.gates, kind, input, this.opts.startedBy, { now: this.opts.now().getTime() });
  }

  /** An answer refused because it came at or after its gate's deadline (recorded even when it came by update). */
  isLate(check: ReturnType<HumanGates['check']>): boolean {
    return !check.ok && check.gate !== undefined && !check.gate.closed && pastDeadline(check.gate, this.opts.now().getTime());
  }

  /** Applies an answer; an invalid one is recorded as `gate.answer_rejected` and changes nothing. */
  answer(kind: AnswerKind, input: AnswerInput, via: Via): GateRecord | undefined {
    // which history event carried it (counted for every signal, refused ones too): for the sender's identity
    const ids = this.opts.identities;
    const source = via === 'signal' ? ids?.signalled(kind, input) : via === 'update' ? ids?.updated() : undefined;
    const check = this.check(kind, input);
    if (!check.ok) {
      this.state.emit(EventType.gateAnswerRejected, {
        kind,
        via,
        reason: check.reason,
        ...(check.gate ? { gate: check.gate.id } : {}),
        ...(this.isLate(check) ? { late: true } : {}),
        ...(typeof input?.by === 'string' ? { by: input.by.slice(0, 200) } : {}),
      });
      return undefined;
    }
    const next = this.record(check.gate, check.choice.to, check.by, via, check.comment, check.text);
    if (via === 'signal' || via === 'update') this.identify(next.id, next.answers.length, via, check.by, source);
    return next;
  }

  /**
   * For an update's reply: the gate once the identities of the answers accepted so far are recorded (the CLI's
   * answer returns its own identity, and the next answer a client sends comes after it in the record).
   */
  async identified<G extends GateRecord | undefined>(gate: G): Promise<G> {
    if (!gate || !this.opts.identities) return gate;
    await this.opts.identities.settled();
    // the gate as this answer left it (a deadlock or deadline handled meanwhile is not this answer's doing), its answers identified
    const now = this.get(gate.id);
    return { ...gate, answers: gate.answers.map((a, i) => (now.answers[i]?.by === a.by ? now.answers[i] : a)) } as G;
  }

  /**
   * After an accepted answer (issue 20): the Temporal client identity its signal or update carries, read from
   * the history by an activity, goes into the gate's answer and a `gate.answer_identified` event. Never waits:
   * the gate goes on at once; hand-overs and finalize wait for it (AnswerIdentities.settled).
   */
  private identify(gateId: string, answer: number, via: 'signal' | 'update', by: string, source: ReturnType<AnswerIdentities['updated']>): void {
    void this.opts.identities?.lookup(source, (found) => {
      const gate = this.get(gateId);
      const at = gate.answers[answer - 1];
      if (at && at.by === by) this.state.updateGate({ ...gate, answers: gate.answers.map((a, i) => (i === answer - 1 ? { ...a, ...found } : a)) });
      this.state.emit(EventType.gateAnswerIdentified, { gate: gateId, by, via, answer, ...found });
    });
  }

  private record(gate: GateRecord, choice: string, by: string, via: Via, comment?: string, text?: string): GateRecord {
    const next = applyAnswer(gate, {
      choice,
      by,
      at: this.opts.now().toISOString(),
      via,
      ...(comment !== undefined ? { comment } : {}),
      ...(text !== undefined ? { text } : {}),
    });
    this.state.updateGate(next);
    this.state.emit(EventType.gateAnswered, { gate: gate.id, by, choice, via, votes: votesFor(next, choice), answers: next.answers.length, quorum: gate.quorum });
    if (next.closed) this.state.closeGate(next);
    else this.checkQuorum(next);
    return next;
  }

  /** Marks the gate deadlocked when no choice can reach its quorum with the approvers left. */
  private checkQuorum(gate: GateRecord): void {
    const stuck = quorumUnreachable(gate, this.opts.startedBy);
    if (stuck) this.deadlocked.set(gate.id, stuck);
  }

  private get(id: string): GateRecord {
    return this.state.gate(id) as GateRecord;
  }

  /**
   * Runs a wait.human node: status awaiting_human until the gate closes or times out. `reattach`: a new
   * execution (continue-as-new) takes over the gate its predecessor left open, answers and deadline kept.
   */
  async run(node: PipelineNode, visit: number, opts: { mainLine?: boolean; reattach?: boolean } = {}): Promise<Outcome> {
    const policy = this.policy();
    const graph = this.graph();
    const edges = graph ? humanChoices(graph, node.id) : [];
    if (edges.length === 0) return { status: 'fail', failure_reason: `human gate ${node.id} has no outgoing edges` };
    // multiple_choice gates keep the record they had before question types (no `question` field)
    const question = buildQuestion(node, edges);
    const choices = question.options;
    const typed = question.type !== QuestionType.multipleChoice;
    const timeoutMs = node.human?.timeout_ms ?? policy?.timeout_ms;
    const id = visit > 1 ? `${node.id}#${visit}` : node.id;
    const carried = opts.reattach && opts.mainLine && this.parking ? this.state.gate(id) : undefined;
    // what the run changed so far (issue 21): read before the gate opens, so its deadline counts from the opening
    const change = carried ? undefined : await this.opts.change?.();
    const opened = this.opts.now();
    const gate: GateRecord = carried ?? {
      id,
      node: node.id,
      prompt: node.prompt || node.label,
      ...(typed ? { question: question.type } : {}),
      choices,
      openedAt: opened.toISOString(),
      ...(timeoutMs !== undefined ? { deadline: new Date(opened.getTime() + timeoutMs).toISOString() } : {}),
      approvers: node.human?.approvers ?? policy?.approvers ?? [],
      quorum: node.human?.quorum ?? policy?.quorum ?? 1,
      allowSelfApproval: node.human?.allow_self_approval ?? policy?.allow_self_approval ?? false,
      answers: [],
      closed: false,
      ...(change ? { change } : {}),
    };
    if (!carried) {
      this.state.openGate(gate);
      this.state.emit(EventType.runAwaitingHuman, { gate: gate.id, node: node.id, prompt: gate.prompt, ...(typed ? { question: question.type } : {}), choices, deadline: gate.deadline ?? null, ...(change ? { change } : {}) });
      this.state.emit(EventType.gateOpened, { gate: gate.id, approvers: gate.approvers, quorum: gate.quorum });
    }
    setCurrentDetails(gateDetails(gate));
    await this.flush();
    // a main-line gate may hand over to a new execution while it waits; a branch's gate waits in this one
    const parking = opts.mainLine ? this.parking : undefined;

    if (this.opts.autoApprove && !carried) {
      const auto = autoAnswer(question);
      this.record(gate, auto.selected_option?.to ?? '', 'auto-approve', 'auto', undefined, auto.text);
    } else this.checkQuorum(this.get(gate.id)); // answers may have come in while the events flushed
    const isClosed = () => this.get(gate.id).closed || this.deadlocked.has(gate.id);
    let closed = true;
    if (parking) closed = await this.wait(gate, visit, parking);
    else if (timeoutMs === undefined) await condition(isClosed);
    else closed = await condition(isClosed, timeoutMs, { summary: `deadline of gate ${gate.id}` });
    if (!closed || this.deadlocked.has(gate.id)) {
      const outcome = this.timeout(node, gate.id);
      if (outcome) {
        this.state.setStatus(RunStatus.executing);
        return outcome;
      }
    }
    await this.opts.identities?.settled(); // who sent the answers is recorded before the run goes on
    const final = this.get(gate.id);
    const selected = final.choices.find((c) => c.to === final.selected);
    const last = final.answers[final.answers.length - 1];
    this.state.setStatus(RunStatus.executing);
    this.state.emit(EventType.runResumed, { gate: gate.id, selected: final.selected ?? null, by: last?.by ?? null });
    const answer = { value: selected?.value ?? selected?.key ?? '', ...(selected ? { selected_option: selected } : {}), ...(last?.text !== undefined ? { text: last.text } : {}) };
    return answerOutcome(gateQuestion(final), answer, last?.by ?? '');
  }

  /**
   * The main line's wait: until the gate closes (true), its ORIGINAL deadline passes (false: a deadline already
   * gone when a new execution takes over times out at once) or history asks to continue-as-new.
   */
  private async wait(gate: GateRecord, visit: number, parking: GateParking): Promise<boolean> {
    const isClosed = () => this.get(gate.id).closed || this.deadlocked.has(gate.id);
    const deadline = gate.deadline === undefined ? undefined : Date.parse(gate.deadline);
    const due = handOverDue(parking.pause, parking.upgrade);
    const wake = () => isClosed() || due();
    for (;;) {
      if (isClosed()) return true;
      const left = deadline === undefined ? undefined : deadline - this.opts.now().getTime();
      if (left === undefined) await condition(wake);
      else if (left <= 0 || !(await condition(wake, left, { summary: `deadline of gate ${gate.id}` }))) return isClosed();
      if (!isClosed()) await parking.park(this.get(gate.id), visit);
    }
  }

  /**
   * Deadline passed, or the quorum can no longer be reached (`gate.deadlocked`): the gate's default
   * choice, else the profile's on_timeout policy (fail).
   */
  private timeout(node: PipelineNode, gateId: string): Outcome | undefined {
    const gate = this.get(gateId);
    const fallback = node.human?.default_choice ? findChoice(gate, node.human.default_choice) : undefined;
    const policy = this.policy();
    const stuck = this.deadlocked.get(gateId);
    const via = stuck ? 'quorum_unreachable' : 'timeout';
    if (stuck) this.state.emit(EventType.gateDeadlocked, { gate: gateId, ...stuck, reason: unreachableText(stuck), defaultChoice: fallback?.to ?? null });
    else this.state.emit(EventType.gateTimedOut, { gate: gateId, defaultChoice: fallback?.to ?? null });
    if (fallback && policy?.on_timeout !== 'fail') {
      const answer = { choice: fallback.to, by: via, at: this.opts.now().toISOString(), via: 'timeout' } as const;
      // the default wins over earlier partial votes
      this.state.closeGate({ ...closeWith(gate, answer), quorum: gate.quorum }, via);
      return undefined;
    }
    this.state.closeGate(gate, via);
    if (stuck) return { status: 'fail', failure_reason: `human gate ${node.id}: ${unreachableText(stuck)}` };
    return { status: 'fail', failure_reason: `human gate ${node.id} timed out with no default choice` };
  }
}
