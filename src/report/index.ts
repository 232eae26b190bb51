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
export { renderSvg, svgToPng, renderFigure, pngFont, type RenderedFigure } from "./render.js";
export { renderReportHtml, verdictTable, inlineSvg, escapeHtml, type ReportDocument, type ReportSection, type ReportFigure } from "./html.js";
export { formatTable, formatVerdictTable } from "./table.js";
