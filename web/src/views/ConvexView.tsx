// View 4, Convex: β on a slider; the certified optimum of the convex reformulation (exact
// patterns: the gap is a proof) with m*, M*, the optimal directions on the circle and the
// connectivity staircase; beside it a network trained by GD and its certificate.
import { ensureData, getEngine } from "../client.js";
import type { ConvexConfig } from "../engine/convex.js";
import { CirclePlot } from "../ui/circle.js";
import { DataChooser, ErrorBox, Readout, fmt } from "../ui/common.js";
import { ControlGroup } from "../ui/controls.js";
import { VIEW_FIELDS } from "../state/fields.js";
import { useComputed } from "./oneShot.js";
import type { ViewProps } from "./registry.js";

export function convexConfig(v: Record<string, unknown>): ConvexConfig {
  return {
    data: String(v.data), beta: 10 ** Number(v.log10beta), bias: v.bias === true, width: Number(v.width), seed: Number(v.seed),
    lr: Number(v.lr), steps: Number(v.steps), initScale: Number(v.initscale),
  };
}

const FIELDS = VIEW_FIELDS.convex.filter((f) => f.key !== "data");

export function ConvexView({ state, set, env }: ViewProps) {
  const v = state.values;
  const cfg = convexConfig(v);
  const engine = getEngine();
  const { result: r, error, busy } = useComputed(JSON.stringify(cfg), async () => { await ensureData(cfg.data); return engine.convex(cfg); });
  const ray = (n: { w: number[]; alpha: number }) => ({ w1: n.w[0], w2: n.w[1] ?? 0, a: n.alpha });
  return (
    <div class="view view-convex">
      <div class="panel controls-panel">
        <DataChooser value={String(v.data)} onChange={(d) => set({ data: d })} idPrefix="convex-data" env={env} />
        <ControlGroup legend="Weight-decayed ReLU network, square loss" fields={FIELDS} values={v} idPrefix="convex" onChange={(k, x) => set({ [k]: x })} />
      </div>
      <div class="panel main-panel">
        {busy && <p class="status" role="status">solving…</p>}
        <ErrorBox error={error} />
        {r && (
          <>
            <div class="two-columns">
              <section>
                <h3 data-testid="convex-beta">Certified global optimum (β = {fmt(r.beta, 4)})</h3>
                <Readout rows={[
                  ["optimum F*", fmt(r.optimum, 12), "convex-optimum"],
                  ["dual value", fmt(r.dualValue, 12)],
                  ["relative gap", fmt(r.relativeGap, 3), "convex-gap"],
                  ["patterns", `${r.patterns} (exact: the gap proves global optimality)`],
                  ["m*, M*", r.mStar === null ? (r.note ?? "—") : `${r.mStar}, ${r.MStar}`, "convex-mstar"],
                  ["optimal directions", String(r.directions.length)],
                ]} />
              </section>
              <section>
                <h3>Trained by GD ({cfg.steps} steps)</h3>
                <Readout rows={[
                  ["objective F", fmt(r.trained.objective, 12), "convex-trained"],
                  ["(F − F*)/F*", fmt(r.trained.excess, 3)],
                  ["certificate", <strong>{r.trained.classification}</strong>, "convex-class"],
                  ["neurons (after pruning)", String(r.trained.neurons.length)],
                ]} />
                <ul class="reasons">{r.trained.reasons.map((x, i) => <li key={i}>{x}</li>)}</ul>
              </section>
            </div>
            <div class="plots">
              <CirclePlot title={`Optimal directions (ticks) and the optimum's neurons${r.D > 2 ? " (first two coordinates of x̃)" : ""}`}
                rays={r.optimalNetwork.map(ray)} ticks={r.directions.map((d) => ({ angle: Math.atan2(d.direction[1] ?? 0, d.direction[0]), sign: d.sign }))}
                description={`${r.directions.length} optimal directions, ${r.optimalNetwork.length} neurons`} />
              <CirclePlot title="The trained network's neurons against the optimal directions" rays={r.trained.neurons.map(ray)}
                ticks={r.directions.map((d) => ({ angle: Math.atan2(d.direction[1] ?? 0, d.direction[0]), sign: d.sign }))}
                description={`${r.trained.neurons.length} trained neurons`} />
            </div>
            {r.staircase && (
              <table class="table">
                <caption>Connectivity staircase of the optimal set (Theorem 2), for the current data</caption>
                <thead><tr><th scope="col">width m</th><th scope="col">claim</th><th scope="col">holds</th><th scope="col">evidence</th></tr></thead>
                <tbody>{r.staircase.map((row, i) => (
                  <tr key={i}><td>{row.width}</td><td>{row.claim}</td><td>{row.holds === null ? "unchecked" : row.holds ? "yes" : "NO"}</td><td class="evidence">{row.evidence}</td></tr>
                ))}</tbody>
              </table>
            )}
          </>
        )}
      </div>
    </div>
  );
}
