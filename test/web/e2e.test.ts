// The built lab (dist/web) in a real Chromium, served by `splitscape lab`'s server: every view
// loads with no console error and no request outside 127.0.0.1; training steps change the
// numbers; a control change reaches the URL and a reload restores the same state and numbers;
// a CSV upload works and a bad CSV shows the CSV parser's own words; a NumPy upload trains and
// the safetensors export reads back; the Inspect view gives the report card of PyTorch weights
// (and the CLI's error for a conv model); the slice panels compute; on a host without the
// isolation headers the page says so and still computes. Screenshots of each view are kept in
// test/web/artifacts/ (gitignored). Needs Debian's chromium (the one system prerequisite).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labRoot, mimeType, resolveStaticPath, startLabServer, type LabServer } from "../../src/cli/labServer.js";
import { loadDataset, parseCsvDataset } from "../../src/data/index.js";
import { parseArch } from "../../src/io/index.js";
import { loadModel, loadSafetensorsModel, parseModelJson, safetensorsModelBytes } from "../../src/model/index.js";
import { findChromium, launchChromium } from "./browser.js";

const chromiumPath = findChromium();
if (chromiumPath === null && process.env.CI) throw new Error("the browser tests need chromium (apt-get install chromium, or set CHROMIUM_PATH)");
if (chromiumPath === null) console.warn("test/web/e2e.test.ts: no chromium found (CHROMIUM_PATH or PATH): the browser tests are skipped");

const ARTIFACTS = join(import.meta.dirname, "artifacts");
const files = mkdtempSync(join(tmpdir(), "splitscape-lab-e2e-"));

/** What each view shows once computed. */
const READY: Record<string, string> = {
  train: '[data-testid="train-loss"]',
  split: '[data-testid="split-error"]',
  smallinit: '[data-testid="smallinit-ncfstar"]',
  convex: '[data-testid="convex-gap"]',
  plateau: '[data-testid="plateau-class"]',
  inspect: ".view-inspect",
};
const TORCH = join(import.meta.dirname, "../fixtures/torch");
const NUMPY = join(import.meta.dirname, "../fixtures/numpy");

