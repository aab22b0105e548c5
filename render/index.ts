// Pictures of a pipeline or of a run: DOT, SVG (wasm Graphviz), PNG (resvg, optional) and mermaid.
// The CLI (`factory graph`) and finalize (graph.svg in the run directory) both come through here.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineGraph } from '../core/model';
import type { RunEnvelope } from '../core/run-model';
import { toDot } from './dot';
import { toMermaid } from './mermaid';
import { svgToPng } from './png';
import { dotToSvg } from './svg';

export { toDot, type RenderOptions } from './dot';
export { toMermaid } from './mermaid';
export { dotToSvg } from './svg';
export { pngAvailable, PngUnavailableError, svgToPng } from './png';
export { graphView, nodeStatuses, NodeRunStatus, STATUS_COLOURS, GATE_BADGES } from './style';

/** Output formats of `factory graph`. */
export const RenderFormat = { svg: 'svg', png: 'png', dot: 'dot', mermaid: 'mermaid' } as const;
export type RenderFormat = (typeof RenderFormat)[keyof typeof RenderFormat];
export const RENDER_FORMATS: readonly RenderFormat[] = Object.values(RenderFormat);

/** Usual file extension per format (`--out` inference, finalize's file name). */
export const FORMAT_EXTENSIONS: Readonly<Record<RenderFormat, string>> = { svg: '.svg', png: '.png', dot: '.dot', mermaid: '.mmd' };

/** The file finalize writes into the run directory. */
export const RUN_GRAPH_FILE = 'graph.svg';

/** Renders a pipeline, coloured by `envelope`'s stage statuses when given; PNG is bytes, the rest text. */
export async function renderGraph(graph: PipelineGraph, format: 'png', envelope?: RunEnvelope): Promise<Uint8Array>;
export async function renderGraph(graph: PipelineGraph, format: Exclude<RenderFormat, 'png'>, envelope?: RunEnvelope): Promise<string>;
export async function renderGraph(graph: PipelineGraph, format: RenderFormat, envelope?: RunEnvelope): Promise<string | Uint8Array>;
export async function renderGraph(graph: PipelineGraph, format: RenderFormat, envelope?: RunEnvelope): Promise<string | Uint8Array> {
  const opts = envelope ? { envelope } : {};
  switch (format) {
    case 'dot':
      return toDot(graph, opts);
    case 'mermaid':
      return toMermaid(graph, opts);
    case 'svg':
      return dotToSvg(toDot(graph, opts));
    case 'png':
      return svgToPng(await dotToSvg(toDot(graph, opts)));
  }
}

/** A run's picture (nodes coloured by stage status, gates marked); finalize calls it with 'svg'. */
export function renderRunGraph(graph: PipelineGraph, envelope: RunEnvelope, format: Exclude<RenderFormat, 'png'> = 'svg'): Promise<string> {
  return renderGraph(graph, format, envelope);
}

/** Writes `<runDir>/graph.svg` for a run (call before the freeze so it is in the sha256 manifest); returns its path. */
export async function writeRunGraph(runDir: string, graph: PipelineGraph, envelope: RunEnvelope): Promise<string> {
  const path = join(runDir, RUN_GRAPH_FILE);
  await writeFile(path, await renderRunGraph(graph, envelope, 'svg'));
  return path;
}
