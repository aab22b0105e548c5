// The run summary published at finalize (seed step 9): summary.json for tools, summary.md for people.
import type { DecisionRecord } from '../core/decision-policy';
import type { RunEnvelope } from '../core/run-model';
import { sanitizeLine, sanitizeText } from '../core/sanitize';
import type { RunEvent } from '../core/run-model';
import type { TokenUsage } from '../core/usage';
import { gateLines, timelineLines } from './summary-story';
import type { BaseRecord } from '../core/workspace';
import { sandboxText } from '../core/sandbox-policy';

/** What the workflow hands to finalize: the envelope and, when there is one, the decision. */
export interface RunSummary {
  envelope: RunEnvelope;
  decision?: DecisionRecord;
}

/** A field from the graph, an answer or the run id, as one markdown line: control characters escaped, pipes kept out of tables. */
const f = (value: string | undefined): string => sanitizeLine(value ?? '');
const cell = (value: string | undefined): string => f(value).replace(/\|/g, '\\|');

/** Renders both forms; holds counts and signatures only (no scenario content ever reaches here). `events`: the run's, for who answered its gates. */
export function renderSummary(s: RunSummary, events: readonly RunEvent[] = []): { json: Record<string, unknown>; markdown: string } {
  const e = s.envelope;
  const stages = Object.values(e.stages);
  const candidate = s.decision?.candidate ?? e.candidate;
  const json = {
    runId: e.runId,
    pipeline: e.pipeline,
    profile: e.profile,
    suite: e.suite ?? null,
    digests: e.digests,
    outcome: e.outcome ?? null,
    createdAt: e.createdAt,
    finishedAt: e.updatedAt,
    stages: stages.map((st) => ({ node: st.node, type: st.type, status: st.status ?? null, executions: st.executions, attempts: st.attempts, startedAt: st.startedAt ?? null, finishedAt: st.finishedAt ?? null, ...(st.usage ? { usage: st.usage } : {}) })),
    usage: e.usage ?? null,
    evaluation: e.evaluation ?? null,
    decision: s.decision
      ? {
          decision: s.decision.decision,
          mode: s.decision.mode,
          by: s.decision.by,
          ...(s.decision.identity !== undefined ? { identity: s.decision.identity } : {}),
          at: s.decision.at,
          reason: s.decision.reason,
          remediation: s.decision.remediation ?? null,
        }
      : null,
    failure: e.failure ?? null,
    rerunOf: e.rerunOf ?? null,
    ...(e.workspace ? { base: e.workspace.base } : {}),
    ...(candidate ? { candidate } : {}),
    ...(e.sandbox ? { sandbox: e.sandbox } : {}),
    ...(e.warnings ? { warnings: e.warnings } : {}),
  };
  const lines = [
    `# Run ${f(e.runId)}: ${e.outcome ?? e.status}`,
    '',
    `- pipeline: \`${f(e.pipeline.id)}@${f(e.pipeline.version)}\` (sha256 ${e.digests.pipeline.slice(0, 12)}…)`,
    `- profile: \`${f(e.profile.id)}@${f(e.profile.version)}\``,
    ...(e.suite ? [`- holdout suite: \`${f(e.suite.id)}@${f(e.suite.version)}\` (${e.suite.count} scenarios)`] : ['- holdout suite: none']),
    `- started ${e.createdAt}, finished ${e.updatedAt}`,
    ...(e.rerunOf ? [`- rerun of ${f(e.rerunOf)}`] : []),
    ...(e.workspace ? [`- base: ${baseLine(e.workspace.base)}`] : []),
    ...(e.sandbox ? [`- sandbox: ${f(sandboxText(e.sandbox))}`] : []),
    ...(e.warnings ?? []).map((w) => `- warning: ${f(w)}`),
    ...(candidate ? [`- candidate: commit \`${candidate.commit}\` (tree ${candidate.tree}) in ${candidate.remote}`] : []),
    '',
    '## Stages',
    '',
    '| node | type | status | runs | attempts | tokens in/out | cost |',
    '|---|---|---|---|---|---|---|',
    ...stages.map((st) => `| ${cell(st.node)} | ${cell(st.type)} | ${cell(st.status ?? '-')} | ${st.executions} | ${st.attempts} | ${usageCells(st.usage)} |`),
    '',
    ...(e.usage ? [`Tokens: ${e.usage.input_tokens} in, ${e.usage.output_tokens} out${e.usage.cost_usd !== undefined ? `; cost $${e.usage.cost_usd.toFixed(4)}` : ''}.`, ''] : []),
    ...timelineLines(e),
    ...gateLines(events),
  ];
  if (e.evaluation) {
    const ev = e.evaluation;
    lines.push('## Holdout evaluation', '', `${ev.passed}/${ev.total} passed, ${ev.failed} failed, ${ev.errored} errored (satisfaction ${ev.satisfaction.toFixed(3)}); pass bar ${ev.passed_bar ? 'met' : 'not met'}.`, '');
  }
  if (s.decision) {
    const d = s.decision;
    const client = d.identity !== undefined ? `; Temporal client: ${f(d.identity)}${d.identityReason ? ` (${f(d.identityReason)})` : ''}` : '';
    lines.push('## Decision', '', `**${d.decision}** by ${f(d.by)} (${d.mode}${client}) at ${d.at}: ${f(d.reason)}`, '');
    if (d.remediation) {
      lines.push(`Remediation: rerun from \`${f(d.remediation.rerun_from)}\`; failed checks: ${f(d.remediation.failed_checks.join(', ')) || 'none'}.`);
      for (const c of d.remediation.signatures) lines.push(`- ${f(c.signature)} × ${c.count} (${f(c.kind)})`);
      if (d.remediation.notes) lines.push('', sanitizeText(d.remediation.notes));
      lines.push('');
    }
  }
  if (e.failure) lines.push('## Failure', '', `${e.failure.domain}: ${f(e.failure.message)}`, '', `Recovery: ${f(e.failure.recovery)}`, '');
  return { json, markdown: `${lines.join('\n')}\n` };
}

function usageCells(u: TokenUsage | undefined): string {
  if (!u) return '- | -';
  return `${u.input_tokens}/${u.output_tokens} | ${u.cost_usd !== undefined ? `$${u.cost_usd.toFixed(4)}` : '-'}`;
}

function baseLine(b: BaseRecord): string {
  if (b.kind === 'directory') return `directory ${b.path} (content tree ${b.tree})`;
  const dirty = b.dirty ? `, with ${b.dirty.files.length} uncommitted path(s) snapshotted as \`${b.dirty.commit}\`` : '';
  return `\`${b.commit}\`${b.ref !== undefined ? ` (${b.ref})` : ''} of ${b.path}${dirty}`;
}
