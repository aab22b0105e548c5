// The run summary published at finalize (seed step 9): summary.json for tools, summary.md for people.
import type { DecisionRecord } from '../core/decision-policy';
import type { RunEnvelope } from '../core/run-model';
import type { TokenUsage } from '../core/usage';
import type { BaseRecord } from '../core/workspace';

/** What the workflow hands to finalize: the envelope and, when there is one, the decision. */
export interface RunSummary {
  envelope: RunEnvelope;
  decision?: DecisionRecord;
}

/** Renders both forms; holds counts and signatures only (no scenario content ever reaches here). */
export function renderSummary(s: RunSummary): { json: Record<string, unknown>; markdown: string } {
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
    stages: stages.map((st) => ({ node: st.node, type: st.type, status: st.status ?? null, executions: st.executions, attempts: st.attempts, ...(st.usage ? { usage: st.usage } : {}) })),
    usage: e.usage ?? null,
    evaluation: e.evaluation ?? null,
    decision: s.decision
      ? { decision: s.decision.decision, mode: s.decision.mode, by: s.decision.by, at: s.decision.at, reason: s.decision.reason, remediation: s.decision.remediation ?? null }
      : null,
    failure: e.failure ?? null,
    rerunOf: e.rerunOf ?? null,
    ...(e.workspace ? { base: e.workspace.base } : {}),
    ...(candidate ? { candidate } : {}),
  };
  const lines = [
    `# Run ${e.runId}: ${e.outcome ?? e.status}`,
    '',
    `- pipeline: \`${e.pipeline.id}@${e.pipeline.version}\` (sha256 ${e.digests.pipeline.slice(0, 12)}…)`,
    `- profile: \`${e.profile.id}@${e.profile.version}\``,
    ...(e.suite ? [`- holdout suite: \`${e.suite.id}@${e.suite.version}\` (${e.suite.count} scenarios)`] : ['- holdout suite: none']),
    `- started ${e.createdAt}, finished ${e.updatedAt}`,
    ...(e.rerunOf ? [`- rerun of ${e.rerunOf}`] : []),
    ...(e.workspace ? [`- base: ${baseLine(e.workspace.base)}`] : []),
    ...(candidate ? [`- candidate: commit \`${candidate.commit}\` (tree ${candidate.tree}) in ${candidate.remote}`] : []),
    '',
    '## Stages',
    '',
    '| node | type | status | runs | attempts | tokens in/out | cost |',
    '|---|---|---|---|---|---|---|',
    ...stages.map((st) => `| ${st.node} | ${st.type} | ${st.status ?? '-'} | ${st.executions} | ${st.attempts} | ${usageCells(st.usage)} |`),
    '',
    ...(e.usage ? [`Tokens: ${e.usage.input_tokens} in, ${e.usage.output_tokens} out${e.usage.cost_usd !== undefined ? `; cost $${e.usage.cost_usd.toFixed(4)}` : ''}.`, ''] : []),
  ];
  if (e.evaluation) {
    const ev = e.evaluation;
    lines.push('## Holdout evaluation', '', `${ev.passed}/${ev.total} passed, ${ev.failed} failed, ${ev.errored} errored (satisfaction ${ev.satisfaction.toFixed(3)}); pass bar ${ev.passed_bar ? 'met' : 'not met'}.`, '');
  }
  if (s.decision) {
    const d = s.decision;
    lines.push('## Decision', '', `**${d.decision}** by ${d.by} (${d.mode}) at ${d.at}: ${d.reason}`, '');
    if (d.remediation) {
      lines.push(`Remediation: rerun from \`${d.remediation.rerun_from}\`; failed checks: ${d.remediation.failed_checks.join(', ') || 'none'}.`);
      for (const c of d.remediation.signatures) lines.push(`- ${c.signature} × ${c.count} (${c.kind})`);
      if (d.remediation.notes) lines.push('', d.remediation.notes);
      lines.push('');
    }
  }
  if (e.failure) lines.push('## Failure', '', `${e.failure.domain}: ${e.failure.message}`, '', `Recovery: ${e.failure.recovery}`, '');
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
