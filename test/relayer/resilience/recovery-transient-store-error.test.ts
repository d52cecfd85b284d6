/**
 * The start-up recovery (writer/batch-recovery.ts, writer/cached-gas-retry.ts; docs/finality.md
 * "Sent again after a crash") reads the outbox: the rows it must watch, then each row until it is
 * final. A read that fails for a passing reason (a dropped database connection) is not an answer
 * about any row: the recovery must try again in this process, after a back-off, until it can read
 * (stop() cuts the wait short), instead of leaving the pending writes unsent until the next restart
 * while the relayer serves. The outbox is the real one (SQLite / Postgres); chosen reads are made to
 * fail, as a connection dropped by the database would. In-process Hardhat network (automine),
 * confirmation depth 3.
 */
import { expect } from "chai";
import type { Chain } from "../../../src/relayer/chain";
import type { OutboxRow, OutboxStore, Store } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, hardhatRpc, start, until } from "../support";
import { useRecoveryFixture } from "./recovery-fixture";

const LONG = "a group name of a transient store error";

/** Outbox methods a test makes fail, as a dropped connection would. */
type Failing = "get" | "resendDue";

/**
 * The store, whose outbox fails `get(id)` of an armed row once, and `resendDue()` while `down` holds
 * (counting the attempts).
 */
function withFailingReads(store: Store): {
  store: Store;
  arm: (id: number) => void;
  failed: () => boolean;
  down: Set<Failing>;
  attempts: Map<Failing, number>;
} {
  let armed: number | null = null;
  let failed = false;
  const down = new Set<Failing>();
  const attempts = new Map<Failing, number>();
  const fail = (): never => {
    failed = true;
    throw new Error("Connection terminated unexpectedly");
  };
  const outbox = new Proxy(store.outbox, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === "get") {
        return async (id: number): Promise<OutboxRow | null> => {
          attempts.set("get", (attempts.get("get") ?? 0) + 1);
          if (armed !== null && id === armed) {
            armed = null;
            fail();
          }
          return target.get(id);
        };
      }
      if (prop === "resendDue") {
        return async (): Promise<OutboxRow[]> => {
          attempts.set("resendDue", (attempts.get("resendDue") ?? 0) + 1);
          if (down.has("resendDue")) fail();
          return target.resendDue();
        };
      }
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as OutboxStore;
  return { store: { ...store, outbox }, arm: (id) => (armed = id), failed: () => failed, down, attempts };
}

for (const backend of BACKENDS) {
  describe(`relayer recovery of a cached-gas write across a failed outbox read (${backend})`, function () {
    const { store, rows, onChain, mine, chains, fixture, stop, revertFromCachedGas } = useRecoveryFixture(backend);

    const run = async (s: Store, rpc: FlakyRpc): Promise<Chain> => {
      const c = await start(s, fixture().diamondAddress, { provider: rpc, confirmationDepth: 3, payerCheckIntervalMs: 200 });
      chains.push(c);
      return c;
    };

    /** A first relayer: a write from a cached gas too low runs out of it on chain; stopped before the retry. */
    async function revertedFromCacheThenStopped(): Promise<OutboxRow> {
      const rpc = new FlakyRpc(hardhatRpc());
      const first = await run(store(), rpc);
      const { answer, oog } = await revertFromCachedGas(first, rpc, LONG, `${LONG} 1`);
      await stop(first);
      await until(() => answer.value !== undefined, 5_000, "the caller answered on stop");
      expect(answer.value).to.equal("queued");
      return oog;
    }

    const retriesOf = async (oog: OutboxRow): Promise<string[]> =>
      (await rows()).filter((r) => r.id > oog.id && r.kind === "call").map((r) => `${r.idemScope} ${r.idemKey}`);

    it("sends a cached-gas write again, once, without a restart when the recovery's read of its row fails once", async () => {
      const oog = await revertedFromCacheThenStopped();
      // A second relayer whose first read of that row fails (the database dropped the connection).
      const flaky = withFailingReads(store());
      flaky.arm(oog.id);
      await run(flaky.store, new FlakyRpc(hardhatRpc()));
      await until(() => flaky.failed(), 10_000, "the recovery's read of the row failed");
      await mine(4); // the reverted attempt is final
      // The same relayer, still running, reads the row again after a back-off and sends the write.
      await until(async () => (await onChain(`${LONG} 1`)) === 1, 20_000, "the write applied by the running relayer");
      expect(await retriesOf(oog)).to.deep.equal([`cached-gas-retry ${oog.id}`]);
    });

    it("sends a cached-gas write again, once, without a restart when the recovery cannot read the outbox at start-up", async () => {
      const oog = await revertedFromCacheThenStopped();
      await mine(4); // final: only resendDue() names it now
      // A second relayer starts while the outbox cannot be read by its recovery; the database comes back later.
      const flaky = withFailingReads(store());
      flaky.down.add("resendDue");
      await run(flaky.store, new FlakyRpc(hardhatRpc()));
      await until(() => (flaky.attempts.get("resendDue") ?? 0) >= 2, 10_000, "the recovery tried to read the outbox again");
      flaky.down.delete("resendDue");
      await until(async () => (await onChain(`${LONG} 1`)) === 1, 20_000, "the write applied by the running relayer");
      expect(await retriesOf(oog)).to.deep.equal([`cached-gas-retry ${oog.id}`]);
    });

    it("stops trying to read the outbox once the relayer is stopped", async () => {
      const oog = await revertedFromCacheThenStopped();
      await mine(4);
      const flaky = withFailingReads(store());
      flaky.down.add("resendDue");
      const second = await run(flaky.store, new FlakyRpc(hardhatRpc()));
      await until(() => (flaky.attempts.get("resendDue") ?? 0) >= 2, 10_000, "the recovery tried to read the outbox again");
      await stop(second);
      const after = flaky.attempts.get("resendDue") ?? 0;
      // Longer than the back-off reached so far: a recovery still looping would have read again.
      await new Promise((r) => setTimeout(r, 1_500));
      expect(flaky.attempts.get("resendDue"), "no read of the outbox after stop()").to.equal(after);
      expect(await retriesOf(oog), "nothing sent by the stopped relayer").to.deep.equal([]);
    });
  });
}
