// View 2, Split: the narrow network θ and its split η = Tθ₀ trained side by side by the same
// steps; the embedding error ‖η_k − Tθ_k‖ live against the rounding level u·‖η‖, the drift off
// the image of T, and both max-margin KKT certificates (which T maps to each other).
import { useEffect, useRef, useState } from "preact/hooks";
import { ensureData, errorText, getEngine } from "../client.js";
import type { SplitCertificates, SplitConfig, SplitFrame, CertificateView } from "../engine/split.js";
import { Chart } from "../ui/chart.js";
import { CirclePlot } from "../ui/circle.js";
import { DataChooser, ErrorBox, Readout, fmt } from "../ui/common.js";
import { ControlGroup } from "../ui/controls.js";
import { VIEW_FIELDS } from "../state/fields.js";
import { Columns, useLivePacing } from "./live.js";
import type { ViewProps } from "./registry.js";

export function splitConfig(v: Record<string, unknown>): SplitConfig {
  return {
    data: String(v.data), seed: Number(v.seed), width: Number(v.width), activation: v.activation as SplitConfig["activation"], slope: Number(v.slope),
    unit: Number(v.unit), coeffs: String(v.coeffs), loss: v.loss as SplitConfig["loss"], mean: v.mean === true, method: v.method as SplitConfig["method"],
    lr: Number(v.lr), batch: Number(v.batch),
  };
}

const FIELDS = VIEW_FIELDS.split.filter((f) => f.key !== "data" && f.key !== "at");

function Certificate({ name, c }: { name: string; c: CertificateView | { error: string } | undefined }) {
  if (c === undefined) return null;
  if ("error" in c) return <div class="cert"><h4>{name}</h4><p class="note">{c.error}</p></div>;
  return (
    <div class="cert">
      <h4>{name}</h4>
      <Readout rows={[
        ["status", c.status === "ok" ? "ok" : c.message],
        ["q_min, γ̄", `${fmt(c.qmin)}, ${fmt(c.normalizedMargin, 10)}`],
        ["ε, ε/‖θ̂‖", `${fmt(c.epsilon)}, ${fmt(c.epsilonRelative)}`],
        ["δ", fmt(c.delta)],
        ["Σλ", fmt(c.sumLambda, 10)],
        ["support", `${c.support.length} of the constraints`],
      ]} />
    </div>
  );
}

export function SplitView({ state, set, env }: ViewProps) {
  const v = state.values;
  const cfg = splitConfig(v);
  const key = JSON.stringify(cfg);
  const engine = getEngine();
  const [frame, setFrame] = useState<SplitFrame | null>(null);
  const [certs, setCerts] = useState<SplitCertificates | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [running, setRunning] = useState(false);
  const [generation, setGeneration] = useState(0);
  const curve = useRef(new Columns(["step", "error", "narrowLoss", "wideLoss"] as const));

  const take = (f: SplitFrame): void => {
    for (const p of f.curve) if (p.step > 0) curve.current.push(p);
    setFrame(f);
  };
  const certify = (): void => { engine.splitCertificates().then(setCerts, (e) => setError(errorText(e))); };
  useEffect(() => {
    let live = true;
    setRunning(false);
    (async () => {
      await ensureData(cfg.data);
      const f = await engine.splitReset(cfg, Number(v.at), Number(v.speed));
      if (!live) return;
      setError(null);
      curve.current.clear();
      take(f);
      setCerts(await engine.splitCertificates());
    })().catch((e) => { if (live) { setError(errorText(e)); setFrame(null); setCerts(null); } });
    return () => { live = false; };
  }, [key, generation]);

  const advance = useLivePacing({
    running, setRunning, frame, at: v.at, speed: v.speed, setAt: (at) => set({ at }),
    call: () => engine.splitAdvance(Number(v.speed)), take, fail: setError,
  });
  useEffect(() => { if (!running && frame !== null) certify(); }, [running]);

  const change = (k: string, value: unknown): void => set({ [k]: value as never, ...(k === "speed" ? {} : { at: 0 }) });
  const c = curve.current.cols;
  return (
    <div class="view view-split">
      <div class="panel controls-panel">
        <DataChooser value={String(v.data)} onChange={(s) => change("data", s)} idPrefix="split-data" env={env} />
        <ControlGroup legend="Narrow network and split" fields={FIELDS} values={v} idPrefix="split" onChange={change}
          disabled={(k) => (k === "batch" && v.method !== "sgd") || (k === "slope" && v.activation !== "leaky_relu" && v.activation !== "relu_power")} />
      </div>
      <div class="panel main-panel">
        <div class="buttons" role="group" aria-label="training">
          <button type="button" id="split-run" onClick={() => setRunning(!running)} disabled={frame === null || frame.stopped !== null}>{running ? "Pause" : "Start"}</button>
          <button type="button" id="split-step" onClick={() => void advance().then((f) => { if (f) { set({ at: f.step }); certify(); } })} disabled={running || frame === null}>Step ({String(v.speed)})</button>
          <button type="button" id="split-reset" onClick={() => { set({ at: 0 }); setGeneration(generation + 1); }}>Reset</button>
        </div>
        <ErrorBox error={error} />
        {frame?.stopped && <ErrorBox title="Stopped" error={`${frame.stopped.stop} — ${frame.stopped.reason}`} />}
        {frame && (
          <Readout rows={[
            ["narrow", `${frame.narrow.architecture}: loss ${fmt(frame.narrow.loss, 12)}`, "split-narrow"],
            ["wide", `${frame.wide.architecture}: loss ${fmt(frame.wide.loss, 12)}`, "split-wide"],
            ["step", String(frame.step), "split-step-count"],
            ["‖η − Tθ‖ now, max", `${fmt(frame.error, 3)}, ${fmt(frame.maxError, 3)}`, "split-error"],
            ["rounding level u‖η‖", fmt(frame.roundingLevel, 3), "split-rounding"],
            ["drift ‖(I − TTᵀ)η‖", fmt(frame.drift, 3), "split-drift"],
          ]} />
        )}
        <div class="plots">
          <Chart title="Embedding error ‖η_k − Tθ_k‖ (dotted: rounding level u‖η‖)" xLabel="step" yLabel="‖η − Tθ‖" logX logY series={[{ label: "error" }]}
            data={{ x: c.step, ys: [c.error] }} hline={frame ? { y: frame.roundingLevel, label: "u‖η‖" } : null} />
          <Chart title="Loss of both networks (they coincide)" xLabel="step" yLabel="loss" logX logY
            series={[{ label: "narrow" }, { label: "wide", dash: [6, 4] }]} data={{ x: c.step, ys: [c.narrowLoss, c.wideLoss] }} />
          {frame?.narrow.neurons && <CirclePlot title="Narrow network θ" rays={frame.narrow.neurons} description="narrow network neuron directions" size={220} />}
          {frame?.wide.neurons && <CirclePlot title="Wide network η (the split unit's copies overlap)" rays={frame.wide.neurons} description="wide network neuron directions" size={220} />}
        </div>
        <h3>Max-margin KKT certificates (T maps one to the other)</h3>
        <div class="certs">
          <Certificate name="narrow θ" c={certs?.narrow} />
          <Certificate name="wide η" c={certs?.wide} />
        </div>
      </div>
    </div>
  );
}
