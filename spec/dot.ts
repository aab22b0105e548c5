// Attractor DOT (`.dot`) → the same PipelineGraph a PipelineSpec YAML file gives. ts-graphviz parses;
// spec/dot/ applies Attractor's DOT subset and maps the graph onto the raw pipeline document, which
// validatePipelineDoc checks and normalizes exactly as it does YAML.
import { hasErrors } from '../core/diagnostics';
import { collectDotGraph } from './dot/collect';
import { parseDot } from './dot/parse';
import { toRawPipelineDoc } from './dot/raw';
import { validatePipelineDoc, type PipelineLoadResult } from './yaml';

export { DotRule } from './dot/parse';

/** Loads an Attractor DOT pipeline; never throws, reports every problem as a positioned diagnostic. */
export function loadPipelineDot(text: string, file: string): PipelineLoadResult {
  const parsed = parseDot(text, file);
  if (!parsed.graph) return { sourceMap: {}, diagnostics: parsed.diagnostics };
  const collected = collectDotGraph(parsed.graph, text, file);
  const { raw, locate, locateKey } = toRawPipelineDoc(collected.graph);
  const result = validatePipelineDoc(raw, { file, locate, locateKey });
  const diagnostics = [...parsed.diagnostics, ...collected.diagnostics, ...result.diagnostics];
  if (hasErrors(diagnostics)) return { sourceMap: result.sourceMap, diagnostics };
  return { ...result, diagnostics };
}
