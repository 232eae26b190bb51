// View 3, Small init: δ on a slider down to 1e-80; the NCF around the circle with its reduced
// KKT directions (ticks), the neurons at the chosen moment (they rotate onto KKT directions
// while ‖θ‖ is still tiny), the loss with the predicted escape time log(1/δ)/(2𝒩*) marked, and
// on request the saddle-to-saddle staircase of the same flow (square loss).
import { useState } from "preact/hooks";
import { ensureData, errorText, getEngine } from "../client.js";
import type { SmallInitConfig, StaircaseResult } from "../engine/smallInit.js";
import { Chart } from "../ui/chart.js";
import { CirclePlot } from "../ui/circle.js";
import { DataChooser, ErrorBox, Readout, fmt } from "../ui/common.js";
import { ControlGroup } from "../ui/controls.js";
import { VIEW_FIELDS } from "../state/fields.js";
import { useComputed } from "./oneShot.js";
import type { ViewProps } from "./registry.js";

export function smallInitConfig(v: Record<string, unknown>): SmallInitConfig {
  return { data: String(v.data), seed: Number(v.seed), width: Number(v.width), slope: Number(v.slope), log10Delta: Number(v.log10delta), horizon: Number(v.horizon) };
}

const RUN_FIELDS = VIEW_FIELDS.smallinit.filter((f) => f.key !== "data" && f.key !== "time");
const TIME = VIEW_FIELDS.smallinit.filter((f) => f.key === "time");

export function SmallInitView({ state, set, env }: ViewProps) {
  const v = state.values;
  const cfg = smallInitConfig(v);
  const key = JSON.stringify(cfg);
  const engine = getEngine();
  const { result: r, error, busy } = useComputed(key, async () => { await ensureData(cfg.data); return engine.smallInit(cfg); });
  const [stairs, setStairs] = useState<{ key: string; result: StaircaseResult | null; error: string | null; busy: boolean } | null>(null);
  const staircase = (): void => {
    setStairs({ key, result: null, error: null, busy: true });
    engine.smallInitStaircase(cfg).then((s) => setStairs({ key, result: s, error: null, busy: false }), (e) => setStairs({ key, result: null, error: errorText(e), busy: false }));
  };
  const idx = r ? Math.min(r.samples.length - 1, Math.round(Number(v.time) * (r.samples.length - 1))) : 0;
  const s = r?.samples[idx];
  const maxMass = s ? Math.max(...s.log10Mass) : 0;
  const rays = s ? s.angles.map((th, j) => ({ w1: Math.cos(th), w2: Math.sin(th), a: s.signs[j] * 10 ** (s.log10Mass[j] - maxMass) })) : [];
  const st = stairs !== null && stairs.key === key ? stairs : null;
  return (
    <div class="view view-smallinit">
      <div class="panel controls-panel">
        <DataChooser value={String(v.data)} onChange={(d) => set({ data: d })} idPrefix="smallinit-data" env={env} />
        <ControlGroup legend="Bias-free leaky-ReLU network, square loss, gradient flow from δ·w₀" fields={RUN_FIELDS} values={v} idPrefix="smallinit" onChange={(k, x) => set({ [k]: x })} />
        <ControlGroup legend="Moment shown" fields={TIME} values={v} idPrefix="smallinit" onChange={(k, x) => set({ [k]: x })} />
      </div>
      <div class="panel main-panel">
        {busy && <p class="status" role="status">computing the flow…</p>}
        <ErrorBox error={error} />
        {r && s && (
          <>
            <Readout rows={[
              ["𝒩* (max of the NCF on the sphere)", fmt(r.ncfStar, 10), "smallinit-ncfstar"],
              ["predicted escape log(1/δ)/(2𝒩*)", fmt(r.predictedEscape, 8), "smallinit-predicted"],
              ["observed ‖θ‖ = 1e-2 at", fmt(r.observedEscape, 8), "smallinit-observed"],
              ["time shown t, log₁₀‖θ‖", `${fmt(s.t, 6)}, ${fmt(s.log10Norm, 6)}`, "smallinit-now"],
              ["loss at t", fmt(s.loss, 10), "smallinit-loss"],
              ["RK4 steps", String(r.steps)],
            ]} />
            <div class="plots">
              <CirclePlot title="NCF f(θ) around the circle (solid f > 0), its KKT directions (ticks: thick a > 0, dashed a < 0), and the neurons at t"
                rays={rays} ticks={r.kkt.map((k) => ({ angle: k.angle, sign: k.sign }))} profile={r.profile}
                description={`${r.kkt.length} KKT directions; neurons at t = ${fmt(s.t)}`} size={300} />
              <Chart title="Loss: flat until the predicted escape (dashed)" xLabel="t" yLabel="loss" logY series={[{ label: "loss" }]}
                data={{ x: r.samples.map((q) => q.t), ys: [r.samples.map((q) => q.loss)] }}
                marks={[{ x: r.predictedEscape, label: "predicted escape" }, { x: s.t, label: "shown" }]} />
              <Chart title="log₁₀‖θ‖: growth at rate 2𝒩* from log δ" xLabel="t" yLabel="log₁₀‖θ‖" series={[{ label: "log₁₀‖θ‖" }]}
                data={{ x: r.samples.map((q) => q.t), ys: [r.samples.map((q) => q.log10Norm)] }} marks={[{ x: r.predictedEscape, label: "predicted escape" }]} />
              <Chart title="Neuron angles (rad): they settle on KKT directions before the escape" xLabel="t" yLabel="angle"
                series={r.samples[0].angles.map((_, j) => ({ label: `neuron ${j}`, dash: j % 2 ? [4, 3] : undefined }))}
                data={{ x: r.samples.map((q) => q.t), ys: r.samples[0].angles.map((_, j) => r.samples.map((q) => q.angles[j])) }} />
            </div>
            <h3>Saddle-to-saddle staircase (square loss)</h3>
            <button type="button" id="smallinit-staircase" onClick={staircase} disabled={st?.busy === true}>Compute the staircase (to {String(Math.max(2, Number(v.horizon)))} × the first escape)</button>
            {st?.busy && <p class="status" role="status">integrating…</p>}
            <ErrorBox error={st?.error ?? null} />
            {st?.result && (
              <>
                <Chart title="Loss along the flow: plateaus (saddles) and drops" xLabel="t" yLabel="loss" logY series={[{ label: "loss" }]}
                  data={{ x: st.result.samples.map((q) => q.t), ys: [st.result.samples.map((q) => q.loss)] }}
                  marks={st.result.plateaus.filter((p) => p.predictedExit !== null).map((p, i) => ({ x: p.predictedExit!, label: `predicted exit ${i + 1}` }))} />
                <table class="table">
                  <caption>Plateaus and their residual-NCF predictions</caption>
                  <thead><tr><th scope="col">#</th><th scope="col">t from</th><th scope="col">t to</th><th scope="col">loss</th><th scope="col">predicted exit</th><th scope="col">observed exit</th><th scope="col">cos(direction)</th></tr></thead>
                  <tbody>{st.result.plateaus.map((p, i) => (
                    <tr key={i}><td>{i + 1}</td><td>{fmt(p.tStart)}</td><td>{fmt(p.tEnd)}</td><td>{fmt(p.loss)}</td><td>{fmt(p.predictedExit)}</td><td>{fmt(p.observedExit)}</td><td>{fmt(p.directionCosine, 4)}</td></tr>
                  ))}</tbody>
                </table>
              </>
            )}
          </>
        )}
      </div>
    </div>
  );
}
