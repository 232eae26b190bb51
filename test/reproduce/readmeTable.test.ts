// The README's table of full reproductions is generated from docs/reproductions.json by
// `npx tsx scripts/reproductions.ts readme` and never typed: the text between its markers must be
// exactly what the generator makes of the committed record (a hand edit, or a record updated
// without regenerating the table, fails here).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot, readRecord } from "../../src/reproduce/index.js";
import { README_BEGIN, README_END, readmeTable } from "../../scripts/reproductions.js";

describe("README: the table of recorded full reproductions", () => {
  it("is the generator's output for docs/reproductions.json, with one row per recorded run", () => {
    const record = readRecord();
    expect(record).not.toBeNull();
    const text = readFileSync(join(packageRoot(), "README.md"), "utf8");
    const a = text.indexOf(README_BEGIN);
    const b = text.indexOf(README_END);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    const table = readmeTable(record!);
    expect(text.slice(a + README_BEGIN.length, b)).toBe(`\n${table}\n`);
    for (const r of record!.runs) expect(table).toContain(`| \`${r.id}\` |`);
  });
});
