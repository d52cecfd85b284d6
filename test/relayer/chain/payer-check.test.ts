/**
 * The payer check (src/relayer/chain/writer/payer-check.ts): writes are refused, before anything is
 * signed, stored or sent, while a payer is not registered on the diamond or cannot pay for a write;
 * the check notices changes on-chain (periodically, and at once when the contract or the node
 * refuses a payer), and a fix is seen by the next write without a restart. On the in-process chain.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain, ChainLogger } from "../../../src/relayer/chain";
import { assessPayers, REFERENCE_WRITE_GAS, type PayerFacts } from "../../../src/relayer/chain/writer/payer-check";
import { ChainUnavailableError, PayersUnavailableError, RevertError, type WriteRequest } from "../../../src/relayer/ports";
import type { Store } from "../../../src/relayer/store";
import { devKey, h, lower, makeStore, rejectionOf, start, until, type TestStore } from "../support";

function captureLogger(): ChainLogger & { lines: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    lines.push({ level, msg, fields });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

const addr = (i: number): string => `0x${i.toString(16).padStart(40, "0")}`;

describe("payer check: assessPayers (pure)", () => {
  const facts = (over: Partial<PayerFacts> = {}): PayerFacts => ({
    chainId: 31337n,
    diamond: addr(0xd1),
    payers: [addr(1), addr(2)],
    admin: addr(3),
    onChain: { apiPayers: [addr(1), addr(2)], owner: addr(0xff), adminApiPayer: addr(3) },
    funds: new Map([
      [addr(1), { balance: 10n ** 18n, reserved: 0n }],
      [addr(2), { balance: 10n ** 18n, reserved: 0n }],
      [addr(3), { balance: 10n ** 18n, reserved: 0n }],
    ]),
    payerThreshold: 10n ** 15n,
    adminThreshold: 0n,
    checkedAt: 1,
    ...over,
  });

  it("passes only when every payer is registered and funded; registration is reported before funds; the message names exactly the addresses at fault", () => {
    const addresses = [addr(1), addr(2), addr(3), addr(4)];
    const state = fc.record({
      payerCount: fc.integer({ min: 1, max: 3 }),
      listed: fc.subarray(addresses),
      owner: fc.constantFrom(...addresses, addr(0xff)),
      adminOnChain: fc.constantFrom(addr(4), addr(0)),
      hasAdmin: fc.boolean(),
      balances: fc.array(fc.bigInt({ min: 0n, max: 3n * 10n ** 15n }), { minLength: 4, maxLength: 4 }),
      reserved: fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 4, maxLength: 4 }),
      adminThreshold: fc.bigInt({ min: 0n, max: 2n * 10n ** 15n }),
      diamondAnswers: fc.boolean(),
    });
    fc.assert(
      fc.property(state, (s) => {
        const payers = addresses.slice(0, s.payerCount);
        const admin = s.hasAdmin ? addr(4) : null;
        const funds = new Map(addresses.map((a, i) => [a, { balance: s.balances[i], reserved: s.reserved[i] }]));
        const f = facts({
          payers,
          admin,
          onChain: s.diamondAnswers ? { apiPayers: s.listed, owner: s.owner, adminApiPayer: s.adminOnChain } : null,
          funds,
          adminThreshold: s.adminThreshold,
        });
        const r = assessPayers(f);
        const registered = (a: string): boolean =>
          s.diamondAnswers && (a === admin ? s.adminOnChain === a : s.listed.includes(a) || s.owner === a);
        const funded = (a: string): boolean =>
          (funds.get(a)?.balance ?? 0n) - (funds.get(a)?.reserved ?? 0n) >= (a === admin ? s.adminThreshold : f.payerThreshold);
        const all = admin === null ? payers : [...payers, admin];
        const expUnregistered = all.filter((a) => !registered(a));
        const expUnfunded = all.filter((a) => !funded(a));
        expect(r.unregistered).to.deep.equal(expUnregistered);
        expect(r.unfunded).to.deep.equal(expUnfunded);
        expect(r.ok).to.equal(expUnregistered.length === 0 && expUnfunded.length === 0);
        expect(r.problem).to.equal(expUnregistered.length > 0 ? "PayersNotRegistered" : expUnfunded.length > 0 ? "PayersUnfunded" : null);
        if (r.ok) {
          expect([r.message, r.clientMessage, r.command]).to.deep.equal(["", "", null]);
          return;
        }
        // The command names the diamond and every payer (it registers and funds them all).
        for (const a of [f.diamond, ...payers]) expect(r.command).to.include(ethers.getAddress(a));
        expect(r.message).to.include(r.command as string);
        expect(/--fund /.test(r.command as string)).to.equal(payers.some((p) => !funded(p)));
        const atFault = r.problem === "PayersNotRegistered" ? expUnregistered : expUnfunded;
        for (const a of addresses) {
          expect(r.clientMessage.includes(ethers.getAddress(a)), `${a} in the client message`).to.equal(atFault.includes(a));
        }
      }),
      { seed: 2020, numRuns: 150 },
    );
  });

  it("names the diamond when it does not answer api_payers() (no AccountConfig diamond at DIAMOND_ADDRESS)", () => {
    const r = assessPayers(facts({ onChain: null }));
    expect(r.problem).to.equal("PayersNotRegistered");
    expect(r.message).to.match(/does not answer api_payers\(\)/);
    expect(r.message).to.include(ethers.getAddress(addr(0xd1)));
  });

  it("prints the command for the chain's Hardhat network and suggests --fund-admin for an admin short of a top-up", () => {
    const r = assessPayers(facts({ chainId: 84532n, adminThreshold: 3n * 10n ** 18n }));
    expect(r.problem).to.equal("PayersUnfunded");
    expect(r.command).to.match(/^npx hardhat relayer:register-payers --network baseSepolia --diamond 0x\S+ --payers 0x\S+,0x\S+ --admin 0x\S+ --fund-admin 30$/);
  });
});

describe("payer check: writes against the chain", function () {
  let ts: TestStore | null = null;
  const chains: Chain[] = [];
  let f: DiamondFixture;
  const store = (): Store => {
    if (!ts) throw new Error("no store");
    return ts.store;
  };
  const track = (c: Chain): Chain => {
    chains.push(c);
    return c;
  };
  const newAccount = (label: string): WriteRequest => ({ method: "newAccount", args: [h(label), true, label, "", f.users[0].address] });
  const nonceOf = (a: string): Promise<number> => ethers.provider.getTransactionCount(a, "pending");

  beforeEach(async () => {
    f = await loadFixture(deployDiamond);
    ts = await makeStore("sqlite");
  });

  afterEach(async () => {
    for (const c of chains.splice(0)) await c.stop();
    await ts?.cleanup();
    ts = null;
  });

  it("unregistered payers: writes are refused with PayersNotRegistered before anything is stored or sent, and the log names them with the command", async () => {
    const logger = captureLogger();
    const unregistered = [new ethers.Wallet(devKey(7)).address, new ethers.Wallet(devKey(8)).address];
    const before = await Promise.all(unregistered.map(nonceOf));
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(7), devKey(8)], logger }));
    const report = c.status().writer.payers;
    expect(report?.problem).to.equal("PayersNotRegistered");
    expect(report?.unregistered).to.deep.equal(unregistered.map(lower));

    for (const w of [c.writer, c.writes]) {
      const err = await rejectionOf(w.write(newAccount("refused")));
      expect(err).to.be.instanceOf(PayersUnavailableError);
      expect((err as PayersUnavailableError).problem).to.equal("PayersNotRegistered");
      expect((err as PayersUnavailableError).addresses).to.deep.equal(unregistered.map(lower));
    }
    expect(await store().outbox.list()).to.deep.equal([]);
    expect(await Promise.all(unregistered.map(nonceOf))).to.deep.equal(before);
    expect(await f.diamond.accountExistsAndIsMutable(h("refused"))).to.equal(false);

    const line = logger.lines.find((l) => l.level === "error" && /PayersNotRegistered/.test(l.msg));
    expect(line, "an error line").to.not.equal(undefined);
    for (const a of unregistered) expect(line?.msg).to.include(a);
    expect(line?.msg).to.include(
      `npx hardhat relayer:register-payers --network localhost --diamond ${ethers.getAddress(f.diamondAddress)} --payers ${unregistered.join(",")}`,
    );
  });

  it("registering the payers on-chain is seen by the next write a second after the last check, without a restart", async () => {
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(7)], payerCheckIntervalMs: 0 }));
    expect(c.status().writer.payers?.ok).to.equal(false);
    await (await f.diamond.connect(f.owner).setApiPayers([f.users[1].address])).wait();
    // While failing, a write re-runs the check at most once a second.
    await new Promise((r) => setTimeout(r, 1100));
    const r = await c.writes.write(newAccount("after-registration"));
    expect(r.blockNumber).to.be.greaterThan(0);
    expect(c.status().writer.payers?.ok).to.equal(true);
  });

  it("an admin payer that is not the diamond's adminApiPayerAccount fails the check, naming it", async () => {
    const c = track(await start(store(), f.diamondAddress, { adminPayerKey: devKey(9) }));
    const report = c.status().writer.payers;
    expect(report?.problem).to.equal("PayersNotRegistered");
    expect(report?.unregistered).to.deep.equal([lower(f.users[3].address)]);
    expect(report?.message).to.include(`admin payer ${f.users[3].address} is not its adminApiPayerAccount() (${f.adminPayer.address})`);
    expect(((await rejectionOf(c.writes.write(newAccount("x")))) as PayersUnavailableError).problem).to.equal("PayersNotRegistered");
  });

  it("the diamond's owner as a payer passes (the contract lets its owner write managed accounts)", async () => {
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(0)] }));
    expect(c.status().writer.payers?.ok).to.equal(true);
    await c.writer.write(newAccount("by-owner"));
    expect(await f.diamond.accountExistsAndIsMutable(h("by-owner"))).to.equal(true);
  });

  it("a drained payer: PayersUnfunded once the periodic check runs; writes accepted again once it is funded", async () => {
    const c = track(await start(store(), f.diamondAddress, { payerCheckIntervalMs: 100 }));
    expect(c.status().writer.payers?.ok).to.equal(true);
    await network.provider.send("hardhat_setBalance", [f.payer2.address, "0x0"]);
    await until(() => c.status().writer.payers?.ok === false, 10_000, "the check to notice the drained payer");
    const report = c.status().writer.payers;
    expect(report?.problem).to.equal("PayersUnfunded");
    expect(report?.unfunded).to.deep.equal([lower(f.payer2.address)]);
    const threshold = report?.payers.find((p) => p.address === lower(f.payer2.address))?.threshold ?? 0n;
    const block = await ethers.provider.getBlock("latest");
    // At least one write of REFERENCE_WRITE_GAS at the fee cap (twice the base fee + the tip).
    expect(threshold >= REFERENCE_WRITE_GAS * 2n * (block?.baseFeePerGas ?? 0n)).to.equal(true);
    const err = await rejectionOf(c.writes.write(newAccount("drained")));
    expect((err as PayersUnavailableError).problem).to.equal("PayersUnfunded");
    expect(await store().outbox.list()).to.deep.equal([]);

    await network.provider.send("hardhat_setBalance", [f.payer2.address, ethers.toQuantity(threshold * 2n)]);
    await until(() => c.status().writer.payers?.ok === true, 10_000, "the check to see the funds");
    await c.writes.write(newAccount("funded-again"));
  });

  it("a write the node refuses for lack of funds (a payer drained between checks) closes the gate at once; the stored write is sent once the payer is funded", async () => {
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(4)], payerCheckIntervalMs: 0, writeTimeoutMs: 2000 }));
    await network.provider.send("hardhat_setBalance", [f.payer.address, "0x0"]);
    const first = await rejectionOf(c.writer.write(newAccount("stored-while-drained")));
    expect((first as ChainUnavailableError).queued, String(first)).to.equal(true);
    await until(() => c.status().writer.payers?.problem === "PayersUnfunded", 10_000, "the gate to close");
    const next = await rejectionOf(c.writes.write(newAccount("refused-while-drained")));
    expect((next as PayersUnavailableError).problem).to.equal("PayersUnfunded");
    expect((await store().outbox.list()).map((r) => r.status)).to.deep.equal(["signed"]);

    await network.provider.send("hardhat_setBalance", [f.payer.address, ethers.toQuantity(ethers.parseEther("1"))]);
    await until(async () => (await store().outbox.list())[0].status === "mined", 20_000, "the stored write mined");
    expect(await f.diamond.accountExistsAndIsMutable(h("stored-while-drained"))).to.equal(true);
  });

  it("a payer short of funds is topped up from the admin payer when top-ups are on, and writes stay accepted", async () => {
    const c = track(
      await start(store(), f.diamondAddress, { rebalanceAmountWei: ethers.parseEther("1"), minPayerBalanceWei: ethers.parseEther("0.5") }),
    );
    await network.provider.send("hardhat_setBalance", [f.payer.address, "0x0"]);
    const report = await c.writer.checkPayers();
    expect(report?.ok).to.equal(true);
    expect(await ethers.provider.getBalance(f.payer.address)).to.equal(ethers.parseEther("1"));
  });

  it("a payer removed on-chain while running: noticed by the periodic check", async () => {
    const c = track(await start(store(), f.diamondAddress, { payerCheckIntervalMs: 100 }));
    expect(c.status().writer.payers?.ok).to.equal(true);
    await (await f.diamond.connect(f.owner).setApiPayers([f.payer.address])).wait();
    await until(() => c.status().writer.payers?.ok === false, 10_000, "the check to notice the removal");
    expect(c.status().writer.payers?.unregistered).to.deep.equal([lower(f.payer2.address)]);
    expect(((await rejectionOf(c.writes.write(newAccount("removed")))) as PayersUnavailableError).problem).to.equal("PayersNotRegistered");
  });

  it("a payer removed on-chain between two checks: the write the contract refuses (OnlyApiPayerOrOwner) is answered PayersNotRegistered and closes the gate", async () => {
    // No periodic check: only the refusal can reveal the removal.
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(4)], payerCheckIntervalMs: 0 }));
    expect(c.status().writer.payers?.ok).to.equal(true);
    await (await f.diamond.connect(f.owner).setApiPayers([f.payer2.address])).wait();
    expect(c.status().writer.payers?.ok, "not noticed yet").to.equal(true);
    const err = await rejectionOf(c.writer.write(newAccount("refused-by-contract")));
    expect(err).to.be.instanceOf(PayersUnavailableError);
    expect((err as PayersUnavailableError).problem).to.equal("PayersNotRegistered");
    expect(c.status().writer.payers?.ok).to.equal(false);
    expect(await store().outbox.list()).to.deep.equal([]);
  });

  it("any other revert stays the caller's RevertError and does not re-run the check", async () => {
    const c = track(await start(store(), f.diamondAddress));
    const checkedAt = c.status().writer.payers?.checkedAt;
    const err = await rejectionOf(c.writer.write({ method: "addGroup", args: [h("nobody"), "g", "", [], []] }));
    expect(err).to.be.instanceOf(RevertError);
    expect((err as RevertError).errorName).to.equal("AccountDoesNotExist");
    expect(c.status().writer.payers?.checkedAt).to.equal(checkedAt);
  });

  it("the batching front refuses a removed payer's batched calls the same way (pre-flight of batchCalls)", async () => {
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(4)], payerCheckIntervalMs: 0, batchMaxInFlight: 1 }));
    await (await f.diamond.connect(f.owner).setApiPayers([f.payer2.address])).wait();
    const errs = await Promise.all(["b1", "b2", "b3"].map((l) => rejectionOf(c.writes.write(newAccount(l)))));
    for (const e of errs) expect((e as PayersUnavailableError).problem, String(e)).to.equal("PayersNotRegistered");
    expect(await store().outbox.list()).to.deep.equal([]);
  });
});
