/**
 * Headless Chromium for the dashboard tests (Debian's `chromium` package, driven by playwright-core),
 * and the artifacts every test leaves in test-results/dashboard/: a screenshot, plus the page HTML
 * and console log when it failed. With UPDATE_SCREENSHOTS=1 the README screenshots in
 * docs/screenshots/ are refreshed too.
 */
import fs from "fs";
import path from "path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";

const ROOT = path.resolve(__dirname, "..", "..", "..");
export const ARTIFACTS_DIR = path.join(ROOT, "test-results", "dashboard");
export const DOC_SCREENSHOTS_DIR = path.join(ROOT, "docs", "screenshots");
export const VIEWPORT = { width: 1280, height: 800 };

export function chromiumPath(): string {
  return (process.env.CHROMIUM_PATH ?? "").trim() || "/usr/bin/chromium";
}

/** Null when Chromium can run here, else why not and how to install it. */
export function chromiumMissing(): string | null {
  const exe = chromiumPath();
  if (fs.existsSync(exe)) return null;
  return (
    `dashboard browser tests skipped: no Chromium at ${exe}. Install it with \`apt-get install chromium\` ` +
    "(Debian/Ubuntu), or point CHROMIUM_PATH at a Chromium or Chrome binary."
  );
}

/**
 * Without the background-networking flags Chromium waits on services it cannot reach on a closed
 * network. playwright-core gives every launch a fresh temporary profile (user-data-dir).
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    timeout: 60_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page whose console output and page errors are recorded for the failure artifacts. */
export interface RecordedPage {
  context: BrowserContext;
  page: Page;
  consoleLines: string[];
}

export async function openPage(browser: Browser, origin: string): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleLines: string[] = [];
  page.on("console", (msg) => consoleLines.push(`[${new Date().toISOString()}] ${msg.type()}: ${msg.text()}`));
  page.on("pageerror", (err) => consoleLines.push(`[${new Date().toISOString()}] pageerror: ${err.stack ?? err.message}`));
  page.on("requestfailed", (req) =>
    consoleLines.push(`[${new Date().toISOString()}] requestfailed: ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ""}`),
  );
  return { context, page, consoleLines };
}

function fileSafe(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 120);
}

/** After each test: a screenshot; on failure also the HTML and the console log. */
export async function saveArtifacts(
  recorded: RecordedPage | undefined,
  test: Mocha.Runnable | undefined,
  prefix: string,
): Promise<void> {
  if (recorded === undefined || test === undefined || test.isPending()) return;
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const base = path.join(ARTIFACTS_DIR, `${prefix}--${fileSafe(test.title)}`);
  const { page, consoleLines } = recorded;
  try {
    await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 10_000 });
  } catch (e) {
    consoleLines.push(`screenshot failed: ${(e as Error).message}`);
  }
  if (test.state === "failed") {
    try {
      fs.writeFileSync(`${base}.html`, await page.content());
    } catch (e) {
      consoleLines.push(`page content failed: ${(e as Error).message}`);
    }
    fs.writeFileSync(`${base}.console.log`, `${consoleLines.join("\n")}\n`);
    console.log(`      dashboard artifacts: ${path.relative(ROOT, base)}.{png,html,console.log}`);
  }
}

/** docs/screenshots/<name>.png, only when UPDATE_SCREENSHOTS=1 (the README's pictures). */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  if (!["1", "true", "yes"].includes((process.env.UPDATE_SCREENSHOTS ?? "").toLowerCase())) return;
  fs.mkdirSync(DOC_SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(DOC_SCREENSHOTS_DIR, `${name}.png`), fullPage: false });
}
