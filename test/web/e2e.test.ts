// The built lab (dist/web) in a real Chromium, served by `splitscape lab`'s server: every view
// loads with no console error and no request outside 127.0.0.1; training steps change the
// numbers; a control change reaches the URL and a reload restores the same state and numbers;
// a CSV upload works and a bad CSV shows the CSV parser's own words; on a host without the
// isolation headers the page says so and still computes. Screenshots of each view are kept in
// test/web/artifacts/ (gitignored). Needs Debian's chromium (the one system prerequisite).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { labRoot, mimeType, resolveStaticPath, startLabServer, type LabServer } from "../../src/cli/labServer.js";
import { parseCsvDataset } from "../../src/data/index.js";
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
};

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
