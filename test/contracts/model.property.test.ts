/**
 * Stateful property tests of the AccountConfig diamond against the pure model in ./model/model.ts.
 *
 * Every run is seeded (test/fixtures/seed.ts: FC_SEED, else a fixed default), so what the random
 * sequences reach is known: the model test asserts that every command both succeeded and reverted
 * at least once over the run.
 *
 * Environment:
 *   FC_SEED   fast-check seed (default fixed; fast-check prints seed and path of a failure)
 *   FC_PATH   replay path printed with a failure (needs FC_SEED)
 *   FC_REPLAY the commands' replayPath printed in the counterexample (with FC_SEED and FC_PATH)
 *   FC_RUNS   runs of the model-based property (default 30, 8 under solidity-coverage); the focused properties scale with it
 *   FC_STEPS  maximum commands per sequence (default 25)
 */
import { expect } from "chai";
import fc from "fast-check";
import hre, { ethers, network } from "hardhat";
import type { Interface } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../fixtures/diamond";
import { aliasOf, hashText, HashKind } from "../fixtures/support";
import { seeded, TEST_SEED } from "../fixtures/seed";
import { skipBecause } from "../fixtures/skips";
import { commandArbs, permissionsArb } from "./model/commands";
import {
  CID_VALUES,
  WALLET_VALUES,
  checkState,
  expirationValue,
  revertData,
  setupUniverse,
  tally,
  timing,
  type PermissionsSpec,
  type Universe,
} from "./model/harness";

