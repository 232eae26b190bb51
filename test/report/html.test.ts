import { describe, expect, it } from "vitest";
import {
  atLeast,
  atMost,
  equals,
  formatTable,
  formatTolerance,
  formatVerdictTable,
  linePlot,
  renderReportHtml,
  renderSvg,
} from "../../src/report/index.js";
import { escapeHtml, inlineSvg } from "../../src/report/html.js";
import { loadingUrls } from "./urls.js";

describe("verdicts", () => {
  it("atMost, atLeast and equals compare, and NaN fails", () => {
    expect(atMost("r", 1e-13, 1e-12).pass).toBe(true);
    expect(atMost("r", 1e-11, 1e-12).pass).toBe(false);
    expect(atMost("r", NaN, 1).pass).toBe(false);
    expect(atLeast("m", 0.5, 0.4).pass).toBe(true);
    expect(atLeast("m", NaN, 0.4).pass).toBe(false);
    expect(equals("class", "saddle", "saddle").pass).toBe(true);
    expect(formatTolerance(atMost("r", 1, 1e-12))).toBe("≤ 1.00e-12");
    expect(formatTolerance(atLeast("r", 1, 0.25))).toBe("≥ 0.25");
  });

  it("terminal tables align columns", () => {
    const t = formatTable(["a", "long header"], [["xx", "1"], ["y", "22"]]);
    const lines = t.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0].indexOf("long header")).toBe(lines[2].indexOf("1"));
    const v = formatVerdictTable([atMost("residual", 1e-14, 1e-12), atMost("gap", 2, 1)]);
    expect(v).toContain("PASS");
    expect(v).toContain("FAIL");
  });
});

describe("report.html", () => {
  it("is self-contained: verdict table, spec, environment, figures inlined, no loading URL", async () => {
    const svg = await renderSvg(linePlot({ data: [{ x: 1, y: 2 }, { x: 2, y: 3 }], x: "x", y: "y" }));
    expect(svg).toContain("http://www.w3.org/2000/svg");
    const html = renderReportHtml({
      title: "T <&>",
      sections: [
        {
          heading: "S",
          verdicts: [atMost("residual ‖A − VΛVᵀ‖", 3e-15, 1e-12, "n = 64"), atLeast("margin", 0.1, 0.2)],
          summary: { n: 64, backend: "wasm-simd", ok: true },
          figures: [{ title: "fig", svg, file: "figures/fig.png" }],
          spec: { kind: "k", params: { url: "<b>" } },
        },
        { heading: "Later", status: "not available", message: "not built yet", verdicts: [], figures: [] },
      ],
      environment: { node: "v20", splitscape: "0.1.0" },
    });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("T &lt;&amp;&gt;");
    expect(html).toContain("<th>claim</th><th>measured</th><th>tolerance</th><th>pass</th>");
    expect(html).toContain("3.00e-15");
    expect(html).toContain("≤ 1.00e-12");
    expect(html).toContain('class="pass">PASS');
    expect(html).toContain('class="fail">FAIL');
    expect(html).toContain("1/2 claims pass");
    expect(html).toContain("Not available: not built yet");
    expect(html).toContain("&quot;url&quot;: &quot;&lt;b&gt;&quot;");
    expect(html).toContain("<svg");
    expect(html).toContain("v20");
    expect(loadingUrls(html)).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//); // not even namespace strings
  });

  it("inlineSvg removes namespaces and scripts; escapeHtml escapes", () => {
    const s = inlineSvg('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><script>x()</script><g/></svg>');
    expect(s).toBe("<svg><g/></svg>");
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(loadingUrls('<img src="https://x/y.png">')).toEqual(["https://x/y.png"]);
    expect(loadingUrls("<style>a{background:url(//cdn/x)}</style>")).toEqual(["//cdn/x"]);
  });
});
