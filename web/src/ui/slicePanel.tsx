// The slice panel of the Train and Plateau views: the directions and grid (URL fields), the
// slice computed in the worker by `splitscape slice`'s library code, its figures (the CLI's
// Vega-Lite specs: contour/heat map of a plane with the trajectory over it, or the line with the
// Hessian's parabola and the plateau classes), the analytic facts beside it and the self-checks.
import type { SliceConfig, SliceView } from "../engine/slice.js";
import type { Field } from "../state/fields.js";
import type { FieldValue } from "../state/codec.js";
import { ControlGroup } from "./controls.js";
import { ErrorBox, Readout, VegaFigure, fmt } from "./common.js";

/** The slice settings of a view's values. */
export function sliceConfig(v: Record<string, unknown>): SliceConfig {
  return { along: String(v.slicealong), plane: String(v.sliceplane), extent: Number(v.sliceext), points: Number(v.slicen), log: v.slicelog === true };
}

/** The slice fields of a view (keys starting with "slice"). */
export function sliceFieldsOf(fields: Field[]): Field[] {
  return fields.filter((f) => f.key.startsWith("slice"));
}

export function SliceControls(props: { fields: Field[]; values: Record<string, FieldValue>; idPrefix: string; onChange: (k: string, v: FieldValue) => void }) {
  return <ControlGroup legend="Slice of the loss landscape" fields={sliceFieldsOf(props.fields)} values={props.values} idPrefix={props.idPrefix} onChange={props.onChange} />;
}

/** The result of a slice: numbers, checks and figures. */
export function SliceResultPanel({ view, error, busy, idPrefix }: { view: SliceView | null; error: string | null; busy: boolean; idPrefix: string }) {
  return (
    <section class="slice" aria-label="slice of the loss landscape">
      {busy && <p class="status" role="status">slicing…</p>}
      <ErrorBox error={error} title="Slice" />
      {view && (
        <>
          <Readout rows={[
            ["F at the base θ", view.center ? `${fmt(view.center.objective, 10)} (grid: ${fmt(view.center.grid, 10)})` : "—", `${idPrefix}-slice-center`],
            ...view.directions.map((d, i): [string, string] => [`direction ${i === 0 ? "x" : "y"}`, d]),
            ...view.facts.map(([k, v]): [string, string] => [k, v]),
            ...(view.baseNote ? [["base", view.baseNote] as [string, string]] : []),
            ["self-checks", view.checks.every((c) => c.pass) ? `all ${view.checks.length} pass` : `${view.checks.filter((c) => !c.pass).length} FAIL`, `${idPrefix}-slice-checks`],
          ]} />
          {view.checks.length > 0 && (
            <ul class="reasons">
              {view.checks.map((c) => <li key={c.claim}>{c.pass ? "ok" : "FAIL"} — {c.claim}: {typeof c.measured === "number" ? fmt(c.measured) : c.measured} (tolerance {typeof c.tolerance === "number" ? fmt(c.tolerance) : c.tolerance})</li>)}
            </ul>
          )}
          <div class="plots">
            {view.figures.map((f) => <VegaFigure key={f.title} title={`${f.title}${f.caption ? ` — ${f.caption}` : ""}`} spec={f.spec as Record<string, unknown>} />)}
          </div>
        </>
      )}
    </section>
  );
}
