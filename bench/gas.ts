/**
 * Gas benchmark of the AccountConfig diamond.
 *
 * How to run (from the repository root, no running node needed: it uses Hardhat's in-process network):
 *
 *     npx hardhat run bench/gas.ts
 *
 * (`npm run bench:gas` runs the same command.) Set VIA_IR=1 to measure the IR-pipeline build.
 *
 * Prints two markdown tables and writes them to bench/results/gas.md:
 *  1. gasUsed of every write with typical arguments, and 8 addGroup calls sent as 8 transactions
 *     vs. as one batchCalls transaction (from the same chain state);
 *  2. the cost of the permission views for accounts holding 1, 100 and 500 other groups, measured with
 *     eth_estimateGas of the view call. contracts.md requires that it does not grow with the size of
 *     the account: the 500/1 ratio must stay <= 1.10.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ethers } from "hardhat";
import { takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionResponse } from "ethers";
import { apiKeyTextHash } from "../src/core/hashing";
import { deployDiamond, type DiamondFixture } from "../test/fixtures/diamond";

const RATIO_TARGET = 1.1;
const SCALES = [1, 100, 500] as const;

const hashText = (text: string): bigint => BigInt(apiKeyTextHash(text));
const randomAddress = (): string => ethers.Wallet.createRandom().address;

/** Positional setUsageApiKey arguments after (account, key): no rights except the execute groups. */
const executeOnly = (balance: bigint, name: string, description: string, executeInGroups: bigint[]) =>
  [0n, balance, name, description, false, false, false, [] as bigint[], [] as bigint[], [] as bigint[], executeInGroups] as const;

let derivation = 1n;

interface WriteRow {
  write: string;
  args: string;
  gas: bigint;
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt || receipt.status !== 1) throw new Error("transaction failed");
  return receipt.gasUsed;
}

/** addGroup through the api payer; the new id is read from the GroupAdded event. */
async function addGroup(f: DiamondFixture, hash: bigint, cids: bigint[], pkps: string[], name = "group"): Promise<{ id: bigint; gas: bigint }> {
  const tx = await f.diamond.connect(f.payer).addGroup(hash, name, "a group of actions and wallets", cids, pkps);
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error("addGroup failed");
  for (const log of receipt.logs) {
    const parsed = f.diamond.interface.parseLog(log);
    if (parsed?.name === "GroupAdded") return { id: parsed.args.groupId as bigint, gas: receipt.gasUsed };
  }
  throw new Error("no GroupAdded event");
}

async function registerWallet(f: DiamondFixture, hash: bigint): Promise<{ pkp: string; gas: bigint }> {
  const pkp = randomAddress();
  const gas = await gasOf(f.diamond.connect(f.payer).registerWalletDerivation(hash, pkp, ++derivation, "wallet", "a wallet"));
  return { pkp, gas };
}

