// View 1, Train: Playground parity in float64. Controls → a TrainSession in the worker; the
// loop asks for one chunk (`steps per update` steps) per animation frame; the loss curve is on
// log–log axes, the decision heatmap is f on a 200×200 grid, the circle shows each neuron's
// direction. Pausing writes the step reached into the URL; loading the URL replays to it.
import { useEffect, useRef, useState } from "preact/hooks";
import { ensureData, errorText, getEngine } from "../client.js";
import type { DataSummary } from "../engine/data.js";
import type { TrainConfig, TrainFrame } from "../engine/train.js";
import type { ValueScale } from "../shared/colormap.js";
import { Chart } from "../ui/chart.js";
import { CirclePlot } from "../ui/circle.js";
import { DataChooser, ErrorBox, Readout, fmt } from "../ui/common.js";
import { ControlGroup } from "../ui/controls.js";
import { dataBounds, paintPixels, paintPoints } from "../ui/heatmap.js";
import { VIEW_FIELDS } from "../state/fields.js";
import { SliceControls, SliceResultPanel, sliceConfig } from "../ui/slicePanel.js";
import type { SliceView } from "../engine/slice.js";
import { Columns, downloadBytes, downloadJson, useLivePacing } from "./live.js";
import type { ViewProps } from "./registry.js";

export const HEATMAP_RES = 200;

const scales = new WeakMap<DataSummary, ValueScale>();
/** How f is coloured on this data: tanh for ±1 labels, else the targets' range (computed once). */
function valueScale(d: DataSummary): ValueScale {
  let s = scales.get(d);
  if (s === undefined) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < d.Y.length; i += d.k) { lo = Math.min(lo, d.Y[i]); hi = Math.max(hi, d.Y[i]); }
    s = d.labels ? { kind: "tanh" } : { kind: "range", lo, hi };
    scales.set(d, s);
  }
  return s;
}

/** The engine config of the view's values (everything but the pacing fields speed and at). */
export function trainConfig(v: Record<string, unknown>): TrainConfig {
  return {
    data: String(v.data), seed: Number(v.seed), width: Number(v.width), depth: Number(v.depth), activation: v.activation as TrainConfig["activation"],
    slope: Number(v.slope), bias: v.bias === true, loss: v.loss as TrainConfig["loss"], mean: v.mean === true,
    method: v.method as TrainConfig["method"], lr: Number(v.lr), batch: Number(v.batch), scale: Number(v.scale),
  };
}

const FIELDS = VIEW_FIELDS.train;
const NET = FIELDS.filter((f) => ["seed", "width", "depth", "activation", "slope", "bias", "scale"].includes(f.key));
const OPT = FIELDS.filter((f) => ["loss", "mean", "method", "lr", "batch", "speed"].includes(f.key));
/** The URL fields that do not change the training session (pacing and the slice panel). */
const NOT_SESSION = new Set(["speed", "at", "slicealong", "sliceplane", "sliceext", "slicen", "slicelog"]);

