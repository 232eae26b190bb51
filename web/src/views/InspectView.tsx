// View 6, Inspect: drop a trained network (splitscape model JSON, or safetensors weights — e.g.
// saved by PyTorch — with their layers) and a data file (CSV, JSON, .npy, .npz), get the report
// card of `splitscape inspect`: the verdict table, then each section with its self-checks, its
// numbers and its figures; report.html (as the CLI writes it) and the merged narrower network
// can be downloaded. The analyses run in the worker; a model they do not support (a convolutional
// one) is an error in the CLI's words.
import { useEffect, useState } from "preact/hooks";
import { ensureData, errorText, getEngine, uploadModelFile } from "../client.js";
import type { InspectConfig, InspectResult } from "../engine/inspect.js";
import type { ReportSection } from "../../../src/report/index.js";
import { DataChooser, ErrorBox, fmt } from "../ui/common.js";
import { ControlGroup } from "../ui/controls.js";
import { VIEW_FIELDS } from "../state/fields.js";
import { downloadBytes, downloadJson } from "./live.js";
import type { ViewProps } from "./registry.js";

export function inspectConfig(v: Record<string, unknown>): InspectConfig {
  return {
    model: String(v.model), data: String(v.data), arch: String(v.arch), loss: v.loss as InspectConfig["loss"], mean: v.mean === true,
    beta: Number(v.beta), convexSeconds: Number(v.convexseconds),
  };
}

const OPTIONS = VIEW_FIELDS.inspect.filter((f) => ["arch", "loss", "mean", "beta", "convexseconds"].includes(f.key));

function ModelChooser({ value, onChange }: { value: string; onChange: (address: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const onFile = async (file: File | undefined): Promise<void> => {
    if (file === undefined) return;
    try {
      onChange(await uploadModelFile(file));
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const over = (e: DragEvent): void => { e.preventDefault(); };
  const drop = (e: DragEvent): void => { e.preventDefault(); void onFile(e.dataTransfer?.files[0]); };
  return (
    <fieldset class="controls model-chooser" onDragOver={over} onDrop={drop}>
      <legend>Trained network</legend>
      <div class="control">
        <label for="inspect-model-file">model file (.json or .safetensors; or drop it here)</label>
        <input id="inspect-model-file" type="file" accept=".json,.safetensors" onChange={(e) => void onFile((e.currentTarget as HTMLInputElement).files?.[0])} />
      </div>
      <p class="help" data-testid="inspect-model-name">{value === "" ? "no model yet" : value}</p>
      <ErrorBox error={error} />
    </fieldset>
  );
}

function Verdicts({ section }: { section: ReportSection }) {
  if (section.verdicts.length === 0) return null;
  return (
    <ul class="reasons">
      {section.verdicts.map((c) => (
        <li key={c.claim}>{c.pass ? "ok" : "FAIL"} — {c.claim}: {typeof c.measured === "number" ? fmt(c.measured) : c.measured} (tolerance {typeof c.tolerance === "number" ? fmt(c.tolerance) : c.tolerance})</li>
      ))}
    </ul>
  );
}

function Section({ section, index }: { section: ReportSection; index: number }) {
  const numbers = Object.entries(section.summary ?? {});
  return (
    <section class="inspect-section" data-testid={`inspect-section-${index}`}>
      <h3>{section.heading}</h3>
      <p>{section.status === "not available" ? section.message : section.subtitle}</p>
      <Verdicts section={section} />
      {numbers.length > 0 && (
        <table class="table">
          <tbody>
            {numbers.map(([k, x]) => <tr key={k}><th scope="row">{k}</th><td>{typeof x === "number" ? fmt(x) : String(x)}</td></tr>)}
          </tbody>
        </table>
      )}
      <div class="plots">
        {section.figures.map((f) => (
          <figure class="vega" key={f.title}>
            <figcaption>{f.title}{f.caption ? ` — ${f.caption}` : ""}</figcaption>
            <div class="svg" role="img" aria-label={f.title} dangerouslySetInnerHTML={{ __html: f.svg }} />
          </figure>
        ))}
      </div>
    </section>
  );
}

export function InspectView({ state, set, env }: ViewProps) {
  const v = state.values;
  const cfg = inspectConfig(v);
  const key = JSON.stringify(cfg);
  const [out, setOut] = useState<{ result: InspectResult | null; error: string | null; busy: boolean }>({ result: null, error: null, busy: false });
  useEffect(() => {
    if (cfg.model === "") { setOut({ result: null, error: null, busy: false }); return; }
    let live = true;
    setOut((o) => ({ ...o, busy: true }));
    (async () => {
      await ensureData(cfg.model);
      await ensureData(cfg.data);
      return getEngine().inspect(cfg);
    })().then(
      (result) => { if (live) setOut({ result, error: null, busy: false }); },
      (e) => { if (live) setOut({ result: null, error: errorText(e), busy: false }); },
    );
    return () => { live = false; };
  }, [key]);
  const r = out.result;
  return (
    <div class="view view-inspect">
      <div class="panel controls-panel">
        <ModelChooser value={cfg.model} onChange={(model) => set({ model })} />
        <DataChooser value={cfg.data} onChange={(data) => set({ data })} idPrefix="inspect-data" env={env} pageDrop={false} />
        <ControlGroup legend="As the CLI's flags" fields={OPTIONS} values={v} idPrefix="inspect" onChange={(k, x) => set({ [k]: x })} />
      </div>
      <div class="panel main-panel">
        {cfg.model === "" && <p class="note">Drop a trained network (splitscape model JSON, or safetensors weights saved by PyTorch — give their layers, e.g. linear,relu,linear) and its data. Every analysis runs here, in the page's worker, with the code of <code>splitscape inspect</code>.</p>}
        {out.busy && <p class="status" role="status">inspecting (the convex solve may take up to its budget)…</p>}
        <ErrorBox error={out.error} />
        {r && (
          <>
            <div class="buttons" role="group" aria-label="downloads">
              <button type="button" id="inspect-download-html" onClick={() => downloadBytes("report.html", new TextEncoder().encode(r.html) as Uint8Array<ArrayBuffer>, "text/html")}>Download report.html</button>
              {r.merged && <button type="button" id="inspect-download-merged" onClick={() => downloadJson("merged.json", r.merged)}>Download the merged network (merged.json)</button>}
            </div>
            <p>{r.document.subtitle}; self-checks: <strong data-testid="inspect-checks">{r.checksPass ? "all pass" : "SOME FAIL"}</strong></p>
            <table class="table" data-testid="inspect-summary">
              <caption>Verdicts</caption>
              <thead><tr><th scope="col">section</th><th scope="col">verdict</th><th scope="col">measured</th><th scope="col">tolerance</th></tr></thead>
              <tbody>
                {r.summary.map((row) => (
                  <tr key={row.section}><td>{row.section}</td><td data-testid={`inspect-verdict-${row.section}`}>{row.verdict}</td><td class="evidence">{row.measure}</td><td>{row.tolerance}</td></tr>
                ))}
              </tbody>
            </table>
            {r.document.sections.map((s, i) => <Section key={s.heading} section={s} index={i} />)}
          </>
        )}
      </div>
    </div>
  );
}
