/**
 * The start-up recovery of a write alone that ran out of its cached gas (writer/cached-gas-retry.ts,
 * docs/finality.md "Sent again after a crash") waits for that row to be final by reading the outbox.
 * A read that fails for a passing reason (a dropped database connection) is not an answer about the
 * row: the write must stay due to be sent again, never be recorded as settled and so lost.
 * The outbox is the real one (SQLite / Postgres); one read of the row is made to fail once, as a
 * connection dropped by the database would. In-process Hardhat network (automine), confirmation depth 3.
 */
import { expect } from "chai";
import type { Chain } from "../../../src/relayer/chain";
import type { OutboxRow, OutboxStore, Store } from "../../../src/relayer/store";
import { BACKENDS, FlakyRpc, h, hardhatRpc, start, until } from "../support";
import { answerOf, useRecoveryFixture } from "./recovery-fixture";

const LONG = "a group name of a transient store error";

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
    const { store, rows, addGroup, onChain, mine, chains, fixture } = useRecoveryFixture(backend);

    const run = async (s: Store, rpc: FlakyRpc): Promise<Chain> => {
      const c = await start(s, fixture().diamondAddress, { provider: rpc, confirmationDepth: 3, payerCheckIntervalMs: 200 });
      chains.push(c);
      return c;
    };

    it("keeps a cached-gas write due to be sent again when the recovery's read of its row fails once, and sends it once", async () => {
      // A first relayer: a write from a cached gas too low runs out of it on chain; stopped before the retry.
      const rpc = new FlakyRpc(hardhatRpc());
      const first = await run(store(), rpc);
      await first.writer.write({ method: "newAccount", args: [h("owner"), true, "owner", "", fixture().users[0].address] });
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