export function TrainView({ state, set, env }: ViewProps) {
  const v = state.values;
  const cfg = trainConfig(v);
  const key = JSON.stringify(cfg);
  const engine = getEngine();
  const [frame, setFrame] = useState<TrainFrame | null>(null);
  const [data, setData] = useState<DataSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [slice, setSlice] = useState<{ view: SliceView | null; error: string | null; busy: boolean }>({ view: null, error: null, busy: false });
  const curve = useRef(new Columns(["step", "loss"] as const));
  const heat = useRef<HTMLCanvasElement>(null);
  const points = useRef<HTMLCanvasElement>(null);
  const bounds = data && data.d === 2 ? dataBounds(data.X) : null;

  const take = (f: TrainFrame): void => {
    for (const p of f.curve) if (p.step > 0) curve.current.push({ step: p.step, loss: p.loss });
    setFrame(f);
  };
  const drawHeat = async (summary: DataSummary | null): Promise<void> => {
    const c = heat.current;
    if (summary === null || summary.d !== 2 || c === null) return;
    // User Timing marks (DevTools' performance panel; bench/lab.ts reads them): the whole update
    // (f on the grid and its colours in the worker, the transfer, the copy to the canvas) and the copy alone.
    const start = performance.now();
    const scale = valueScale(summary);
    const rgba = await engine.trainHeatmapImage(HEATMAP_RES, dataBounds(summary.X), scale);
    const paint = performance.now();
    paintPixels(c.getContext("2d")!, rgba, HEATMAP_RES);
    performance.measure("splitscape:heatmap-paint", { start: paint });
    performance.measure("splitscape:heatmap", { start });
  };

  // A new configuration: a new session, replayed to the step in the URL.
  useEffect(() => {
    let live = true;
    setRunning(false);
    (async () => {
      await ensureData(cfg.data);
      const summary = await engine.dataSummary(cfg.data);
      const f = await engine.trainReset(cfg, Number(v.at), Number(v.speed));
      if (!live) return;
      setError(null);
      setData(summary);
      curve.current.clear();
      take(f);
    })().catch((e) => { if (live) { setError(errorText(e)); setFrame(null); } });
    return () => { live = false; };
  }, [key, generation]);

  // A new session's heatmap, once its canvas exists (it is rendered only after the data is known).
  useEffect(() => { void drawHeat(data).catch((e) => setError(errorText(e))); }, [data]);

  useEffect(() => {
    const c = points.current;
    if (c !== null && data !== null && data.d === 2) paintPoints(c.getContext("2d")!, data.X, data.Y, data.k, data.labels, dataBounds(data.X));
  }, [data]);

  const advance = useLivePacing({
    running, setRunning, frame, at: v.at, speed: v.speed, setAt: (at) => set({ at }),
    call: async () => {
      const f = await engine.trainAdvance(Number(v.speed));
      await drawHeat(data);
      return f;
    },
    take, fail: setError,
  });

  const change = (k: string, value: unknown): void => set({ [k]: value as never, ...(NOT_SESSION.has(k) ? {} : { at: 0 }) });
  const exportRun = async (kind: "model" | "run"): Promise<void> => {
    const e = await engine.trainExport();
    downloadJson(kind === "model" ? "model.json" : "run.json", kind === "model" ? e.model : e.run);
  };
  const exportSafetensors = async (): Promise<void> => {
    try {
      downloadBytes("model.safetensors", await engine.trainExportSafetensors());
    } catch (e) {
      setError(errorText(e));
    }
  };
  const sliceNow = async (): Promise<void> => {
    setRunning(false);
    setSlice((x) => ({ ...x, busy: true }));
    try {
      setSlice({ view: await engine.trainSlice(sliceConfig(v)), error: null, busy: false });
    } catch (e) {
      setSlice({ view: null, error: errorText(e), busy: false });
    }
  };
  const twoLayer = Number(v.depth) === 1;
  return (
    <div class="view view-train">
      <div class="panel controls-panel">
        <DataChooser value={String(v.data)} onChange={(s) => change("data", s)} idPrefix="train-data" env={env} />
        <ControlGroup legend="Network" fields={NET} values={v} idPrefix="train" onChange={change}
          disabled={(k) => (k === "bias" && !twoLayer) || (k === "slope" && v.activation !== "leaky_relu" && v.activation !== "relu_power")} />
        <ControlGroup legend="Training" fields={OPT} values={v} idPrefix="train" onChange={change}
          disabled={(k) => k === "batch" && v.method !== "sgd"} />
        <SliceControls fields={FIELDS} values={v} idPrefix="train" onChange={change} />
      </div>
      <div class="panel main-panel">
        <div class="buttons" role="group" aria-label="training">
          <button type="button" id="train-run" onClick={() => setRunning(!running)} disabled={frame === null || frame.stopped !== null}>{running ? "Pause" : "Start"}</button>
          <button type="button" id="train-step" onClick={() => void advance().then((f) => f && set({ at: f.step }))} disabled={running || frame === null || frame.stopped !== null}>Step ({String(v.speed)})</button>
          <button type="button" id="train-reset" onClick={() => { set({ at: 0 }); setGeneration(generation + 1); }}>Reset</button>
          <button type="button" id="train-export-model" onClick={() => void exportRun("model")} disabled={frame === null}>Export model (JSON)</button>
          <button type="button" id="train-export-run" onClick={() => void exportRun("run")} disabled={frame === null}>Export run (spec + trajectory)</button>
          <button type="button" id="train-export-safetensors" onClick={() => void exportSafetensors()} disabled={frame === null}
            title="float64 weights with splitscape's metadata: torch's load_state_dict of the same Sequential accepts them; splitscape reads them without flags">Export model (safetensors)</button>
        </div>
        <ErrorBox error={error} />
        {frame?.stopped && <ErrorBox title="Stopped" error={`${frame.stopped.stop} — ${frame.stopped.reason}`} />}
        {frame && (
          <Readout rows={[
            ["network", `${frame.architecture}, p = ${frame.params}`, "train-arch"],
            ["step", String(frame.step), "train-step-count"],
            ["time t", fmt(frame.t), "train-time"],
            ["loss", `${fmt(frame.loss, 10)} (log ${fmt(frame.logLoss, 8)})`, "train-loss"],
            ["‖∇ℒ‖", fmt(frame.gradNorm), "train-grad"],
            ["‖θ‖", fmt(frame.norm), "train-norm"],
            ["accuracy", frame.accuracy === null ? "—" : `${(100 * frame.accuracy).toFixed(1)} %`, "train-accuracy"],
            ["q_min, γ̄", frame.qmin === null ? "—" : `${fmt(frame.qmin)}, ${fmt(frame.normalizedMargin)}`, "train-margin"],
          ]} />
        )}
        <div class="plots">
          <Chart title="Loss ℒ(θ) during training" xLabel="step" yLabel="loss" logX logY series={[{ label: "loss" }]}
            data={{ x: curve.current.cols.step, ys: [curve.current.cols.loss] }} />
          {bounds !== null ? (
            <figure class="heatmap">
              <figcaption>Output f(x) (viridis: dark = negative, light = positive) with the data (white discs +1, black squares −1)</figcaption>
              <div class="heatmap-stack" role="img" aria-label={`decision heatmap over x ∈ [${fmt(bounds[0], 3)}, ${fmt(bounds[1], 3)}], y ∈ [${fmt(bounds[2], 3)}, ${fmt(bounds[3], 3)}]`}>
                <canvas ref={heat} width={HEATMAP_RES} height={HEATMAP_RES} class="heat" />
                <canvas ref={points} width={320} height={320} class="points" />
              </div>
            </figure>
          ) : data !== null && <p class="note">The heatmap and the circle need d = 2 inputs; this data set has d = {data.d}.</p>}
          {frame?.neurons && (
            <CirclePlot title="Neuron directions w_j/‖w_j‖ (length: share of |a_j|‖w_j‖; solid a_j > 0, dashed a_j < 0)"
              rays={frame.neurons} description={`${frame.neurons.length} neuron directions`} />
          )}
        </div>
        <div class="buttons" role="group" aria-label="slice">
          <button type="button" id="train-slice" onClick={() => void sliceNow()} disabled={frame === null || slice.busy}>Slice at θ now (with the trajectory)</button>
        </div>
        <SliceResultPanel view={slice.view} error={slice.error} busy={slice.busy} idPrefix="train" />
      </div>
    </div>
  );
}