async function measureWrites(f: DiamondFixture): Promise<WriteRow[]> {
  const d = f.diamond;
  const rows: WriteRow[] = [];
  const row = async (write: string, args: string, tx: Promise<ContractTransactionResponse>) => {
    rows.push({ write, args, gas: await gasOf(tx) });
  };
  const [u0, u1, u2, u3, u4] = f.users;

  // ---- accounts
  const master = hashText("bench-master-api-key");
  await row("newAccount", "managed, by api payer", d.connect(f.payer).newAccount(master, true, "Bench account", "benchmark account", randomAddress()));
  await row("newAccount", "unmanaged (binds admin alias), by api payer", d.connect(f.payer).newAccount(hashText("bench-unmanaged"), false, "Unmanaged", "benchmark account", u0.address));
  await row("newChainSecuredAccount", "self-service", d.connect(u1).newChainSecuredAccount("Sovereign", "benchmark account"));
  const toConvert = hashText("bench-convert");
  await d.connect(f.payer).newAccount(toConvert, true, "To convert", "", randomAddress());
  await row("convertToChainSecuredAccount", "managed -> admin wallet", d.connect(f.payer).convertToChainSecuredAccount(toConvert, u2.address));
  await row("transferChainSecuredAccountOwnership", "by current admin", d.connect(u2).transferChainSecuredAccountOwnership(toConvert, u3.address));

  // ---- actions and wallets
  const cid = (n: string) => hashText(`QmBench${n}`);
  await row("addAction", "new action", d.connect(f.payer).addAction(master, "action", "an action", cid("A")));
  await row("updateActionMetadata", "groupId 0", d.connect(f.payer).updateActionMetadata(master, cid("A"), 0, "action (renamed)", "an action"));
  const pkp = randomAddress();
  await row("registerWalletDerivation", "new wallet", d.connect(f.payer).registerWalletDerivation(master, pkp, ++derivation, "wallet", "a wallet"));
  const wallets = [pkp];
  for (let i = 0; i < 5; i++) wallets.push((await registerWallet(f, master)).pkp);

  // ---- groups
  const g1 = await addGroup(f, master, [cid("G1"), cid("G2")], [wallets[0], wallets[1]]);
  rows.push({ write: "addGroup", args: "2 cids, 2 pkps", gas: g1.gas });
  await row("updateGroup", "replace with 2 other cids, 2 other pkps", d.connect(f.payer).updateGroup(master, g1.id, "group (updated)", "a group", [cid("G3"), cid("G4")], [wallets[2], wallets[3]]));
  await row("updateGroupMetadata", "", d.connect(f.payer).updateGroupMetadata(master, g1.id, "group (renamed)", "a group"));
  await row("addActionToGroup", "unregistered cid (registers it)", d.connect(f.payer).addActionToGroup(master, g1.id, cid("G5")));
  await row("removeActionFromGroup", "", d.connect(f.payer).removeActionFromGroup(master, g1.id, cid("G5")));
  await row("addPkpToGroup", "registered wallet", d.connect(f.payer).addPkpToGroup(master, g1.id, wallets[4]));
  await row("removePkpFromGroup", "", d.connect(f.payer).removePkpFromGroup(master, g1.id, wallets[4]));
  const doomed = await addGroup(f, master, [cid("D1"), cid("D2")], [wallets[0], wallets[1]]);
  await row("removeGroup", "group with 2 cids, 2 pkps", d.connect(f.payer).removeGroup(master, doomed.id));

  await d.connect(f.payer).addAction(master, "shared", "", cid("R"));
  for (let i = 0; i < 3; i++) await addGroup(f, master, [cid("R"), cid(`R${i}`)], [wallets[i]]);
  await row("removeAction", "action listed in 3 groups", d.connect(f.payer).removeAction(master, cid("R")));

  // ---- usage keys
  const e1 = await addGroup(f, master, [cid("E1")], [wallets[0]]);
  const e2 = await addGroup(f, master, [cid("E2")], [wallets[1]]);
  const e3 = await addGroup(f, master, [cid("E3")], [wallets[2]]);
  const usage = hashText("bench-usage-key");
  await row(
    "setUsageApiKey",
    "new key, 3 execute groups",
    d.connect(f.payer).setUsageApiKey(master, usage, ...executeOnly(100n, "usage key", "a usage key", [e1.id, e2.id, e3.id])),
  );
  await row("updateUsageApiKeyMetadata", "", d.connect(f.payer).updateUsageApiKeyMetadata(master, usage, "usage key (renamed)", "a usage key"));
  await row("removeUsageApiKey", "key with 3 execute groups", d.connect(f.payer).removeUsageApiKey(master, usage));

  // ---- config and billing
  await row("setApiPayers", "3 payers, by owner", d.connect(f.owner).setApiPayers([f.payer.address, f.payer2.address, u4.address]));
  await row("setNodeConfiguration", "new key, 28-byte value", d.connect(f.configOperator).setNodeConfiguration("rpc_url", "https://rpc.example.org:8545"));
  await row("setPricing", "new item", d.connect(f.pricingOperator).setPricing(1, 1000));
  await row("creditApiKey", "master, first credit", d.connect(f.payer).creditApiKey(master, 1_000_000));
  await row("debitApiKey", "master", d.connect(f.payer).debitApiKey(master, 1000));
  return rows;
}

