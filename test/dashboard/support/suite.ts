/** Set-up and tear-down shared by the browser suites (a11y, flows). */
import type { Browser, Page } from "playwright-core";
import { type RecordedPage, chromiumMissing, launchChromium } from "./browser";
import { type DashboardRelayer, startDashboardRelayer } from "./relayer";
import { skipBecause } from "../../fixtures/skips";

export interface BrowserSuite {
  relayer: DashboardRelayer;
  browser: Browser;
}

/**
 * For a suite's `before` hook: skips the suite, saying why, when Chromium is missing; else starts
 * the relayer and Chromium.
 */
export async function startBrowserSuite(ctx: Mocha.Context): Promise<BrowserSuite> {
  const missing = chromiumMissing();
  if (missing !== null) skipBecause(ctx, "chromium", missing);
  const relayer = await startDashboardRelayer();
  const browser = await launchChromium();
  return { relayer, browser };
}

/** For the suite's `after` hook: closes Chromium and the relayer, those that were started. */
export async function stopBrowserSuite(browser: Browser | undefined, relayer: DashboardRelayer | undefined): Promise<void> {
  await browser?.close().catch(() => undefined);
  await relayer?.close();
}

/** Closes the browser context of a page, if one was opened (errors ignored). */
export async function closePage(rec: RecordedPage | undefined): Promise<void> {
  await rec?.context.close().catch(() => undefined);
}

/** The page a `before` hook opened. */
export function pageOf(rec: RecordedPage | undefined): Page {
  if (rec === undefined) throw new Error("no page");
  return rec.page;
}
