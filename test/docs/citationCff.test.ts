// CITATION.cff (Citation File Format 1.2.0): the required keys, and a reference for each paper
// splitscape implements. Checked against the CFF 1.2.0 JSON schema once by hand
// (github.com/citation-file-format/citation-file-format, schema.json; `jsonschema` in Python);
// this test keeps the parts a reader relies on.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.js";

const cff = parse(readFileSync("CITATION.cff", "utf8")) as {
  "cff-version": string; message: string; title: string; version: string; authors: Array<Record<string, string>>;
  references: Array<{ type: string; title: string; authors: Array<Record<string, string>>; identifiers?: Array<{ type: string; value: string }> }>;
};

describe("CITATION.cff", () => {
  it("is CFF 1.2.0 with message, title, authors and the package version", () => {
    expect(cff["cff-version"]).toBe("1.2.0");
    expect(cff.message.length).toBeGreaterThan(10);
    expect(cff.title).toMatch(/^splitscape/);
    expect(cff.authors.length).toBeGreaterThan(0);
    expect(String(cff.version)).toBe(VERSION);
  });

  it("cites the papers it implements (and the reproduced saddle-to-saddle runs), each with authors and its arXiv id", () => {
    const ids = cff.references.map((r) => r.identifiers?.find((i) => i.value.startsWith("arXiv:"))?.value);
    expect(ids).toEqual(expect.arrayContaining([
      "arXiv:2505.12419", // Zhang, Zhang & Luo: embedding principle
      "arXiv:2402.09226", "arXiv:2403.08121", // Kumar & Haupt: small initialisation (two-homogeneous, deep)
      "arXiv:2411.07729", // Kim, Mishkin & Pilanci: convex duality
      "arXiv:2606.04327", // Ding, Li & Sun: stationary plateaus
      "arXiv:2402.05626", // Wu, Şimşek & Ged: saddle-to-saddle reference runs
    ]));
    for (const r of cff.references) {
      expect(r.title.length, r.title).toBeGreaterThan(10);
      expect(r.authors.length, r.title).toBeGreaterThan(0);
    }
  });
});
