// Form controls generated from the field table: every control has a visible <label>, is a
// native element (keyboard operable as is), and reports its value in the field's type.
import type { FieldValue } from "../state/codec.js";
import type { Field } from "../state/fields.js";

export interface ControlProps {
  field: Field;
  value: FieldValue;
  onChange: (v: FieldValue) => void;
  /** An id prefix (one view's controls). */
  idPrefix: string;
  disabled?: boolean;
  /** Slider bounds overriding the field's range (e.g. λ between the line's ends). */
  range?: [number, number];
}

/** One labelled control. Number fields with a slider show the slider and the exact number. */
export function Control({ field: f, value, onChange, idPrefix, disabled, range }: ControlProps) {
  const id = `${idPrefix}-${f.key}`;
  const help = f.help ? <small class="help" id={`${id}-help`}>{f.help}</small> : null;
  const describedBy = f.help ? `${id}-help` : undefined;
  const label = <label for={id}>{f.label}</label>;
  switch (f.kind) {
    case "bool":
      return (
        <div class="control control-bool">
          <input id={id} type="checkbox" checked={value === true} disabled={disabled} aria-describedby={describedBy}
            onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
          {label}
          {help}
        </div>
      );
    case "enum":
      return (
        <div class="control">
          {label}
          <select id={id} value={String(value)} disabled={disabled} aria-describedby={describedBy}
            onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
            {f.values.map((v) => <option value={v} key={v}>{v}</option>)}
          </select>
          {help}
        </div>
      );
    case "text":
      return (
        <div class="control control-text">
          {label}
          <input id={id} type="text" value={String(value)} disabled={disabled} maxLength={f.maxLength} aria-describedby={describedBy} spellcheck={false}
            onChange={(e) => onChange((e.currentTarget as HTMLInputElement).value)} />
          {help}
        </div>
      );
    case "int":
    case "number": {
      const [lo, hi] = range ?? [f.min, f.max];
      const step = f.kind === "int" ? 1 : (f.step ?? "any");
      const commit = (raw: string): void => {
        const v = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(v)) return;
        if (f.kind === "int" && !Number.isInteger(v)) return;
        onChange(Math.min(f.max, Math.max(f.min, v)));
      };
      const slider = f.kind === "number" && f.slider !== undefined;
      const log = slider && f.slider === "log10";
      return (
        <div class="control">
          {label}
          <div class="control-row">
            {slider && (
              <input type="range" aria-label={`${f.label} (slider)`} disabled={disabled}
                min={log ? Math.log10(Math.max(lo, 1e-300)) : lo} max={log ? Math.log10(hi) : hi} step={log ? 0.05 : (f.step ?? (hi - lo) / 200)}
                value={log ? Math.log10(Number(value)) : Number(value)}
                onInput={(e) => {
                  const r = Number((e.currentTarget as HTMLInputElement).value);
                  onChange(log ? Number((10 ** r).toPrecision(3)) : r);
                }} />
            )}
            <input id={id} type="number" value={String(value)} min={f.min} max={f.max} step={step} disabled={disabled} aria-describedby={describedBy}
              onChange={(e) => commit((e.currentTarget as HTMLInputElement).value)} />
          </div>
          {help}
        </div>
      );
    }
  }
}

/** A fieldset of controls for `fields` of a view. */
export function ControlGroup(props: {
  legend: string; fields: Field[]; values: Record<string, FieldValue>; idPrefix: string;
  onChange: (key: string, v: FieldValue) => void; disabled?: (key: string) => boolean;
}) {
  return (
    <fieldset class="controls">
      <legend>{props.legend}</legend>
      {props.fields.map((f) => (
        <Control key={f.key} field={f} value={props.values[f.key]} idPrefix={props.idPrefix} disabled={props.disabled?.(f.key)}
          onChange={(v) => props.onChange(f.key, v)} />
      ))}
    </fieldset>
  );
}