// ------------------------------------------------------------------ batching

const BATCH_SIZE = 8;

/**
 * 8 addGroup calls (managed account, empty lists, by the api payer) as 8 transactions, then (from
 * the same chain state) as one batchCalls transaction. The chain state is restored afterwards.
 */
async function measureBatch(f: DiamondFixture): Promise<WriteRow[]> {
  const d = f.diamond.connect(f.payer);
  const master = hashText("bench-batch-master");
  await (await d.newAccount(master, true, "Batch account", "", randomAddress())).wait();
  await (await d.addGroup(master, "first group", "", [], [])).wait(); // the group counter is not on first use
  const names = Array.from({ length: BATCH_SIZE }, (_, i) => `group ${i}`);
  const before = await takeSnapshot();
  let separate = 0n;
  for (const name of names) separate += await gasOf(d.addGroup(master, name, "a group of actions and wallets", [], []));
  await before.restore();
  const calls = names.map((name) => d.interface.encodeFunctionData("addGroup", [master, name, "a group of actions and wallets", [], []]));
  const receipt = await (await d.batchCalls(calls)).wait();
  if (!receipt || receipt.status !== 1) throw new Error("batchCalls failed");
  for (const log of receipt.logs) {
    const parsed = d.interface.parseLog(log);
    if (parsed?.name === "BatchCallResult" && !parsed.args.success) throw new Error(`batched addGroup ${parsed.args.index} failed`);
  }
  const batched = receipt.gasUsed;
  await before.restore();
  const n = BigInt(BATCH_SIZE);
  const saved = ((Number(separate - batched) / Number(separate)) * 100).toFixed(1);
  return [
    { write: `addGroup x${BATCH_SIZE} as separate transactions (total)`, args: "managed account, empty lists, by api payer", gas: separate },
    { write: `batchCalls with ${BATCH_SIZE} addGroup (one transaction)`, args: "the same calls, from the same state", gas: batched },
    { write: "addGroup per write, separate transactions", args: `total / ${BATCH_SIZE}`, gas: separate / n },
    { write: `addGroup per write, in batchCalls of ${BATCH_SIZE}`, args: `total / ${BATCH_SIZE} (${saved} % less)`, gas: batched / n },
  ];
}

// ------------------------------------------------------------------ scaling of permission views

interface ScaleSetup {
  master: bigint;
  usage: bigint;
  target: bigint;
  wallet: string;
}

/**
 * An account with `others` unrelated groups (each with its own action and the account's wallet),
 * then the key's 3 execute groups; the target action and wallet are in the 3rd one only.
 */
async function buildScaledAccount(f: DiamondFixture, others: number): Promise<ScaleSetup> {
  const d = f.diamond;
  const master = hashText(`bench-scale-${others}`);
  await (await d.connect(f.payer).newAccount(master, true, `scale ${others}`, "", randomAddress())).wait();
  const { pkp: wallet } = await registerWallet(f, master);
  for (let i = 0; i < others; i++) {
    await addGroup(f, master, [hashText(`bench-scale-${others}-filler-${i}`)], [wallet], `filler ${i}`);
  }
  const target = hashText(`bench-scale-${others}-target`);
  const k1 = await addGroup(f, master, [hashText(`bench-scale-${others}-k1`)], [wallet], "k1");
  const k2 = await addGroup(f, master, [hashText(`bench-scale-${others}-k2`)], [], "k2");
  const k3 = await addGroup(f, master, [target], [wallet], "k3");
  const usage = hashText(`bench-scale-${others}-usage`);
  await (await d.connect(f.payer).setUsageApiKey(master, usage, ...executeOnly(0n, "scoped", "", [k1.id, k2.id, k3.id]))).wait();
  const info = await d.getAccount(master);
  if (info.groupCount !== BigInt(others + 3)) throw new Error(`expected ${others + 3} groups, got ${info.groupCount}`);
  if (!(await d.canUseWalletInAction(usage, target, wallet))) throw new Error("scaled key cannot use the wallet");
  if ((await d.groupIdsForAction(usage, target)).length !== 1) throw new Error("expected one group for the target");
  return { master, usage, target, wallet };
}

