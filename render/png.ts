// PNG by rasterizing our SVG with resvg (@resvg/resvg-js: prebuilt native binaries from npm, offline).
// resvg is optional: without it, PNG output reports how to get it and SVG/DOT/mermaid still work.

/** The package that rasterizes SVG; loaded only when PNG is asked for. */
export const RESVG_PACKAGE = '@resvg/resvg-js';

/** Raised when PNG is asked for but no rasterizer is installed; a bad invocation here, not a crash. */
export class PngUnavailableError extends Error {
  override readonly name = 'PngUnavailableError';
  constructor() {
    super(`PNG output needs the ${RESVG_PACKAGE} package, which is not installed: install it (npm install ${RESVG_PACKAGE}), or use --format svg`);
  }
}

interface ResvgModule {
  Resvg: new (svg: string, options?: Record<string, unknown>) => { render(): { asPng(): Buffer } };
}

let cached: ResvgModule | null | undefined;

/** resvg when installed, else undefined (checked once per process). */
export function loadResvg(): ResvgModule | undefined {
  if (cached === undefined) {
    try {
      // A variable module name: the package is optional, so neither tsc nor bundlers may require it.
      cached = require(RESVG_PACKAGE) as ResvgModule;
    } catch (err) {
      if ((err as { code?: string }).code !== 'MODULE_NOT_FOUND') throw err;
      cached = null;
    }
  }
  return cached ?? undefined;
}

/** Whether PNG output is available in this installation. */
export function pngAvailable(): boolean {
  return loadResvg() !== undefined;
}

/** Rasterizes SVG text to PNG bytes at `scale` (2 = sharp on high-DPI screens), on a white background. */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = loadResvg();
  if (!resvg) throw new PngUnavailableError();
  const image = new resvg.Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    // Graphviz sizes text by Helvetica's metrics; without Helvetica or Arial, DejaVu Sans (a little wider) stands in.
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return new Uint8Array(image.render().asPng());
}
