/**
 * BatchFacet.batchCalls: several diamond calls in one transaction with per-call (non-atomic)
 * outcomes, the BatchCallResult delimiter events, the caller's own authority for every call, the
 * whole-batch reverts (EmptyBatch, NestedBatch, BatchCallOutOfGas), the gas saved against separate
 * transactions, the static-call pre-flight, and a property: a batch leaves the same state as
 * sending its successful calls one by one.
 * Choices: docs/contract-behaviour.md "Batches".
 */
import { expect } from "chai";
import fc from "fast-check";
import hre, { ethers } from "hardhat";
import type { ContractTransactionReceipt, Interface, TransactionReceipt } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import { seeded } from "../fixtures/seed";
import { createChainSecuredAccount, createManagedAccount, hashText, newApiKey, registerWallet, usageKeyArgs } from "../fixtures/support";
import { revertData } from "./model/harness";

const COVERAGE_RUN = Boolean((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING);

const cidOf = (label: string) => hashText(`Qm-batch-${label}`);
const iface = (f: DiamondFixture): Interface => f.diamond.interface as unknown as Interface;

/** ABI-encodes a diamond call. */
function enc(f: DiamondFixture, method: string, args: readonly unknown[]): string {
  return iface(f).encodeFunctionData(method, args);
}

const addGroupCall = (f: DiamondFixture, hash: bigint, name = "g", cids: bigint[] = [], pkps: string[] = []) =>
  enc(f, "addGroup", [hash, name, "", cids, pkps]);

interface Log {
  name: string;
  args: Record<string, unknown>;
}

/** The receipt's diamond events, decoded, in log order. */
function logsOf(f: DiamondFixture, receipt: TransactionReceipt | ContractTransactionReceipt | null): Log[] {
  const out: Log[] = [];
  for (const log of receipt!.logs) {
    const parsed = iface(f).parseLog(log);
    if (parsed) out.push({ name: parsed.name, args: parsed.args.toObject() });
  }
  return out;
}

interface Outcome {
  success: boolean;
  revertData: string;
}

/** The BatchCallResult events of a receipt, by index. */
function outcomesOf(f: DiamondFixture, receipt: TransactionReceipt | ContractTransactionReceipt | null): Outcome[] {
  return logsOf(f, receipt)
    .filter((l) => l.name === "BatchCallResult")
    .map((l) => ({ success: l.args.success as boolean, revertData: l.args.revertData as string }));
}

/** Sends a batch from `from` and returns its receipt. */
async function sendBatch(f: DiamondFixture, from: HardhatEthersSigner, calls: string[]) {
  return (await f.diamond.connect(from).batchCalls(calls)).wait();
}

/** The revert data of `data` called directly (eth_call) from `from`, or undefined when it succeeds. */
async function directRevert(f: DiamondFixture, from: HardhatEthersSigner, data: string): Promise<string | undefined> {
  try {
    await ethers.provider.call({ from: from.address, to: f.diamondAddress, data });
    return undefined;
  } catch (e) {
    const d = revertData(e);
    if (!d) throw e;
    return d;
  }
}

/** A fresh diamond with one managed account; `api` is the diamond connected as the api payer. */
async function setup() {
  const f = await loadFixture(deployDiamond);
  const master = await createManagedAccount(f, "batch");
  return { f, master, api: f.diamond.connect(f.payer) };
}

describe("BatchFacet", () => {
  describe("per-call outcomes", () => {
    it("applies every call of an api payer's batch and returns each call's success, return data and gas", async () => {
      const { f, master, api } = await setup();
      const usage = newApiKey("usage").hash;
      const calls = [
        addGroupCall(f, master, "first"),
        addGroupCall(f, master, "second"),
        enc(f, "setUsageApiKey", [master, usage, ...usageKeyArgs({ name: "u", createGroups: true })]),
      ];
      const [success, results, gasUsed] = await api.batchCalls.staticCall(calls);
      expect([...success]).to.deep.equal([true, true, true]);
      expect(iface(f).decodeFunctionResult("addGroup", results[0])[0]).to.equal(1n);
      expect(iface(f).decodeFunctionResult("addGroup", results[1])[0]).to.equal(2n);
      expect(results[2]).to.equal("0x");
      for (const g of gasUsed) expect(g).to.be.greaterThan(0n);

      await sendBatch(f, f.payer, calls);
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => [g.id, g.name])).to.deep.equal([
        [1n, "first"],
        [2n, "second"],
      ]);
      expect((await f.diamond.getUsageApiKey(master, usage)).createGroups).to.equal(true);
    });

    it("rolls back a failing call alone: the calls before and after it apply", async () => {
      const { f, master } = await setup();
      // addGroup with an unregistered wallet takes a group id and writes the group before reverting
      const unregistered = ethers.Wallet.createRandom().address;
      const receipt = await sendBatch(f, f.payer, [
        addGroupCall(f, master, "before"),
        addGroupCall(f, master, "failing", [], [unregistered]),
        addGroupCall(f, master, "after"),
      ]);
      expect(outcomesOf(f, receipt).map((o) => o.success)).to.deep.equal([true, false, true]);
      // the failing call's group (and its id) were rolled back: "after" got id 2
      expect((await f.diamond.listGroups(master, 0, 10)).map((g) => [g.id, g.name])).to.deep.equal([
        [1n, "before"],
        [2n, "after"],
      ]);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(2n);
    });

    it("carries a failed call's custom error in BatchCallResult.revertData and in results", async () => {
      const { f, master, api } = await setup();
      const calls = [addGroupCall(f, master), enc(f, "removeGroup", [master, 999])];
      const [, results] = await api.batchCalls.staticCall(calls);
      const receipt = await sendBatch(f, f.payer, calls);
      const failed = outcomesOf(f, receipt)[1];
      expect(failed.success).to.equal(false);
      expect(failed.revertData).to.equal(results[1]);
      const error = iface(f).parseError(failed.revertData);
      expect(error?.name).to.equal("GroupDoesNotExist");
      expect([...error!.args]).to.deep.equal([master, 999n]);
    });

    it("emits each successful call's events right before its BatchCallResult, and nothing else for a failed call", async () => {
      const { f, master } = await setup();
      const unregistered = ethers.Wallet.createRandom().address;
      const receipt = await sendBatch(f, f.payer, [
        addGroupCall(f, master, "a"),
        addGroupCall(f, master, "failing", [], [unregistered]), // emits GroupAdded before it reverts
        enc(f, "addAction", [master, "act", "", cidOf("x")]),
      ]);
      const logs = logsOf(f, receipt);
      expect(logs.map((l) => (l.name === "BatchCallResult" ? `BatchCallResult(${l.args.index},${l.args.success})` : l.name))).to.deep.equal([
        "GroupAdded",
        "GroupMetadataSet",
        "BatchCallResult(0,true)",
        "BatchCallResult(1,false)",
        "ActionAdded",
        "ActionMetadataSet",
        "BatchCallResult(2,true)",
      ]);
      expect(logs[0].args.groupId).to.equal(1n);
      // revert data only for failures
      expect(logs[2].args.revertData).to.equal("0x");
      expect(iface(f).parseError(logs[3].args.revertData as string)?.name).to.equal("PkpDoesNotExist");
      expect(logs[6].args.revertData).to.equal("0x");
    });

    it("fails an unknown selector alone with FunctionDoesNotExist(selector)", async () => {
      const { f, master } = await setup();
      const receipt = await sendBatch(f, f.payer, [addGroupCall(f, master, "a"), "0xdeadbeef", addGroupCall(f, master, "b")]);
      const outcomes = outcomesOf(f, receipt);
      expect(outcomes.map((o) => o.success)).to.deep.equal([true, false, true]);
      const error = iface(f).parseError(outcomes[1].revertData);
      expect(error?.name).to.equal("FunctionDoesNotExist");
      expect(error?.args[0]).to.equal("0xdeadbeef");
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(2n);
    });

    it("fails calldata shorter than a selector (even empty) alone with FunctionDoesNotExist", async () => {
      const { f, master } = await setup();
      const receipt = await sendBatch(f, f.payer, ["0x", "0x12", addGroupCall(f, master)]);
      const outcomes = outcomesOf(f, receipt);
      expect(outcomes.map((o) => o.success)).to.deep.equal([false, false, true]);
      expect(iface(f).parseError(outcomes[0].revertData)?.args[0]).to.equal("0x00000000");
      expect(iface(f).parseError(outcomes[1].revertData)?.args[0]).to.equal("0x12000000");
    });
  });

  describe("authority is the caller's own", () => {
    it("keeps msg.sender: a batched serverTrigger records the caller as sender", async () => {
      const { f } = await setup();
      const logs = logsOf(f, await sendBatch(f, f.payer, [enc(f, "serverTrigger", [7])]));
      expect(logs[0].name).to.equal("ServerTriggered");
      expect(logs[0].args.sender).to.equal(f.payer.address);
    });

    it("fails each managed-account write of a non-payer with the error the direct call reverts with", async () => {
      const { f, master } = await setup();
      const stranger = f.users[0];
      const calls = [addGroupCall(f, master), enc(f, "setUsageApiKey", [master, newApiKey().hash, ...usageKeyArgs()])];
      const outcomes = outcomesOf(f, await sendBatch(f, stranger, calls));
      for (const [i, call] of calls.entries()) {
        expect(outcomes[i].success, `call ${i}`).to.equal(false);
        expect(outcomes[i].revertData, `call ${i}`).to.equal(await directRevert(f, stranger, call));
        expect(iface(f).parseError(outcomes[i].revertData)?.name).to.equal("OnlyApiPayerOrOwner");
      }
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(0n);
      expect((await f.diamond.getAccount(master)).usageKeyCount).to.equal(0n);
    });

    it("fails a usage key's write without the permission exactly as the direct call does", async () => {
      const { f, master, api } = await setup();
      const weak = newApiKey("weak").hash;
      await api.setUsageApiKey(master, weak, ...usageKeyArgs({ createGroups: false }));
      const call = addGroupCall(f, weak);
      const [outcome] = outcomesOf(f, await sendBatch(f, f.payer, [call]));
      expect(outcome.success).to.equal(false);
      expect(outcome.revertData).to.equal(await directRevert(f, f.payer, call));
      const error = iface(f).parseError(outcome.revertData);
      expect(error?.name).to.equal("NotAllowedToCreateGroup");
      expect(error?.args[0]).to.equal(weak);
    });

    it("lets a ChainSecured account's admin wallet batch writes to its own account", async () => {
      const { f } = await setup();
      const admin = f.users[1];
      const hash = await createChainSecuredAccount(f, admin);
      const receipt = await sendBatch(f, admin, [addGroupCall(f, hash, "mine"), enc(f, "addAction", [hash, "act", "", cidOf("cs")])]);
      expect(outcomesOf(f, receipt).map((o) => o.success)).to.deep.equal([true, true]);
      expect((await f.diamond.listGroups(hash, 0, 10)).map((g) => g.name)).to.deep.equal(["mine"]);
      expect((await f.diamond.getAccount(hash)).actionCount).to.equal(1n);
    });

    it("does not let an api payer write a ChainSecured account through a batch", async () => {
      const { f } = await setup();
      const hash = await createChainSecuredAccount(f, f.users[1]);
      const call = addGroupCall(f, hash);
      const [outcome] = outcomesOf(f, await sendBatch(f, f.payer, [call]));
      expect(outcome.success).to.equal(false);
      expect(outcome.revertData).to.equal(await directRevert(f, f.payer, call));
      const error = iface(f).parseError(outcome.revertData);
      expect(error?.name).to.equal("NoAccountAccess");
      expect([...error!.args]).to.deep.equal([hash, f.payer.address]);
      expect((await f.diamond.getAccount(hash)).groupCount).to.equal(0n);
    });

    it("fails owner-only diamond functions in a non-owner's batch and changes nothing", async () => {
      const { f } = await setup();
      const attacker = f.users[2];
      const serverTrigger = iface(f).getFunction("serverTrigger")!.selector;
      const calls = [
        enc(f, "diamondCut", [[{ facetAddress: ethers.ZeroAddress, action: 2, functionSelectors: [serverTrigger] }], ethers.ZeroAddress, "0x"]),
        enc(f, "transferOwnership", [attacker.address]),
      ];
      const outcomes = outcomesOf(f, await sendBatch(f, attacker, calls));
      for (const [i, o] of outcomes.entries()) {
        expect(o.success, `call ${i}`).to.equal(false);
        const error = iface(f).parseError(o.revertData);
        expect(error?.name, `call ${i}`).to.equal("NotContractOwner");
        expect([...error!.args], `call ${i}`).to.deep.equal([attacker.address, f.owner.address]);
      }
      expect(await f.diamond.owner()).to.equal(f.owner.address);
      expect(await f.diamond.facetAddress(serverTrigger)).to.equal(f.facets.ConfigFacet);
    });

    it("lets the owner batch owner-only functions", async () => {
      const { f } = await setup();
      const receipt = await sendBatch(f, f.owner, [enc(f, "setConfigOperator", [f.users[3].address])]);
      expect(outcomesOf(f, receipt)[0].success).to.equal(true);
      expect(await f.diamond.configOperator()).to.equal(f.users[3].address);
    });
  });

  describe("whole-batch reverts", () => {
    it("reverts EmptyBatch for no calls", async () => {
      const { f, api } = await setup();
      await expect(api.batchCalls([])).to.be.revertedWithCustomError(f.diamond, "EmptyBatch");
    });

    it("reverts NestedBatch(i) when call i is itself batchCalls, applying none of the calls before it", async () => {
      const { f, master, api } = await setup();
      const nested = enc(f, "batchCalls", [[addGroupCall(f, master, "inner")]]);
      await expect(api.batchCalls([addGroupCall(f, master, "outer"), nested]))
        .to.be.revertedWithCustomError(f.diamond, "NestedBatch")
        .withArgs(1);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(0n);
    });

    it("reverts BatchCallOutOfGas(i) when the gas limit starves call i, applying nothing", async () => {
      const { f, master, api } = await setup();
      const calls = [addGroupCall(f, master, "light"), addGroupCall(f, master, "heavy", Array.from({ length: 10 }, (_, i) => cidOf(`h${i}`)))];
      const [, , gasUsed] = await api.batchCalls.staticCall(calls);
      const limit = (await api.batchCalls.estimateGas(calls)) - gasUsed[1] / 2n;
      await expect(api.batchCalls(calls, { gasLimit: limit })).to.be.revertedWithCustomError(f.diamond, "BatchCallOutOfGas").withArgs(1);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(0n);
    });

    it("applies every call when sent with the eth_estimateGas limit", async () => {
      const { f, master, api } = await setup();
      const calls = Array.from({ length: 4 }, (_, i) => addGroupCall(f, master, `g${i}`, [cidOf(`e${i}`), cidOf(`f${i}`)]));
      const gasLimit = await api.batchCalls.estimateGas(calls);
      const receipt = await (await api.batchCalls(calls, { gasLimit })).wait();
      expect(outcomesOf(f, receipt).map((o) => o.success)).to.deep.equal([true, true, true, true]);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(4n);
    });
  });

  describe("gas", () => {
    it("8 addGroup calls in one batch use at least 8 x 15 000 gas less than 8 separate transactions", async () => {
      const a = await loadFixture(batchGasFixture);
      let singles = 0n;
      for (let i = 0; i < 8; i++) {
        singles += (await (await a.f.diamond.connect(a.f.payer).addGroup(a.master, `g${i}`, "", [], [])).wait())!.gasUsed;
      }
      const b = await loadFixture(batchGasFixture);
      const calls = Array.from({ length: 8 }, (_, i) => addGroupCall(b.f, b.master, `g${i}`));
      const batch = (await sendBatch(b.f, b.f.payer, calls))!.gasUsed;
      expect((await b.f.diamond.getAccount(b.master)).groupCount).to.equal(9n);
      expect(singles - batch).to.be.greaterThanOrEqual(8n * 15_000n);
    });
  });

  describe("static-call pre-flight", () => {
    it("batchCalls.staticCall reports each call's outcome without changing state", async () => {
      const { f, master, api } = await setup();
      const [success, results, gasUsed] = await api.batchCalls.staticCall([addGroupCall(f, master), enc(f, "removeGroup", [master, 5])]);
      expect([...success]).to.deep.equal([true, false]);
      expect(iface(f).parseError(results[1])?.name).to.equal("GroupDoesNotExist");
      expect(gasUsed[0]).to.be.greaterThan(0n);
      expect((await f.diamond.getAccount(master)).groupCount).to.equal(0n);
      expect(await api.addGroup.staticCall(master, "g", "", [], [])).to.equal(1n);
    });
  });

  describe("property", () => {
    it("a batch of random group writes leaves the same state as sending its successful calls one by one", async function () {
      this.timeout(0);
      await fc.assert(
        fc.asyncProperty(fc.array(groupWriteArb, { minLength: 1, maxLength: 10 }), async (ops) => {
          const a = await loadFixture(propertyWorld);
          const calls = ops.map((op) => encodeOp(a, op));
          const outcomes = outcomesOf(a.f, await sendBatch(a.f, a.f.payer, calls));
          expect(outcomes.length).to.equal(calls.length);
          const batched = await stateOf(a);

          const b = await loadFixture(propertyWorld);
          for (const [i, call] of calls.entries()) {
            if (outcomes[i].success) {
              const receipt = await (await b.f.payer.sendTransaction({ to: b.f.diamondAddress, data: call })).wait();
              expect(receipt?.status, `call ${i} alone`).to.equal(1);
            } else {
              expect(await directRevert(b.f, b.f.payer, call), `call ${i} alone`).to.equal(outcomes[i].revertData);
            }
          }
          expect(await stateOf(b)).to.deep.equal(batched);
        }),
        seeded(COVERAGE_RUN ? 5 : 15),
      );
    });
  });
});

