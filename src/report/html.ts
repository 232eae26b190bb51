import { formatStampHtml } from "../common/format.js";
import { formatMeasured, formatNumber, formatTolerance, type Verdict } from "./verdict.js";

/**
 * The self-contained HTML report: one page, inline CSS, figures inlined as SVG, no scripts and
 * no URLs that load anything (it opens offline, from a file or an e-mail attachment). A report
 * has sections (one per experiment; the tour has one per family), each with its verdict table
 * {claim, measured, tolerance, pass}, summary numbers, figures and the spec that produced it,
 * followed by the environment the numbers were computed in.
 */

/** A figure as shown in a report. */
export interface ReportFigure {
  title: string;
  caption?: string;
  /** The SVG document (inlined). */
  svg: string;
  /** Relative path of the PNG/SVG files, shown as a link text (local, not loaded). */
  file?: string;
}

/** One section of a report. */
export interface ReportSection {
  heading: string;
  /** A line under the heading (e.g. the family and experiment kind). */
  subtitle?: string;
  /** "not available": the family is not built yet; "error": the run threw (message says why). */
  status?: "ok" | "not available" | "error";
  message?: string;
  verdicts: Verdict[];
  summary?: Record<string, number | string | boolean>;
  figures: ReportFigure[];
  /** The spec (with defaults) that produced the section, shown as JSON. */
  spec?: unknown;
  /** Relative link to a fuller report (the tour links each section's run folder). */
  link?: string;
}

