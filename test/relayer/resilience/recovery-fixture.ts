/**
 * The set-up the writer's recovery tests share (a diamond on the in-process network, a store of the
 * backend under test, the relayers a test starts, stopped after it, a logger keeping the warnings),
 * how a test reads a write's answer without awaiting it, and the writes they start from: one
 * sent from its shape's cached gas that ran out of it on chain, or a batch stored unsent; and a
 * node that refuses batches as too large. Call useRecoveryFixture inside a describe: it registers
 * the hooks.
 */
import { ethers, network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Transaction } from "ethers";
import type { Chain, ChainOptions } from "../../../src/relayer/chain";
import { encodeCall } from "../../../src/relayer/chain/abi";
import type { ChainLogger } from "../../../src/relayer/chain/log";
import { ChainUnavailableError, RevertError, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import type { OutboxRow, Store } from "../../../src/relayer/store";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { FlakyRpc, h, hardhatRpc, makeStore, rejectionOf, skipUnlessAvailable, start, until, type BackendName, type TestStore } from "../support";

export const BATCH_SELECTOR = encodeCall("batchCalls", [[]]).slice(0, 10);
/** How geth refuses a transaction too large for its pool. */
export const OVERSIZED = "oversized data: transaction size 140123, limit 131072";

/** A node that refuses every batchCalls transaction as oversized (as geth words it). */
export function refusingBatches(): FlakyRpc {
  const rpc = new FlakyRpc(hardhatRpc());
  rpc.before = async (method, params) => {
    if (method !== "eth_sendRawTransaction") return;
    if (Transaction.from(String(params[0])).data.startsWith(BATCH_SELECTOR)) throw new Error(OVERSIZED);
  };
  return rpc;
}

/** A write's answer as it settles: "ok", "queued" / "unavailable" (503), an error name, or undefined while pending. */
export function answerOf(p: Promise<WriteReceipt>): { value: string | undefined } {
  const a: { value: string | undefined } = { value: undefined };
  p.then(
    () => {
      a.value = "ok";
    },
    (e: unknown) => {
      if (e instanceof ChainUnavailableError) a.value = e.queued ? "queued" : "unavailable";
      else a.value = e instanceof RevertError ? e.errorName : `other: ${(e as Error).message}`;
    },
  );
  return a;
}

/** A call shape whose cached gas is too low (see cacheTooLowGas). */
export interface TooLowGas {
  /** The answer to the shape's first write, pre-flighted with the wrong estimate. */
  warm: { value: string | undefined };
  /** The block before the account h("owner") was opened. */
  blockBeforeAccount: number;
}

/** A write sent from its shape's cached gas that ran out of it on chain (see revertFromCachedGas). */
export interface CachedGasRevert extends TooLowGas {
  /** The answer to the write sent from the cached gas (pending while its retry is to come). */
  answer: { value: string | undefined };
  /** That write's outbox row: reverted on chain, not final yet. */
  oog: OutboxRow;
  /** How many outbox rows there were before that write. */
  before: number;
  /** When that write was sent (Date.now()). */
  sentAt: number;
}

export interface RecoveryFixture {
  /** The diamond of the current test. */
  fixture(): DiamondFixture;
  /** The store of the current test. */
  store(): Store;
  /** Every outbox row. */
  rows(): Promise<OutboxRow[]>;
  /** An addGroup write on the account h("owner"). */
  addGroup(name: string): WriteRequest;
  /** How many groups of that name the account holds on chain. */
  onChain(name: string): Promise<number>;
  /** Mines `n` empty blocks. */
  mine(n: number): Promise<void>;
  /** Relayers started by the test; each is stopped after it. */
  chains: Chain[];
  /** Stops a relayer of `chains` and takes it out of them. */
  stop(chain: Chain): Promise<void>;
  /** Starts a relayer on the current test's store and diamond over `rpc` (`extra` on top), kept in `chains`. */
  startOn(rpc: FlakyRpc, extra?: Partial<ChainOptions>): Promise<Chain>;
  /** Opens the account h("owner") through `chain`'s writer. */
  openAccount(chain: Chain): Promise<void>;
  /**
   * On relayer `chain` (its node `rpc`): opens the account h("owner"), then writes one batchCalls of
   * the addGroup `names` while `rpc` refuses every broadcast: the batch is stored signed, unsent.
   * Returns what the write was rejected with.
   */
  storeUnsentBatch(chain: Chain, rpc: FlakyRpc, names: readonly string[]): Promise<Error>;
  /** The messages of the warnings and errors `logger` was given in the current test. */
  warnings: string[];
  /** A chain logger that keeps its warnings and errors in `warnings`. */
  logger: ChainLogger;
  /**
   * On relayer `chain` (its node `rpc`): opens the account h("owner"), then sends the addGroup
   * `${prefix} 0` pre-flighted with a wrong (too low) estimate: it runs out of gas, and the
   * estimate stays cached for the call's shape (addGroup with a name of that length).
   */
  cacheTooLowGas(chain: Chain, rpc: FlakyRpc, prefix: string): Promise<TooLowGas>;
  /**
   * cacheTooLowGas, then sends the addGroup `name` (of the same length) from that cached gas and
   * waits until it runs out of it on chain too.
   */
  revertFromCachedGas(chain: Chain, rpc: FlakyRpc, prefix: string, name: string): Promise<CachedGasRevert>;
}

export function useRecoveryFixture(backend: BackendName): RecoveryFixture {
  let ts: TestStore | null = null;
  let f: DiamondFixture | null = null;
  const chains: Chain[] = [];
  const warnings: string[] = [];
  const fixture = (): DiamondFixture => {
    if (!f) throw new Error("no diamond");
    return f;
  };
  const store = (): Store => {
    if (!ts) throw new Error("no store");
    return ts.store;
  };

  beforeEach(async function () {
    warnings.length = 0;
    await skipUnlessAvailable(this, backend);
    f = await loadFixture(deployDiamond);
    ts = await makeStore(backend);
  });

  afterEach(async () => {
    for (const x of chains.splice(0)) await x.stop();
    await ts?.cleanup();
    ts = null;
  });

  const rows = (): Promise<OutboxRow[]> => store().outbox.list();
  const addGroup = (name: string): WriteRequest => ({ method: "addGroup", args: [h("owner"), name, "", [], []] });
  const keep = (_fields: unknown, msg: string): void => {
    warnings.push(msg);
  };
  const openAccount = async (chain: Chain): Promise<void> => {
    await chain.writer.write({ method: "newAccount", args: [h("owner"), true, "owner", "", fixture().users[0].address] });
  };
  const cacheTooLowGas = async (chain: Chain, rpc: FlakyRpc, prefix: string): Promise<TooLowGas> => {
    const blockBeforeAccount = await ethers.provider.getBlockNumber();
    await openAccount(chain);
    rpc.fake.set("eth_estimateGas", "0x9c40");
    const warm = answerOf(chain.writer.write(addGroup(`${prefix} 0`)));
    await until(() => warm.value !== undefined, 10_000, "the warm-up write answered");
    rpc.fake.clear();
    return { warm, blockBeforeAccount };
  };

  return {
    fixture,
    store,
    rows,
    addGroup,
    onChain: async (name) => (await fixture().diamond.listGroups(h("owner"), 0, 100)).filter((g) => g.name === name).length,
    mine: async (n) => {
      for (let i = 0; i < n; i++) await network.provider.send("evm_mine", []);
    },
    chains,
    stop: async (chain) => {
      await chain.stop();
      chains.splice(chains.indexOf(chain), 1);
    },
    startOn: async (rpc, extra = {}) => {
      const c = await start(store(), fixture().diamondAddress, { provider: rpc, ...extra });
      chains.push(c);
      return c;
    },
    openAccount,
    storeUnsentBatch: async (chain, rpc, names) => {
      await openAccount(chain);
      const calls = names.map((n) => encodeCall("addGroup", addGroup(n).args));
      rpc.failing.add("eth_sendRawTransaction");
      return rejectionOf(chain.writer.write({ method: "batchCalls", args: [calls] }, { gasLimit: 2_000_000n, calldata: encodeCall("batchCalls", [calls]) }));
    },
    warnings,
    logger: { debug: () => undefined, info: () => undefined, warn: keep, error: keep },
    cacheTooLowGas,
    revertFromCachedGas: async (chain, rpc, prefix, name) => {
      const tooLow = await cacheTooLowGas(chain, rpc, prefix);
      const before = (await rows()).length;
      const sentAt = Date.now();
      const answer = answerOf(chain.writer.write(addGroup(name)));
      let oog: OutboxRow | undefined;
      await until(async () => {
        oog = (await rows()).slice(before).find((r) => r.status === "reverted");
        return oog !== undefined;
      }, 10_000, "the cached-gas write reverted on chain");
      if (!oog) throw new Error("unreachable");
      return { ...tooLow, answer, oog, before, sentAt };
    },
  };
}
