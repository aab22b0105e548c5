// What the Temporal UI shows about a run (issue 23): the static summary set at start, and the "current
// details" the workflow keeps up to date (the stage it runs, or the open gate with its prompt, choices,
// deadline and the exact signal JSON to send). Pure text builders: workflow code and the CLI both use them.

import type { GateRecord } from './run-model';
import { sanitizeLine } from './sanitize';
import { changeLines } from './workspace';

/** Longest static summary the UI shows on one line; longer goals are cut with an ellipsis. */
const SUMMARY_MAX = 200;

/** The run's static summary: `pipeline@version — goal` (version and goal when known). */
export function runSummary(pipeline: string, version?: string, goal?: string): string {
  const head = version ? `${pipeline}@${version}` : pipeline;
  const line = goal ? `${head} — ${oneLine(goal)}` : head;
  return line.length > SUMMARY_MAX ? `${line.slice(0, SUMMARY_MAX - 1)}…` : line;
}

/** Current details while a stage runs. */
export function stageDetails(node: string, type: string, visit: number, branch?: string): string {
  const where = branch ? ` (branch ${branch})` : '';
  return `**Running stage \`${node}\`** (${type}, visit ${visit})${where}`;
}

/** Current details at an open gate: prompt, choices, deadline and the signal JSON each choice takes. */
export function gateDetails(gate: GateRecord): string {
  const lines = [`**Waiting at gate \`${gate.id}\`**: ${oneLine(gate.prompt)}`, '', 'Choices:'];
  for (const c of gate.choices) lines.push(`- ${oneLine(c.label)}${c.to ? ` → ${c.to}` : ''}`);
  if (gate.change) {
    const [head, ...files] = changeLines(gate.change);
    lines.push('', `Changed so far: ${markdownText(head as string)}`);
    for (const f of files) lines.push(`- ${markdownText(f)}`);
  }
  lines.push('', `Deadline: ${gate.deadline ?? 'none'}`);
  if (gate.approvers.length > 0) lines.push(`Approvers: ${gate.approvers.join(', ')} (quorum ${gate.quorum})`);
  lines.push('', 'Answer with "Send a Signal" (replace `you` with your name):');
  for (const c of gate.choices) {
    if (!c.to && !gate.question) continue;
    const body = gate.question === 'freeform' ? { gate: gate.id, text: '…', by: 'you' } : { gate: gate.id, choice: c.to || c.key, by: 'you' };
    lines.push(`- signal \`answer\`: \`${JSON.stringify(body)}\``);
    if (gate.question === 'freeform') break;
  }
  return lines.join('\n');
}

/** Current details at the human decision after evaluation (signal `decide`). */
export function decisionDetails(gate: GateRecord): string {
  const lines = [`**Waiting for the decision**: ${oneLine(gate.prompt)}`, '', `Choices: ${gate.choices.map((c) => c.label).join(', ')}`, '', 'Answer with "Send a Signal":'];
  for (const c of gate.choices) {
    const body = c.to === 'rejected' ? { decision: c.to, by: 'you', reason: '…', remediation: '…' } : { decision: c.to, by: 'you', reason: '…' };
    lines.push(`- signal \`decide\`: \`${JSON.stringify(body)}\``);
  }
  return lines.join('\n');
}

/** Current details once the run ended (or is being finalized). */
export function endDetails(outcome: string, finalizing: boolean): string {
  return finalizing ? `**Finalizing** (outcome ${outcome}): writing the run's record` : `**Finished**: ${outcome}`;
}

/** Text from the agent (file names) shown as plain markdown text: one line, control characters and markdown syntax escaped. */
function markdownText(text: string): string {
  return sanitizeLine(text).replace(/[\\`*_[\]<>#|!~]/g, (c) => `\\${c}`);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
