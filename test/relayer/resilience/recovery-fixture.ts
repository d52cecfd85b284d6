/**
 * The set-up the writer's recovery tests share (a diamond on the in-process network, a store of the
 * backend under test, the relayers a test starts, stopped after it), and how a test reads a write's
 * answer without awaiting it. Call useRecoveryFixture inside a describe: it registers the hooks.
 */
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Chain } from "../../../src/relayer/chain";
import { ChainUnavailableError, RevertError, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import type { OutboxRow, Store } from "../../../src/relayer/store";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import { h, makeStore, skipUnlessAvailable, type BackendName, type TestStore } from "../support";

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
}

export function useRecoveryFixture(backend: BackendName): RecoveryFixture {
  let ts: TestStore | null = null;
  let f: DiamondFixture | null = null;
  const chains: Chain[] = [];
  const fixture = (): DiamondFixture => {
    if (!f) throw new Error("no diamond");
    return f;
  };
  const store = (): Store => {
    if (!ts) throw new Error("no store");
    return ts.store;
  };

  beforeEach(async function () {
    await skipUnlessAvailable(this, backend);
    f = await loadFixture(deployDiamond);
    ts = await makeStore(backend);
  });

  afterEach(async () => {
    for (const x of chains.splice(0)) await x.stop();
    await ts?.cleanup();
    ts = null;
  });

  return {
    fixture,
    store,
    rows: () => store().outbox.list(),
    addGroup: (name) => ({ method: "addGroup", args: [h("owner"), name, "", [], []] }),
    onChain: async (name) => (await fixture().diamond.listGroups(h("owner"), 0, 100)).filter((g) => g.name === name).length,
    mine: async (n) => {
      for (let i = 0; i < n; i++) await network.provider.send("evm_mine", []);
    },
    chains,
  };
}
