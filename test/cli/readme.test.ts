// The README works verbatim (issue 15, item 13): every `$ …` command of its console blocks runs,
// in order, with the BUILT CLI in a fresh scratch folder holding a copy of examples/ (as a clone
// would), and prints what the README shows. The output is compared line by line, not only the
// exit code: a README line "…" stands for any number of lines, a line ending in "…" for a line
// with that beginning, and run-folder time stamps (20261123T133944Z) match any stamp.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const bin = join(root, "bin/splitscape.js");
const scratch = mkdtempSync(join(tmpdir(), "splitscape-readme-"));
cpSync(join(root, "examples"), join(scratch, "examples"), { recursive: true });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** One `$ command` of the README and the output shown under it. */
interface Step {
  command: string;
  output: string[];
}

/** The `$` commands of the README's console blocks, in order (continuation lines joined). */
export function readmeSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  let inConsole = false;
  let current: Step | null = null;
  let continued = false;
  for (const line of markdown.split("\n")) {
    if (/^```console\s*$/.test(line)) {
      inConsole = true;
      continue;
    }
    if (inConsole && /^```\s*$/.test(line)) {
      inConsole = false;
      current = null;
      continue;
    }
    if (!inConsole) continue;
    if (continued && current) {
      current.command += ` ${line.trim().replace(/\\$/, "").trim()}`;
      continued = /\\$/.test(line);
      continue;
    }
    if (line.startsWith("$ ")) {
      current = { command: line.slice(2).replace(/\\$/, "").trim(), output: [] };
      continued = /\\$/.test(line);
      steps.push(current);
      continue;
    }
    if (current && (line.trim() !== "" || current.output.length > 0)) current.output.push(line.trimEnd());
  }
  // An output runs to the next command; the blank lines that separate commands are not part of it.
  for (const s of steps) while (s.output.length > 0 && s.output[s.output.length - 1] === "") s.output.pop();
  return steps;
}

/** Split a command line into words: double quotes group, `#` starts a comment. */
export function words(command: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  for (let m = re.exec(command); m !== null; m = re.exec(command)) {
    if (m[2]?.startsWith("#")) break;
    out.push(m[1] ?? m[2]);
  }
  return out;
}

const STAMP = /\d{8}T\d{6}Z/g;

