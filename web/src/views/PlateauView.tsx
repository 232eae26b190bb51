// View 5, Plateau: a smooth network at a designed stationary point, one unit split into k
// copies with weights λ; the class of every split point along the line (or on the simplex),
// the eigenvalues of the inner Hessian H_j and of H_red, and the full spectrum of the wide
// Hessian at the selected λ, each class checked against that spectrum.
import { getEngine } from "../client.js";
import type { PlateauConfig } from "../engine/plateau.js";
import { ErrorBox, Readout, VegaFigure, fmt } from "../ui/common.js";
import { Control, ControlGroup } from "../ui/controls.js";
import { VIEW_FIELDS, fieldOf } from "../state/fields.js";
import { SliceControls, SliceResultPanel, sliceConfig } from "../ui/slicePanel.js";
import { useComputed } from "./oneShot.js";
import type { ViewProps } from "./registry.js";

export function plateauConfig(v: Record<string, unknown>): PlateauConfig {
  return {
    activation: v.activation as PlateauConfig["activation"], d: Number(v.d), m: Number(v.m), target: v.target as PlateauConfig["target"],
    stationary: v.stationary as PlateauConfig["stationary"], seed: Number(v.seed), k: Number(v.k) === 3 ? 3 : 2,
    lmin: Number(v.lmin), lmax: Number(v.lmax), points: Number(v.points), simplexN: Number(v.simplexn), l1: Number(v.l1), l2: Number(v.l2),
  };
}

const NET = VIEW_FIELDS.plateau.filter((f) => ["activation", "d", "m", "target", "stationary", "seed", "k"].includes(f.key));
const GRID = VIEW_FIELDS.plateau.filter((f) => ["lmin", "lmax", "points", "simplexn", "l2"].includes(f.key));

export function PlateauView({ state, set }: ViewProps) {
  const v = state.values;
  const cfg = plateauConfig(v);
  const engine = getEngine();
  const { result: r, error, busy } = useComputed(JSON.stringify(cfg), () => engine.plateau(cfg));
  // The slice depends on θ* only (not on the λ grid or the selected point).
  const sliceCfg = sliceConfig(v);
  const sliceKey = JSON.stringify([cfg.activation, cfg.d, cfg.m, cfg.target, cfg.stationary, cfg.seed, sliceCfg]);
  const slice = useComputed(sliceKey, () => engine.plateauSlice(cfg, sliceCfg));
  const lambda = cfg.k === 2 ? `(${fmt(cfg.l1, 4)}, ${fmt(1 - cfg.l1, 4)})` : `(${fmt(cfg.l1, 4)}, ${fmt(cfg.l2, 4)}, ${fmt(1 - cfg.l1 - cfg.l2, 4)})`;
  return (
    <div class="view view-plateau">
      <div class="panel controls-panel">
        <ControlGroup legend="Smooth two-layer network at a designed stationary point θ*" fields={NET} values={v} idPrefix="plateau" onChange={(k, x) => set({ [k]: x })} />
        <fieldset class="controls">
          <legend>Split point θ_λ</legend>
          <Control field={fieldOf("plateau", "l1")} value={v.l1} idPrefix="plateau" onChange={(x) => set({ l1: x })} range={[cfg.lmin, cfg.lmax]} />
          {GRID.map((f) => (
            <Control key={f.key} field={f} value={v[f.key]} idPrefix="plateau" onChange={(x) => set({ [f.key]: x })}
              disabled={cfg.k === 2 ? f.key === "simplexn" || f.key === "l2" : f.key === "points"} />
          ))}
        </fieldset>
        <SliceControls fields={VIEW_FIELDS.plateau} values={v} idPrefix="plateau" onChange={(k, x) => set({ [k]: x })} />
      </div>
      <div class="panel main-panel">
        {busy && <p class="status" role="status">designing, refining and classifying…</p>}
        <ErrorBox error={error} />
        {r && (
          <>
            <Readout rows={[
              ["stationary point", `‖∇L‖ = ${fmt(r.gradientNorm, 3)} (tolerance ${fmt(r.gradientTolerance, 3)}): ${r.stationary ? "stationary" : "NOT stationary"}`, "plateau-grad"],
              ["In(H_j), In(H_red)", `${r.innerInertia}, ${r.reducedInertia}`, "plateau-inertia"],
              ["H_j eigenvalues", r.innerEigenvalues.map((x) => fmt(x, 4)).join(", "), "plateau-inner"],
              [`class at λ = ${lambda}`, <strong>{r.selected.cls}</strong>, "plateau-class"],
              ["predicted / measured inertia", `${r.selected.predicted} / ${r.selected.measured}${r.selected.agrees ? " (agree)" : " (DISAGREE)"}`, "plateau-selected"],
              ["smallest eigenvalue", fmt(r.selected.minEigenvalue, 4)],
              ["rule", r.selected.reason],
              ["followed descent", r.selected.descent ?? "—"],
              ["points that disagree", r.disagreements.length === 0 ? "none" : r.disagreements.join("; ")],
            ]} />
            <div class="plots">
              {r.figures.map((f) => <VegaFigure key={f.title} title={f.title} spec={f.spec as Record<string, unknown>} />)}
            </div>
          </>
        )}
        <h3>Slice through θ* (unit 0 split at λ = (½, ½): along the plateau and across it)</h3>
        <SliceResultPanel view={slice.result} error={slice.error} busy={slice.busy} idPrefix="plateau" />
      </div>
    </div>
  );
}