const envInt = (name: string, fallback: number): number => {
  const v = Number.parseInt(process.env[name] ?? "", 10);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
// Under solidity-coverage every call is instrumented (several times slower); the coverage run needs
// the code paths, not the statistical depth, so it uses fewer runs unless FC_RUNS says otherwise.
const COVERAGE_RUN = Boolean((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING);
const RUNS = envInt("FC_RUNS", COVERAGE_RUN ? 8 : 30);
const STEPS = envInt("FC_STEPS", 25);
const path = process.env.FC_PATH;
const replayPath = process.env.FC_REPLAY;

function params<T>(numRuns: number): fc.Parameters<T> {
  return seeded(numRuns, path ? { path } : {});
}

/** Every write the model commands send (commands.ts): each must both succeed and revert in a run. */
const COMMANDS = [
  "setUsageApiKey",
  "removeUsageApiKey",
  "addGroup",
  "updateGroup",
  "removeGroup",
  "addActionToGroup",
  "removeActionFromGroup",
  "addPkpToGroup",
  "removePkpFromGroup",
  "addAction",
  "removeAction",
  "registerWalletDerivation",
  "convertToChainSecuredAccount",
  "transferChainSecuredAccountOwnership",
] as const;

/** Commands of COMMANDS the tally never saw succeed, or never saw revert. */
function unreached(counts: ReadonlyMap<string, number>): string[] {
  const outcomes = new Map<string, Set<string>>();
  for (const key of counts.keys()) {
    const [op, outcome] = key.split(": ");
    if (!outcomes.has(op)) outcomes.set(op, new Set());
    outcomes.get(op)?.add(outcome === "ok" ? "ok" : "revert");
  }
  const missing: string[] = [];
  for (const op of COMMANDS) {
    const seen = outcomes.get(op) ?? new Set<string>();
    if (!seen.has("ok")) missing.push(`${op} never succeeded`);
    if (!seen.has("revert")) missing.push(`${op} never reverted`);
  }
  return missing;
}

describe("AccountConfig model-based properties", function () {
  this.timeout(0);
  // Under solidity-coverage each step's view checks are instrumented and even a few runs take many
  // minutes; every contract path they reach is covered by the behaviour suites, so the coverage run
  // skips them. `npm test` always runs them.
  before(function () {
    if (COVERAGE_RUN && process.env.FC_RUNS === undefined)
      skipBecause(this, "coverage-run", "the model runs take many minutes instrumented; set FC_RUNS to run them under coverage");
  });

  after(function () {
    if (tally.size === 0) return;
    const byOp = new Map<string, string[]>();
    for (const [key, n] of [...tally].sort()) {
      const [op, outcome] = key.split(": ");
      byOp.set(op, [...(byOp.get(op) ?? []), `${outcome}=${n}`]);
    }
    console.log(`      time: writes ${timing.write} ms, per-step checks ${timing.check} ms, end-of-run checks ${timing.full} ms`);
    console.log("      outcomes exercised:");
    for (const [op, outcomes] of byOp) console.log(`        ${op}: ${outcomes.join(" ")}`);
  });

  it(`chain matches the model over random command sequences, each command succeeding and reverting (seed ${TEST_SEED})`, async function () {
    tally.clear();
    await fc.assert(
      fc.asyncProperty(fc.commands(commandArbs, { maxCommands: STEPS, size: "max", ...(replayPath ? { replayPath } : {}) }), async (cmds) => {
        let universe: Universe | undefined;
        await fc.asyncModelRun(async () => {
          universe = await setupUniverse();
          await checkState(universe, "after setup");
          return { model: universe.model, real: universe };
        }, cmds);
        const t = Date.now();
        await checkState(universe!, "end of run (full cross product)", true);
        timing.full += Date.now() - t;
      }),
      params(RUNS),
    );
    // A sequence that never reaches a command's success (or its refusal) compares nothing there.
    expect(unreached(tally), `outcomes the ${RUNS} runs of seed ${TEST_SEED} did not reach (raise FC_RUNS or FC_STEPS)`).to.deep.equal([]);
  });

  // ---------------------------------------------------------------- focused: aliasing

  it("a hash once bound to an account never resolves to another (setUsageApiKey/remove interleavings)", async function () {
    // Pool: 4 fresh hashes plus every account's master (a usage key may never take a master).
    const fresh = [0, 1, 2, 3].map((i) => hashText(`alias-pool-${i}`));
    const op = fc.record({
      kind: fc.constantFrom("set", "set", "set", "remove"),
      account: fc.integer({ min: 0, max: 2 }),
      hash: fc.integer({ min: 0, max: fresh.length + 2 }),
      viaAlias: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
        const f = await loadFixture(deployDiamond);
        const [a, b] = [hashText("alias-A"), hashText("alias-B")];
        await (await f.diamond.connect(f.payer).newAccount(a, true, "A", "", f.users[5].address)).wait();
        await (await f.diamond.connect(f.payer).newAccount(b, true, "B", "", f.users[6].address)).wait();
        await (await f.diamond.connect(f.users[0]).newChainSecuredAccount("C", "")).wait();
        // Account 1 becomes ChainSecured too, so it also has an admin alias (users[2]) besides its master.
        await (await f.diamond.connect(f.payer).convertToChainSecuredAccount(b, f.users[2].address)).wait();
        const c = aliasOf(f.users[0].address);
        const accounts: { master: bigint; alias: bigint; signer: HardhatEthersSigner }[] = [
          { master: a, alias: a, signer: f.payer },
          { master: b, alias: aliasOf(f.users[2].address), signer: f.users[2] },
          { master: c, alias: c, signer: f.users[0] },
        ];
        const pool = [...fresh, a, b, c];
        const owner = new Map<bigint, bigint>(accounts.map((x) => [x.master, x.master]));
        owner.set(accounts[1].alias, b);
        for (const o of ops) {
          const acct = accounts[o.account];
          const h = pool[o.hash];
          const callerHash = o.viaAlias ? acct.alias : acct.master;
          const before = await f.diamond.resolveApiKeyHash(h);
          const d = f.diamond.connect(acct.signer);
          let error: string | undefined;
          try {
            if (o.kind === "set") {
              await (await d.setUsageApiKey(callerHash, h, 0, 0, "k", "", false, false, false, [], [], [], [0])).wait();
            } else {
              await (await d.removeUsageApiKey(callerHash, h)).wait();
            }
          } catch (e) {
            const data = revertData(e);
            if (!data) throw e;
            error = f.diamond.interface.parseError(data)?.name ?? data;
          }
          const what = `${o.kind}(${o.account}${o.viaAlias ? " via alias" : ""}, pool[${o.hash}])`;
          if (o.kind === "set") {
            const prior = owner.get(h);
            const reusable = before.kind === HashKind.UsageKey || before.kind === HashKind.RemovedUsageKey;
            const mayBind = prior === undefined || (prior === acct.master && reusable);
            expect(error ?? "ok", `${what}: documented outcome`).to.equal(mayBind ? "ok" : "AccountAlreadyExists");
            if (!error) owner.set(h, acct.master);
          } else {
            const mayRemove = before.kind === HashKind.UsageKey && before.master === acct.master;
            expect(error ?? "ok", `${what}: documented outcome`).to.equal(mayRemove ? "ok" : "UsageApiKeyDoesNotExist");
          }
          for (const [i, x] of pool.entries()) {
            const r = await f.diamond.resolveApiKeyHash(x);
            if (r.kind === HashKind.None) {
              expect(owner.has(x), `${what}: pool[${i}] was bound and became unbound`).to.equal(false);
              continue;
            }
            expect(owner.has(x), `${what}: pool[${i}] bound without an owner`).to.equal(true);
            const expectedMaster = r.kind === HashKind.RemovedUsageKey ? 0n : owner.get(x);
            expect(r.master, `${what}: pool[${i}] resolves to another account`).to.equal(expectedMaster);
          }
          for (const x of accounts) {
            expect((await f.diamond.resolveApiKeyHash(x.master)).kind, `${what}: master stays a master`).to.equal(HashKind.Master);
          }
        }
      }),
      params(Math.max(10, Math.round(RUNS * 0.7))),
    );
  });

  // ---------------------------------------------------------------- focused: re-binding carries nothing over

  it("a re-set (overwritten or removed and set again) usage key behaves exactly like a fresh key with the same permissions", async function () {
    await fc.assert(
      fc.asyncProperty(permissionsArb, permissionsArb, fc.boolean(), async (p1, p2, removeBetween) => {
        const f = await loadFixture(deployDiamond);
        const s = await reuseSetup(f);
        const latest = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
        const [k, fresh] = [hashText("reuse-key"), hashText("fresh-key")];
        await setKey(f, s.master, k, p1, latest);
        if (removeBetween) await (await f.diamond.connect(f.payer).removeUsageApiKey(s.master, k)).wait();
        await setKey(f, s.master, k, p2, latest);
        await setKey(f, s.master, fresh, p2, latest);

        const [rk, rf] = [await f.diamond.getUsageApiKey(s.master, k), await f.diamond.getUsageApiKey(s.master, fresh)];
        for (const field of ["expiration", "balance", "createGroups", "deleteGroups", "createPKPs"] as const) {
          expect(rk[field], `record.${field}`).to.equal(rf[field]);
        }
        for (const field of ["executeInGroups", "manageIPFSIdsInGroups", "addPkpToGroups", "removePkpFromGroups"] as const) {
          expect([...rk[field]], `record.${field}`).to.deep.equal([...rf[field]]);
        }

        const diffs: string[] = [];
        const same = async (what: string, run: (key: bigint) => Promise<unknown>) => {
          const [x, y] = [await run(k), await run(fresh)];
          if (JSON.stringify(x, big) !== JSON.stringify(y, big)) diffs.push(`${what}: re-set ${JSON.stringify(x, big)} vs fresh ${JSON.stringify(y, big)}`);
        };
        for (const [cl, cid] of Object.entries(CID_VALUES)) {
          await same(`canExecuteAction(${cl})`, (h) => f.diamond.canExecuteAction(h, cid));
          await same(`groupIdsForAction(${cl})`, async (h) => [...(await f.diamond.groupIdsForAction(h, cid))]);
          for (const wl of ["w0", "w1", "w*"] as const) {
            const w = WALLET_VALUES[wl];
            await same(`canUseWalletInAction(${cl}, ${wl})`, (h) => f.diamond.canUseWalletInAction(h, cid, w));
            await same(`groupIdsForActionAndWallet(${cl}, ${wl})`, async (h) => [...(await f.diamond.groupIdsForActionAndWallet(h, cid, w))]);
          }
        }
        for (let g = 0n; g <= s.lastGroupId + 1n; g++) {
          await same(`apiKeyCanExecuteForAnyGroup([${g}])`, (h) => f.diamond.apiKeyCanExecuteForAnyGroup(h, [g]));
          await same(`addActionToGroup(${g})`, (h) => staticOutcome(f, f.payer, "addActionToGroup", [h, g, CID_VALUES.c3]));
          await same(`removeActionFromGroup(${g})`, (h) => staticOutcome(f, f.payer, "removeActionFromGroup", [h, g, CID_VALUES.c0]));
          await same(`addPkpToGroup(${g})`, (h) => staticOutcome(f, f.payer, "addPkpToGroup", [h, g, WALLET_VALUES.w1]));
          await same(`removePkpFromGroup(${g})`, (h) => staticOutcome(f, f.payer, "removePkpFromGroup", [h, g, WALLET_VALUES.w0]));
          await same(`removeGroup(${g})`, (h) => staticOutcome(f, f.payer, "removeGroup", [h, g]));
        }
        await same("addGroup", (h) => staticOutcome(f, f.payer, "addGroup", [h, "g", "", [], []]));
        await same("registerWalletDerivation", (h) => staticOutcome(f, f.payer, "registerWalletDerivation", [h, WALLET_VALUES.w2, 999n, "w", ""]));
        await same("addAction (master only)", (h) => staticOutcome(f, f.payer, "addAction", [h, "a", "", CID_VALUES.c3]));
        expect(diffs, `p1=${JSON.stringify(p1, big)} p2=${JSON.stringify(p2, big)} removeBetween=${removeBetween}`).to.deep.equal([]);
      }),
      params(Math.max(10, Math.round(RUNS * 0.7))),
    );
  });
});

const big = (_k: string, v: unknown): unknown => (typeof v === "bigint" ? v.toString() : v);

/** An account with wallets w0, w1, actions c0..c2 and groups 1..4 (group 4 removed). */
async function reuseSetup(f: DiamondFixture): Promise<{ master: bigint; lastGroupId: bigint }> {
  const master = hashText("reuse-account");
  const d = f.diamond.connect(f.payer);
  await (await d.newAccount(master, true, "R", "", f.users[5].address)).wait();
  await (await d.registerWalletDerivation(master, WALLET_VALUES.w0, 1n, "w0", "")).wait();
  await (await d.registerWalletDerivation(master, WALLET_VALUES.w1, 2n, "w1", "")).wait();
  await (await d.addAction(master, "c2", "", CID_VALUES.c2)).wait();
  await (await d.addGroup(master, "g1", "", [CID_VALUES.c0], [WALLET_VALUES.w0])).wait();
  await (await d.addGroup(master, "g2", "", [0n], [ethers.ZeroAddress])).wait();
  await (await d.addGroup(master, "g3", "", [CID_VALUES.c1, CID_VALUES.c0], [WALLET_VALUES.w1])).wait();
  await (await d.addGroup(master, "g4", "", [CID_VALUES.c2], [WALLET_VALUES.w0])).wait();
  await (await d.removeGroup(master, 4n)).wait();
  return { master, lastGroupId: 4n };
}

async function setKey(f: DiamondFixture, master: bigint, key: bigint, p: PermissionsSpec, latest: bigint): Promise<void> {
  const payer = f.diamond.connect(f.payer);
  const args = (q: PermissionsSpec) =>
    [
      master,
      key,
      expirationValue(q.expiration, latest),
      q.balance,
      "k",
      "",
      q.createGroups,
      q.deleteGroups,
      q.createPKPs,
      q.manageIPFSIdsInGroups,
      q.addPkpToGroups,
      q.removePkpFromGroups,
      q.executeInGroups,
    ] as const;
  const tx = await payer.setUsageApiKey.staticCall(...args(p)).then(
    () => true,
    () => false,
  );
  if (!tx) {
    // Duplicate group ids are rejected for both keys alike; use the de-duplicated arrays instead.
    const dedupe = (xs: bigint[]) => [...new Set(xs)];
    p = {
      ...p,
      manageIPFSIdsInGroups: dedupe(p.manageIPFSIdsInGroups),
      addPkpToGroups: dedupe(p.addPkpToGroups),
      removePkpFromGroups: dedupe(p.removePkpFromGroups),
      executeInGroups: dedupe(p.executeInGroups),
    };
  }
  await (await payer.setUsageApiKey(...args(p))).wait();
}

/** Outcome of a write as an eth_call from `from` (nothing is mined): "ok" or the error name. */
async function staticOutcome(f: DiamondFixture, from: HardhatEthersSigner, fn: string, args: readonly unknown[]): Promise<string> {
  const iface: Interface = f.diamond.interface;
  const data = iface.encodeFunctionData(fn, args);
  try {
    await network.provider.send("eth_call", [{ from: from.address, to: f.diamondAddress, data }, "latest"]);
    return "ok";
  } catch (e) {
    const ret = revertData(e);
    if (!ret) throw e;
    return f.diamond.interface.parseError(ret)?.name ?? ret;
  }
}
