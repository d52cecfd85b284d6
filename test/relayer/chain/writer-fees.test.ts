/**
 * The writer's costs on an OP-stack chain and its fee cap, on the in-process Hardhat chain: the
 * GasPriceOracle stand-in (contracts/test/GasPriceOracleTest.sol) is placed at the predeploy
 * address 0x420000000000000000000000000000000000000F for the tests that need it.
 */
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { GAS_PRICE_ORACLE, type Chain, type ChainLogger } from "../../../src/relayer/chain";
import type { Store } from "../../../src/relayer/store";
import { devKey, h, lower, makeStore, mine, setAutomine, start, until, type TestStore } from "../support";

const ORACLE_ABI = ["function getL1Fee(bytes) view returns (uint256)"];

function captureLogger(): ChainLogger & { lines: { level: string; msg: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    lines.push({ level, msg, fields });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Places the oracle stand-in's code at the predeploy address (l1 base fee 30 gwei, Ecotone-like scalars). */
async function placeOracle(): Promise<void> {
  const o = await ethers.deployContract("GasPriceOracleTest", [30_000_000_000n, 1_000_000_000n, 1368n, 810_949n]);
  const code = await ethers.provider.getCode(await o.getAddress());
  await network.provider.send("hardhat_setCode", [GAS_PRICE_ORACLE, code]);
}

const l1FeeOf = async (raw: string): Promise<bigint> =>
  (await new ethers.Contract(GAS_PRICE_ORACLE, ORACLE_ABI, ethers.provider).getL1Fee(raw)) as bigint;

describe("relayer writer: costs (OP-stack L1 data fee) and the fee cap", function () {
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
  const newAccount = (label: string) => ({ method: "newAccount", args: [h(label), true, label, "", f.users[0].address] });

  beforeEach(async () => {
    f = await loadFixture(deployDiamond);
    ts = await makeStore("sqlite");
  });

  afterEach(async () => {
    for (const c of chains.splice(0)) await c.stop();
    await setAutomine(true);
    await network.provider.send("hardhat_setCode", [GAS_PRICE_ORACLE, "0x"]);
    await ts?.cleanup();
    ts = null;
  });

  it("counts the L1 data fee in what a payer's in-flight transactions may cost, and in a write's cost", async () => {
    await placeOracle();
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(4)] }));
    expect(c.status().writer.l1DataFee).to.equal(true);
    await c.writer.write(newAccount("l1 a"));
    await setAutomine(false);
    const pending = c.writer.write(newAccount("l1 b"));
    pending.catch(() => undefined); // awaited below; a failing test must not leave it unhandled
    await until(async () => (await store().outbox.list()).some((r) => r.status === "sent"), 5000, "a sent row");
    const row = (await store().outbox.list()).find((r) => r.status === "sent");
    if (!row?.rawTx) throw new Error("no sent row");
    const l1 = await l1FeeOf(row.rawTx);
    expect(l1 > 0n).to.equal(true);
    const funds = await c.writer.funds();
    const payer = funds.find((x) => x.payer === row.payer);
    expect(payer?.reserved).to.equal(BigInt(row.gasLimit) * BigInt(row.maxFeePerGas ?? 0) + l1);
    const write = funds[0];
    expect(write.writeL1Fee !== null && write.writeL1Fee > 0n).to.equal(true);
    expect(write.writeCost !== null && write.writeL1Fee !== null && write.writeCost > write.writeL1Fee).to.equal(true);
    await mine();
    await pending;
  });

  it("counts no L1 data fee on a chain without the GasPriceOracle", async () => {
    const c = track(await start(store(), f.diamondAddress, { payerKeys: [devKey(4)] }));
    expect(c.status().writer.l1DataFee).to.equal(false);
    await setAutomine(false);
    const pending = c.writer.write(newAccount("no l1"));
    pending.catch(() => undefined); // awaited below; a failing test must not leave it unhandled
    await until(async () => (await store().outbox.list()).some((r) => r.status === "sent"), 5000, "a sent row");
    const row = (await store().outbox.list())[0];
    const funds = await c.writer.funds();
    expect(funds.find((x) => x.payer === row.payer)?.reserved).to.equal(BigInt(row.gasLimit) * BigInt(row.maxFeePerGas ?? 0));
    expect(funds[0].writeL1Fee).to.equal(0n);
    await mine();
    await pending;
  });

  it("tops up a payer whose balance minus what its in-flight transactions may cost (L1 fee included) is below the threshold", async () => {
    await placeOracle();
    const threshold = ethers.parseEther("1");
    const c = track(
      await start(store(), f.diamondAddress, {
        payerKeys: [devKey(4), devKey(5)],
        rebalanceAmountWei: ethers.parseEther("2"),
        minPayerBalanceWei: threshold,
      }),
    );
    await setAutomine(false);
    const pending = c.writer.write(newAccount("reserved"));
    pending.catch(() => undefined); // awaited below; a failing test must not leave it unhandled
    await until(async () => (await store().outbox.list()).some((r) => r.status === "sent"), 5000, "a sent row");
    const row = (await store().outbox.list())[0];
    const reserved = (await c.writer.funds()).find((x) => x.payer === row.payer)?.reserved ?? 0n;
    expect(reserved > 0n).to.equal(true);
    const other = c.payers.find((p) => p !== row.payer) as string;
    // Both hold more than the threshold; only the one with a transaction in flight has less once it is counted.
    await network.provider.send("hardhat_setBalance", [row.payer, ethers.toQuantity(threshold + reserved / 2n)]);
    await network.provider.send("hardhat_setBalance", [other, ethers.toQuantity(threshold + 1n)]);
    const checking = c.checkBalances();
    await until(async () => (await store().outbox.list()).some((r) => r.kind === "transfer" && r.status === "sent"), 5000, "top-up sent");
    await mine();
    const tops = await checking;
    expect(tops.map((t) => [t.payer, t.status])).to.deep.equal([[row.payer, "mined"]]);
    await pending;
  });

  it("sends no top-up the admin payer cannot pay for (amount + fees + L1 fee), and says so", async () => {
    await placeOracle();
    const logger = captureLogger();
    const amount = ethers.parseEther("2");
    const c = track(
      await start(store(), f.diamondAddress, { payerKeys: [devKey(4)], rebalanceAmountWei: amount, minPayerBalanceWei: ethers.parseEther("1"), logger }),
    );
    await network.provider.send("hardhat_setBalance", [f.payer.address, ethers.toQuantity(ethers.parseEther("0.1"))]);
    await network.provider.send("hardhat_setBalance", [f.adminPayer.address, ethers.toQuantity(amount)]); // no room for the fees
    expect(await c.checkBalances()).to.deep.equal([]);
    expect((await store().outbox.list()).filter((r) => r.kind === "transfer")).to.deep.equal([]);
    const line = logger.lines.find((l) => l.level === "error" && /admin payer cannot pay/.test(l.msg));
    expect(line?.fields.payer).to.equal(lower(f.payer.address));
    expect(BigInt(String(line?.fields.needed)) > amount).to.equal(true);
  });

  it("does not re-sign a stuck transaction above the maximum fee per gas; it keeps waiting and is applied once", async () => {
    const logger = captureLogger();
    const block = await ethers.provider.getBlock("latest");
    const cap = (block?.baseFeePerGas ?? 0n) + 1n; // new transactions bid exactly the cap
    const c = track(
      await start(store(), f.diamondAddress, { payerKeys: [devKey(4)], maxFeePerGasWei: cap, stuckAfterMs: 100, logger }),
    );
    await setAutomine(false);
    const pending = c.writer.write(newAccount("capped"));
    pending.catch(() => undefined); // awaited below; a failing test must not leave it unhandled
    await until(async () => (await store().outbox.list())[0]?.status === "sent", 5000, "sent");
    const sentAt = Date.now();
    await until(async () => logger.lines.some((l) => /above the maximum fee per gas/.test(l.msg)), 10_000, "the cap reported");
    const rounds = c.status().writer.finality.rounds;
    await until(() => c.status().writer.finality.rounds >= rounds + 5 && Date.now() - sentAt > 300, 10_000, "more worker rounds");
    const row = (await store().outbox.list())[0];
    expect(row.attempts).to.equal(1);
    expect(BigInt(row.maxFeePerGas ?? 0)).to.equal(cap);
    expect(logger.lines.filter((l) => /above the maximum fee per gas/.test(l.msg))).to.have.length(1);
    await mine();
    const r = await pending;
    expect(r.txHash).to.equal(row.txHashes[0]);
  });
});
