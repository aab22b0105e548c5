// SVG through wasm Graphviz and PNG through resvg: every node drawn, status colours and gate marks
// survive layout, and PNG either rasterizes or says how to enable it.
import type { PipelineGraph } from '../../core/model';
import { PngUnavailableError, pngAvailable, renderGraph, renderRunGraph, STATUS_COLOURS, writeRunGraph } from '../../render';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awaitingReview, FEATURE_NODES, featureGraph } from './fixtures';

let graph: PipelineGraph;
let plain: string;
let run: string;
beforeAll(async () => {
  graph = await featureGraph();
  plain = decode(await renderGraph(graph, 'svg'));
  run = decode(await renderGraph(graph, 'svg', awaitingReview()));
}, 30_000);

/** Graphviz writes `-` in ids and classes as `&#45;`. */
function decode(svg: string): string {
  return svg.replace(/&#45;/g, '-');
}

/** The `<g>` element Graphviz drew for node `id` (from its opening tag to the next node or edge group). */
function nodeGroup(svg: string, id: string): string {
  const start = svg.indexOf(`<g id="node-${id}"`);
  if (start < 0) throw new Error(`node ${id} not in the SVG`);
  const next = svg.slice(start + 1).search(/<!-- /);
  return next < 0 ? svg.slice(start) : svg.slice(start, start + 1 + next);
}

describe('SVG', () => {
  it('is a standalone SVG document with every node id as a titled group when rendered from the example', () => {
    expect(plain).toMatch(/^<\?xml[^>]*>\s*<!DOCTYPE svg/);
    expect(plain.trimEnd().endsWith('</svg>')).toBe(true);
    for (const id of FEATURE_NODES) {
      expect(plain).toContain(`<g id="node-${id}" class="node`);
      expect(nodeGroup(plain, id)).toContain(`<title>${id}</title>`);
    }
  });

  it('draws every edge with its label when rendered from the example', () => {
    expect(plain.match(/<g id="edge\d+" class="edge">/g)).toHaveLength(graph.edges.length);
    for (const text of ['Pass', '[outcome=success]', 'Fail', '[outcome=fail]', '[A] Approve', '[R] Revise']) expect(plain).toContain(`>${text}</text>`);
  });

  test.each([
    ['plan', 'success'],
    ['fix', 'fail'],
    ['review', 'running'],
    ['exit', 'not_reached'],
  ] as const)('fills %s with the %s colour when drawn for a run', (id, status) => {
    const group = nodeGroup(run, id);
    expect(group).toContain(`status-${status}`);
    expect(group).toContain(`fill="${STATUS_COLOURS[status].fill}" stroke="${STATUS_COLOURS[status].stroke}"`);
  });

  it('uses no status colour on any node when drawn without a run', () => {
    for (const id of FEATURE_NODES) {
      for (const c of Object.values(STATUS_COLOURS)) expect(nodeGroup(plain, id)).not.toContain(`fill="${c.fill}"`);
    }
  });

  it('draws the human gate as a hexagon with a gate badge and the goal gate with two borders when rendered', () => {
    const review = nodeGroup(plain, 'review');
    expect(review).toContain('gate-human');
    expect(review).toContain('>[gate]</text>');
    const hexagon = /<polygon [^>]*points="([^"]+)"/.exec(review)?.[1] ?? '';
    expect(hexagon.trim().split(/\s+/)).toHaveLength(7); // six corners, closed
    const implement = nodeGroup(plain, 'implement');
    expect(implement).toContain('gate-goal');
    expect(implement).toContain('>[goal gate]</text>');
    expect(implement.match(/<polygon /g)).toHaveLength(2);
    expect(nodeGroup(plain, 'plan').match(/<polygon /g)).toHaveLength(1);
  });

  it('writes graph.svg into a run directory when finalize asks for it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'factory-graph-'));
    try {
      const path = await writeRunGraph(dir, graph, awaitingReview());
      expect(path).toBe(join(dir, 'graph.svg'));
      expect(await readFile(path, 'utf8')).toBe(await renderRunGraph(graph, awaitingReview()));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('PNG', () => {
  it('rasterizes to PNG bytes when resvg is installed, else says how to install it', async () => {
    if (pngAvailable()) {
      const png = await renderGraph(graph, 'png', awaitingReview());
      expect(Buffer.from(png.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
      expect(png.byteLength).toBeGreaterThan(10_000);
    } else {
      await expect(renderGraph(graph, 'png')).rejects.toThrow(PngUnavailableError);
      await expect(renderGraph(graph, 'png')).rejects.toThrow(/npm install @resvg\/resvg-js/);
    }
  });
});
