// Every attribute a DOT pipeline may carry and what reads it: the pinned Attractor spec (§2.5-2.7,
// §4.6-4.11, Appendix A), factory's documented extensions, and Graphviz's drawing attributes (which only
// change the picture). Anything else is reported by lint as `unknown_attr`, with a did-you-mean.
// Pure data and string functions: safe for workflow code.

/** Typed graph fields (core/model.ts) and the spec's graph attributes; `id`, `version`, `capabilities`, `exports` are ours. */
const GRAPH_ATTRS = [
  'goal', 'label', 'model_stylesheet', 'default_max_retries', 'default_max_retry', 'retry_target', 'fallback_retry_target',
  'default_fidelity', 'stack.child_dotfile', 'stack.child_workdir', 'tool_hooks.pre', 'tool_hooks.post',
  'id', 'version', 'capabilities', 'exports',
  // dialect: a run-wide loop cap (core/visit-caps.ts)
  'max_node_visits',
];

/** Node attributes of the spec (§2.6, §4.6-4.11) and ours (docs/attractor.md, docs/plugins.md). */
const NODE_ATTRS = [
  'label', 'shape', 'type', 'prompt', 'max_retries', 'goal_gate', 'retry_target', 'fallback_retry_target', 'fidelity',
  'thread_id', 'class', 'timeout', 'llm_model', 'llm_provider', 'reasoning_effort', 'auto_status', 'allow_partial',
  'tool_command', 'join_policy', 'error_policy', 'max_parallel',
  'human.default_choice', 'human.approvers', 'human.quorum', 'human.timeout', 'human.allow_self_approval', 'human.question',
  'manager.poll_interval', 'manager.max_cycles', 'manager.stop_condition', 'manager.actions',
  'stack.child_autostart', 'stack.child_pipeline', 'tool_hooks.pre', 'tool_hooks.post',
  // ours: activity mode, the llm backend's system text and tool switch, parallel join parameters
  'activity', 'system', 'tools', 'join_k', 'k', 'join_quorum', 'quorum',
  // dialects we read: the prompt from a file (definitions/dot/prompt-file.ts), a per-node loop cap
  'prompt_file', 'max_visits',
];

/** Edge attributes of the spec (§2.7). */
const EDGE_ATTRS = ['label', 'condition', 'weight', 'fidelity', 'thread_id', 'loop_restart'];

/** Graphviz drawing attributes: they change how `dot` draws the graph, never how it runs. */
const GRAPHVIZ_COMMON = [
  'color', 'fillcolor', 'fontcolor', 'fontname', 'fontsize', 'style', 'penwidth', 'tooltip', 'xlabel', 'comment',
  'URL', 'href', 'target', 'labelloc', 'labeljust', 'margin', 'nojustify', 'colorscheme', 'gradientangle', 'layer',
];
const GRAPHVIZ_GRAPH = [
  'rankdir', 'rank', 'ranksep', 'nodesep', 'splines', 'bgcolor', 'compound', 'concentrate', 'size', 'ratio', 'pad',
  'newrank', 'center', 'ordering', 'layout', 'overlap', 'dpi', 'fontpath', 'pack', 'packmode', 'page', 'rotate',
  'landscape', 'outputorder', 'searchsize', 'sep', 'stylesheet', 'charset', 'forcelabels', 'clusterrank', 'mclimit',
  'remincross', 'nslimit', 'esep', 'K', 'lheight', 'lwidth', 'lp', 'bb', 'quantum', 'truecolor', 'viewport',
];
const GRAPHVIZ_NODE = [
  'width', 'height', 'fixedsize', 'peripheries', 'orientation', 'sides', 'skew', 'distortion', 'regular', 'group',
  'image', 'imagescale', 'imagepos', 'pos', 'pin', 'sortv', 'z', 'area', 'showboxes', 'samplepoints', 'vertices', 'id',
];
const GRAPHVIZ_EDGE = [
  'arrowhead', 'arrowtail', 'arrowsize', 'dir', 'constraint', 'minlen', 'headlabel', 'taillabel', 'labelfontsize',
  'labelfontcolor', 'labelfontname', 'labelangle', 'labeldistance', 'labelfloat', 'labeltooltip', 'lhead', 'ltail',
  'headport', 'tailport', 'decorate', 'samehead', 'sametail', 'headclip', 'tailclip', 'headURL', 'tailURL',
  'headhref', 'tailhref', 'headtooltip', 'tailtooltip', 'edgetooltip', 'edgeURL', 'edgehref', 'len', 'id',
];

/** Where an attribute was written. */
export type AttrScope = 'graph' | 'node' | 'edge';

const KNOWN: Readonly<Record<AttrScope, ReadonlySet<string>>> = {
  graph: new Set([...GRAPH_ATTRS, ...GRAPHVIZ_COMMON, ...GRAPHVIZ_GRAPH]),
  node: new Set([...NODE_ATTRS, ...GRAPHVIZ_COMMON, ...GRAPHVIZ_NODE]),
  edge: new Set([...EDGE_ATTRS, ...GRAPHVIZ_COMMON, ...GRAPHVIZ_EDGE]),
};

/** What factory reads, per scope: the did-you-mean candidates (Graphviz drawing attributes are not offered). */
const SUGGESTABLE: Readonly<Record<AttrScope, readonly string[]>> = { graph: GRAPH_ATTRS, node: NODE_ATTRS, edge: EDGE_ATTRS };

/**
 * Attributes other Attractor engines read that mean something close to one of ours: the advice lint gives.
 * They stay warnings (`unknown_attr`): their meaning differs between engines, so none is silently aliased.
 */
const DIALECT_ADVICE: Readonly<Record<string, string>> = {
  retry_limit: 'factory reads max_retries (retries after the first attempt)',
  max_iterations: 'factory has no iteration cap under this name: use max_visits on the looping node, or max_node_visits on the graph',
  model: 'factory reads llm_model (a stylesheet may say model:)',
  question: 'a gate asks its label; human.question is the question type (yes_no, multiple_choice, freeform, confirmation)',
  reasoning: 'factory reads reasoning_effort (low, medium, high)',
  provider: 'factory reads llm_provider',
  system_prompt: 'factory reads system (appended to the system prompt of an llm stage)',
  handler: 'factory reads type (the handler type)',
  node_type: 'factory reads type (the handler type)',
  cmd: 'factory reads tool_command',
  command: 'factory reads tool_command',
};

/** True when factory or Graphviz knows `key` in this scope. */
export function isKnownAttr(scope: AttrScope, key: string): boolean {
  return KNOWN[scope].has(key);
}

/** The advice for an unknown attribute: a dialect's counterpart, else the nearest known name, else undefined. */
export function attrAdvice(scope: AttrScope, key: string): { suggestion?: string; advice?: string } {
  const advice = Object.hasOwn(DIALECT_ADVICE, key) ? DIALECT_ADVICE[key] : undefined;
  if (advice) return { advice };
  const suggestion = nearest(key, SUGGESTABLE[scope]);
  return suggestion ? { suggestion } : {};
}

/** The candidate a typo most likely meant: case-insensitive equal, else within edit distance 2 (1 for short words). */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const l = c.toLowerCase();
    if (l === lower) return c;
    if (Math.abs(l.length - lower.length) > limit) continue;
    const d = distance(lower, l);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions): `conditon` → `condition` is 1. */
function distance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row.push(v);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
