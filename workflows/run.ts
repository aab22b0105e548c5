// The run workflow (seed steps 1–9): one PipelineRun per execution (workflows/pipeline-run.ts) and the
// queries, signals and updates it answers (workflows/messages.ts).

import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { FailureDomain } from '../core/run-model';
import { domainFailure } from '../core/failures';
import {
  answerGateUpdate,
  answerSignal,
  answerUpdate,
  approveSignal,
  approveUpdate,
  DECISION_REFUSED,
  decideSignal,
  GATE_ANSWER_REFUSED,
  type GateSignalInput,
  rejectUpdate,
  decideUpdate,
  eventsQuery,
  eventsQueryArgs,
  gatesQuery,
  rejectSignal,
  runQuery,
  statusQuery,
} from './messages';
import { PipelineRun } from './pipeline-run';
import type { HumanGates } from './human-gates';
import type { RunInput, RunResult } from './types';

/** Runs one pipeline from boot to finalize. Fails with a typed domain failure (BOOT_/EXEC_FAILURE). */
export async function runPipeline(input: RunInput): Promise<RunResult> {
  const run = new PipelineRun(input, runPipeline);
  answerMessages(run);
  return run.execute();
}

/** The run's queries, signals and updates; each reads or changes the run only through its state, gates and decision. */
function answerMessages({ state, gates, decision }: PipelineRun): void {
  setHandler(statusQuery, () => state.statusView());
  setHandler(runQuery, () => state.envelope);
  setHandler(eventsQuery, (q) => {
    const { after, limit } = eventsQueryArgs(q);
    return state.eventsAfter(after, limit);
  });
  setHandler(gatesQuery, () => {
    const open = state.gates.filter((g) => !g.closed);
    const view = decision.gateView();
    return view ? [...open, view] : open;
  });
  setHandler(decideSignal, (d) => void decision.decide(d, 'signal'));
  setHandler(
    decideUpdate,
    async (d) => {
      if (!decision.decide(d, 'update')) throw domainFailure(FailureDomain.decision, 'decision refused', ['the decide update was refused; see the decision.failed event']);
      return decision.waitForRecord();
    },
    { validator: (d) => refusedAs(DECISION_REFUSED, () => decision.validate(d)) },
  );
  setHandler(approveSignal, (a) => void gates.answer('approve', a, 'signal'));
  setHandler(rejectSignal, (a) => void gates.answer('reject', a, 'signal'));
  setHandler(answerSignal, (a) => void gates.answer('answer', a, 'signal'));
  setHandler(
    answerGateUpdate,
    (u) => gates.identified(refusedIfLate(gates, u.kind, u)),
    {
      validator: (u) =>
        refusedAs(GATE_ANSWER_REFUSED, () => {
          if (!u || typeof u !== 'object' || !['approve', 'reject', 'answer'].includes(u.kind)) {
            throw new Error('malformed update: "kind" must be approve, reject or answer');
          }
          const check = gates.check(u.kind, u);
          // a late answer is admitted so that its refusal is recorded (gate.answer_rejected, late: true)
          if (!check.ok && !gates.isLate(check)) throw new Error(check.reason);
        }),
    },
  );
  for (const [update, kind] of [
    [approveUpdate, 'approve'],
    [rejectUpdate, 'reject'],
    [answerUpdate, 'answer'],
  ] as const) {
    setHandler(update, (a: GateSignalInput) => gates.identified(gates.answer(kind, a, 'update')) as Promise<NonNullable<ReturnType<HumanGates['answer']>>>, {
      validator: (a: GateSignalInput) =>
        refusedAs(GATE_ANSWER_REFUSED, () => {
          if (!a || typeof a !== 'object') throw new Error(`malformed update: ${kind} takes an object like {"by":"alice"}`);
          const check = gates.check(kind, a);
          if (!check.ok) throw new Error(check.reason);
        }),
    });
  }
}

/** An update's answer; only a late one gets past its validator, and is refused here: recorded, and the update fails typed. */
function refusedIfLate(gates: HumanGates, kind: 'approve' | 'reject' | 'answer', a: GateSignalInput): NonNullable<ReturnType<HumanGates['answer']>> {
  const check = gates.check(kind, a);
  const gate = gates.answer(kind, a, 'update');
  if (!gate) throw ApplicationFailure.create({ type: GATE_ANSWER_REFUSED, nonRetryable: true, message: check.ok ? 'answer refused' : check.reason });
  return gate;
}

/** A validator's refusal as a typed, non-retryable ApplicationFailure (the temporal CLI and every SDK show the type). */
function refusedAs(type: string, validate: () => void): void {
  try {
    validate();
  } catch (err) {
    throw ApplicationFailure.create({ type, message: err instanceof Error ? err.message : String(err), nonRetryable: true });
  }
}
