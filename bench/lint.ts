// Lint at scale: a generated 5,000-node pipeline (chain with conditional branches, fix loops, tool
// stages, goal gates and human gates) linted repeatedly; target: median under 100 ms.
import { hasErrors } from '../core/diagnostics';
import { lintPipeline } from '../core/lint';
import { loadPipelineYaml } from '../definitions/yaml';
import type { Benchmark, BenchResult } from './types';
import { measure } from './stats';

/** One stretch of the chain: where it is entered, and the node and edge that leave it. */
interface Block {
  entry: string;
  last: string;
  leave: string;
}

/**
 * Generates a realistic pipeline of exactly `size` nodes as native YAML: blocks of
 * work → tool → conditional (fail → fix → tool loop; pass → next block), every 10th block behind a
 * human gate (approve → next, revise → back to work), every 7th work stage a goal gate.
 */
export function generatePipelineYaml(size: number): string {
  const nodes: string[] = ['  - { id: start, type: start }'];
  const edges: string[] = [];
  const blocks: Block[] = [{ entry: 'start', last: 'start', leave: '' }];
  const node = (line: string) => nodes.push(`  - ${line}`);
  const edge = (from: string, to: string, extra = '') => edges.push(`  - { from: ${from}, to: ${to}${extra} }`);
  for (let b = 0; nodes.length + 5 < size; b++) {
    const gated = b % 10 === 9;
    const goalGate = b % 7 === 0 ? `, goal_gate: true, retry_target: work_${b}` : '';
    node(`{ id: work_${b}, prompt: "Step ${b} of $goal", class: ${b % 3 ? 'code' : 'critical'}${goalGate} }`);
    node(`{ id: tool_${b}, type: tool, tool_command: "npm test -- --shard ${b}", timeout: 15m }`);
    node(`{ id: check_${b}, type: conditional }`);
    node(`{ id: fix_${b}, prompt: "Fix the failures of step ${b}", max_retries: 2 }`);
    edge(`work_${b}`, `tool_${b}`);
    edge(`tool_${b}`, `check_${b}`);
    edge(`check_${b}`, `fix_${b}`, ', label: Fail, condition: "outcome=fail"');
    edge(`fix_${b}`, `tool_${b}`);
    if (gated) {
      node(`{ id: gate_${b}, type: wait.human, label: "Review step ${b}", human: { default_choice: approve, timeout: 24h } }`);
      edge(`check_${b}`, `gate_${b}`, ', label: Pass, condition: "outcome=success"');
      edge(`gate_${b}`, `work_${b}`, ', label: "[R] Revise"');
      blocks.push({ entry: `work_${b}`, last: `gate_${b}`, leave: ', label: "[A] Approve"' });
    } else {
      blocks.push({ entry: `work_${b}`, last: `check_${b}`, leave: ', label: Pass, condition: "outcome=success"' });
    }
  }
  for (let t = 0; nodes.length < size - 1; t++) {
    node(`{ id: tail_${t}, prompt: "Wrap up part ${t}" }`);
    blocks.push({ entry: `tail_${t}`, last: `tail_${t}`, leave: '' });
  }
  node('{ id: exit, type: exit }');
  blocks.push({ entry: 'exit', last: 'exit', leave: '' });
  for (let k = 0; k + 1 < blocks.length; k++) {
    const from = blocks[k] as Block;
    edge(from.last, (blocks[k + 1] as Block).entry, from.leave);
  }
  return [
    'kind: PipelineSpec',
    'id: bench-5k',
    'version: 1.0.0',
    'goal: Ship a large change in many small steps',
    'model_stylesheet: "* { llm_model: twin-coder; } .critical { reasoning_effort: high; }"',
    'nodes:',
    ...nodes,
    'edges:',
    ...edges,
    '',
  ].join('\n');
}

/** The benchmark: load once, then time lintPipeline. */
export const lintBenchmark: Benchmark = {
  name: 'lint-5k',
  description: 'lintPipeline on a generated 5,000-node pipeline (median of 20 runs after 5 warm-up runs)',
  async run(): Promise<BenchResult> {
    const yaml = generatePipelineYaml(5000);
    const t0 = performance.now();
    const loaded = loadPipelineYaml(yaml, 'bench-5k.yaml');
    const loadMs = performance.now() - t0;
    if (!loaded.graph) throw new Error(`generated pipeline does not load: ${loaded.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);
    const graph = loaded.graph;
    const diags = lintPipeline(graph, { file: 'bench-5k.yaml', sourceMap: loaded.sourceMap });
    if (hasErrors(diags)) throw new Error(`generated pipeline has lint errors: ${diags.filter((d) => d.severity === 'error').slice(0, 3).map((d) => d.message).join('; ')}`);
    const timing = await measure(() => lintPipeline(graph, { file: 'bench-5k.yaml', sourceMap: loaded.sourceMap }), { warmup: 5, runs: 20 });
    return {
      timing,
      target: { stat: 'median', ms: 100 },
      notes: [
        `${graph.nodes.length} nodes, ${graph.edges.length} edges, ${yaml.length} bytes of YAML`,
        `${diags.length} diagnostics (warnings) per lint`,
        `one-off YAML load + normalize: ${loadMs.toFixed(0)} ms`,
      ],
    };
  },
};
