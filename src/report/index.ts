// The public face of report: figure specs (Vega-Lite), rendering to SVG/PNG, HTML reports,
// verdicts and terminal tables.
export type { Verdict } from "./verdict.js";
export { atMost, atLeast, equals, formatNumber, formatMeasured, formatTolerance } from "./verdict.js";
export type {
  VegaLiteSpec,
  FigureSpec,
  Row,
  BaseOptions,
  LinePlotOptions,
  TrajectoryOptions,
  HeatmapOptions,
  NeuronDirection,
  CircleDirectionsOptions,
  ClassMapLineOptions,
  SimplexClassMapOptions,
  SpectrumOptions,
  ScatterOptions,
} from "./figures.js";
export { linePlot, trajectoryPlot, heatmap, circleDirections, classMapLine, simplexClassMap, spectrumPlot, scatterPlot, cleanRows } from "./figures.js";
export { pathPlot, type PathFigureRow, type PathPlotOptions, type PathQuantity } from "./pathFigure.js";
// pngFont (render.js) and the HTML helpers escapeHtml, inlineSvg (html.js) are plumbing: import them from their modules.
export { renderSvg, svgToPng, renderFigure, type RenderedFigure } from "./render.js";
export { renderReportHtml, verdictTable, type ReportDocument, type ReportSection, type ReportFigure } from "./html.js";
export { formatTable, formatVerdictTable } from "./table.js";
