/**
 * The start-up recovery of a write alone that ran out of its cached gas (writer/cached-gas-retry.ts,
 * docs/finality.md "Sent again after a crash") waits for that row to be final by reading the outbox.
 * A read that fails for a passing reason (a dropped database connection) is not an answer about the
 * row: the write must stay due to be sent again, never be recorded as settled and so lost.
 * The outbox is the real one (SQLite / Postgres); one read of the row is made to fail once, as a
 * connection dropped by the database would. In-process Hardhat network (automine), confirmation depth 3.
 */
import { expect } from "chai";
import { network } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond, type DiamondFixture } from "../../fixtures/diamond";
import type { Chain } from "../../../src/relayer/chain";
import { ChainUnavailableError, RevertError, type WriteReceipt, type WriteRequest } from "../../../src/relayer/ports";
import type { OutboxRow, OutboxStore, Store } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, h, hardhatRpc, makeStore, skipUnlessAvailable, start, until, type TestStore } from "../support";

const LONG = "a group name of a transient store error";

function answerOf(p: Promise<WriteReceipt>): { value: string | undefined } {
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

/** The store, with `outbox.get(id)` of one armed row failing once (a dropped connection). */
function withOneFailedRead(store: Store): { store: Store; arm: (id: number) => void; failed: () => boolean } {
  let armed: number | null = null;
  let failed = false;
  const outbox = new Proxy(store.outbox, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === "get") {
        return async (id: number): Promise<OutboxRow | null> => {
          if (armed !== null && id === armed) {
            armed = null;
            failed = true;
            throw new Error("Connection terminated unexpectedly");
          }
          return target.get(id);
        };
      }
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as OutboxStore;
  return { store: { ...store, outbox }, arm: (id) => (armed = id), failed: () => failed };
}

for (const backend of BACKENDS) {
  describe(`relayer recovery of a cached-gas write across a failed outbox read (${backend})`, function () {
    let ts: TestStore | null = null;
    const chains: Chain[] = [];
    let f: DiamondFixture;

    const store = (): Store => {
      if (!ts) throw new Error("no store");
      return ts.store;
    };
    const rows = (): Promise<OutboxRow[]> => store().outbox.list();
    const addGroup = (name: string): WriteRequest => ({ method: "addGroup", args: [h("owner"), name, "", [], []] });
    const onChain = async (name: string): Promise<number> =>
      (await f.diamond.listGroups(h("owner"), 0, 100)).filter((g) => g.name === name).length;
    const mine = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await network.provider.send("evm_mine", []);
    };
    const run = async (s: Store, rpc: FlakyRpc): Promise<Chain> => {
      const c = await start(s, f.diamondAddress, { provider: rpc, confirmationDepth: 3, payerCheckIntervalMs: 200 });
      chains.push(c);
      return c;
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

    it("keeps a cached-gas write due to be sent again when the recovery's read of its row fails once, and sends it once", async () => {
      // A first relayer: a write from a cached gas too low runs out of it on chain; stopped before the retry.
      const rpc = new FlakyRpc(hardhatRpc());
      const first = await run(store(), rpc);
      await first.writer.write({ method: "newAccount", args: [h("owner"), true, "owner", "", f.users[0].address] });
      rpc.fake.set("eth_estimateGas", "0x9c40");
      const warm = answerOf(first.writer.write(addGroup(`${LONG} 0`)));
      await until(() => warm.value !== undefined, 10_000, "the warm-up write answered");
      rpc.fake.clear();
      const before = (await rows()).length;
      const answer = answerOf(first.writer.write(addGroup(`${LONG} 1`)));
      let oog: OutboxRow | undefined;
      await until(async () => {
        oog = (await rows()).slice(before).find((r) => r.status === "reverted");
        return oog !== undefined;
      }, 10_000, "the cached-gas write reverted on chain");
      if (!oog) throw new Error("unreachable");
      await first.stop();
      chains.splice(chains.indexOf(first), 1);
      await until(() => answer.value !== undefined, 5_000, "the caller answered on stop");
      expect(answer.value).to.equal("queued");

      // A second relayer whose first read of that row fails (the database dropped the connection).
      const flaky = withOneFailedRead(store());
      flaky.arm(oog.id);
      const second = await run(flaky.store, new FlakyRpc(hardhatRpc()));
      await until(() => flaky.failed(), 10_000, "the recovery's read of the row failed");
      await mine(4); // the reverted attempt is final
      await new Promise((r) => setTimeout(r, 1_000));
      expect((await store().outbox.get(oog.id))?.resend, "still due to be sent again, not settled by a failed read").to.not.equal("settled");

      // Whoever sends it (this relayer or the next start), it is applied, once.
      await second.stop();
      chains.splice(chains.indexOf(second), 1);
      await run(store(), new FlakyRpc(hardhatRpc()));
      await until(async () => (await onChain(`${LONG} 1`)) === 1, 20_000, "the write applied");
      const retries = (await rows()).filter((r) => r.id > oog!.id && r.kind === "call");
      expect(retries.map((r) => `${r.idemScope} ${r.idemKey}`)).to.deep.equal([`cached-gas-retry ${oog.id}`]);
    });
  });
}