// ------------------------------------------------------------------ gas fixture

/** A diamond with one managed account that already has a group (so ids are not first-use). */
async function batchGasFixture() {
  const f = await deployDiamond();
  const master = hashText("batch-gas-master");
  await (await f.diamond.connect(f.payer).newAccount(master, true, "gas", "", f.users[8].address)).wait();
  await (await f.diamond.connect(f.payer).addGroup(master, "warm-up", "", [], [])).wait();
  return { f, master };
}

// ------------------------------------------------------------------ property world

interface World {
  f: DiamondFixture;
  master: bigint;
  /** A group of another account (GroupDoesNotExist for this one). */
  foreignGroup: bigint;
  wallet: string;
}

/** A diamond with one managed account holding a registered wallet, an action and group 1; a second account holds group 2. */
async function propertyWorld(): Promise<World> {
  const f = await deployDiamond();
  const master = hashText("batch-property-master");
  const other = hashText("batch-property-other");
  await (await f.diamond.connect(f.payer).newAccount(master, true, "p", "", f.users[9].address)).wait();
  await (await f.diamond.connect(f.payer).newAccount(other, true, "o", "", f.users[10].address)).wait();
  const wallet = await registerWallet(f, f.payer, master);
  await (await f.diamond.connect(f.payer).addAction(master, "a", "", CIDS[0])).wait();
  await (await f.diamond.connect(f.payer).addGroup(master, "g1", "", [CIDS[0]], [wallet])).wait();
  await (await f.diamond.connect(f.payer).addGroup(other, "o1", "", [], [])).wait();
  return { f, master, foreignGroup: 2n, wallet };
}

