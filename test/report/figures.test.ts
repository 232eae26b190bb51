import { describe, expect, it } from "vitest";
import {
  circleDirections,
  classMapLine,
  cleanRows,
  heatmap,
  linePlot,
  renderFigure,
  renderSvg,
  scatterPlot,
  simplexClassMap,
  spectrumPlot,
  svgToPng,
  trajectoryPlot,
  type VegaLiteSpec,
} from "../../src/report/index.js";

/** Well-formedness of an SVG document: one root <svg>, every element closed in order. */
function checkWellFormed(svg: string): void {
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
}

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

async function renderClean(spec: VegaLiteSpec): Promise<string> {
  const warnings: string[] = [];
  const svg = await renderSvg(spec, warnings);
  expect(warnings).toEqual([]);
  checkWellFormed(svg);
  return svg;
}

const lossRows = Array.from({ length: 30 }, (_, i) => ({ t: 10 ** (i / 10), loss: Math.exp(-i / 5), run: i % 2 ? "a" : "b" }));

describe("figure builders", () => {
  it("cleanRows drops non-finite values and, on log axes, non-positive ones", () => {
    const rows = [{ x: 1, y: 2 }, { x: NaN, y: 1 }, { x: 2, y: Infinity }, { x: 0, y: 1 }, { x: 3, y: -1 }];
    expect(cleanRows(rows, ["x", "y"])).toEqual([{ x: 1, y: 2 }, { x: 0, y: 1 }, { x: 3, y: -1 }]);
    expect(cleanRows(rows, ["x", "y"], ["x", "y"])).toEqual([{ x: 1, y: 2 }]);
  });

  it("linePlot with log axes renders lines and points, one colour per series", async () => {
    const spec = linePlot({ data: [...lossRows, { t: 0, loss: 1, run: "a" }], x: "t", y: "loss", series: "run", logX: true, logY: true });
    expect((spec.data as { values: unknown[] }).values).toHaveLength(30); // t = 0 dropped on the log axis
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec); // plain JSON
    const svg = await renderClean(spec);
    expect(svg).toContain('class="mark-line role-mark');
    expect(svg).toContain('class="mark-symbol role-mark');
    expect((svg.match(/<path[^>]*class="[^"]*"/g) ?? []).length).toBeGreaterThan(0);
    expect(svg).toContain("loss");
  });

  it("trajectoryPlot marks start and end of each path", async () => {
    const data = Array.from({ length: 40 }, (_, i) => ({ step: i, w1: Math.cos(i / 10) * (1 + i / 40), w2: Math.sin(i / 10), neuron: `n${i % 2}` }));
    const svg = await renderClean(trajectoryPlot({ data, x: "w1", y: "w2", order: "step", series: "neuron" }));
    expect(svg).toContain("mark-line");
    // start and end points of two paths: 4 symbols
    expect((svg.match(/mark-symbol role-mark/g) ?? []).length).toBe(2);
  });

  it("heatmap draws one rect per finite grid cell and overlays the data points", async () => {
    const xs = [-1, -0.5, 0, 0.5, 1];
    const ys = [-1, 0, 1];
    const values = ys.map((y) => xs.map((x) => (x === 0 && y === 0 ? NaN : x * y)));
    const points = [{ x: 0.2, y: 0.3, label: "+1" }, { x: -0.4, y: 0.1, label: "−1" }];
    const spec = heatmap({ xs, ys, values, points });
    const svg = await renderClean(spec);
    const rects = svg.match(/<path[^>]*>/g) ?? [];
    expect(svg).toContain("mark-rect");
    expect(rects.length).toBeGreaterThanOrEqual(14);
    expect(svg).toContain("mark-symbol");
  });

  it("circleDirections puts neurons on the unit circle, coloured by the sign of a", async () => {
    const spec = circleDirections({ neurons: [{ w1: 3, w2: 4, a: 1 }, { w1: -1, w2: 0, a: -2 }, { w1: 0, w2: 0, a: 1 }], references: [{ x1: 1, x2: 1 }] });
    const layers = spec.layer as Array<{ data: { values: Array<Record<string, number | string>> } }>;
    const neurons = layers[layers.length - 1].data.values;
    expect(neurons).toHaveLength(2); // the zero neuron has no direction
    expect(neurons[0].x).toBeCloseTo(0.6, 15);
    expect(neurons[0].y).toBeCloseTo(0.8, 15);
    expect(neurons[1].sign).toBe("a < 0");
    const svg = await renderClean(spec);
    expect(svg).toContain("mark-rule");
    expect(svg).toContain("a &gt; 0");
  });

  it("classMapLine and simplexClassMap colour classes", async () => {
    const line = Array.from({ length: 21 }, (_, i) => ({ lambda: i / 20, cls: i < 8 ? "saddle" : "minimum" }));
    const svg1 = await renderClean(classMapLine({ data: line }));
    expect(svg1).toContain("mark-rect");
    expect(svg1).toContain("saddle");
    const simplex: { l1: number; l2: number; l3: number; cls: string }[] = [];
    for (let i = 0; i <= 6; i++) for (let j = 0; i + j <= 6; j++) simplex.push({ l1: i / 6, l2: j / 6, l3: (6 - i - j) / 6, cls: i > j ? "A" : "B" });
    const svg2 = await renderClean(simplexClassMap({ data: simplex, vertices: ["split 1", "split 2", "split 3"] }));
    expect(svg2).toContain("split 3");
    expect(svg2).toContain("mark-symbol");
  });

  it("spectrumPlot draws stems (linear) or |λ| on a log axis", async () => {
    const values = [-2, -0.5, 0, 1e-3, 3];
    const svg = await renderClean(spectrumPlot({ spectra: [{ name: "H", values }] }));
    expect(svg).toContain("mark-rule");
    const logSpec = spectrumPlot({ spectra: [{ name: "H", values }], logAbs: true });
    expect((logSpec.data as { values: unknown[] }).values).toHaveLength(4); // |0| dropped
    await renderClean(logSpec);
  });

  it("scatterPlot renders labelled points", async () => {
    const svg = await renderClean(scatterPlot({ data: [{ x: 0, y: 1, label: "+1" }, { x: 1, y: 0, label: "−1" }], x: "x", y: "y", label: "label" }));
    expect(svg).toContain("mark-symbol");
  });
});

describe("rendering", () => {
  it("is deterministic: the same spec gives the same SVG and PNG bytes", async () => {
    const spec = linePlot({ data: lossRows, x: "t", y: "loss", logY: true });
    const a = await renderFigure(spec);
    const b = await renderFigure(spec);
    expect(a.svg).toBe(b.svg);
    expect(Buffer.from(a.png).equals(Buffer.from(b.png))).toBe(true);
  });

  it("PNG has the PNG signature, twice the SVG size, and text pixels", async () => {
    const spec = linePlot({ data: lossRows, x: "t", y: "loss", title: "A title" });
    const { svg, png } = await renderFigure(spec);
    expect(Array.from(png.slice(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const w = Number(/width="(\d+)"/.exec(svg)![1]);
    const h = Number(/height="(\d+)"/.exec(svg)![1]);
    expect(pngSize(png)).toEqual({ width: 2 * w, height: 2 * h });
    expect(png.length).toBeGreaterThan(5_000);
    expect(png.length).toBeLessThan(2_000_000);
    // an SVG without the text elements rasterises to fewer bytes: the text was drawn
    const noText = svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, ""));
    expect(noText.length).toBeLessThan(png.length);
  });
});
