/** Shared designed cases for the plateau tests (cached: each design costs a few ms). */
import { makeActivation } from "../../src/model/index.js";
import { designStationaryPoint, type DesignedCase, type InnerTarget } from "../../src/plateau/index.js";

const cache = new Map<string, DesignedCase>();

/** A designed stationary point (tanh unless given), seeded. */
export function designed(target: InnerTarget, stationary: "minimum" | "saddle" = "minimum", opts: { seed?: number; inputBias?: boolean; activation?: string; d?: number; m?: number } = {}): DesignedCase {
  const key = JSON.stringify([target, stationary, opts]);
  let c = cache.get(key);
  if (!c) {
    c = designStationaryPoint({
      seed: opts.seed ?? 3, d: opts.d ?? 2, m: opts.m ?? 3, activation: makeActivation(opts.activation ?? "tanh"),
      target, stationary, inputBias: opts.inputBias ?? false,
    });
    cache.set(key, c);
  }
  return c;
}
