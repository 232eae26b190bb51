// Citations of the derivations in docs/science/ (docs/science/README.md §3): every
// `docs/science/FILE.md §N` in the source tree names an existing file and one of its numbered
// headings, every `§N` inside docs/science/ resolves too, no comment cites the old
// repository-external notes (`science/FILE.md` without `docs/`, "science note"), and nothing
// refers to the shared folder outside the repository. The scanners are checked on synthetic text
// first, so that the tree scan cannot pass by finding nothing.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SCIENCE = join(ROOT, "docs", "science");
const SELF = fileURLToPath(import.meta.url);

/** Folders and root files whose text may cite a derivation. */
const SCANNED = ["src", "test", "bench", "web", "docs", "examples", "scripts", "assembly", "README.md", "CITATION.cff", "package.json"];
const SKIP_DIRS = new Set(["node_modules", "dist", ".git", "runs"]);
const TEXT_EXT = /\.(ts|tsx|mts|js|mjs|cjs|md|py|yaml|yml|cff|html|css|txt)$|^package\.json$/;

/** One citation found in a text: the cited file, the section (null: the whole file) and the line. */
interface Citation {
  readonly file: string;
  readonly section: string | null;
  readonly line: number;
}

/** `docs/science/FILE.md`, then optionally `§N` (also after a line break inside a comment). */
const CITATION = /docs\/science\/([A-Za-z0-9_-]+\.md)(?:`?[ ,]*(?:\n\s*(?:\/\/|\*)\s*)?§ ?(\d+(?:\.\d+)*))?/g;

/** Every `docs/science/FILE.md [§N]` in a text. */
function findCitations(text: string): Citation[] {
  const out: Citation[] = [];
  for (const m of text.matchAll(CITATION)) {
    out.push({ file: m[1], section: m[2] ?? null, line: lineOf(text, m.index) });
  }
  return out;
}

/** Section references inside a docs/science file: `FILE.md` §N, README §N, or a bare §N (this file). */
function findInternalReferences(text: string, self: string): Citation[] {
  const out: Citation[] = [];
  const ref = /(?:`?([A-Za-z0-9_-]+)(?:\.md)?`?\s+)?§ ?(\d+(?:\.\d+)*)/g;
  for (const m of text.matchAll(ref)) {
    const named = m[1] !== undefined && existsSync(join(SCIENCE, `${m[1]}.md`)) ? `${m[1]}.md` : null;
    out.push({ file: named ?? self, section: m[2], line: lineOf(text, m.index) });
  }
  return out;
}

/** Section numbers of the numbered headings `## N. Title` / `### N.M Title` of a markdown text. */
function headingNumbers(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/^#{2,6}\s+(\d+(?:\.\d+)*)\.?\s/gm)) out.push(m[1]);
  return out;
}

/** Citations of the old notes that lived outside the repository. */
function staleCitations(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/(?<!docs\/)\bscience\/[A-Za-z0-9_-]+\.md|\bscience notes?\b/gi)) out.push(lineOf(text, m.index));
  return out;
}

/**
 * References to a `shared` folder outside the repository: the absolute shared path, or a relative
 * `up-level "shared/…"` that does not resolve to a folder inside the repository (web/src/shared is one).
 */
