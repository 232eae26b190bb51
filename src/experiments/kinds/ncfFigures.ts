/** Figure helpers shared by the ncf family's kinds. */

/** A line plot with vertical rules at the predicted escape times (same colours per series). */
export function withMarks(spec: Record<string, unknown>, marks: Array<Record<string, number | string>>, colorField = "delta"): Record<string, unknown> {
  const { data, mark, encoding, ...rest } = spec as { data: unknown; mark: unknown; encoding: Record<string, unknown> };
  return {
    ...rest,
    layer: [
      { data, mark, encoding },
      {
        data: { values: marks },
        mark: { type: "rule", strokeDash: [4, 3], strokeWidth: 1.2 },
        encoding: { x: { field: "t", type: "quantitative" }, color: { field: colorField, type: "nominal", title: colorField } },
      },
    ],
  };
}

