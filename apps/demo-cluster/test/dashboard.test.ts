import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@aether/kernel";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDemo, type EmbeddedDemo } from "../src/launch/embeddedDemo.js";
import { launchChromium } from "./support/chromium.js";

// `UPDATE_SCREENSHOT=1` refreshes the README's picture; otherwise it goes to a temp dir.
const screenshotPath =
  process.env["UPDATE_SCREENSHOT"] === "1"
    ? fileURLToPath(new URL("../docs/dashboard.png", import.meta.url))
    : join(mkdtempSync(join(tmpdir(), "aether-dashboard-")), "dashboard.png");

describe("demo-cluster dashboard in a real browser", () => {
  let demo: EmbeddedDemo;
  let browser: Browser;

  beforeAll(async () => {
    demo = await startEmbeddedDemo({
      nodes: 3,
      port: 0,
      logger: createLogger({ level: "silent" }),
      timing: { heartbeatMs: 200, failureTimeoutMs: 1_500, leaseTtlMs: 1_000, marginMs: 200 },
    });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  it("sends a command and sees its event, then kills a node and sees its shards move", async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await page.goto(`${demo.nodes[0]!.url}/`);
    // Three nodes up and every shard owned.
    await page.locator('.node[data-status="up"]').nth(2).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.locator(".shard[data-owner]").count(), { timeout: 20_000 })
      .toBe(64);
    await expect
      .poll(() => page.locator('.shard[data-owner=""]').count(), { timeout: 20_000 })
      .toBe(0);

    await page.fill("#accountId", "browser-alice");
    await page.selectOption("#commandType", "Open");
    await page.fill("#commandArg", "Alice");
    await page.click("#sendCommand");
    await page
      .locator("#feed li", { hasText: "AccountOpened browser-alice v1" })
      .waitFor({ timeout: 10_000 });
    await page.selectOption("#commandType", "Deposit");
    await page.fill("#commandArg", "250");
    await page.click("#sendCommand");
    await page
      .locator("#feed li", { hasText: "MoneyDeposited browser-alice v2" })
      .waitFor({ timeout: 10_000 });
    await expect.poll(() => page.textContent("#totalMoney")).toBe("250");

    const victim = demo.nodes[2]!.nodeId;
    const itsShards = await page.locator(`.shard[data-owner="${victim}"]`).count();
    expect(itsShards).toBeGreaterThan(0);
    await page.click(`button[data-action="kill"][data-node="${victim}"]`);
    await page
      .locator("#feed li", { hasText: `NodeFailed ${victim}` })
      .waitFor({ timeout: 20_000 });
    // Its shards are served by the others again: none left on it, none without an owner.
    await expect
      .poll(() => page.locator(`.shard[data-owner="${victim}"]`).count(), { timeout: 20_000 })
      .toBe(0);
    await expect
      .poll(() => page.locator('.shard[data-owner=""]').count(), { timeout: 20_000 })
      .toBe(0);
    await page
      .locator("#feed li", { hasText: `ShardMigrated ${victim} → ` })
      .first()
      .waitFor();
    await expect
      .poll(() => page.getAttribute(`.node[data-node="${victim}"]`, "data-status"))
      .toBe("failed");
    await page.screenshot({ path: screenshotPath });
  }, 90_000);
});
