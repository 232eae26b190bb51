// `pretest`: run each build step (npm run build:wasm, build:ts, build:web) only when its outputs
// are missing or older than its inputs, so that a developer's repeated `npm test` does not
// rebuild what has not changed. Inputs and outputs are compared by the newest modification
// time of any file under them. `SPLITSCAPE_FORCE_BUILD=1` rebuilds everything.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

/** Newest mtime (ms) of the files under `paths` (files or folders), -Infinity if none exist. */
function newest(paths, skip = () => false) {
  let t = -Infinity;
  const visit = (p) => {
    if (!existsSync(p) || skip(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else t = Math.max(t, s.mtimeMs);
  };
  for (const p of paths) visit(join(root, p));
  return t;
}

/** Oldest mtime of the given output files, -Infinity if any is missing. */
function oldest(files) {
  let t = Infinity;
  for (const f of files) {
    const p = join(root, f);
    if (!existsSync(p)) return -Infinity;
    t = Math.min(t, statSync(p).mtimeMs);
  }
  return t;
}

const generated = ["cone", "gemm", "twolayer"].map((m) => `src/linalg/kernels/${m}.wasm.generated.ts`);
const STEPS = [
  { script: "build:wasm", inputs: ["assembly", "scripts/build-wasm.mjs"], outputs: generated },
  { script: "build:ts", inputs: ["src", "tsconfig.json", "tsconfig.build.json", "package.json"], outputs: ["dist/index.js", "dist/cli/main.js"] },
  { script: "build:web", inputs: ["web", "src"], outputs: ["dist/web/index.html"] },
];

const force = process.env.SPLITSCAPE_FORCE_BUILD === "1";
for (const step of STEPS) {
  const source = newest(step.inputs, (p) => p.includes(`${join("web", "node_modules")}`));
  const built = oldest(step.outputs);
  if (force || built < source) {
    console.log(`build-if-stale: ${step.script} (${built === -Infinity ? "missing output" : "sources changed"})`);
    execFileSync(process.platform === "win32" ? "npm.cmd" : "npm", ["run", step.script], { cwd: root, stdio: "inherit" });
  } else {
    console.log(`build-if-stale: ${step.script} up to date`);
  }
}
