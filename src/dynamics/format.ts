// Number formatting for the integrators' messages.

/** Compact number formatting for messages: 6 significant digits in [1e-3, 1e6), else exponential. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(3);
}