describe.skipIf(chromiumPath === null)("the lab in Chromium", () => {
  let server: LabServer;
  let browser: { context: BrowserContext; close(): Promise<void> };
  let page: Page;
  const consoleErrors: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startLabServer(labRoot(), 0);
    browser = await launchChromium(chromiumPath!);
    page = await browser.context.newPage();
    page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
    page.on("pageerror", (e) => consoleErrors.push(e.message));
    browser.context.on("request", (r) => {
      const u = r.url();
      if (!u.startsWith(server.url) && !u.startsWith("data:") && !u.startsWith("blob:")) outside.push(u);
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(files, { recursive: true, force: true });
  });

  const text = async (testId: string): Promise<string> => (await page.textContent(`[data-testid="${testId}"]`)) ?? "";
  const open = async (query: string, ready: string): Promise<void> => {
    await page.goto(`${server.url}${query}`);
    await page.waitForSelector(ready, { timeout: 30_000 });
  };

  it("loads every view with no console error and no request outside 127.0.0.1", async () => {
    for (const view of Object.keys(READY)) {
      await open(`?view=${view}`, READY[view]);
      if (view === "split") {
        await page.click("#split-step");
        await page.waitForFunction(() => document.querySelector('[data-testid="split-step-count"]')?.textContent !== "0");
        await page.fill("#split-speed", "200");
        await page.press("#split-speed", "Enter");
        for (let i = 0; i < 3; i++) await page.click("#split-step");
        await page.waitForFunction(() => Number(document.querySelector('[data-testid="split-step-count"]')?.textContent) >= 600);
      }
      if (view === "train") {
        for (let i = 0; i < 3; i++) await page.click("#train-step");
        await page.waitForFunction(() => document.querySelector('[data-testid="train-step-count"]')?.textContent === "30");
      }
      await page.waitForTimeout(300); // figures and charts settle
      await page.screenshot({ path: join(ARTIFACTS, `${view}.png`) });
      expect(await page.$(".error"), `${view}: an error box`).toBeNull();
    }
    expect(await page.getAttribute("#env", "data-isolated")).toBe("true");
    expect(consoleErrors).toEqual([]);
    expect(outside).toEqual([]);
  }, 120_000);

  it("training steps change the numbers shown, and the run button trains until paused", async () => {
    await open("?view=train&data=builtin%3Ablobs%3Fn%3D80%26seed%3D1&at=0", READY.train);
    const loss0 = await text("train-loss");
    await page.click("#train-step");
    await page.waitForFunction(() => document.querySelector('[data-testid="train-step-count"]')?.textContent === "10");
    const loss1 = await text("train-loss");
    expect(loss1).not.toBe(loss0);
    await page.click("#train-run");
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="train-step-count"]')?.textContent) >= 100);
    await page.click("#train-run");
    // A chunk in flight at the pause still lands; then the step and the URL's `at` hold still.
    await page.waitForTimeout(500);
    await page.waitForFunction(() => new URL(location.href).searchParams.get("at") === document.querySelector('[data-testid="train-step-count"]')?.textContent);
    const paused = Number(await text("train-step-count"));
    await page.waitForTimeout(500);
    expect(Number(await text("train-step-count"))).toBe(paused);
    expect(new URL(page.url()).searchParams.get("at")).toBe(String(paused));
  }, 60_000);

  it("a control change updates the URL, and reloading restores the same state and numbers", async () => {
    await open("?view=train", READY.train);
    await page.fill("#train-width", "5");
    await page.press("#train-width", "Enter");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("width") === "5");
    await page.selectOption("#train-activation", "tanh");
    await page.waitForFunction(() => document.querySelector('[data-testid="train-arch"]')?.textContent?.includes("2→5→1 tanh"));
    for (let i = 0; i < 4; i++) await page.click("#train-step");
    await page.waitForFunction(() => new URL(location.href).searchParams.get("at") === "40");
    const before = { loss: await text("train-loss"), grad: await text("train-grad"), arch: await text("train-arch") };
    const url = page.url();
    expect(url).toContain("activation=tanh");
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[data-testid="train-step-count"]')?.textContent === "40", undefined, { timeout: 30_000 });
    expect(page.url()).toBe(url);
    expect(await page.inputValue("#train-width")).toBe("5");
    expect({ loss: await text("train-loss"), grad: await text("train-grad"), arch: await text("train-arch") }).toEqual(before);

    await open("?view=convex", READY.convex);
    await page.fill("#convex-log10beta", "-2");
    await page.press("#convex-log10beta", "Enter");
    await page.waitForFunction(() => document.querySelector('[data-testid="convex-beta"]')?.textContent?.includes("β = 0.01)"));
    const optimum = await text("convex-optimum");
    expect(new URL(page.url()).searchParams.get("log10beta")).toBe("-2");
    await page.reload();
    await page.waitForSelector(READY.convex);
    expect(await text("convex-optimum")).toBe(optimum);
  }, 90_000);

  it("a CSV upload trains on it; a bad CSV shows the parser's own words", async () => {
    const rows = ["x1,x2,y"];
    for (let i = 0; i < 30; i++) rows.push(`${Math.cos(i)},${Math.sin(2 * i)},${i % 2 ? 1 : -1}`);
    const good = join(files, "mine.csv");
    writeFileSync(good, `${rows.join("\n")}\n`);
    await open("?view=train", READY.train);
    await page.setInputFiles("#train-data-file", good);
    await page.waitForFunction(() => new URL(location.href).searchParams.get("data")?.startsWith("upload:mine.csv@"));
    await page.waitForFunction(() => document.querySelector('[data-testid="train-step-count"]')?.textContent === "0");
    await page.click("#train-step");
    await page.waitForFunction(() => document.querySelector('[data-testid="train-step-count"]')?.textContent === "10");
    // The upload is remembered: a reload of the URL finds it again.
    await page.reload();
    await page.waitForSelector(READY.train);

    const badText = "x1,x2,y\n0.5,1.5,1\n0.25,oops,-1\n";
    const bad = join(files, "bad.csv");
    writeFileSync(bad, badText);
    let expected = "";
    try {
      parseCsvDataset(badText, "bad.csv");
    } catch (e) {
      expected = (e as Error).message;
    }
    expect(expected).toMatch(/^bad\.csv: /);
    await page.setInputFiles("#train-data-file", bad);
    await page.waitForSelector(".error-text");
    expect(await page.textContent(".data-chooser .error-text")).toBe(expected);
    expect(consoleErrors).toEqual([]);
  }, 60_000);

  it("a NumPy .npz (np.savez_compressed) upload trains; the safetensors export is what the CLI reads", async () => {
    await open("?view=train", READY.train);
    await page.selectOption("#train-loss", "square"); // the arrays' y are regression targets
    await page.setInputFiles("#train-data-file", join(NUMPY, "deflated.npz"));
    await page.waitForFunction(() => new URL(location.href).searchParams.get("data")?.startsWith("upload:deflated.npz@"));
    const cli = loadDataset(join(NUMPY, "deflated.npz"));
    await page.waitForFunction((d) => document.querySelector('[data-testid="train-arch"]')?.textContent?.includes(` ${d}→`), cli.X.cols);
    await page.click("#train-step");
    await page.waitForFunction(() => document.querySelector('[data-testid="train-step-count"]')?.textContent === "10");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#train-export-safetensors")]);
    const path = join(files, "model.safetensors");
    await download.saveAs(path);
    const [json] = await Promise.all([page.waitForEvent("download"), page.click("#train-export-model")]);
    const jsonPath = join(files, "model.json");
    await json.saveAs(jsonPath);
    const fromJson = parseModelJson(JSON.parse(readFileSync(jsonPath, "utf8")), "model.json");
    expect(loadModel(path).theta).toEqual(fromJson.theta);
    expect(await page.$(".error")).toBeNull();
  }, 60_000);

  it("Inspect: PyTorch safetensors weights and NumPy data give the report card; a conv model the CLI's error", async () => {
    await open("?view=inspect", READY.inspect);
    await page.setInputFiles("#inspect-model-file", join(TORCH, "two-layer-tanh-bias.safetensors"));
    await page.setInputFiles("#inspect-data-file", join(TORCH, "two-layer-tanh-bias.npz"));
    // Without the layers, the CLI's words asking for them.
    await page.waitForSelector(".main-panel .error-text");
    expect(await page.textContent(".main-panel .error-text")).toMatch(/the architecture is not stored in the file.*--arch/);
    await page.fill("#inspect-arch", "linear,tanh,linear");
    await page.press("#inspect-arch", "Enter");
    await page.waitForSelector('[data-testid="inspect-summary"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="inspect-checks"]')).toBe("all pass");
    expect(await page.textContent('[data-testid="inspect-verdict-stationarity"]')).not.toBe("");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(ARTIFACTS, "inspect.png"), fullPage: true });
    // The URL names both uploads; a reload finds them again and recomputes the same card.
    const verdict = await page.textContent('[data-testid="inspect-verdict-stationarity"]');
    await page.reload();
    await page.waitForSelector('[data-testid="inspect-summary"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="inspect-verdict-stationarity"]')).toBe(verdict);

    // A conv model (PyTorch's weights re-saved by splitscape, which stores the layers and input shape).
    const conv = loadSafetensorsModel(join(TORCH, "cnn-relu-nobias.safetensors"), { layers: parseArch("conv2d:3,relu,conv2d:3:2:1,relu,flatten,linear", "arch"), inputShape: [1, 7, 7] });
    writeFileSync(join(files, "cnn.safetensors"), safetensorsModelBytes(conv));
    await page.fill("#inspect-arch", "");
    await page.press("#inspect-arch", "Enter");
    await page.setInputFiles("#inspect-model-file", join(files, "cnn.safetensors"));
    await page.setInputFiles("#inspect-data-file", join(TORCH, "cnn-relu-nobias.npz"));
    await page.waitForFunction(() => /does not support conv.* models yet/.test(document.querySelector(".main-panel .error-text")?.textContent ?? ""), undefined, { timeout: 30_000 });
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it("slice panels: Train slices at θ with the trajectory, Plateau along and across the plateau", async () => {
    await open("?view=train&at=200&speed=20", READY.train);
    await page.waitForFunction(() => document.querySelector('[data-testid="train-step-count"]')?.textContent === "200", undefined, { timeout: 30_000 });
    await page.click("#train-slice");
    await page.waitForSelector('[data-testid="train-slice-checks"]', { timeout: 60_000 });
    expect(await page.textContent('[data-testid="train-slice-checks"]')).toMatch(/^all \d+ pass$/);
    await page.waitForSelector(".slice figure .svg svg", { timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, "train-slice.png"), fullPage: true });
    await open("?view=plateau", '[data-testid="plateau-slice-checks"]');
    expect(await page.textContent('[data-testid="plateau-slice-checks"]')).toMatch(/^all \d+ pass$/);
    await page.waitForSelector(".slice figure .svg svg", { timeout: 30_000 });
    await page.screenshot({ path: join(ARTIFACTS, "plateau-slice.png"), fullPage: true });
    expect(await page.$(".error")).toBeNull();
    expect(consoleErrors).toEqual([]);
  }, 120_000);

  it("without the isolation headers (a plain static host) it says so and still computes", async () => {
    const root = labRoot();
    const plain: Server = createServer((req, res) => {
      const target = resolveStaticPath(root, (req.url ?? "/").split("?")[0]);
      if (target.kind !== "file") { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { "Content-Type": mimeType(target.path) });
      res.end(readFileSync(target.path));
    });
    await new Promise<void>((r) => plain.listen(0, "127.0.0.1", () => r()));
    const port = (plain.address() as { port: number }).port;
    try {
      const p = await browser.context.newPage();
      const errors: string[] = [];
      p.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      await p.goto(`http://127.0.0.1:${port}/?view=convex`);
      await p.waitForSelector(READY.convex, { timeout: 30_000 });
      expect(await p.getAttribute("#env", "data-isolated")).toBe("false");
      expect(await p.textContent("#env")).toContain("not cross-origin isolated");
      expect(Number(await p.textContent('[data-testid="convex-gap"]'))).toBeLessThanOrEqual(1e-8);
      expect(errors).toEqual([]);
      await p.close();
    } finally {
      plain.close();
    }
  }, 60_000);
});
