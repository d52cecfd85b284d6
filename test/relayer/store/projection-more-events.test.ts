import { expect } from "chai";
import fc from "fast-check";
import type { DecodedEvent } from "../../../src/relayer/ports";
import type { Store } from "../../../src/relayer/store";
import { seeded } from "../../fixtures/seed";
import { BACKENDS, makeStore, skipUnlessAvailable, type TestStore } from "../support";
import { accountHash, blockHash, cidHash, dumpIndex, eventSpecArb, toEvent, usageHash, walletAddress } from "./support";

// The projection's property tests draw their events from eventSpecArb, which never produces the
// events that only update columns of an existing row (usage key permissions and metadata, wallet
// and action metadata, conversions, ownership, master wallets) nor the bindings of aliases and
// the configuration. Those are the writes the merged write queue (store/projection/write-queue.ts)
// reorders most ("set" batches moved ahead of appends and deletes of other rows), on rows a
// removal may have just deleted or a re-add just recreated. Mixed with the base events, every
// path must leave the same index: journaled blocks, unjournaled blocks, several blocks per
// transaction (applyOldBlocks), and the undo of journaled blocks.

const name = fc.constantFrom("", "n", "it's", "$1 '$2'");
const a = fc.integer({ min: 0, max: 1 });
const k = fc.integer({ min: 0, max: 2 });
const p = fc.integer({ min: 0, max: 2 });
const c = fc.integer({ min: 0, max: 2 });
const g = fc.integer({ min: 1, max: 3 });
const admin = fc.integer({ min: 90, max: 92 }).map((i) => walletAddress(i));
const groups = fc.array(g.map(String), { maxLength: 2 });

const permissions = fc.record({
  expiration: fc.constantFrom("0", "1700000000"),
  balance: fc.nat(50).map(String),
  createGroups: fc.boolean(),
  deleteGroups: fc.boolean(),
  createPKPs: fc.boolean(),
  manageIPFSIdsInGroups: groups,
  addPkpToGroups: groups,
  removePkpFromGroups: groups,
  executeInGroups: groups,
});

const extraEventArb: fc.Arbitrary<DecodedEvent> = fc.oneof(
  fc.record({ k, permissions }).map(({ k, permissions }) => ({
    name: "UsageApiKeyPermissionsSet",
    args: { usageApiKeyHash: usageHash(k), permissions },
  })),
  fc.record({ k, name }).map(({ k, name }) => ({
    name: "UsageApiKeyMetadataSet",
    args: { usageApiKeyHash: usageHash(k), name, description: "d" },
  })),
  fc.record({ p, name }).map(({ p, name }) => ({ name: "WalletMetadataSet", args: { pkpId: walletAddress(p), name, description: "" } })),
  fc.record({ a, c, name }).map(({ a, c, name }) => ({
    name: "ActionMetadataSet",
    args: { apiKeyHash: accountHash(a), actionHash: cidHash(c), name, description: "d" },
  })),
  fc.record({ a, admin }).map(({ a, admin }) => ({
    name: "AccountConvertedToChainSecured",
    args: { apiKeyHash: accountHash(a), newAdminWalletAddress: admin },
  })),
  fc.record({ a, p }).map(({ a, p }) => ({ name: "MasterWalletSet", args: { masterApiKeyHash: accountHash(a), wallet: walletAddress(p) } })),
  fc.record({ a, admin }).map(({ a, admin }) => ({
    name: "ChainSecuredAccountOwnershipTransferred",
    args: { masterApiKeyHash: accountHash(a), newAdminWalletAddress: admin },
  })),
  // An admin alias and a reclaimed address alias land on usage key hashes too (one bindings row per hash).
  fc.record({ a, k }).map(({ a, k }) => ({ name: "AdminAliasBound", args: { aliasHash: usageHash(k), masterApiKeyHash: accountHash(a) } })),
  k.map((k) => ({ name: "AddressAliasReclaimed", args: { aliasHash: usageHash(k) } })),
  admin.map((owner) => ({ name: "OwnershipTransferred", args: { previousOwner: walletAddress(0), newOwner: owner } })),
  fc.array(admin, { maxLength: 2 }).map((payers) => ({ name: "ApiPayersUpdated", args: { newApiPayers: payers } })),
);

const eventArb: fc.Arbitrary<DecodedEvent> = fc.oneof(eventSpecArb(["", "x"]).map(toEvent), extraEventArb);
const blocksArb = fc.array(fc.array(eventArb, { maxLength: 14 }), { minLength: 1, maxLength: 6 });

async function applyEach(store: Store, blocks: DecodedEvent[][], journal: boolean): Promise<Record<string, unknown[]>[]> {
  await store.index.projection.reset(1);
  const dumps = [await dumpIndex(store)];
  for (let i = 0; i < blocks.length; i++) {
    const n = i + 1;
    const outcome = await store.index.projection.applyBlock(n, blockHash("m", n), n === 1 ? null : blockHash("m", n - 1), blocks[i], {
      journal,
    });
    expect(outcome, `block ${n}`).to.equal("applied");
    dumps.push(await dumpIndex(store));
  }
  return dumps;
}

for (const backend of BACKENDS) {
  describe(`index projection: column updates, aliases and configuration mixed in (${backend})`, function () {
    this.timeout(300_000);
    let ts: TestStore | null = null;

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      ts = await makeStore(backend);
    });

    afterEach(async () => {
      await ts?.cleanup();
      ts = null;
    });

    it("leaves the same index journaled, unjournaled and several blocks per transaction, and undoes to any block", async () => {
      const store = (ts as TestStore).store;
      await fc.assert(
        fc.asyncProperty(blocksArb, fc.nat(6), fc.nat(), async (blocks, cut, pick) => {
          const journaled = await applyEach(store, blocks, true);
          const final = journaled[journaled.length - 1];
          const back = pick % blocks.length;
          await store.index.projection.undoTo(back);
          expect(await dumpIndex(store), `undone to ${back}`).to.deep.equal(journaled[back]);

          expect((await applyEach(store, blocks, false)).at(-1), "unjournaled").to.deep.equal(final);

          await store.index.projection.reset(1);
          const old = blocks.map((events, i) => ({ number: i + 1, hash: blockHash("m", i + 1), events }));
          const split = Math.min(cut, old.length);
          await store.index.projection.applyOldBlocks(old.slice(0, split));
          await store.index.projection.applyOldBlocks(old);
          expect(await dumpIndex(store), "several blocks per transaction").to.deep.equal(final);
        }),
        seeded(backend === "postgres" ? 30 : 60),
      );
    });
  });
}
