import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { LoggerInterface } from "vega";
import type { VegaLiteSpec } from "./figures.js";

// vega, vega-lite and resvg are loaded on first use: together they take most of the CLI's start-up
// time (≈ 0.5 s), and most commands never render a figure.
type VegaModule = typeof import("vega");
type VegaLiteModule = typeof import("vega-lite");
type ResvgModule = typeof import("@resvg/resvg-js");
let renderers: Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> | undefined;
let resvgModule: ResvgModule | undefined;

function loadRenderers(): Promise<{ vega: VegaModule; vegaLite: VegaLiteModule }> {
  renderers ??= Promise.all([import("vega"), import("vega-lite")]).then(([vega, vegaLite]) => ({ vega, vegaLite }));
  return renderers;
}

function loadResvg(): ResvgModule {
  resvgModule ??= createRequire(import.meta.url)("@resvg/resvg-js") as ResvgModule;
  return resvgModule;
}

/**
 * Rendering in Node: Vega-Lite spec → (vega-lite compile) Vega spec → headless vega View →
 * SVG (`view.toSVG()`), and SVG → PNG with resvg (a Rust rasteriser shipped as a prebuilt npm
 * binary). Vega lays text out with its own width estimates (no canvas needed), so the SVG is a
 * deterministic function of the spec. SVGs need no font; for the PNG text resvg needs one:
 * system fonts are used (DejaVu Sans preferred); with no fonts installed the PNG has no text
 * (the SVG is still complete) and `pngFont()` returns null.
 */

/** Font directories searched for the PNG rasteriser, in order. */
const FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "/System/Library/Fonts", "C:\\Windows\\Fonts"];
const PREFERRED = "DejaVu Sans";

let fontCache: { files: string[]; family: string | null } | undefined;

/** Font files (.ttf/.otf) found under the font directories, DejaVuSans first; cached. */
function findFonts(): { files: string[]; family: string | null } {
  if (fontCache) return fontCache;
  const files: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 4 || !existsSync(dir)) return;
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (/\.(ttf|otf)$/i.test(e.name)) files.push(p);
    }
  };
  for (const d of FONT_DIRS) walk(d, 0);
  const dejavu = files.filter((f) => /DejaVuSans(-Bold)?\.ttf$/.test(f));
  fontCache = dejavu.length > 0 ? { files: dejavu, family: PREFERRED } : { files: files.slice(0, 8), family: null };
  return fontCache;
}

/** The font family used for PNG text, or null when none was found (PNG then has no text). */
export function pngFont(): string | null {
  const f = findFonts();
  return f.files.length === 0 ? null : (f.family ?? "first system font");
}

/** A logger for vega-lite and vega that collects warnings instead of printing them. */
function collectingLogger(sink: string[]): { level(l?: number): number; error(...a: unknown[]): never; warn(...a: unknown[]): void; info(): void; debug(): void } {
  return {
    level: () => 2,
    error: (...a: unknown[]) => {
      throw new Error(a.map(String).join(" "));
    },
    warn: (...a: unknown[]) => {
      sink.push(a.map(String).join(" "));
    },
    info: () => {},
    debug: () => {},
  };
}

/**
 * Compile a Vega-Lite spec and render it to an SVG document (string). Compiler and runtime
 * warnings are not printed; pass `warnings` to collect them (tests assert there are none).
 * The renderer (vega, vega-lite) loads on the first call.
 *
 * @param spec - a Vega-Lite spec (from linePlot, heatmap, … or written by hand)
 * @param warnings - receives the compiler's and runtime's warnings (default: dropped)
 * @returns the SVG document
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { linePlot, renderSvg } from "splitscape";
 * const warnings: string[] = [];
 * const svg = await renderSvg(linePlot({ data: [{ x: 0, y: 1 }, { x: 1, y: 2 }], x: "x", y: "y" }), warnings);
 * writeFileSync("line.svg", svg);
 * console.log(warnings);
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec, warnings: string[] = []): Promise<string> {
  const log = collectingLogger(warnings);
  const { vega, vegaLite } = await loadRenderers();
  // vega-lite's types describe every spec shape; ours are plain JSON built by figures.ts.
  type Compile = VegaLiteModule["compile"];
  type CompileOptions = NonNullable<Parameters<Compile>[1]>;
  const vg = vegaLite.compile(spec as unknown as Parameters<Compile>[0], { logger: log as unknown as CompileOptions["logger"] }).spec;
  const view = new vega.View(vega.parse(vg), { renderer: "none", logger: log as unknown as LoggerInterface });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterise an SVG document to PNG bytes at `scale` × its size (default 2, for sharp text),
 * on a white background with the system's DejaVu Sans (or another installed font) for text.
 *
 * @param svg - an SVG document (e.g. from renderSvg)
 * @param scale - the zoom factor (default 2)
 * @returns the PNG file's bytes
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { linePlot, renderSvg, svgToPng } from "splitscape";
 * const svg = await renderSvg(linePlot({ data: [{ x: 0, y: 1 }, { x: 1, y: 2 }], x: "x", y: "y" }));
 * writeFileSync("line.png", svgToPng(svg, 3));
 * ```
 */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const fonts = findFonts();
  const resvg = new (loadResvg().Resvg)(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: {
      loadSystemFonts: false,
      fontFiles: fonts.files,
      ...(fonts.family ? { defaultFontFamily: fonts.family, sansSerifFamily: fonts.family } : {}),
    },
  });
  return new Uint8Array(resvg.render().asPng());
}

/** A rendered figure: SVG text and PNG bytes. */
export interface RenderedFigure {
  svg: string;
  png: Uint8Array;
}

/**
 * Render a Vega-Lite spec to SVG and PNG (renderSvg, then svgToPng at scale 2).
 *
 * @param spec - a Vega-Lite spec
 * @param warnings - receives the renderer's warnings (default: dropped)
 * @returns the SVG text and the PNG bytes
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { renderFigure, spectrumPlot } from "splitscape";
 * const { svg, png } = await renderFigure(spectrumPlot({ spectra: [{ name: "H", values: [-1, 0.5, 2] }] }));
 * writeFileSync("spectrum.svg", svg);
 * writeFileSync("spectrum.png", png);
 * ```
 */
export async function renderFigure(spec: VegaLiteSpec, warnings?: string[]): Promise<RenderedFigure> {
  const svg = await renderSvg(spec, warnings);
  return { svg, png: svgToPng(svg) };
}
