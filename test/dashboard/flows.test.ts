/**
 * The dashboard end to end in headless Chromium, against a real relayer on 127.0.0.1 and the
 * in-process Hardhat chain, with an injected EIP-1193 test wallet (support/test-wallet.ts):
 * create an API account, add a usage key, create a group with the all-wallets switch, register an
 * action from code, see the balance and add funds, run the action, convert to ChainSecured (the
 * wallet starts on a wrong chain and is asked to switch), preview a ChainSecured write, change
 * ownership, and sign in with the new wallet to find everything preserved. Each test leaves a
 * screenshot in test-results/dashboard/ (and the page HTML and console log when it fails);
 * UPDATE_SCREENSHOTS=1 refreshes docs/screenshots/.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import type { Browser } from "playwright-core";
import { chainSecuredAccountHash, createClient } from "../../src/sdk";
import { litActionCid } from "../../src/core/cid";
import { type RecordedPage, docScreenshot, openPage, saveArtifacts } from "./support/browser";
import { type DashboardRelayer, devPrivateKey } from "./support/relayer";
import { closePage, pageOf, startBrowserSuite, stopBrowserSuite } from "./support/suite";
import { TestWallet } from "./support/test-wallet";
import { openForm, openSection, waitForText, waitForWrite } from "./support/ui";
import { skipBecause } from "../fixtures/skips";

const ACTION_CODE = `async function main(params) {
  console.log("hello from", params.name);
  return { greeting: "Hello " + params.name + "!" };
}
`;
const WRONG_CHAIN_ID = 1;

describe("dashboard in Chromium", function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let relayer: DashboardRelayer;
  let chainId = 0;

  before(async function () {
    ({ relayer, browser } = await startBrowserSuite(this));
    chainId = Number((await ethers.provider.getNetwork()).chainId);
  });

  after(async () => {
    await stopBrowserSuite(browser, relayer);
  });

  /**
   * The relayer of these tests runs billing with the dev provider (support/relayer.ts): the billing
   * steps check it is on and fail, never skip, when it is not.
   */
  async function expectBillingOn(): Promise<void> {
    const config = await fetch(`${relayer.baseUrl}/core/v1/billing/stripe_config`);
    const text = await config.text();
    expect(config.status, `billing was started (BILLING_PROVIDER=dev) but stripe_config answers: ${text}`).to.equal(200);
    expect((JSON.parse(text) as { provider?: string }).provider, "the billing provider").to.equal("dev");
  }

  /** A fresh page (own cookies and storage) with a test wallet holding dev key `keyIndex`. */
  async function pageWithWallet(keyIndex: number, startChainId?: number): Promise<{ rec: RecordedPage; wallet: TestWallet }> {
    if (browser === undefined) throw new Error("no browser");
    const rec = await openPage(browser, relayer.baseUrl);
    const wallet = new TestWallet(network.provider, ethers.provider, chainId, await devPrivateKey(keyIndex), { startChainId });
    await wallet.attach(rec.page);
    await rec.page.goto(relayer.dashboardUrl);
    return { rec, wallet };
  }

  describe("seed 001 end to end", function () {
    let rec: RecordedPage | undefined;
    let wallet: TestWallet;
    let broken = false;

    // Shared by the ordered steps below.
    let apiKey = "";
    let masterHash = "";
    let usageKey = "";
    let groupId = "";
    let actionCid = "";
    let walletCount = 0;
    let adminKey = "";
    let nextAdminKey = "";
    let nextAdmin = "";

    const page = () => pageOf(rec);
    const api = () => createClient(relayer.baseUrl, { apiKey });

    before(async () => {
      adminKey = await devPrivateKey(16);
      nextAdminKey = await devPrivateKey(17);
      nextAdmin = new ethers.Wallet(nextAdminKey).address;
      ({ rec, wallet } = await pageWithWallet(16, WRONG_CHAIN_ID));
    });

    beforeEach(function () {
      if (broken) skipBecause(this, "earlier-step-failed", "a failed step leaves nothing for the next ones to build on");
    });

    afterEach(async function () {
      if (this.currentTest?.state === "failed") broken = true;
      await saveArtifacts(rec, this.currentTest, "flows");
    });

    after(async () => {
      await closePage(rec);
    });

    it("shows the login screen with Sign in and Create account tabs and API mode recommended", async () => {
      const p = page();
      await p.getByRole("tab", { name: "Sign in" }).waitFor();
      expect(await p.getByRole("tab", { name: "Sign in" }).getAttribute("aria-selected")).to.equal("true");
      expect(await p.getByRole("tab", { name: "Create account" }).count()).to.equal(1);
      const apiCard = p.getByRole("region", { name: /API mode/ });
      expect(await apiCard.innerText()).to.contain("Recommended");
      await apiCard.getByLabel("Account API key").waitFor();
      await p.getByRole("region", { name: "ChainSecured mode" }).getByRole("button", { name: "Connect wallet" }).waitFor();
      await docScreenshot(p, "login");
    });

    it("refuses to sign in with an unknown API key, saying why", async () => {
      const p = page();
      await p.getByLabel("Account API key").fill("not-a-real-key");
      await p.getByRole("button", { name: "Sign in", exact: true }).click();
      const alert = p.getByRole("region", { name: /API mode/ }).getByRole("alert");
      await waitForText(alert, /Signing in failed: No account uses this API key/);
      await p.getByLabel("Account API key").fill("");
    });

    it("creates an API-mode account and shows its key once with a copy button", async () => {
      const p = page();
      await p.getByRole("tab", { name: "Create account" }).click();
      await p.getByLabel("Email").fill("ops@example.com");
      await p.getByLabel("Account name", { exact: true }).fill("Dashboard test");
      await p.getByRole("button", { name: "Create account" }).click();
      const key = p.getByTestId("new-account-key");
      await key.waitFor();
      apiKey = (await key.innerText()).trim();
      expect(apiKey).to.match(/^[A-Za-z0-9+/]{43}=$/);
      masterHash = ethers.keccak256(ethers.toUtf8Bytes(apiKey));
      await p.getByRole("button", { name: "Copy API key" }).click();
      await waitForText(p.getByText("Copied to the clipboard"), /Copied/);
      expect(await p.evaluate(() => navigator.clipboard.readText())).to.equal(apiKey);
      expect(await p.getByRole("button", { name: "Continue to the dashboard" }).isDisabled()).to.equal(true);
      await p.getByLabel("I have stored this key somewhere safe").check();
      await p.getByRole("button", { name: "Continue to the dashboard" }).click();
      await waitForText(p.getByTestId("mode-badge"), /API mode/);
      expect(await api().accountExists()).to.equal(true);
    });

    it("adds a usage key with its permissions and shows the new key once", async () => {
      const p = page();
      await openSection(p, "Usage keys");
      const form = await openForm(p, "Add usage key", "Add a usage key");
      await form.getByLabel("Key name").fill("ci runner");
      await form.getByLabel("Key description").fill("runs the greeting");
      await form.getByLabel("Can create groups").check();
      await form.getByLabel("Execute in groups: all groups (current and future)").check();
      await form.getByLabel("Manage actions in groups: all groups (current and future)").check();
      await form.getByRole("button", { name: "Add key" }).click();
      await waitForWrite(p, /Usage key "ci runner" added/);
      usageKey = (await p.getByTestId("new-usage-key").innerText()).trim();
      expect(usageKey).to.have.length(44);
      await p.getByRole("button", { name: "Copy usage key" }).click();
      await waitForText(p.locator(".new-secret .copy-status"), /Copied/);
      const row = p.getByTestId("usage-key-row").filter({ hasText: "ci runner" });
      await waitForText(row, /execute: all groups/);
      const [listed] = await api().listApiKeys({ pageNumber: 0, pageSize: 10 });
      expect(listed.api_key_hash).to.equal(ethers.keccak256(ethers.toUtf8Bytes(usageKey)));
      expect(listed.can_create_groups).to.equal(true);
      expect(listed.can_execute_in_groups).to.deep.equal([0]);
      expect(listed.can_manage_ipfs_ids_in_groups).to.deep.equal([0]);
      await docScreenshot(p, "usage-keys");
    });

    it("edits a usage key's permissions and renames it", async () => {
      const p = page();
      await p.getByRole("button", { name: "I have stored it" }).click();
      await p.getByRole("button", { name: "Edit permissions of ci runner" }).click();
      const form = p.getByRole("form", { name: 'Edit permissions of "ci runner"' });
      await form.getByLabel("Can delete groups").check();
      await form.getByRole("button", { name: "Save permissions" }).click();
      await waitForWrite(p, /Permissions of "ci runner" updated/);
      await p.getByRole("button", { name: "Rename ci runner" }).click();
      const dialog = p.getByRole("dialog", { name: 'Rename "ci runner"' });
      await dialog.getByLabel("New key name").fill("greeter");
      await dialog.getByRole("button", { name: "Save name" }).click();
      await waitForWrite(p, /Renamed to "greeter"/);
      await p.getByTestId("usage-key-row").filter({ hasText: "greeter" }).waitFor();
      const [listed] = await api().listApiKeys({ pageNumber: 0, pageSize: 10 });
      expect(listed.name).to.equal("greeter");
      expect(listed.can_delete_groups).to.equal(true);
      expect(listed.can_execute_in_groups).to.deep.equal([0]);
    });

    it("creates a group with the All wallets switch (the zero wallet address on-chain)", async () => {
      const p = page();
      await openSection(p, "Groups");
      const form = await openForm(p, "New group", "Create a group");
      await form.getByLabel("Group name").fill("everything");
      await form.getByLabel("Group description").fill("all wallets of the account");
      await form.getByRole("switch", { name: "All wallets" }).check();
      await form.getByRole("button", { name: "Create group" }).click();
      await waitForWrite(p, /Group #\d+ "everything" created/);
      const groups = await api().listGroups({ pageNumber: 0, pageSize: 10 });
      expect(groups.map((g) => g.name)).to.deep.equal(["everything"]);
      groupId = BigInt(groups[0].id).toString();
      const inGroup = await api().listWalletsInGroup({ groupId: Number(groupId), pageNumber: 0, pageSize: 10 });
      expect(inGroup.map((w) => w.wallet_address)).to.deep.equal([ethers.ZeroAddress]);
      await p.getByRole("button", { name: "Manage group everything" }).click();
      await p.getByRole("region", { name: "Wallets of group everything" }).getByText("All wallets").waitFor();
      await docScreenshot(p, "groups");
    });

    it("registers an action from pasted code, computing its CID on the relayer", async () => {
      const p = page();
      await openSection(p, "Actions");
      actionCid = await litActionCid(ACTION_CODE);
      await p.getByLabel("Action code").fill(ACTION_CODE);
      await p.getByRole("button", { name: "Compute CID" }).click();
      await waitForText(p.getByTestId("computed-cid"), new RegExp(`^${actionCid}$`));
      await p.getByLabel("Action name", { exact: true }).fill("greeting");
      await p.getByLabel("Action description", { exact: true }).fill("says hello");
      await p.getByRole("button", { name: "Register action" }).click();
      await waitForWrite(p, new RegExp(`Action "greeting" registered as ${actionCid}`));
      await waitForText(p.getByTestId("action-row").filter({ hasText: "greeting" }), new RegExp(actionCid));
      const actions = await api().listActions({ pageNumber: 0, pageSize: 10 });
      expect(actions.map((a) => a.id)).to.deep.equal([ethers.keccak256(ethers.toUtf8Bytes(actionCid))]);
      await docScreenshot(p, "actions");
    });

    it("adds the action to the group and lists it there", async () => {
      const p = page();
      await openSection(p, "Groups");
      await p.getByRole("button", { name: "Manage group everything" }).click();
      const actionsRegion = p.getByRole("region", { name: "Actions of group everything" });
      await actionsRegion.getByLabel("Action to add").selectOption({ label: `greeting ${actionCid}` });
      await actionsRegion.getByRole("button", { name: "Add action" }).click();
      await waitForWrite(p, /Action added to the group/);
      await waitForText(actionsRegion.locator("li"), /greeting/);
      const inGroup = await api().listActions({ groupId: Number(groupId), pageNumber: 0, pageSize: 10 });
      expect(inGroup.map((a) => a.name)).to.deep.equal(["greeting"]);
    });

    it("creates a wallet and lists it with the account wallet", async () => {
      const p = page();
      await openSection(p, "Wallets");
      const rows = p.getByTestId("wallet-row");
      await rows.first().waitFor();
      const before = await rows.count();
      await p.getByRole("button", { name: "Create wallet" }).click();
      await waitForWrite(p, /Wallet 0x[0-9a-f]{40} created/);
      await p.waitForFunction((n) => document.querySelectorAll('[data-testid="wallet-row"]').length === n, before + 1);
      walletCount = (await api().listWallets({ pageNumber: 0, pageSize: 100 })).length;
      expect(walletCount).to.equal(before + 1);
    });

    it("shows the balance the API returns, and a dev top-up raises it by the amount", async () => {
      const p = page();
      await openSection(p, "Billing");
      await expectBillingOn();
      const before = await api().getBillingBalance();
      await waitForText(p.getByTestId("balance"), new RegExp(`^${escapeRegex(before.balance_display)}$`));
      await p.getByTestId("dev-payments").waitFor();
      expect(await p.getByTestId("dev-payments").innerText()).to.match(/Development payments: no real money/);
      await docScreenshot(p, "billing");
      await p.getByLabel("Amount (USD)").fill("10");
      await p.getByRole("button", { name: "Add $10.00 (test payment)" }).click();
      await waitForWrite(p, /Added \$10\.00 \(development payment\)/);
      const after = await api().getBillingBalance();
      expect(after.balance_cents).to.equal(before.balance_cents - 1000); // negative = credit
      await waitForText(p.getByTestId("balance"), new RegExp(`^${escapeRegex(after.balance_display)}$`));
    });

    it("runs the action by CID with params and shows the response and logs", async () => {
      const p = page();
      await openSection(p, "Actions");
      await p.getByRole("link", { name: "Run greeting" }).click();
      await p.getByRole("heading", { level: 1, name: "Run action" }).waitFor();
      expect(await p.getByLabel("CID to run").inputValue()).to.equal(actionCid);
      await p.getByLabel("Params (JSON)").fill('{"name": "CI"}');
      // An HTTP error is shown with its status, code and message.
      await p.getByLabel("A usage key").check();
      await p.getByLabel("Usage key to run with").fill("not-a-usage-key");
      await p.getByRole("button", { name: "Run action" }).click();
      await waitForText(p.locator(".notice-error"), /Running the action failed: HTTP 401 \w+: .+/);
      await p.getByLabel("The account key (this session)").check();
      await p.getByRole("button", { name: "Run action" }).click();
      await waitForText(p.getByTestId("action-response"), /"greeting": "Hello CI!"/);
      expect(await p.getByTestId("action-logs").innerText()).to.contain("hello from CI");
    });

    it("converts to ChainSecured: irreversible confirmation, chain switch prompt, EIP-712 signature", async () => {
      const p = page();
      expect(wallet.reportedChainId).to.equal(WRONG_CHAIN_ID);
      await p.getByRole("button", { name: "Account ▾" }).click();
      await p.getByRole("menuitem", { name: "Convert to ChainSecured" }).click();
      const dialog = p.getByRole("dialog", { name: "Convert to ChainSecured" });
      const convert = dialog.getByRole("button", { name: "Connect wallet and convert" });
      expect(await convert.isDisabled()).to.equal(true);
      await dialog.getByLabel("I understand that converting is irreversible").check();
      await convert.click();
      await waitForText(dialog.getByRole("alert"), /Your wallet is on Ethereum \(chain id 1\), but this relayer uses localhost \(chain id 31337\)/);
      expect(wallet.signedTypes).to.deep.equal([]);
      await dialog.getByRole("button", { name: "Switch wallet to localhost" }).click();
      await waitForText(p.getByTestId("mode-badge"), /ChainSecured/);
      expect(wallet.reportedChainId).to.equal(wallet.realChainId);
      expect(wallet.signedTypes).to.deep.equal(["ConvertAccount"]);
      // The bound version: it names this diamond and the converted account (docs/wallet-signatures.md).
      const [signed] = wallet.signedTypedData;
      expect(signed.domain.version).to.equal("2");
      expect(String(signed.domain.verifyingContract).toLowerCase()).to.equal(relayer.harness.f.diamondAddress.toLowerCase());
      expect(signed.message.apiKeyHash).to.equal(masterHash);
      const diamond = relayer.harness.f.diamond;
      const account = await diamond.getAccount(masterHash);
      expect(account.managed).to.equal(false);
      expect(account.adminWalletAddress).to.equal(wallet.address);
      // The session continues with the preserved hash: the account's groups are there.
      await openSection(p, "Groups");
      await p.getByRole("heading", { name: /everything/ }).waitFor();
    });

    it("previews a ChainSecured write (function, decoded arguments, gas) before the wallet signs", async () => {
      const p = page();
      const form = await openForm(p, "New group", "Create a group");
      await form.getByLabel("Group name").fill("after conversion");
      await form.getByRole("switch", { name: "All actions" }).check();
      const sentBefore = wallet.calls.filter((c) => c === "eth_sendTransaction").length;

      // Cancel first: nothing reaches the wallet.
      await form.getByRole("button", { name: "Create group" }).click();
      const preview = p.getByRole("dialog", { name: "Review transaction" });
      await preview.getByText("addGroup(uint256,string,string,uint256[],address[])").waitFor();
      await preview.getByRole("button", { name: "Cancel" }).click();
      await waitForText(p.locator(".notice-error"), /Creating the group failed: Cancelled/);
      expect(wallet.calls.filter((c) => c === "eth_sendTransaction").length).to.equal(sentBefore);

      await form.getByRole("button", { name: "Create group" }).click();
      await preview.getByText("addGroup(uint256,string,string,uint256[],address[])").waitFor();
      const text = await preview.innerText();
      expect(text).to.contain(`"after conversion"`);
      expect(text).to.contain("[0 (all actions)]");
      expect(text).to.contain(masterHash.toLowerCase());
      expect(text).to.match(/Estimated gas\s+[\d,]+ gas/);
      expect(wallet.calls.filter((c) => c === "eth_sendTransaction").length).to.equal(sentBefore);
      await docScreenshot(p, "chainsecured-preview");
      await preview.getByRole("button", { name: "Confirm in wallet" }).click();
      await waitForWrite(p, /Group #\d+ "after conversion" created/);
      expect(wallet.calls.filter((c) => c === "eth_sendTransaction").length).to.equal(sentBefore + 1);
      await p.getByRole("heading", { name: /after conversion/ }).waitFor();
    });

    it("shows the decoded custom error when a ChainSecured write would revert", async () => {
      const p = page();
      await p.getByRole("button", { name: "Manage group after conversion" }).click();
      const wallets = p.getByRole("region", { name: "Wallets of group after conversion" });
      await wallets.getByLabel("Wallet to add").waitFor();
      // The group disappears behind the dashboard's back (another tab, another tool).
      const groups = await api().listGroups({ pageNumber: 0, pageSize: 10 }); // the old key still reads
      const stale = groups.find((g) => g.name === "after conversion");
      if (stale === undefined) throw new Error("group not found");
      await (await relayer.harness.f.diamond.connect(new ethers.Wallet(adminKey, ethers.provider)).removeGroup(masterHash, BigInt(stale.id))).wait();
      const sentBefore = wallet.calls.filter((c) => c === "eth_sendTransaction").length;
      await wallets.getByLabel("Wallet to add").selectOption({ label: "All wallets (wildcard)" });
      await wallets.getByRole("button", { name: "Add wallet" }).click();
      await waitForText(p.locator(".notice-error"), /Adding the wallet to the group failed: Contract error: GroupDoesNotExist/);
      expect(await p.locator(".notice-error").innerText()).to.match(/addPkpToGroup call reverted with GroupDoesNotExist\(/);
      expect(wallet.calls.filter((c) => c === "eth_sendTransaction").length).to.equal(sentBefore);
      await openSection(p, "Usage keys"); // leave the stale group
    });

    it("changes ownership: address validation, confirmation, preview, status, then signs out", async () => {
      const p = page();
      await p.getByRole("button", { name: "Account ▾" }).click();
      await p.getByRole("menuitem", { name: "Change Ownership" }).click();
      const dialog = p.getByRole("dialog", { name: "Change Ownership" });
      const input = dialog.getByLabel("New admin wallet address");
      await input.fill("0x1234");
      await waitForText(dialog.getByRole("alert"), /Not an Ethereum address/);
      await input.fill(wallet.address);
      await waitForText(dialog.getByRole("alert"), /That is the current admin wallet/);
      await input.fill(nextAdmin);
      expect(await dialog.getByRole("alert").count()).to.equal(0);
      const transfer = dialog.getByRole("button", { name: "Transfer ownership" });
      expect(await transfer.isDisabled()).to.equal(true);
      await dialog.getByLabel("I understand that my wallet loses admin access").check();
      await transfer.click();
      const preview = p.getByRole("dialog", { name: "Review transaction" });
      await preview.getByText("transferChainSecuredAccountOwnership(uint256,address)").waitFor();
      expect(await preview.innerText()).to.contain(nextAdmin);
      await waitForText(dialog.locator(".write-banner"), /Transferring ownership… Review the transferChainSecuredAccountOwnership transaction/);
      await preview.getByRole("button", { name: "Confirm in wallet" }).click();
      await waitForText(p.getByRole("status").filter({ hasText: "Ownership transferred" }), new RegExp(`Ownership transferred to ${nextAdmin}`));
      await p.getByRole("tab", { name: "Sign in" }).waitFor();
      const account = await relayer.harness.f.diamond.getAccount(masterHash);
      expect(account.adminWalletAddress).to.equal(nextAdmin);
    });

    it("signs in with the new admin wallet and finds every group, wallet, action and usage key preserved", async () => {
      const p = page();
      await wallet.useKey(nextAdminKey);
      await relayer.sync();
      await p.getByRole("region", { name: "ChainSecured mode" }).getByRole("button", { name: "Connect wallet" }).click();
      await waitForText(p.getByTestId("mode-badge"), /ChainSecured/);
      expect(await p.locator(".who").innerText()).to.contain(`${nextAdmin.slice(0, 6)}`);

      await openSection(p, "Usage keys");
      await waitForText(p.getByTestId("usage-key-row"), /greeter/);
      await openSection(p, "Groups");
      await p.getByRole("heading", { name: /everything/ }).waitFor();
      expect(await p.getByTestId("group-row").count()).to.equal(1); // "after conversion" was removed
      await p.getByRole("button", { name: "Manage group everything" }).click();
      await p.getByRole("region", { name: "Wallets of group everything" }).getByText("All wallets").waitFor();
      await waitForText(p.getByRole("region", { name: "Actions of group everything" }).locator("li"), /greeting/);
      await openSection(p, "Actions");
      await waitForText(p.getByTestId("action-row"), new RegExp(actionCid));
      await openSection(p, "Wallets");
      await p.waitForFunction((n) => document.querySelectorAll('[data-testid="wallet-row"]').length === n, walletCount);

      // The usage key still runs the action, now from a ChainSecured session.
      await openSection(p, "Run action");
      await p.getByLabel("A CID").check();
      await p.getByLabel("CID to run").fill(actionCid);
      await p.getByLabel("Params (JSON)").fill('{"name": "new admin"}');
      await p.getByLabel("Usage key to run with").fill(usageKey);
      await p.getByRole("button", { name: "Run action" }).click();
      await waitForText(p.getByTestId("action-response"), /Hello new admin!/);
      const alias = chainSecuredAccountHash(nextAdmin);
      const diamond = relayer.harness.f.diamond;
      expect(await diamond.accountExists(alias)).to.equal(true);
      // accountExistsAndIsMutable answers for its caller: true for the new admin
      const asNextAdmin = diamond.connect(new ethers.VoidSigner(nextAdmin, ethers.provider));
      expect(await asNextAdmin.accountExistsAndIsMutable(alias)).to.equal(true);
    });

    it("shows the same credit balance to the new admin wallet (BillingAuth signature)", async () => {
      const p = page();
      await expectBillingOn();
      const signedBefore = wallet.signedTypes.filter((t) => t === "BillingAuth").length;
      await openSection(p, "Billing");
      const shown = await waitForText(p.getByTestId("balance"), /credit|No credits/);
      expect(wallet.signedTypes.filter((t) => t === "BillingAuth").length).to.be.greaterThan(signedBefore);
      const balance = await api().getBillingBalance(); // the old key still reads the account's balance
      expect(shown).to.equal(balance.balance_display);
    });
  });

  describe("ChainSecured account creation", function () {
    let rec: RecordedPage | undefined;

    afterEach(async function () {
      await saveArtifacts(rec, this.currentTest, "flows-chainsecured");
    });
    after(async () => {
      await closePage(rec);
    });

    it("creates a ChainSecured account from the Create account tab after a transaction preview", async () => {
      let wallet: TestWallet;
      ({ rec, wallet } = await pageWithWallet(18));
      const p = rec.page;
      await p.getByRole("tab", { name: "Create account" }).click();
      const card = p.getByRole("region", { name: "ChainSecured mode" });
      await card.getByLabel("ChainSecured account name").fill("Wallet-owned");
      await card.getByRole("button", { name: "Connect wallet & create" }).click();
      const preview = p.getByRole("dialog", { name: "Review transaction" });
      await preview.getByText("newChainSecuredAccount(string,string)").waitFor();
      expect(await preview.innerText()).to.contain('"Wallet-owned"');
      await preview.getByRole("button", { name: "Confirm in wallet" }).click();
      await waitForText(p.getByTestId("mode-badge"), /ChainSecured/);
      const alias = chainSecuredAccountHash(wallet.address);
      const account = await relayer.harness.f.diamond.getAccount(alias);
      expect(account.name).to.equal("Wallet-owned");
      expect(account.adminWalletAddress).to.equal(wallet.address);
      await openSection(p, "Wallets");
      await p.getByText("No wallets yet.").waitFor();
    });
  });
});

/** Regex-escapes a literal. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
