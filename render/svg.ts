// SVG through Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no system binary, works offline.
// The package (ESM, ~800 kB) is imported on first use only, and its wasm compiled once per process.
import type { Graphviz } from '@hpcc-js/wasm-graphviz';

let loading: Promise<Graphviz> | undefined;

/** The process-wide Graphviz instance (loaded and compiled on first use). */
export function graphviz(): Promise<Graphviz> {
  loading ??= import('@hpcc-js/wasm-graphviz')
    .then((m) => m.Graphviz.load())
    .catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
  return loading;
}

/** Lays out DOT with the `dot` engine and returns standalone SVG text. */
export async function dotToSvg(dot: string): Promise<string> {
  return (await graphviz()).dot(dot, 'svg');
}
