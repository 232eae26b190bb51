// The lab's state ↔ URL codec: every field of every view round-trips exactly (float64 included,
// down to 1e-80), addresses with `?`, `&`, `=` survive, every value is written out, and bad or
// foreign values fall back to the default with a sentence saying what was expected.
import { describe, expect, it } from "vitest";
import { decodeState, defaultState, encodeState, parseField, type LabState } from "../../web/src/state/codec.js";
import { VIEW_FIELDS, VIEW_IDS, fieldOf, type Field } from "../../web/src/state/fields.js";
import { createRng, uniform } from "../../src/random/index.js";

/** A random valid value of a field (seeded). */
function randomValue(f: Field, u: () => number): number | string | boolean {
  switch (f.kind) {
    case "int": return Math.min(f.max, f.min + Math.floor(u() * Math.min(1e6, f.max - f.min + 1)));
    case "number": {
      const v = f.min + u() * (f.max - f.min);
      return f.positive && v === 0 ? f.max : v;
    }
    case "enum": return f.values[Math.floor(u() * f.values.length)];
    case "bool": return u() < 0.5;
    case "text": return `builtin:moons?n=${Math.floor(u() * 1000)}&noise=0.1&seed=3 x+y/%`;
  }
}

describe("state ↔ URL", () => {
  it("round-trips random states of every view exactly, with every field written out", () => {
    const rng = createRng(7);
    const u = (): number => uniform(rng);
    for (const view of VIEW_IDS) {
      for (let trial = 0; trial < 20; trial++) {
        const state: LabState = { view, values: Object.fromEntries(VIEW_FIELDS[view].map((f) => [f.key, randomValue(f, u)])) };
        const search = encodeState(state);
        const back = decodeState(search);
        expect(back.problems).toEqual([]);
        expect(back.state).toEqual(state);
        const keys = [...new URLSearchParams(search).keys()];
        expect(keys).toEqual(["view", ...VIEW_FIELDS[view].map((f) => f.key)]);
      }
    }
  });

  it("keeps float64 values bit for bit (shortest round-trip decimals)", () => {
    const f = fieldOf("train", "lr");
    for (const v of [0.1, 1e-8, 0.30000000000000004, Math.PI / 7, 123456.789e-3]) {
      const s = encodeState({ view: "train", values: { ...defaultState("train").values, lr: v } });
      expect(decodeState(s).state.values.lr).toBe(v);
    }
    expect(parseField(fieldOf("smallinit", "log10delta"), "-80")).toEqual({ value: -80 });
    expect(parseField(f, "1e-8")).toEqual({ value: 1e-8 });
  });

  it("fills missing fields with defaults and defaults to the Train view", () => {
    expect(decodeState("").state).toEqual(defaultState("train"));
    const { state, problems } = decodeState("?view=convex&log10beta=-2");
    expect(problems).toEqual([]);
    expect(state).toEqual({ view: "convex", values: { ...defaultState("convex").values, log10beta: -2 } });
  });

  it("reports bad values, unknown keys and unknown views, and uses the defaults", () => {
    const { state, problems } = decodeState("?view=train&width=0&lr=-1&loss=hinge&bias=maybe&steps=5&seed=1.5&lr=abc");
    expect(state.values).toEqual(defaultState("train").values);
    expect(problems).toEqual([
      'width="0": expected an integer in [1, 256]; using 8',
      'lr="-1": expected a positive number in [1e-8, 1000000]; using 0.5',
      'loss="hinge": expected one of logistic, exponential, square; using logistic',
      'bias="maybe": expected 1 or 0; using 1',
      "steps: not a setting of the train view (ignored)",
      'seed="1.5": expected an integer in [0, 2147483647]; using 0',
      'lr="abc": expected a positive number in [1e-8, 1000000]; using 0.5',
    ]);
    const v = decodeState("?view=nowhere&width=3");
    expect(v.state.view).toBe("train");
    expect(v.state.values.width).toBe(3);
    expect(v.problems[0]).toBe('view="nowhere": expected one of train, split, smallinit, convex, plateau, inspect; showing train');
  });

  it("rejects NaN, Infinity and empty numbers", () => {
    for (const raw of ["NaN", "Infinity", "-Infinity", "", " "]) expect(parseField(fieldOf("train", "scale"), raw)).toHaveProperty("problem");
  });
});
