import { expect } from "chai";
import { AccessControl } from "../../../src/relayer/services/access";
import { ActionService } from "../../../src/relayer/services/actions";
import type { Submitter } from "../../../src/relayer/services/submit";
import { WalletService } from "../../../src/relayer/services/wallets";
import { BACKENDS } from "../support";
import { accountHash, cidHash, counting, storePerSuite, toEvent, walletAddress } from "./support";

// The pages of a group's lists check the group's owner in the same read (IndexReader
// listActionsInGroup / listWalletsInGroup answer null for a group that is not the account's): one
// round trip on Postgres after the credential instead of two (bench/results/scale.md).

const NOW = () => 1_800_000_000;
const page = (pageNumber: number, pageSize: number) => ({ pageNumber, pageSize });

for (const backend of BACKENDS) {
  describe(`pages of a group's lists (${backend})`, function () {
    this.timeout(60_000);
    const store = storePerSuite(backend, async (s) => {
      const events = [
        toEvent({ kind: "account", a: 0 }),
        toEvent({ kind: "account", a: 1 }),
        toEvent({ kind: "action", a: 0, c: 1 }),
        toEvent({ kind: "wallet", a: 0, p: 1 }),
        toEvent({ kind: "group", a: 0, g: 1 }),
        toEvent({ kind: "group", a: 0, g: 2 }),
        toEvent({ kind: "group", a: 1, g: 3 }),
        toEvent({ kind: "cidIn", g: 1, c: 1 }),
        toEvent({ kind: "cidIn", g: 1, c: 2 }),
        toEvent({ kind: "pkpIn", g: 1, p: 1 }),
        toEvent({ kind: "pkpIn", g: 1, p: 2 }),
        toEvent({ kind: "pkpIn", g: 3, p: 3 }),
      ];
      await s.index.applyBlock(1, null, events);
    });

    it("answers a group's page with the members' metadata, a listed member unknown to the account with empty metadata", async () => {
      const actions = await store().index.listActionsInGroup(accountHash(0), "1", page(0, 10));
      expect(actions?.map((a) => a.cid)).to.deep.equal([cidHash(1), cidHash(2)]);
      expect(actions?.[1]).to.deep.equal({ account: accountHash(0), cid: cidHash(2), name: "", description: "" });
      const wallets = await store().index.listWalletsInGroup(accountHash(0), "1", page(1, 1));
      expect(wallets).to.deep.equal([{ pkp: walletAddress(2), account: accountHash(0), derivation: "0", name: "", description: "" }]);
    });

    it("answers an empty page, not null, for an own group with no member there", async () => {
      expect(await store().index.listActionsInGroup(accountHash(0), "2", page(0, 10))).to.deep.equal([]);
      expect(await store().index.listWalletsInGroup(accountHash(0), "2", page(0, 10))).to.deep.equal([]);
      expect(await store().index.listActionsInGroup(accountHash(0), "1", page(5, 10))).to.deep.equal([]);
      expect(await store().index.listWalletsInGroup(accountHash(0), "1", page(1, 2))).to.deep.equal([]);
    });

    it("answers null for another account's group and for a group that does not exist", async () => {
      expect(await store().index.listActionsInGroup(accountHash(0), "3", page(0, 10))).to.equal(null);
      expect(await store().index.listWalletsInGroup(accountHash(0), "3", page(0, 10))).to.equal(null);
      expect(await store().index.listActionsInGroup(accountHash(0), "9", page(0, 10))).to.equal(null);
      expect(await store().index.listWalletsInGroup(accountHash(0), "9", page(0, 10))).to.equal(null);
    });

    it("lists a page of a group's actions and of its wallets with one index read after the credential", async () => {
      const caller = await new AccessControl(store().index, NOW).authorize(accountHash(0));
      const submitter = {} as Submitter;
      const { reader, calls } = counting(store().index);
      const actions = await new ActionService({ index: reader, submitter }).list(caller, 1, 0, 10);
      expect(actions).to.have.length(2);
      expect(calls, "actions").to.deep.equal(["listActionsInGroup"]);
      calls.length = 0;
      const wallets = await new WalletService({ index: reader, submitter, rootSecret: new Uint8Array(32) }).listInGroup(caller, 1, 0, 10);
      expect(wallets).to.have.length(2);
      expect(calls, "wallets").to.deep.equal(["listWalletsInGroup"]);
    });

    it("answers 404 GroupDoesNotExist for a page of another account's group", async () => {
      const caller = await new AccessControl(store().index, NOW).authorize(accountHash(0));
      const submitter = {} as Submitter;
      const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => null, (e: unknown) => e);
      expect(await failure(new ActionService({ index: store().index, submitter }).list(caller, 3, 0, 10))).to.include({ code: "GroupDoesNotExist" });
      expect(
        await failure(new WalletService({ index: store().index, submitter, rootSecret: new Uint8Array(32) }).listInGroup(caller, 3, 0, 10)),
      ).to.include({ code: "GroupDoesNotExist" });
    });
  });
}
