/**
 * Usage API keys, setUsageApiKey: creating a key: what it resolves to, the fields and balance it
 * stores, the events it emits.
 * Rules: docs/contracts.md "Identity and aliasing" / "Who may write";
 * choices: docs/contract-behaviour.md "Who may write" / "Usage keys"; product: seed 003 (API keys).
 */
import { expect } from "chai";
import {
  addUsageKey,
  aliasOf,
  freshManagedAccount,
  HashKind,
  newApiKey,
  usageKeyArgs,
} from "../../../fixtures/support";
import { plainKey } from "../support";

describe("Usage API keys", () => {
  describe("setUsageApiKey", () => {
    it("creates a key that resolves to the account's master as a UsageKey", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master);
      const [resolved, kind] = await f.diamond.resolveApiKeyHash(key);
      expect(resolved).to.equal(master);
      expect(kind).to.equal(HashKind.UsageKey);
      expect(await f.diamond.accountExistsAndIsMutable(key)).to.equal(true);
      expect((await f.diamond.getAccount(master)).usageKeyCount).to.equal(1n);
    });

    it("stores every field given (getUsageApiKey returns them)", async () => {
      const { f, api, master } = await freshManagedAccount();
      const { hash } = newApiKey();
      await api.setUsageApiKey(
        master,
        hash,
        ...usageKeyArgs({
          expiration: 4_000_000_000n,
          balance: 777n,
          name: "dApp key",
          description: "runs price feed",
          createGroups: true,
          deleteGroups: false,
          createPKPs: true,
          manageIPFSIdsInGroups: [1, 2],
          addPkpToGroups: [3],
          removePkpFromGroups: [4, 5, 6],
          executeInGroups: [7],
        }),
      );
      expect(plainKey(await f.diamond.getUsageApiKey(master, hash))).to.deep.equal({
        metadata: { id: hash, name: "dApp key", description: "runs price feed" },
        apiKeyHash: hash,
        expiration: 4_000_000_000n,
        balance: 777n,
        executeInGroups: [7n],
        createGroups: true,
        deleteGroups: false,
        createPKPs: true,
        manageIPFSIdsInGroups: [1n, 2n],
        addPkpToGroups: [3n],
        removePkpFromGroups: [4n, 5n, 6n],
      });
    });

    it("gives the key its own balance (apiKeyBalance(key)), separate from the master's", async () => {
      const { f, master } = await freshManagedAccount();
      const key = await addUsageKey(f, master, { balance: 1234n });
      expect(await f.diamond.apiKeyBalance(key)).to.equal(1234n);
      expect(await f.diamond.apiKeyBalance(master)).to.equal(0n);
    });

    it("emits UsageApiKeySet, UsageApiKeyPermissionsSet and UsageApiKeyMetadataSet with the master hash", async () => {
      const { f, api, master } = await freshManagedAccount();
      const { hash } = newApiKey();
      const args = usageKeyArgs({
        expiration: 5_000_000_000n,
        balance: 9n,
        name: "n",
        description: "d",
        createGroups: true,
        deleteGroups: true,
        createPKPs: false,
        manageIPFSIdsInGroups: [0],
        addPkpToGroups: [2],
        removePkpFromGroups: [],
        executeInGroups: [3, 4],
      });
      await expect(api.setUsageApiKey(master, hash, ...args))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, hash)
        .and.to.emit(f.diamond, "UsageApiKeyPermissionsSet")
        .withArgs(master, hash, [5_000_000_000n, 9n, true, true, false, [0n], [2n], [], [3n, 4n]])
        .and.to.emit(f.diamond, "UsageApiKeyMetadataSet")
        .withArgs(master, hash, "n", "d");
    });

    it("emits the master hash when the admin alias of a converted account sets a key", async () => {
      const { f, master } = await freshManagedAccount();
      const admin = f.users[0];
      await f.diamond.connect(f.payer).convertToChainSecuredAccount(master, admin.address);
      const alias = aliasOf(admin.address);
      const { hash } = newApiKey();
      await expect(f.diamond.connect(admin).setUsageApiKey(alias, hash, ...usageKeyArgs()))
        .to.emit(f.diamond, "UsageApiKeySet")
        .withArgs(master, hash);
      expect((await f.diamond.resolveApiKeyHash(hash))[0]).to.equal(master);
    });
  });
});