interface ViewProbe {
  view: string;
  estimate: (s: ScaleSetup) => Promise<bigint>;
}

function probes(f: DiamondFixture): ViewProbe[] {
  const d = f.diamond;
  return [
    { view: "canExecuteAction (usage key)", estimate: (s) => d.canExecuteAction.estimateGas(s.usage, s.target) },
    { view: "canUseWalletInAction (usage key)", estimate: (s) => d.canUseWalletInAction.estimateGas(s.usage, s.target, s.wallet) },
    { view: "canExecuteActionAndUseWallet (usage key)", estimate: (s) => d.canExecuteActionAndUseWallet.estimateGas(s.usage, s.target, s.wallet) },
    { view: "groupIdsForAction (usage key)", estimate: (s) => d.groupIdsForAction.estimateGas(s.usage, s.target) },
    { view: "groupIdsForActionAndWallet (usage key)", estimate: (s) => d.groupIdsForActionAndWallet.estimateGas(s.usage, s.target, s.wallet) },
    { view: "groupIdsForAction (master key)", estimate: (s) => d.groupIdsForAction.estimateGas(s.master, s.target) },
    { view: "canExecuteAction (master key)", estimate: (s) => d.canExecuteAction.estimateGas(s.master, s.target) },
    { view: "canUseWalletInAction (master key)", estimate: (s) => d.canUseWalletInAction.estimateGas(s.master, s.target, s.wallet) },
  ];
}

// ------------------------------------------------------------------ report

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

async function main() {
  const f = await deployDiamond();

  const writes = [...(await measureWrites(f)), ...(await measureBatch(f))];

  const setups: ScaleSetup[] = [];
  for (const n of SCALES) setups.push(await buildScaledAccount(f, n));
  const scaleRows: string[][] = [];
  let allWithinTarget = true;
  for (const probe of probes(f)) {
    const gas: bigint[] = [];
    for (const s of setups) gas.push(await probe.estimate(s));
    const ratio = Number(gas[gas.length - 1]) / Number(gas[0]);
    const ok = ratio <= RATIO_TARGET;
    allWithinTarget &&= ok;
    scaleRows.push([probe.view, ...gas.map(String), ratio.toFixed(3), ok ? "yes" : "**NO**"]);
  }

  const solc = process.env.VIA_IR ? "solc 0.8.28, optimizer 200 runs, viaIR" : "solc 0.8.28, optimizer 200 runs (UsageKeysFacet via IR)";
  const report = [
    "# AccountConfig gas benchmark",
    "",
    `Hardhat in-process network, ${solc}. Reproduce with \`npx hardhat run bench/gas.ts\`.`,
    "",
    "## Writes (gasUsed of the transaction, typical arguments)",
    "",
    table(
      ["write", "arguments", "gasUsed"],
      writes.map((r) => [r.write, r.args, r.gas.toString()]),
    ),
    "",
    "## Permission views vs. account size (eth_estimateGas of the view call)",
    "",
    "Each account holds N unrelated groups (one action each, all listing the account's wallet) plus the",
    "usage key's 3 execute groups; the action and wallet being checked are in the key's 3rd group only.",
    `Target: ratio 500/1 <= ${RATIO_TARGET.toFixed(2)}.`,
    "",
    table(
      ["view", ...SCALES.map((n) => `N=${n}`), `ratio ${SCALES[SCALES.length - 1]}/${SCALES[0]}`, `<= ${RATIO_TARGET.toFixed(2)}`],
      scaleRows,
    ),
    "",
    allWithinTarget ? "All permission views are within the target." : "**Some permission views exceed the target.**",
    "",
  ].join("\n");

  console.log(report);
  const outDir = path.join(__dirname, "results");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "gas.md"), report);
  console.log(`written to ${path.relative(process.cwd(), path.join(outDir, "gas.md"))}`);
  if (!allWithinTarget) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
