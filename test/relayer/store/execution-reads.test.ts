import { expect } from "chai";
import type { DecodedEvent } from "../../../src/relayer/ports";
import { litActionCid } from "../../../src/core";
import { MemoryCodeStore } from "../../../src/relayer/lit-runtime/code-store";
import { effectiveLimits } from "../../../src/relayer/lit-runtime/limits";
import { MemoryUsageRecorder } from "../../../src/relayer/lit-runtime/usage";
import { AccessControl, type Caller } from "../../../src/relayer/services/access";
import { ExecutionPermissions } from "../../../src/relayer/services/execution-permissions";
import { LitActionService } from "../../../src/relayer/services/lit-action";
import type { IndexReader } from "../../../src/relayer/ports";
import { BACKENDS } from "../support";
import { accountHash, cidHash, counting, projected, storePerSuite, toEvent, usageHash } from "./support";

// The reads of the execution pre-check (services/execution-permissions.ts, lit-action.ts): the
// caller's credential is read once per request (authorize's read; again only after the code came
// from the content store), and a group's CID wildcard is decided in the membership read, not by a
// read of the action after it (bench/results/scale.md, "Round trips per probe").

const NOW = 1_800_000_000;
const ZERO_HASH = `0x${"0".repeat(64)}`;
const CODE = "async function main() { return 1; }";

const keyPermissions = (executeInGroups: string[]): DecodedEvent => ({
  name: "UsageApiKeyPermissionsSet",
  args: {
    accountApiKeyHash: accountHash(0),
    usageApiKeyHash: usageHash(0),
    permissions: {
      expiration: "0",
      balance: "0",
      createGroups: false,
      deleteGroups: false,
      createPKPs: false,
      manageIPFSIdsInGroups: [],
      addPkpToGroups: [],
      removePkpFromGroups: [],
      executeInGroups,
    },
  },
});

// Account 0: action 1 registered, group 1 lists the CID wildcard, group 2 lists action 3 (not
// registered). Account 1: action 2 registered, group 3 lists the wildcard. Usage key 0 of account 0
// may execute in groups 1, 2 and 3 (group 3 is not its account's).
const EVENTS: DecodedEvent[] = [
  toEvent({ kind: "account", a: 0 }),
  toEvent({ kind: "account", a: 1 }),
  toEvent({ kind: "action", a: 0, c: 1 }),
  toEvent({ kind: "action", a: 1, c: 2 }),
  toEvent({ kind: "group", a: 0, g: 1 }),
  toEvent({ kind: "group", a: 0, g: 2 }),
  toEvent({ kind: "group", a: 1, g: 3 }),
  { name: "ActionAddedToGroup", args: { groupId: "1", action: ZERO_HASH } },
  toEvent({ kind: "cidIn", g: 2, c: 3 }),
  { name: "ActionAddedToGroup", args: { groupId: "3", action: ZERO_HASH } },
  toEvent({ kind: "key", a: 0, k: 0 }),
  keyPermissions(["1", "2", "3"]),
];

function litActions(index: IndexReader, codeStore = new MemoryCodeStore()): LitActionService {
  return new LitActionService({
    index,
    rootSecret: new Uint8Array(32).fill(3),
    now: () => NOW,
    codeStore,
    usage: new MemoryUsageRecorder(),
    limits: async () => effectiveLimits({}, null),
    fetchAllowList: [],
    maxConcurrency: 1,
  });
}

async function refusal(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

for (const backend of BACKENDS) {
  describe(`execution pre-check reads (${backend})`, function () {
    this.timeout(60_000);
    let caller: Caller;
    const store = storePerSuite(backend, async (s) => {
      await projected(EVENTS)(s);
      caller = await new AccessControl(s.index, () => NOW).authorize(usageHash(0));
    });

    it("refuses inline code a usage key's groups do not permit with one membership read after authorize's credential read", async () => {
      const { reader, calls } = counting(store().index);
      const err = await refusal(litActions(reader).execute(caller, { code: CODE, requestId: "r1" }));
      expect(err).to.include({ code: "NotAllowedToExecuteAction" });
      expect(calls).to.deep.equal(["groupMembership"]);
    });

    it("reads the caller's credential again when the code came from the content store", async () => {
      const codeStore = new MemoryCodeStore();
      const cid = await litActionCid(CODE);
      await codeStore.put(cid, CODE);
      const { reader, calls } = counting(store().index);
      const err = await refusal(litActions(reader, codeStore).execute(caller, { ipfsId: cid, requestId: "r2" }));
      expect(err).to.include({ code: "NotAllowedToExecuteAction" });
      expect(calls).to.deep.equal(["credential", "groupMembership"]);
    });

    it("admits an action registered to the account through its group's CID wildcard with no read after the membership read", async () => {
      const { reader, calls } = counting(store().index);
      expect(await new ExecutionPermissions(reader, { now: () => NOW }).canExecuteAction(usageHash(0), cidHash(1))).to.equal(true);
      expect(calls).to.deep.equal(["credential", "groupMembership"]);
    });

    it("refuses through the CID wildcard an action registered only to the account of another group the key names", async () => {
      const perms = new ExecutionPermissions(store().index, { now: () => NOW });
      expect(await perms.canExecuteAction(usageHash(0), cidHash(2))).to.equal(false);
    });

    it("refuses an action a group of the key lists explicitly but the account never registered only when no wildcard admits it", async () => {
      const perms = new ExecutionPermissions(store().index, { now: () => NOW });
      // Group 2 lists action 3 explicitly: admitted without registration (groupPermitsAction's explicit test).
      expect(await perms.canExecuteAction(usageHash(0), cidHash(3))).to.equal(true);
      expect(await perms.canExecuteAction(usageHash(0), cidHash(4))).to.equal(false);
    });

    it("answers from the credential rows it is given what it answers after reading them", async () => {
      const index = store().index;
      const perms = new ExecutionPermissions(index, { now: () => NOW });
      for (const hash of [usageHash(0), accountHash(0), accountHash(1), usageHash(9)]) {
        const rows = await index.credential(hash);
        for (const c of [1, 2, 3, 4]) {
          expect(await perms.canExecuteAction(hash, cidHash(c), rows), `${hash} ${c}`).to.equal(await perms.canExecuteAction(hash, cidHash(c)));
        }
      }
    });
  });
}