/** True when `actual` (all lines) is what the README shows (`shown`), under the rules above. */
export function matchesShown(shown: string[], actual: string[]): { ok: boolean; why: string } {
  const norm = (s: string): string => s.replace(STAMP, "<stamp>").trimEnd();
  const a = actual.map(norm);
  const go = (i: number, j: number): boolean => {
    if (i === shown.length) return j === a.length;
    const want = norm(shown[i]);
    if (want.trim() === "…") {
      for (let k = j; k <= a.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    if (j === a.length) return false;
    const ok = want.endsWith("…") ? a[j].startsWith(want.slice(0, -1)) : a[j] === want;
    return ok && go(i + 1, j + 1);
  };
  if (go(0, 0)) return { ok: true, why: "" };
  const diff = shown.map(norm).find((w, i) => w.trim() !== "…" && !w.endsWith("…") && a[i] !== undefined && a[i] !== w);
  return { ok: false, why: `README shows:\n${shown.join("\n")}\n\nthe command printed:\n${actual.join("\n")}${diff ? `\n\nfirst differing README line: ${diff}` : ""}` };
}

/**
 * `DIR/PREFIX<wild>/FILE` with `<wild>` = `*` (a cp glob) or `…` (a path the README elides): the
 * newest folder of the scratch folder's DIR that starts with PREFIX and holds FILE — the run a
 * step above wrote. Returns the relative path, or undefined when nothing matches.
 */
function newestRunFile(pattern: string, wild: "*" | "…"): string | undefined {
  const w = wild === "*" ? "\\*" : "…";
  const m = new RegExp(`^(.*)/([^/${w}]*)${w}/(.+)$`).exec(pattern);
  if (m === null) return undefined;
  const [, parentDir, prefix, file] = m;
  const parent = join(scratch, parentDir);
  if (!existsSync(parent)) return undefined;
  const found = readdirSync(parent)
    .filter((n) => n.startsWith(prefix) && existsSync(join(parent, n, file)))
    .sort((a, b) => statSync(join(parent, b)).mtimeMs - statSync(join(parent, a)).mtimeMs);
  return found.length === 0 ? undefined : join(parentDir, found[0], file);
}

/** A word of a README command with an elided run folder resolved (newestRunFile), others as they are. */
function resolveElided(word: string): string {
  return newestRunFile(word, "…") ?? word;
}

/** Run one README step in the scratch folder: `npx splitscape …` with the built CLI, or `cp` with a glob. */
function runStep(command: string): { code: number | null; stdout: string; stderr: string } {
  const w = words(command).map(resolveElided);
  if (w[0] === "npx" && w[1] === "splitscape") {
    const r = spawnSync(process.execPath, [bin, ...w.slice(2)], { cwd: scratch, encoding: "utf8", timeout: 300_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  if (w[0] === "cp" && w.length === 3) {
    // `cp runs/train-*/final.json net.json`: the file of the newest matching run folder.
    const from = newestRunFile(w[1], "*");
    if (from === undefined) return { code: 1, stdout: "", stderr: `cp: ${w[1]} matches no run folder holding that file` };
    cpSync(join(scratch, from), join(scratch, w[2]));
    return { code: 0, stdout: "", stderr: "" };
  }
  return { code: 127, stdout: "", stderr: `the README test runs \`npx splitscape …\` and \`cp\` only, not: ${command}` };
}

const steps = readmeSteps(readFileSync(join(root, "README.md"), "utf8"));
const built = existsSync(join(root, "dist/cli/main.js"));

describe.runIf(built)("README console blocks, in order, in a fresh scratch folder", () => {
  it("has the CLI tour, the convex tour and the experiment examples", () => {
    expect(steps.length).toBeGreaterThanOrEqual(14);
    expect(steps.some((s) => s.command.startsWith("npx splitscape eval"))).toBe(true);
    expect(steps.some((s) => s.command.startsWith("npx splitscape sweep"))).toBe(true);
    expect(steps.some((s) => s.command.startsWith("npx splitscape run --list"))).toBe(true);
  });
  for (const step of steps) {
    it(step.command, () => {
      const r = runStep(step.command);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.code, r.stderr).toBe(0);
      const printed = r.stdout.trimEnd() === "" ? [] : r.stdout.trimEnd().split("\n");
      const m = matchesShown(step.output, printed);
      expect(m.ok, m.why).toBe(true);
    }, 300_000);
  }
});

describe("the README matcher", () => {
  it("matches exact lines, elided lines (…) and prefixes (text…), and stamps", () => {
    expect(matchesShown(["a", "b"], ["a", "b"]).ok).toBe(true);
    expect(matchesShown(["a", "b"], ["a", "c"]).ok).toBe(false);
    expect(matchesShown(["a", "…", "d"], ["a", "b", "c", "d"]).ok).toBe(true);
    expect(matchesShown(["a", "…"], ["a"]).ok).toBe(true);
    expect(matchesShown(["ab…"], ["abc"]).ok).toBe(true);
    expect(matchesShown(["ab…"], ["xbc"]).ok).toBe(false);
    expect(matchesShown(["run folder: runs/train-20261123T133944Z-52de4909"], ["run folder: runs/train-20250101T000000Z-52de4909"]).ok).toBe(true);
    expect(matchesShown(["run folder: runs/train-20261123T133944Z-52de4909"], ["run folder: runs/train-20250101T000000Z-00000000"]).ok).toBe(false);
    expect(matchesShown(["a"], ["a", "extra"]).ok).toBe(false);
  });
  it("reads commands with continuation lines and comments", () => {
    const md = ["```console", "$ npx splitscape train --a \\", "    --b c", "out 1", "", "$ npx splitscape x \"q r\"   # note", "```"].join("\n");
    const s = readmeSteps(md);
    expect(s.map((x) => x.command)).toEqual(["npx splitscape train --a --b c", "npx splitscape x \"q r\"   # note"]);
    expect(s[0].output).toEqual(["out 1"]);
    expect(words(s[1].command)).toEqual(["npx", "splitscape", "x", "q r"]);
  });
});
