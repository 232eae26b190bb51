/**
 * The package as a user gets it: `npm pack` the repository, install the tarball into an empty
 * project WITHOUT a registry, then (a) compile a TypeScript program that imports "splitscape" and
 * "splitscape/margin" against the shipped .d.ts and run it (train a small net, certify it), and
 * (b) run the installed `splitscape` binary: a command, the whole `splitscape tour` (every claim
 * passes, its report is written) and the lab server.
 *
 * No registry: the temporary project gets a package-lock.json holding the tarball plus the
 * repository's own lock entries for the production dependencies (same versions, resolved URLs
 * and integrity hashes), and `npm ci --offline` takes every tarball from the local npm cache,
 * which `npm ci` in the repository filled (so this works on a fresh CI machine after `npm ci`).
 * The pack skips `prepack` (`--ignore-scripts`) because `pretest` has just built dist/.
 *
 * Independent check: the installed package must give bit-identical numbers to the sources
 * imported in-process (same float64 operations in the same order), and the training run is the
 * README's CLI example, whose printed numbers (log ℒ = -9.039291, q_min = 5.94496,
 * ε/‖θ̂‖ = 0.164573, δ = 0.214832) it reproduces.
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeBuiltin } from "../../src/data/index.js";
import { trainModel } from "../../src/experiments/training.js";
import { kktCertificate } from "../../src/margin/index.js";
import { initializeModel, makeActivation, twoLayerArchitecture } from "../../src/model/index.js";
import { VERSION } from "../../src/version.js";

const root = new URL("../..", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string; bin: Record<string, string>; engines: Record<string, string>; dependencies: Record<string, string>;
};
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

interface LockEntry { dev?: boolean; devOptional?: boolean; [key: string]: unknown }

/** The consumer's lockfile: the tarball, plus the repository's entries for production dependencies. */
function consumerLock(tarball: string): unknown {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const packages: Record<string, unknown> = {
    "": { name: "consumer", dependencies: { splitscape: `file:${tarball}` } },
    "node_modules/splitscape": {
      version: pkg.version, resolved: `file:${tarball}`, license: "MIT",
      dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith("node_modules/") || entry.dev === true) continue;
    const { devOptional: _ignored, ...rest } = entry;
    packages[path] = rest;
  }
  return { name: "consumer", lockfileVersion: 3, requires: true, packages };
}

/** The README example, run on the sources in this process. */
function expectedResult(): Record<string, unknown> {
  const data = makeBuiltin("builtin:blobs?n=40&std=0.8&seed=1");
  const arch = twoLayerArchitecture({ d: 2, m: 6, activation: makeActivation("leaky_relu", 0.01) });
  const trained = trainModel(initializeModel(arch, { seed: 2 }), data, {
    method: "gd", loss: "exponential", mean: true, lr: 0.1, h: 0.1, rtol: 1e-8, atol: 1e-10,
    batchSize: 40, batchSeed: 0, stop: { maxSteps: 20000 }, maxSamples: 100,
  });
  const cert = kktCertificate(trained.final, data);
  return {
    version: VERSION, steps: trained.result.steps, logLoss: trained.result.logLoss,
    status: cert.status, qmin: cert.qmin, epsilonRelative: cert.epsilonRelative, delta: cert.delta,
  };
}

