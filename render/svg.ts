// SVG through Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no system binary, works offline.
// The wasm module is compiled once per process and reused.
import { Graphviz } from '@hpcc-js/wasm-graphviz';

let loading: Promise<Graphviz> | undefined;

/** The process-wide Graphviz instance (compiled on first use, ~100 ms). */
export function graphviz(): Promise<Graphviz> {
  loading ??= Graphviz.load().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/** Lays out DOT with the `dot` engine and returns standalone SVG text. */
export async function dotToSvg(dot: string): Promise<string> {
  return (await graphviz()).dot(dot, 'svg');
}
