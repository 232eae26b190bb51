// Small shared pieces: the error box (the library's words), a number formatter, a Vega-Lite
// figure rendered to SVG by the library in the worker, and the data set chooser with uploads.
import { useEffect, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";
import { errorText, getEngine, uploadFile } from "../client.js";
import type { EnvironmentInfo } from "../engine/engine.js";

/** An error in the page, in the CLI's words, announced to screen readers. */
export function ErrorBox({ error, title = "Bad input" }: { error: string | null; title?: string }) {
  if (error === null) return null;
  return (
    <div class="error" role="alert">
      <strong>{title}:</strong> <span class="error-text">{error}</span>
    </div>
  );
}

/** A number as the CLI prints it: 6 significant digits, exponent form when large or small. */
export function fmt(x: number | null | undefined, digits = 6): string {
  if (x === null || x === undefined) return "—";
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(Math.max(1, Math.min(digits, 7) - 1));
}

/** Label–value rows (a description list), each value in an element the tests can find. */
export function Readout({ rows }: { rows: [string, ComponentChildren, string?][] }) {
  return (
    <dl class="readout">
      {rows.map(([k, v, id]) => (
        <div key={k}><dt>{k}</dt><dd data-testid={id}>{v}</dd></div>
      ))}
    </dl>
  );
}

/** A static figure: a Vega-Lite spec from src/report, rendered to SVG in the worker. */
export function VegaFigure({ spec, title }: { spec: Record<string, unknown> | null; title: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = spec === null ? "" : JSON.stringify(spec);
  useEffect(() => {
    if (spec === null) return;
    let live = true;
    getEngine().figure(spec).then((s) => { if (live) { setSvg(s); setError(null); } }, (e) => { if (live) setError(errorText(e)); });
    return () => { live = false; };
  }, [key]);
  return (
    <figure class="vega">
      <figcaption>{title}</figcaption>
      <ErrorBox error={error} title="Figure" />
      {svg !== null && <div class="svg" role="img" aria-label={title} dangerouslySetInnerHTML={{ __html: svg }} />}
    </figure>
  );
}

/** The 2-D built-in generators offered in the data chooser (others can be typed as addresses). */
const PICKS = ["moons", "circles", "xor", "spirals", "blobs", "teacher", "sin"];

/** The data chooser: generator, n and seed as a `builtin:` address, or an uploaded file. */
export function DataChooser(props: {
  value: string; onChange: (source: string) => void; idPrefix: string; env: EnvironmentInfo | null;
  /** Take files dropped anywhere on the page (default); false: only on this box (a view with two file choosers). */
  pageDrop?: boolean;
}) {
  const [error, setError] = useState<string | null>(null);
  const builtin = props.value.startsWith("builtin:") ? new URL(props.value.replace(/^builtin:/, "https://x/")) : null;
  const name = builtin?.pathname.slice(1) ?? "";
  const params = builtin?.searchParams ?? new URLSearchParams();
  const setParam = (key: string, v: string): void => {
    const q = new URLSearchParams(params);
    q.set(key, v);
    props.onChange(`builtin:${name}?${q.toString()}`);
  };
  const onFile = async (file: File | undefined): Promise<void> => {
    if (file === undefined) return;
    try {
      const summary = await uploadFile(file);
      setError(null);
      props.onChange(summary.source);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const over = (e: DragEvent): void => { e.preventDefault(); };
  const drop = (e: DragEvent): void => { e.preventDefault(); e.stopPropagation(); void onFile(e.dataTransfer?.files[0]); };
  useEffect(() => {
    if (props.pageDrop === false) return;
    window.addEventListener("dragover", over);
    window.addEventListener("drop", drop);
    return () => { window.removeEventListener("dragover", over); window.removeEventListener("drop", drop); };
  });
  const id = props.idPrefix;
  return (
    <fieldset class="controls data-chooser" onDragOver={over} onDrop={drop}>
      <legend>Data</legend>
      <div class="control">
        <label for={`${id}-gen`}>built-in data set</label>
        <select id={`${id}-gen`} value={builtin ? name : ""} onChange={(e) => {
          const g = (e.currentTarget as HTMLSelectElement).value;
          if (g !== "") props.onChange(`builtin:${g}?n=${params.get("n") ?? 200}&seed=${params.get("seed") ?? 0}${g === "sin" || g === "teacher" ? "&d=2" : ""}`);
        }}>
          {!builtin && <option value="">(uploaded file)</option>}
          {[...new Set([...PICKS, ...(props.env?.generators.map((g) => g.name) ?? [])])].map((g) => <option key={g} value={g}>{g}</option>)}
        </select>
      </div>
      {builtin && (
        <div class="control-pair">
          <div class="control">
            <label for={`${id}-n`}>points n</label>
            <input id={`${id}-n`} type="number" min={1} max={100000} value={params.get("n") ?? ""} onChange={(e) => setParam("n", (e.currentTarget as HTMLInputElement).value)} />
          </div>
          <div class="control">
            <label for={`${id}-dseed`}>data seed</label>
            <input id={`${id}-dseed`} type="number" min={0} value={params.get("seed") ?? "0"} onChange={(e) => setParam("seed", (e.currentTarget as HTMLInputElement).value)} />
          </div>
        </div>
      )}
      <div class="control control-text">
        <label for={`${id}-address`}>address (as the CLI's --data)</label>
        <input id={`${id}-address`} type="text" spellcheck={false} value={props.value} onChange={(e) => props.onChange((e.currentTarget as HTMLInputElement).value.trim())} />
      </div>
      <div class="control">
        <label for={`${id}-file`}>your own file (CSV, JSON, NumPy .npy/.npz; or drop it {props.pageDrop === false ? "here" : "on the page"})</label>
        <input id={`${id}-file`} type="file" accept=".csv,.tsv,.txt,.json,.npy,.npz" onChange={(e) => void onFile((e.currentTarget as HTMLInputElement).files?.[0])} />
      </div>
      <ErrorBox error={error} />
    </fieldset>
  );
}