const CIDS = [cidOf("p0"), cidOf("p1"), 0n] as const;
/** wallet index: 0 = the registered wallet, 1 = an unregistered address, 2 = the wildcard. */
const UNREGISTERED = "0x000000000000000000000000000000000000bEEF";
const LONG_NAME = "n".repeat(129);

type GroupWrite =
  | { kind: "addGroup"; longName: boolean; cids: number[]; pkps: number[] }
  | { kind: "updateGroup"; group: number; longName: boolean; cids: number[]; pkps: number[] }
  | { kind: "updateGroupMetadata"; group: number; longName: boolean }
  | { kind: "removeGroup"; group: number }
  | { kind: "addActionToGroup" | "removeActionFromGroup"; group: number; cid: number }
  | { kind: "addPkpToGroup" | "removePkpFromGroup"; group: number; pkp: number };

/** group: 0 = the foreign group, 1 = the account's group, 2.. = ids that earlier calls may create. */
const groupArb = fc.oneof({ arbitrary: fc.constant(1), weight: 3 }, { arbitrary: fc.integer({ min: 2, max: 4 }), weight: 3 }, { arbitrary: fc.constant(0), weight: 1 });
/** wallet: 0 = the registered wallet, 2 = the wildcard, 1 = an unregistered address (invalid). */
const pkpArb = fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.constant(2), weight: 2 }, { arbitrary: fc.constant(1), weight: 1 });
const cidArb = fc.integer({ min: 0, max: 2 });
const cidsArb = fc.uniqueArray(cidArb, { maxLength: 3 });
const pkpsArb = fc.uniqueArray(pkpArb, { maxLength: 2 });
/** A name over the 128-byte limit (InvalidRequest) one time in five. */
const longNameArb = fc.integer({ min: 0, max: 4 }).map((n) => n === 0);

