/** Small Playwright helpers for the dashboard tests (playwright-core has no expect()). */
import type { Locator, Page } from "playwright-core";

/** Opens a dashboard section through its navigation link and waits for its heading. */
export async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Dashboard sections" }).getByRole("link", { name }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

/** Clicks the button that opens a form and returns the form, found by its accessible name. */
export async function openForm(page: Page, button: string, form: string): Promise<Locator> {
  await page.getByRole("button", { name: button }).click();
  return page.getByRole("form", { name: form });
}

/** Waits until the locator's text matches. */
export async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    last = (await locator.first().textContent().catch(() => null)) ?? "";
    if (pattern.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; last text: ${JSON.stringify(last.slice(0, 500))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for a write's outcome: its "done" status line, or throws with the error it shows. */
export async function waitForWrite(scope: Page | Locator, done: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alerts = scope.locator(".notice-error");
    if ((await alerts.count()) > 0) {
      throw new Error(`the dashboard shows an error: ${(await alerts.first().innerText()).replace(/\s+/g, " ")}`);
    }
    const statuses = await scope.locator(".write-done").allInnerTexts();
    if (statuses.some((t) => done.test(t))) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${done}; statuses: ${JSON.stringify(statuses)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The accessible description of the focused element: role-ish kind and name. */
export async function focused(page: Page): Promise<{ tag: string; role: string; name: string; type: string }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (el === null || el === document.body) return { tag: "body", role: "", name: "", type: "" };
    const labelled = el.getAttribute("aria-labelledby");
    const byRef = labelled
      ? labelled
          .split(/\s+/)
          .map((id) => document.getElementById(id)?.textContent ?? "")
          .join(" ")
      : "";
    const labels = (el as HTMLInputElement).labels;
    const name =
      el.getAttribute("aria-label") ??
      (byRef ||
        (labels && labels.length > 0 ? labels[0].textContent : null) ||
        el.textContent ||
        el.getAttribute("placeholder") ||
        "");
    return {
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute("role") ?? "",
      name: name.replace(/\s+/g, " ").replace(/ \*$/, "").trim(),
      type: el.getAttribute("type") ?? "",
    };
  });
}

/** Presses Tab until the focused element's name (and role, if given) matches (at most `max` presses). */
export async function tabTo(page: Page, name: RegExp, options: { role?: string; max?: number } = {}): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < (options.max ?? 60); i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    seen.push(`${f.tag}${f.role ? `[${f.role}]` : ""} "${f.name}"`);
    if (name.test(f.name) && (options.role === undefined || f.role === options.role)) return;
  }
  throw new Error(`Tab never reached ${name}; tab order was: ${seen.join(" -> ")}`);
}

/** Tab stops from the current focus until it cycles (at most `max`). */
export async function tabStops(page: Page, max = 80): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    const entry = `${f.role || f.tag}: ${f.name}`;
    if (stops.includes(entry) && stops[0] === entry) break;
    stops.push(entry);
  }
  return stops;
}

/**
 * Controls without an accessible name in `scope`: inputs, selects and textareas without a label
 * (or aria-label / aria-labelledby), buttons and links without text or aria-label.
 */
export async function unlabelledControls(scope: Locator): Promise<string[]> {
  return scope.evaluate((root) => {
    const problems: string[] = [];
    for (const el of Array.from(root.querySelectorAll("input, select, textarea"))) {
      const input = el as HTMLInputElement;
      if (input.type === "hidden") continue;
      const ok =
        (input.labels !== null && input.labels.length > 0 && (input.labels[0].textContent ?? "").trim() !== "") ||
        (input.getAttribute("aria-label") ?? "").trim() !== "" ||
        (input.getAttribute("aria-labelledby") ?? "").trim() !== "";
      if (!ok) problems.push(`${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 120)}`);
    }
    for (const el of Array.from(root.querySelectorAll("button, a[href]"))) {
      const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim();
      if (name === "") problems.push(`${el.tagName.toLowerCase()} ${el.outerHTML.slice(0, 120)}`);
    }
    return problems;
  });
}