function outsideReferences(text: string, fileDir: string): number[] {
  const out: number[] = [];
  const absolute = new RegExp(["", "work", "shared"].join("/"), "g");
  for (const m of text.matchAll(absolute)) out.push(lineOf(text, m.index));
  for (const m of text.matchAll(/((?:\.\.\/)+)shared\b/g)) {
    const target = resolve(fileDir, m[1], "shared");
    const inside = target.startsWith(ROOT + sep) && existsSync(target) && statSync(target).isDirectory();
    if (!inside) out.push(lineOf(text, m.index));
  }
  return out;
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function textFiles(path: string, out: string[] = []): string[] {
  if (!existsSync(path)) return out;
  if (statSync(path).isFile()) {
    const name = path.slice(path.lastIndexOf(sep) + 1);
    if (TEXT_EXT.test(name) && path !== SELF) out.push(path);
    return out;
  }
  for (const name of readdirSync(path)) if (!SKIP_DIRS.has(name)) textFiles(join(path, name), out);
  return out;
}

const headingCache = new Map<string, Set<string> | null>();
function headingsOf(file: string): Set<string> | null {
  if (!headingCache.has(file)) {
    const path = join(SCIENCE, file);
    headingCache.set(file, existsSync(path) ? new Set(headingNumbers(readFileSync(path, "utf8"))) : null);
  }
  return headingCache.get(file)!;
}

/** "where: problem" for every citation that does not resolve. */
function dangling(where: string, cites: readonly Citation[]): string[] {
  const out: string[] = [];
  for (const c of cites) {
    const heads = headingsOf(c.file);
    if (heads === null) out.push(`${where}:${c.line}: docs/science/${c.file} does not exist`);
    else if (c.section !== null && !heads.has(c.section)) out.push(`${where}:${c.line}: docs/science/${c.file} has no heading §${c.section}`);
  }
  return out;
}

describe("the citation scanners (on synthetic text)", () => {
  it("find file and section, with or without a comma or backticks", () => {
    const text = "a (docs/science/convex.md §1.4) b\nc `docs/science/plateau.md` §5.5 and docs/science/embedding.md.\n// (docs/science/convex.md\n// §10.2)";
    expect(findCitations(text)).toEqual([
      { file: "convex.md", section: "1.4", line: 1 },
      { file: "plateau.md", section: "5.5", line: 2 },
      { file: "embedding.md", section: null, line: 2 },
      { file: "convex.md", section: "10.2", line: 3 },
    ]);
  });

  it("report a missing section and a missing file", () => {
    const bad = findCitations("docs/science/convex.md §99\ndocs/science/nonexistent.md §1");
    expect(dangling("x", bad)).toEqual([
      "x:1: docs/science/convex.md has no heading §99",
      "x:2: docs/science/nonexistent.md does not exist",
    ]);
  });

  it("read numbered headings only", () => {
    expect(headingNumbers("# Title\n## 1. Problems\n### 1.4 (D) The dual\n## Sources\n#### 10.2 x\n")).toEqual(["1", "1.4", "10.2"]);
  });

  it("resolve references inside the docs to the named file or to the same file", () => {
    expect(findInternalReferences("see `embedding.md` §3.5, README §1.3 and §2.", "plateau.md")).toEqual([
      { file: "embedding.md", section: "3.5", line: 1 },
      { file: "README.md", section: "1.3", line: 1 },
      { file: "plateau.md", section: "2", line: 1 },
    ]);
  });

  it("flag the old external notes and the shared folder, but not web/src/shared", () => {
    expect(staleCitations("x (science/convex.md, \"Problems\")\ny docs/science/convex.md §1\nthe science note's rule")).toEqual([1, 3]);
    const shared = ["", "work", "shared", "science"].join("/");
    const up = ["..", "shared"].join("/"); // built, so that a plain grep of the tree for it finds nothing here
    expect(outsideReferences(`a ${up}/science/x.md\nb ${shared}\n`, ROOT)).toEqual([2, 1]);
    expect(outsideReferences(`import { v } from "${up}/colormap.js";`, join(ROOT, "web", "src", "ui"))).toEqual([]);
  });
});

describe("citations in the repository", () => {
  const files = SCANNED.flatMap((p) => textFiles(join(ROOT, p)));
  const rel = (f: string): string => relative(ROOT, f).split(sep).join("/");

  it("scans the source tree and finds the citations", () => {
    expect(files.length).toBeGreaterThan(100);
    const count = files.reduce((s, f) => s + findCitations(readFileSync(f, "utf8")).length, 0);
    expect(count).toBeGreaterThan(50);
  });

  it("every docs/science citation names an existing file and heading", () => {
    const problems = files.flatMap((f) => dangling(rel(f), findCitations(readFileSync(f, "utf8"))));
    expect(problems).toEqual([]);
  });

  it("every § reference inside docs/science resolves, and heading numbers are unique", () => {
    const problems: string[] = [];
    for (const name of readdirSync(SCIENCE).filter((n) => n.endsWith(".md"))) {
      const text = readFileSync(join(SCIENCE, name), "utf8");
      problems.push(...dangling(`docs/science/${name}`, findInternalReferences(text, name)));
      const nums = headingNumbers(text);
      for (const n of new Set(nums)) if (nums.filter((x) => x === n).length > 1) problems.push(`docs/science/${name}: heading §${n} appears twice`);
    }
    expect(problems).toEqual([]);
  });

  it("every repository path that docs/science names exists (code pointers stay current when files move)", () => {
    const problems: string[] = [];
    for (const name of readdirSync(SCIENCE).filter((n) => n.endsWith(".md"))) {
      const text = readFileSync(join(SCIENCE, name), "utf8");
      for (const m of text.matchAll(/`((?:src|test|bench|examples|docs|scripts|web)\/[\w./-]+)`/g)) {
        if (!existsSync(join(ROOT, m[1]))) problems.push(`docs/science/${name}:${lineOf(text, m.index)}: ${m[1]} does not exist`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("no comment cites the old notes outside the repository", () => {
    const problems = files.flatMap((f) => staleCitations(readFileSync(f, "utf8")).map((l) => `${rel(f)}:${l}`));
    expect(problems).toEqual([]);
  });

  it("nothing refers to the shared folder outside the repository", () => {
    const problems = files.flatMap((f) => outsideReferences(readFileSync(f, "utf8"), dirname(f)).map((l) => `${rel(f)}:${l}`));
    expect(problems).toEqual([]);
  });
});