const groupWriteArb: fc.Arbitrary<GroupWrite> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("addGroup" as const), longName: longNameArb, cids: cidsArb, pkps: pkpsArb }), weight: 4 },
  fc.record({ kind: fc.constant("updateGroup" as const), group: groupArb, longName: longNameArb, cids: cidsArb, pkps: pkpsArb }),
  fc.record({ kind: fc.constant("updateGroupMetadata" as const), group: groupArb, longName: longNameArb }),
  fc.record({ kind: fc.constant("removeGroup" as const), group: groupArb }),
  { arbitrary: fc.record({ kind: fc.constantFrom("addActionToGroup" as const, "removeActionFromGroup" as const), group: groupArb, cid: cidArb }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constantFrom("addPkpToGroup" as const, "removePkpFromGroup" as const), group: groupArb, pkp: pkpArb }), weight: 2 },
);

function encodeOp(w: World, op: GroupWrite): string {
  const pkpOf = (i: number) => [w.wallet, UNREGISTERED, ethers.ZeroAddress][i];
  const groupOf = (g: number) => (g === 0 ? w.foreignGroup : BigInt(g === 1 ? 1 : g + 1)); // ids 1, 3, 4, 5 (2 is foreign)
  const name = (long: boolean) => (long ? LONG_NAME : "name");
  switch (op.kind) {
    case "addGroup":
      return enc(w.f, "addGroup", [w.master, name(op.longName), "d", op.cids.map((c) => CIDS[c]), op.pkps.map(pkpOf)]);
    case "updateGroup":
      return enc(w.f, "updateGroup", [w.master, groupOf(op.group), name(op.longName), "d", op.cids.map((c) => CIDS[c]), op.pkps.map(pkpOf)]);
    case "updateGroupMetadata":
      return enc(w.f, "updateGroupMetadata", [w.master, groupOf(op.group), name(op.longName), "d"]);
    case "removeGroup":
      return enc(w.f, "removeGroup", [w.master, groupOf(op.group)]);
    case "addActionToGroup":
    case "removeActionFromGroup":
      return enc(w.f, op.kind, [w.master, groupOf(op.group), CIDS[op.cid]]);
    case "addPkpToGroup":
    case "removePkpFromGroup":
      return enc(w.f, op.kind, [w.master, groupOf(op.group), pkpOf(op.pkp)]);
  }
}

/** The account's state as the Reads views show it (JSON with bigints as strings). */
async function stateOf(w: World): Promise<string> {
  const d = w.f.diamond;
  const big = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);
  // Results are arrays: serialised positionally, nested structs included.
  const groups = [...(await d.listGroups(w.master, 0, 100))];
  const contents = [];
  for (const g of groups) contents.push(await d.listGroupContents(w.master, g.id));
  const actions = await d.listActions(w.master, 0, 100);
  const account = await d.getAccount(w.master);
  const nextGroupId = await d.connect(w.f.payer).addGroup.staticCall(w.master, "", "", [], []);
  const walletGroups = [];
  for (const [i, c] of CIDS.entries()) walletGroups.push([i, [...(await d.groupIdsForActionAndWallet(w.master, c, w.wallet))]]);
  return JSON.stringify({ groups, contents, actions, account, nextGroupId, walletGroups }, big);
}