describe("npm pack → install offline → import and run", () => {
  let dir = "";
  let project = "";
  const run = (cmd: string, args: string[], cwd = project): string =>
    execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, npm_config_update_notifier: "false" } });

  beforeAll(() => {
    const built = join(root, "dist", "index.js");
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(join(root, "src", "index.ts")).mtimeMs) {
      throw new Error("dist/ is missing or older than src/index.ts: run `npm run build` (npm test's pretest does)");
    }
    dir = mkdtempSync(join(tmpdir(), "splitscape-pack-"));
    project = join(dir, "consumer");
    run(npm, ["pack", "--ignore-scripts", "--silent", "--pack-destination", dir], root);
    const tarball = `splitscape-${pkg.version}.tgz`;
    execFileSync("mkdir", [project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({
      name: "consumer", private: true, type: "module", dependencies: { splitscape: `file:../${tarball}` },
    }, null, 2));
    writeFileSync(join(project, "package-lock.json"), JSON.stringify(consumerLock(`../${tarball}`), null, 2));
    run(npm, ["ci", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"]);
  }, 120_000);

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  }, 120_000); // the installed node_modules are large: removing them takes seconds on a loaded machine

  it("ships dist/ with its .d.ts, the CLI and no source maps or tests", () => {
    const installed = join(project, "node_modules", "splitscape");
    for (const f of ["dist/index.js", "dist/index.d.ts", "dist/margin/index.d.ts", "dist/cli/main.js", "bin/splitscape.js", "dist/web/index.html", "LICENSE", "CITATION.cff"]) {
      expect(existsSync(join(installed, f)), f).toBe(true);
    }
    for (const f of ["src", "test", "dist/index.js.map", "dist/linalg/reference.d.ts.map"]) expect(existsSync(join(installed, f)), f).toBe(false);
  });

  it("(a) a TypeScript program type-checks against the shipped .d.ts and reproduces the sources' numbers", () => {
    copyFileSync(join(root, "test", "package", "consumer.ts"), join(project, "main.ts"));
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true,
        outDir: "out", typeRoots: [join(root, "node_modules", "@types")], types: ["node"],
      },
      files: ["main.ts"],
    }));
    run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."]);
    const got = JSON.parse(run(process.execPath, ["out/main.js"])) as Record<string, unknown>;
    expect(got).toEqual(expectedResult());
    // The README's `splitscape train` + `kkt` output, printed to 6-7 significant digits.
    expect(got.logLoss as number).toBeCloseTo(-9.039291, 6);
    expect(got.qmin as number).toBeCloseTo(5.94496, 5);
    expect(got.epsilonRelative as number).toBeCloseTo(0.164573, 6);
    expect(got.delta as number).toBeCloseTo(0.214832, 6);
  });

  it("(a) a type error in a consumer is caught by the shipped types", () => {
    writeFileSync(join(project, "bad.ts"), 'import { twoLayerArchitecture } from "splitscape/model";\ntwoLayerArchitecture({ d: "2", m: 3 });\n');
    writeFileSync(join(project, "tsconfig.bad.json"), JSON.stringify({
      extends: "./tsconfig.json", compilerOptions: { noEmit: true }, files: ["bad.ts"],
    }));
    let diagnostics = "";
    try {
      run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.bad.json"]);
    } catch (err) {
      diagnostics = String((err as { stdout?: string }).stdout);
    }
    expect(diagnostics).toMatch(/bad\.ts\(2,\d+\): error TS\d+/);
  });

  it("(b) the installed CLI starts and runs a command", () => {
    expect(run(npm, ["exec", "--offline", "--", "splitscape", "--version"]).trim()).toBe(pkg.version);
    const out = run(npm, ["exec", "--offline", "--", "splitscape", "data", "make", "builtin:blobs?n=40&std=0.8&seed=1", "-o", "blobs.json", "--json"]);
    expect(JSON.parse(out)).toMatchObject({ n: 40, d: 2 });
    const info = JSON.parse(run(npm, ["exec", "--offline", "--", "splitscape", "data", "info", "blobs.json", "--json"])) as Record<string, unknown>;
    expect(info).toMatchObject({ n: 40, d: 2, origin: "builtin:blobs?n=40&seed=1&d=2&mu=2&std=0.8", classes: { positive: 20, negative: 20 } });
    // The file it wrote carries the format stamp (INTERFACES.md, "Format versions").
    expect(JSON.parse(readFileSync(join(project, "blobs.json"), "utf8"))).toMatchObject({ splitscape: pkg.version, format: { name: "dataset", version: 1 } });
  });

  // `npx splitscape tour` from the installed package (issue 17): the full tour — it has no
  // smaller form, and it takes about 15 s of CPU (under a minute of wall time on a loaded
  // 2-core machine) — so what the README and `npm start` promise is what is checked. The claims
  // themselves are each family's tests; here: it runs, every claim passes, the folder is written.
  it("(b) the installed `splitscape tour` runs every family's headline experiment and writes its report", () => {
    const out = run(npm, ["exec", "--offline", "--", "splitscape", "tour", "-o", "tours"]); // throws unless exit 0
    const summary = /^(\d+)\/(\d+) claims pass; (\d+) famil(?:y|ies) not available yet; [\d.]+ s$/m.exec(out);
    expect(summary, out).not.toBeNull();
    const [passed, total] = [Number(summary![1]), Number(summary![2])];
    expect(total).toBeGreaterThan(0);
    expect(passed).toBe(total);
    const report = resolve(project, /^report: (.+)$/m.exec(out)?.[1] ?? "");
    expect(report.startsWith(join(project, "tours", "tour-")), report).toBe(true);
    expect(report.endsWith("report.html")).toBe(true);
    expect(existsSync(report)).toBe(true);
    const folder = report.slice(0, -"/report.html".length);
    const tour = JSON.parse(readFileSync(join(folder, "tour.json"), "utf8")) as {
      splitscape: string; pass: boolean; entries: Array<{ status: string; folder?: string; verdicts: Array<{ pass: boolean }> }>;
    };
    expect(tour.splitscape).toBe(pkg.version);
    expect(tour.pass).toBe(true);
    const ran = tour.entries.filter((e) => e.status !== "not available");
    expect(ran.every((e) => e.status === "ok")).toBe(true);
    expect(ran.flatMap((e) => e.verdicts).length).toBe(total);
    // every experiment's run folder holds its result and report
    for (const e of ran) for (const f of ["result.json", "report.html"]) expect(existsSync(join(folder, e.folder!, f)), `${e.folder}/${f}`).toBe(true);
  }, 300_000);

  it("(b) the installed `splitscape lab` serves the lab shipped in the tarball", async () => {
    const installed = join(project, "node_modules", "splitscape");
    const child = spawn(process.execPath, [join(installed, "bin", "splitscape.js"), "lab", "--port", "0", "--json"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let out = "";
      const listening = await new Promise<{ url: string; root: string }>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString("utf8");
          if (out.trimEnd().endsWith("}")) resolve(JSON.parse(out) as { url: string; root: string });
        });
        child.on("exit", (code) => reject(new Error(`splitscape lab exited with ${code} before listening: ${out}`)));
      });
      expect(listening.root).toBe(join(installed, "dist", "web"));
      const page = await fetch(listening.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("splitscape lab");
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once("exit", done));
        child.kill("SIGINT");
        await exited;
      }
    }
  }, 60_000);
});
