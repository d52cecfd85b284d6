import { expect } from "chai";
import type { DecodedEvent } from "../../../src/relayer/ports";
import { AccessControl } from "../../../src/relayer/services/access";
import { ExecutionPermissions } from "../../../src/relayer/services/execution-permissions";
import type { Submitter } from "../../../src/relayer/services/submit";
import { UsageKeyService } from "../../../src/relayer/services/usage-keys";
import { BACKENDS } from "../support";
import { accountHash, counting, projected, storePerSuite, toEvent, usageHash, walletAddress } from "./support";

// IndexReader.credential: what resolve, account and usageKey answer for a hash, in one read (one
// round trip on Postgres), and the services' authorization reading it once per request
// (bench/results/scale.md: the pre-checks' latency on Postgres is their count of round trips).

const ALIAS = `0x${"a1".repeat(32)}`;
const ORPHAN = `0x${"0b".repeat(32)}`;
const UNKNOWN = `0x${"ee".repeat(32)}`;

const EVENTS: DecodedEvent[] = [
  toEvent({ kind: "account", a: 0 }),
  toEvent({ kind: "meta", a: 0, name: "first" }),
  toEvent({ kind: "key", a: 0, k: 0 }),
  toEvent({ kind: "credit", k: 0, amount: 42 }),
  toEvent({ kind: "key", a: 0, k: 1 }),
  toEvent({ kind: "keyGone", a: 0, k: 1 }),
  toEvent({ kind: "key", a: 0, k: 2 }),
  {
    name: "UsageApiKeyPermissionsSet",
    args: {
      accountApiKeyHash: accountHash(0),
      usageApiKeyHash: usageHash(2),
      permissions: {
        expiration: "0",
        balance: "0",
        createGroups: true,
        deleteGroups: false,
        createPKPs: true,
        manageIPFSIdsInGroups: ["3"],
        addPkpToGroups: ["0"],
        removePkpFromGroups: [],
        executeInGroups: ["1", "2"],
      },
    },
  },
  { name: "AdminAliasBound", args: { aliasHash: ALIAS, masterApiKeyHash: accountHash(0) } },
  // An alias bound to a master the index holds no account for.
  { name: "AdminAliasBound", args: { aliasHash: ORPHAN, masterApiKeyHash: accountHash(7) } },
];

