/**
 * Health never says ok while no write can succeed: a real relayer over the in-process chain whose
 * payers are not registered, are drained, or are removed on-chain while it runs. /health reports
 * `payers` false (503) and /ready false, and writes answer 503 with a named code
 * (PayersNotRegistered / PayersUnfunded) before any gas is spent; once the owner registers or funds
 * them (relayer:register-payers) the same relayer accepts writes, without a restart.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { runTask } from "../../tasks/support";
import { startHarness, type Harness } from "./relayer-harness";

const NEW_ACCOUNT = { account_name: "payers test", account_description: "" };

describe("relayer: payers registered and funded, or health says otherwise (HTTP, in-process chain)", function () {
  this.timeout(120_000);
  let h: Harness | null = null;

  afterEach(async () => {
    await h?.close();
    h = null;
  });

  const harness = (): Harness => {
    if (!h) throw new Error("no relayer");
    return h;
  };
  const health = async (): Promise<{ status: number; components: Record<string, boolean> }> => {
    const r = await harness().call("GET", "/health");
    return { status: r.statusCode, components: (r.json() as { components: Record<string, boolean> }).components };
  };
  const ready = async (): Promise<number> => (await harness().call("GET", "/ready")).statusCode;
  const newAccount = () => harness().call("POST", "/core/v1/new_account", { body: NEW_ACCOUNT });
  const payerNonces = async (): Promise<number[]> =>
    Promise.all(harness().relayer.chain.payers.map((p) => ethers.provider.getTransactionCount(p, "pending")));
  const until = async (what: string, cond: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it("payers not registered: /health payers false (503), /ready 503, writes 503 PayersNotRegistered naming them, nothing sent", async () => {
    h = await startHarness({ PAYER_CHECK_INTERVAL_MS: "200" }, { registerPayers: false });
    const nonces = await payerNonces();
    const hs = await health();
    expect(hs.status).to.equal(503);
    expect(hs.components).to.deep.include({ chain: true, writer: true, payers: false });
    expect(await ready()).to.equal(503);

    const r = await newAccount();
    expect(r.statusCode, r.body).to.equal(503);
    const body = r.json() as { code: string; error: string };
    expect(body.code).to.equal("PayersNotRegistered");
    for (const p of harness().relayer.chain.payers) expect(body.error).to.include(ethers.getAddress(p));
    expect(Number(r.headers["retry-after"])).to.be.gte(1);
    expect(await payerNonces()).to.deep.equal(nonces);
    expect(await harness().relayer.store.outbox.list()).to.deep.equal([]);
  });

  it("relayer:register-payers --fund clears it: the same relayer then reports healthy and writes succeed", async () => {
    h = await startHarness({ PAYER_CHECK_INTERVAL_MS: "200" }, { registerPayers: false });
    const { chain } = harness().relayer;
    const out = await runTask("relayer:register-payers", {
      diamond: harness().f.diamondAddress,
      payers: chain.payers.join(","),
      admin: chain.adminPayer ?? "",
      fund: "0.05",
    });
    expect(out.exitCode, out.printed).to.equal(0);
    await until("/health 200", async () => (await health()).status === 200);
    expect((await health()).components.payers).to.equal(true);
    expect(await ready()).to.equal(200);
    const r = await newAccount();
    expect(r.statusCode, r.body).to.equal(200);
  });

  it("a payer drained while running: /health payers false and writes 503 PayersUnfunded; healthy again once funded", async () => {
    h = await startHarness({ PAYER_CHECK_INTERVAL_MS: "200" });
    expect((await health()).status).to.equal(200);
    const [drained] = harness().relayer.chain.payers;
    await network.provider.send("hardhat_setBalance", [drained, "0x0"]);
    await until("/health to report the payers", async () => (await health()).components.payers === false);
    expect(await ready()).to.equal(503);
    const r = await newAccount();
    expect(r.statusCode, r.body).to.equal(503);
    expect((r.json() as { code: string }).code).to.equal("PayersUnfunded");
    expect((r.json() as { error: string }).error).to.include(ethers.getAddress(drained));

    await network.provider.send("hardhat_setBalance", [drained, ethers.toQuantity(ethers.parseEther("1"))]);
    await until("/health 200", async () => (await health()).status === 200);
    expect((await newAccount()).statusCode).to.equal(200);
  });

  it("a payer removed on-chain while running: the write the contract refuses answers 503 PayersNotRegistered (not the raw revert) and /health turns false at once", async () => {
    // A long interval: only the refused write can reveal the removal.
    h = await startHarness({ PAYER_CHECK_INTERVAL_MS: "3600000", BATCH_MAX_CALLS: "1" });
    expect((await health()).status).to.equal(200);
    const { chain } = harness().relayer;
    await (await harness().f.diamond.connect(harness().f.owner).setApiPayers([chain.payers[1]])).wait();
    // Writes go to the payer with the fewest in flight, round-robin: two writes reach both payers.
    const answers = [await newAccount(), await newAccount()];
    const refused = answers.filter((a) => a.statusCode !== 200);
    expect(refused, "one write went to the removed payer").to.have.length.greaterThan(0);
    for (const r of refused) {
      expect(r.statusCode, r.body).to.equal(503);
      expect((r.json() as { code: string }).code).to.equal("PayersNotRegistered");
    }
    const hs = await health();
    expect(hs.status).to.equal(503);
    expect(hs.components.payers).to.equal(false);
    expect(await ready()).to.equal(503);
    // From now on every write is refused up front.
    const after = await newAccount();
    expect(after.statusCode).to.equal(503);
    expect((after.json() as { code: string }).code).to.equal("PayersNotRegistered");
  });
});
