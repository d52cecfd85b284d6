/**
 * Keyboard-only use and labelled controls on the login and usage-key screens, in headless
 * Chromium: Tab reaches every control, arrow keys move between tabs, Enter and Space activate,
 * and every input, button and link has an accessible name (checked on the DOM and through
 * Playwright's role and label queries).
 */
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { createClient } from "../../src/sdk";
import { type RecordedPage, openPage, saveArtifacts } from "./support/browser";
import type { DashboardRelayer } from "./support/relayer";
import { closePage, pageOf, startBrowserSuite, stopBrowserSuite } from "./support/suite";
import { focused, openForm, tabStops, tabTo, unlabelledControls, waitForText, waitForWrite } from "./support/ui";

/** Reloads the page and waits for the login screen. */
async function reloadLogin(p: Page): Promise<void> {
  await p.reload();
  await p.getByRole("tab", { name: "Sign in" }).waitFor();
}

/** Tabs through the page from the current focus; checks that `expected` are among the stops and returns them all. */
async function expectTabStops(p: Page, expected: string[]): Promise<string[]> {
  const stops = await tabStops(p);
  expect(stops).to.include.members(expected);
  return stops;
}

describe("dashboard accessibility in Chromium: keyboard only, labelled controls", function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let relayer: DashboardRelayer;
  let rec: RecordedPage | undefined;
  let apiKey = "";

  const page = () => pageOf(rec);

  before(async function () {
    ({ relayer, browser } = await startBrowserSuite(this));
    rec = await openPage(browser, relayer.baseUrl);
    await rec.page.goto(relayer.dashboardUrl);
    await rec.page.getByRole("tab", { name: "Sign in" }).waitFor();
  });

  afterEach(async function () {
    await saveArtifacts(rec, this.currentTest, "a11y");
  });

  after(async () => {
    await closePage(rec);
    await stopBrowserSuite(browser, relayer);
  });

  it("names every control of both login tabs", async () => {
    const p = page();
    expect(await unlabelledControls(p.locator("body"))).to.deep.equal([]);
    const tree = await p.getByRole("tablist").ariaSnapshot();
    expect(tree).to.contain('tab "Sign in" [selected]');
    expect(tree).to.contain('tab "Create account"');
    await p.getByLabel("Account API key").waitFor();
    await p.getByRole("button", { name: "Connect wallet" }).waitFor();

    await p.getByRole("tab", { name: "Create account" }).focus();
    await p.keyboard.press("Enter");
    await p.getByLabel("Email").waitFor();
    expect(await unlabelledControls(p.locator("body"))).to.deep.equal([]);
    for (const label of ["Email", "Account name", "Description", "ChainSecured account name", "ChainSecured account description"]) {
      expect(await p.getByLabel(label, { exact: true }).count(), label).to.equal(1);
    }
    const panel = await p.getByRole("tabpanel").ariaSnapshot();
    expect(panel).to.contain('textbox "Account name"');
    expect(panel).to.contain('button "Connect wallet & create"');
    await p.getByRole("tab", { name: "Create account" }).focus();
    await p.keyboard.press("ArrowLeft");
    expect(await p.getByRole("tab", { name: "Sign in" }).getAttribute("aria-selected")).to.equal("true");
  });

  it("reaches every login control with Tab and moves between tabs with the arrow keys", async () => {
    const p = page();
    await reloadLogin(p);
    await expectTabStops(p, ["tab: Sign in", "input: Account API key", "button: Sign in", "button: Connect wallet"]);
    await tabTo(p, /^Sign in$/, { role: "tab" });
    expect((await focused(p)).role).to.equal("tab");
    await p.keyboard.press("ArrowRight");
    expect(await focused(p)).to.include({ role: "tab", name: "Create account" });
    expect(await p.getByRole("tab", { name: "Create account" }).getAttribute("aria-selected")).to.equal("true");
    const create = await expectTabStops(p, [
      "input: Email",
      "input: Account name",
      "input: Description",
      "button: Create account",
      "input: ChainSecured account name",
      "input: ChainSecured account description",
      "button: Connect wallet & create",
    ]);
    expect(create.indexOf("input: Email")).to.be.lessThan(create.indexOf("button: Create account"));
  });

  it("creates an account and adds a usage key with the keyboard alone", async () => {
    const p = page();
    await reloadLogin(p);
    await tabTo(p, /^Sign in$/, { role: "tab" });
    await p.keyboard.press("ArrowRight");
    await tabTo(p, /^Email$/);
    await p.keyboard.type("keyboard@example.com");
    await p.keyboard.press("Tab");
    expect((await focused(p)).name).to.equal("Account name");
    await p.keyboard.type("Keyboard user");
    await p.keyboard.press("Enter"); // submits the form
    const key = p.getByTestId("new-account-key");
    await key.waitFor();
    apiKey = (await key.innerText()).trim();
    await tabTo(p, /^Copy API key$/);
    await p.keyboard.press("Space");
    await waitForText(p.locator(".copy-status"), /Copied/);
    await tabTo(p, /^I have stored this key somewhere safe$/);
    await p.keyboard.press("Space");
    await tabTo(p, /^Continue to the dashboard$/);
    await p.keyboard.press("Enter");
    await p.getByTestId("mode-badge").waitFor();

    await tabTo(p, /^Usage keys$/);
    await p.keyboard.press("Enter");
    await p.getByRole("heading", { level: 1, name: "Usage keys" }).waitFor();
    await tabTo(p, /^Add usage key$/);
    await p.keyboard.press("Enter");
    await tabTo(p, /^Key name$/);
    await p.keyboard.type("keyboard key");
    await tabTo(p, /^Can create wallets \(PKPs\)$/);
    await p.keyboard.press("Space");
    await tabTo(p, /^Execute in groups: all groups \(current and future\)$/);
    await p.keyboard.press("Space");
    await tabTo(p, /^Add key$/);
    await p.keyboard.press("Enter");
    await waitForWrite(p, /Usage key "keyboard key" added/);
    await tabTo(p, /^Copy usage key$/);
    await p.keyboard.press("Space");
    await waitForText(p.locator(".new-secret .copy-status"), /Copied/);

    const [listed] = await createClient(relayer.baseUrl, { apiKey }).listApiKeys({ pageNumber: 0, pageSize: 10 });
    expect(listed).to.include({ name: "keyboard key", can_create_pkps: true, can_create_groups: false });
    expect(listed.can_execute_in_groups).to.deep.equal([0]);
  });

  it("names every control of the usage-key screen and its permission form", async () => {
    const p = page();
    const form = await openForm(p, "Add usage key", "Add a usage key");
    await form.waitFor();
    expect(await unlabelledControls(p.locator("body"))).to.deep.equal([]);
    for (const name of ["Can create groups", "Can delete groups", "Can create wallets (PKPs)"]) {
      expect(await form.getByRole("checkbox", { name, exact: true }).count(), name).to.equal(1);
    }
    for (const legend of ["Execute in groups", "Manage actions in groups", "Add wallets to groups", "Remove wallets from groups"]) {
      const group = form.getByRole("group", { name: legend, exact: true });
      expect(await group.count(), legend).to.equal(1);
      await group.getByRole("checkbox", { name: `${legend}: all groups (current and future)` }).waitFor();
    }
    await form.getByLabel("Key name").waitFor();
    await form.getByLabel("Key description").waitFor();
    await form.getByLabel("Expires").waitFor();
    const row = p.getByTestId("usage-key-row").first();
    for (const action of ["Edit permissions of keyboard key", "Rename keyboard key", "Delete keyboard key"]) {
      await row.getByRole("button", { name: action }).waitFor();
    }
    const nav = await p.getByRole("navigation", { name: "Dashboard sections" }).ariaSnapshot();
    expect(nav).to.contain('link "Usage keys"');
    expect(nav).to.contain('link "Billing"');
    await form.getByRole("button", { name: "Cancel" }).click();
  });

  it("opens the account menu with Enter, moves with the arrow keys and closes with Escape", async () => {
    const p = page();
    await p.getByRole("button", { name: "Account ▾" }).focus();
    await p.keyboard.press("Enter");
    expect(await focused(p)).to.include({ role: "menuitem", name: "Convert to ChainSecured" });
    await p.keyboard.press("ArrowDown");
    expect(await focused(p)).to.include({ role: "menuitem", name: "Sign out" });
    await p.keyboard.press("Escape");
    expect(await p.getByRole("menu").count()).to.equal(0);
    expect((await focused(p)).name).to.equal("Account ▾");
  });
});