for (const backend of BACKENDS) {
  describe(`index credential read (${backend})`, function () {
    this.timeout(60_000);
    const store = storePerSuite(backend, projected(EVENTS));

    it("answers for every kind of hash what resolve, account and usageKey answer one by one", async () => {
      const index = store().index;
      for (const hash of [accountHash(0), usageHash(0), usageHash(1), usageHash(2), ALIAS, ORPHAN, UNKNOWN, walletAddress(1)]) {
        const binding = await index.resolve(hash);
        const expected =
          binding === null
            ? null
            : {
                binding,
                account: await index.account(binding.master),
                usageKey: binding.kind === "UsageKey" ? await index.usageKey(hash) : null,
              };
        expect(await index.credential(hash), hash).to.deep.equal(expected);
      }
    });

    it("gives a usage key its permissions and balance, and a removed one no binding", async () => {
      const index = store().index;
      const key = await index.credential(usageHash(2));
      expect(key?.usageKey).to.include({ createGroups: true, deleteGroups: false, createPKPs: true });
      expect(key?.usageKey?.executeInGroups).to.deep.equal(["1", "2"]);
      expect((await index.credential(usageHash(0)))?.usageKey?.balance).to.equal("42");
      expect(await index.credential(usageHash(1))).to.equal(null);
      expect((await index.credential(ORPHAN))?.account).to.equal(null);
    });

    it("authorizes a usage key with one read of the index", async () => {
      const { reader, calls } = counting(store().index);
      const caller = await new AccessControl(reader, () => 1_800_000_000).authorize(usageHash(2));
      expect(caller.usageKey?.executeInGroups).to.deep.equal(["1", "2"]);
      expect(calls).to.deep.equal(["credential"]);
    });

    it("checks the usage key a remove, update or metadata update names with one read of the index", async () => {
      const caller = await new AccessControl(store().index, () => 1_800_000_000).authorize(accountHash(0));
      const sent: string[] = [];
      const submitter = { billedCall: async (method: string) => void sent.push(method) } as unknown as Submitter;
      const { reader, calls } = counting(store().index);
      const keys = new UsageKeyService({ index: reader, submitter, rootSecret: new Uint8Array(32) });
      await keys.remove(caller, usageHash(2), {});
      expect(calls, "remove").to.deep.equal(["credential"]);
      calls.length = 0;
      await keys.updateMetadata(caller, usageHash(2), "n", "d", {});
      expect(calls, "updateMetadata").to.deep.equal(["credential"]);
      calls.length = 0;
      const perms = { name: "k", description: "", canCreateGroups: false, canDeleteGroups: false, canCreatePkps: false, manageIpfsIdsInGroups: [], addPkpToGroups: [], removePkpFromGroups: [], executeInGroups: [] };
      await keys.update(caller, usageHash(0), perms, {});
      expect(calls, "update").to.deep.equal(["credential"]);
      expect(sent).to.deep.equal(["removeUsageApiKey", "updateUsageApiKeyMetadata", "setUsageApiKey"]);
    });

    it("answers 404 for a removed usage key, a master hash and an unknown hash named by a remove", async () => {
      const caller = await new AccessControl(store().index, () => 1_800_000_000).authorize(accountHash(0));
      const submitter = { billedCall: async () => undefined } as unknown as Submitter;
      const keys = new UsageKeyService({ index: store().index, submitter, rootSecret: new Uint8Array(32) });
      for (const hash of [usageHash(1), accountHash(0), UNKNOWN, ALIAS]) {
        const err = await keys.remove(caller, hash, {}).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, hash).to.include({ code: "UsageApiKeyDoesNotExist" });
      }
    });

    it("finds a usage key's execution scope with one read of the index", async () => {
      const { reader, calls } = counting(store().index);
      const scope = await new ExecutionPermissions(reader, { now: () => 1_800_000_000 }).scope(usageHash(2));
      expect(scope.scope).to.equal("Groups");
      expect(calls).to.deep.equal(["credential"]);
    });

    // The group lists are parsed once per distinct text and shared between reads (index-queries.ts).
    it("answers a usage key's new group lists once its permissions change, and lists no reader can alter", async () => {
      const index = store().index;
      const before = (await index.credential(usageHash(2)))?.usageKey;
      expect(before?.executeInGroups).to.deep.equal(["1", "2"]);
      expect(() => (before?.executeInGroups as string[]).push("9")).to.throw(TypeError);
      expect((await index.usageKey(usageHash(2)))?.executeInGroups).to.deep.equal(["1", "2"]);
      const changed: DecodedEvent = {
        name: "UsageApiKeyPermissionsSet",
        args: {
          accountApiKeyHash: accountHash(0),
          usageApiKeyHash: usageHash(2),
          permissions: {
            expiration: "0",
            balance: "0",
            createGroups: true,
            deleteGroups: false,
            createPKPs: true,
            manageIPFSIdsInGroups: ["3"],
            addPkpToGroups: ["0"],
            removePkpFromGroups: ["3"],
            executeInGroups: ["2", "5"],
          },
        },
      };
      expect(await index.projection.applyBlock(2, null, null, [changed], { journal: false })).to.equal("applied");
      const after = (await index.credential(usageHash(2)))?.usageKey;
      expect(after?.executeInGroups).to.deep.equal(["2", "5"]);
      expect(after?.removePkpFromGroups).to.deep.equal(["3"]);
      expect(after?.manageIPFSIdsInGroups).to.deep.equal(["3"]);
    });
  });
}