/** A whole report. */
export interface ReportDocument {
  title: string;
  subtitle?: string;
  sections: ReportSection[];
  /** Environment rows (node version, platform, cpu, splitscape version, date, …). */
  environment: Record<string, string | number>;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * An SVG document prepared for inlining in HTML: the XML prolog and the namespace declarations
 * are removed (the HTML parser puts <svg> in the SVG namespace by itself), so the report holds
 * no URL strings at all; <script> and <foreignObject> are stripped defensively.
 */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>/g, "")
    .replace(/<!DOCTYPE[^>]*>/gi, "")
    .replace(/\s+xmlns(:\w+)?="[^"]*"/g, "")
    .replace(/<script[\s\S]*?<\/script>/gi, "")
    .replace(/<foreignObject[\s\S]*?<\/foreignObject>/gi, "")
    .trim();
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2rem auto;max-width:980px;padding:0 1rem;color:#1d1d1f;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.3rem;margin-top:2.4rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
h3{font-size:1.05rem;margin-top:1.4rem}.sub{color:#666;margin-top:0}
table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}th,td{border:1px solid #ddd;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f5f5f7}td.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.pass{color:#0a7a28;font-weight:600}.fail{color:#b00020;font-weight:600}.na{color:#777;font-style:italic}
.overall{display:inline-block;padding:.2rem .6rem;border-radius:4px;font-weight:600}
.overall.pass{background:#e3f5e8}.overall.fail{background:#fde7ea}
figure{margin:1rem 0;display:inline-block;vertical-align:top}figcaption{font-size:.88rem;color:#444;max-width:460px}
pre{background:#f7f7f9;border:1px solid #e3e3e8;padding:.6rem;overflow:auto;font-size:.82rem}
.note{color:#666;font-size:.85rem}details{margin:.6rem 0}
`;

/**
 * The verdict table of a section as HTML: claim (with its note), measured, tolerance, PASS/FAIL.
 *
 * @param verdicts - the verdicts (text is HTML-escaped)
 * @returns a `<table>` element as text, or a "No claims checked." paragraph when there are none
 * @example
 * ```ts
 * import { atMost, verdictTable } from "splitscape";
 * console.log(verdictTable([atMost("error ≤ 1e-12", 3e-14, 1e-12)]));
 * ```
 */
export function verdictTable(verdicts: readonly Verdict[]): string {
  if (verdicts.length === 0) return `<p class="na">No claims checked.</p>`;
  const rows = verdicts.map((v) => {
    const cls = v.pass ? "pass" : "fail";
    const note = v.note ? `<div class="note">${escapeHtml(v.note)}</div>` : "";
    return `<tr><td>${escapeHtml(v.claim)}${note}</td><td class="num">${escapeHtml(formatMeasured(v))}</td><td class="num">${escapeHtml(formatTolerance(v))}</td><td class="${cls}">${v.pass ? "PASS" : "FAIL"}</td></tr>`;
  });
  return `<table class="verdicts"><thead><tr><th>claim</th><th>measured</th><th>tolerance</th><th>pass</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function keyValueTable(rows: Record<string, number | string | boolean>): string {
  const body = Object.entries(rows)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td class="${typeof v === "number" ? "num" : ""}">${escapeHtml(typeof v === "number" ? formatNumber(v) : String(v))}</td></tr>`)
    .join("");
  return `<table>${body}</table>`;
}

function sectionHtml(s: ReportSection, index: number): string {
  const parts: string[] = [`<section id="s${index}"><h2>${escapeHtml(s.heading)}</h2>`];
  if (s.subtitle) parts.push(`<p class="sub">${escapeHtml(s.subtitle)}</p>`);
  if (s.status === "not available") {
    parts.push(`<p class="na">Not available${s.message ? `: ${escapeHtml(s.message)}` : ""}.</p></section>`);
    return parts.join("\n");
  }
  if (s.status === "error") parts.push(`<p class="fail">The run failed: ${escapeHtml(s.message ?? "unknown error")}</p>`);
  if (s.link) parts.push(`<p class="note">Run folder: <a href="${escapeHtml(s.link)}">${escapeHtml(s.link)}</a></p>`);
  parts.push(`<h3>Claims checked</h3>`, verdictTable(s.verdicts));
  if (s.summary && Object.keys(s.summary).length > 0) parts.push(`<h3>Summary</h3>`, keyValueTable(s.summary));
  if (s.figures.length > 0) {
    parts.push(`<h3>Figures</h3>`);
    for (const f of s.figures) {
      const cap = [f.caption ? escapeHtml(f.caption) : "", f.file ? `<span class="note">(${escapeHtml(f.file)})</span>` : ""].filter(Boolean).join(" ");
      parts.push(`<figure><div class="fig-title"><strong>${escapeHtml(f.title)}</strong></div>${inlineSvg(f.svg)}${cap ? `<figcaption>${cap}</figcaption>` : ""}</figure>`);
    }
  }
  if (s.spec !== undefined) parts.push(`<details><summary>Spec</summary><pre>${escapeHtml(JSON.stringify(s.spec, null, 2))}</pre></details>`);
  parts.push(`</section>`);
  return parts.join("\n");
}

/**
 * Render a report document to a complete, self-contained HTML page: overall pass count, a table
 * of contents when there are several sections, each section's verdicts, summary, inlined SVG
 * figures and spec, then the environment. No scripts and nothing loaded from a URL.
 *
 * @param doc - title, optional subtitle, sections (heading, verdicts, figures, …) and environment rows
 * @returns the HTML page
 * @example
 * ```ts
 * import { writeFileSync } from "node:fs";
 * import { atMost, linePlot, renderReportHtml, renderSvg } from "splitscape";
 * const svg = await renderSvg(linePlot({ data: [{ t: 0, loss: 1 }, { t: 1, loss: 0.2 }], x: "t", y: "loss" }));
 * const html = renderReportHtml({
 *   title: "My experiment",
 *   sections: [{ heading: "Training", verdicts: [atMost("final loss ≤ 0.5", 0.2, 0.5)], figures: [{ title: "loss", svg }] }],
 *   environment: { node: process.version },
 * });
 * writeFileSync("report.html", html);
 * ```
 */
export function renderReportHtml(doc: ReportDocument): string {
  const all = doc.sections.flatMap((s) => s.verdicts);
  const failed = all.filter((v) => !v.pass).length;
  const errors = doc.sections.filter((s) => s.status === "error").length;
  const ok = failed === 0 && errors === 0;
  const overall = `<p><span class="overall ${ok ? "pass" : "fail"}">${all.length - failed}/${all.length} claims pass${errors ? `, ${errors} run(s) failed` : ""}</span></p>`;
  const toc = doc.sections.length > 1
    ? `<ul>${doc.sections.map((s, i) => `<li><a href="#s${i}">${escapeHtml(s.heading)}</a>${s.status === "not available" ? ` <span class="na">(not available)</span>` : ""}</li>`).join("")}</ul>`
    : "";
  const env = keyValueTable(doc.environment);
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${formatStampHtml("report")}`,
    `<title>${escapeHtml(doc.title)}</title><style>${CSS}</style></head><body>`,
    `<h1>${escapeHtml(doc.title)}</h1>`,
    doc.subtitle ? `<p class="sub">${escapeHtml(doc.subtitle)}</p>` : "",
    overall,
    toc,
    ...doc.sections.map(sectionHtml),
    `<h2>Environment</h2>`,
    env,
    `</body></html>`,
    "",
  ].join("\n");
}
