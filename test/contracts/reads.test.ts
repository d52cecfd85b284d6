/**
 * Paged list views (listGroups, listActions, listActionsInGroup, listPkps, listWalletsInGroup,
 * listApiKeys) and listGroupContents: page-size bounds, partitioning, past-the-end and overflow-safe
 * page numbers, unknown accounts, tuple shapes and the wildcard entries.
 * Rules: docs/contracts.md "Reads"; choices: docs/contract-behaviour.md "Reads".
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../fixtures/diamond";
import { createManagedAccount, groupIdFrom, hashText, newApiKey, usageKeyArgs } from "../fixtures/support";

const ZERO = ethers.ZeroAddress;
const PAGE_SIZE_ERROR = "pageSize: must be between 1 and 100";
const N = 7;
const HUGE_PAGES = [2n ** 255n, 2n ** 256n - 1n];

/**
 * One managed account ("reader") with N wallets, N actions, N usage keys and N groups, the first
 * of which ("big") lists every action plus the cid wildcard and every wallet plus the wallet
 * wildcard (N + 1 entries each). A second account ("other") has one group with one action and
 * wallet; a third ("empty") has one empty group and nothing else.
 */
async function populated() {
  const f = await deployDiamond();
  const api = f.diamond.connect(f.payer);
  const master = await createManagedAccount(f, "reader");
  const other = await createManagedAccount(f, "other");
  const empty = await createManagedAccount(f, "empty");

  const wallets: { pkp: string; derivation: bigint; name: string; description: string }[] = [];
  for (let i = 0; i < N; i++) {
    const w = {
      pkp: ethers.Wallet.createRandom().address,
      derivation: 0x5ead_0000n + BigInt(i + 1),
      name: `w${i}`,
      description: `wallet ${i}`,
    };
    await api.registerWalletDerivation(master, w.pkp, w.derivation, w.name, w.description);
    wallets.push(w);
  }
  const actions: { cid: bigint; name: string; description: string }[] = [];
  for (let i = 0; i < N; i++) {
    const a = { cid: hashText(`Qm-reads-${i}`), name: `a${i}`, description: `action ${i}` };
    await api.addAction(master, a.name, a.description, a.cid);
    actions.push(a);
  }
  const big = await groupIdFrom(
    f,
    api.addGroup(master, "big", "everything", [...actions.map((a) => a.cid), 0n], [...wallets.map((w) => w.pkp), ZERO]),
  );
  const groups = [big];
  for (let i = 1; i < N; i++) groups.push(await groupIdFrom(f, api.addGroup(master, `g${i}`, `group ${i}`, [], [])));
  const keys: bigint[] = [];
  for (let i = 0; i < N; i++) {
    const { hash } = newApiKey("reads");
    await api.setUsageApiKey(master, hash, ...usageKeyArgs({ name: `k${i}`, executeInGroups: [big] }));
    keys.push(hash);
  }

  const otherPkp = ethers.Wallet.createRandom().address;
  await api.registerWalletDerivation(other, otherPkp, 0x07e5_0000n, "ow", "");
  const otherGroup = await groupIdFrom(f, api.addGroup(other, "og", "", [hashText("Qm-other")], [otherPkp]));
  const emptyGroup = await groupIdFrom(f, api.addGroup(empty, "empty", "", [], []));
  return { f, api, master, other, empty, wallets, actions, big, groups, keys, otherGroup, emptyGroup };
}
type S = Awaited<ReturnType<typeof populated>>;
type Id = bigint | string;

/** A paged list view, how to identify its items, what it should hold, and how to shrink it. */
interface ListCase {
  name: string;
  /** Call the view for `hash` (a group view uses `group(s)` as its group). */
  page(s: S, hash: bigint, pageNumber: bigint | number, pageSize: bigint | number): Promise<Id[]>;
  /** The ids the reader account's list holds, in insertion order. */
  expected(s: S): Id[];
  /** The hash and (for group views) group of a list with nothing in it. */
  emptyPage(s: S, pageNumber: number, pageSize: number): Promise<Id[]>;
  /** Remove the `index`-th expected item (undefined if the list cannot shrink). */
  remove?(s: S, index: number): Promise<unknown>;
}

const CASES: ListCase[] = [
  {
    name: "listGroups",
    page: async (s, h, p, n) => (await s.f.diamond.listGroups(h, p, n)).map((x) => x.id),
    expected: (s) => s.groups,
    emptyPage: async (s, p, n) => {
      const fresh = await createManagedAccount(s.f, "fresh");
      return (await s.f.diamond.listGroups(fresh, p, n)).map((x) => x.id);
    },
    remove: (s, i) => s.api.removeGroup(s.master, s.groups[i]),
  },
  {
    name: "listActions",
    page: async (s, h, p, n) => (await s.f.diamond.listActions(h, p, n)).map((x) => x.id),
    expected: (s) => s.actions.map((a) => a.cid),
    emptyPage: async (s, p, n) => (await s.f.diamond.listActions(s.empty, p, n)).map((x) => x.id),
    remove: (s, i) => s.api.removeAction(s.master, s.actions[i].cid),
  },
  {
    name: "listActionsInGroup",
    page: async (s, h, p, n) => (await s.f.diamond.listActionsInGroup(h, s.big, p, n)).map((x) => x.id),
    expected: (s) => [...s.actions.map((a) => a.cid), 0n],
    emptyPage: async (s, p, n) => (await s.f.diamond.listActionsInGroup(s.empty, s.emptyGroup, p, n)).map((x) => x.id),
    remove: (s, i) => s.api.removeActionFromGroup(s.master, s.big, [...s.actions.map((a) => a.cid), 0n][i]),
  },
  {
    name: "listPkps",
    page: async (s, h, p, n) => (await s.f.diamond.listPkps(h, p, n)).map((x) => x.pkpId),
    expected: (s) => s.wallets.map((w) => w.pkp),
    emptyPage: async (s, p, n) => (await s.f.diamond.listPkps(s.empty, p, n)).map((x) => x.pkpId),
  },
  {
    name: "listWalletsInGroup",
    page: async (s, h, p, n) => (await s.f.diamond.listWalletsInGroup(h, s.big, p, n)).map((x) => x.pkpId),
    expected: (s) => [...s.wallets.map((w) => w.pkp), ZERO],
    emptyPage: async (s, p, n) => (await s.f.diamond.listWalletsInGroup(s.empty, s.emptyGroup, p, n)).map((x) => x.pkpId),
    remove: (s, i) => s.api.removePkpFromGroup(s.master, s.big, [...s.wallets.map((w) => w.pkp), ZERO][i]),
  },
  {
    name: "listApiKeys",
    page: async (s, h, p, n) => (await s.f.diamond.listApiKeys(h, p, n)).map((x) => x.apiKeyHash),
    expected: (s) => s.keys,
    emptyPage: async (s, p, n) => (await s.f.diamond.listApiKeys(s.empty, p, n)).map((x) => x.apiKeyHash),
    remove: (s, i) => s.api.removeUsageApiKey(s.master, s.keys[i]),
  },
];

/** Read every page of `size` until an empty one; returns the pages. */
async function allPages(c: ListCase, s: S, size: number): Promise<Id[][]> {
  const pages: Id[][] = [];
  for (let p = 0; ; p++) {
    const page = await c.page(s, s.master, p, size);
    if (page.length === 0) return pages;
    pages.push(page);
    if (p > 1000) throw new Error("paging does not terminate");
  }
}

describe("Read views", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      it("rejects pageSize 0 with InvalidRequest(\"pageSize: must be between 1 and 100\")", async () => {
        const s = await loadFixture(populated);
        await expect(c.page(s, s.master, 0, 0))
          .to.be.revertedWithCustomError(s.f.diamond, "InvalidRequest")
          .withArgs(PAGE_SIZE_ERROR);
      });

      it("rejects pageSize 101 with InvalidRequest(\"pageSize: must be between 1 and 100\")", async () => {
        const s = await loadFixture(populated);
        await expect(c.page(s, s.master, 0, 101))
          .to.be.revertedWithCustomError(s.f.diamond, "InvalidRequest")
          .withArgs(PAGE_SIZE_ERROR);
      });

      it("returns the whole set in insertion order with pageSize 100", async () => {
        const s = await loadFixture(populated);
        expect(await c.page(s, s.master, 0, 100)).to.deep.equal(c.expected(s));
      });

      it("pages of 3 partition the set with no repeats (3, 3, then the rest)", async () => {
        const s = await loadFixture(populated);
        const expected = c.expected(s);
        const pages = await allPages(c, s, 3);
        expect(pages.map((p) => p.length)).to.deep.equal([3, 3, expected.length - 6]);
        expect(pages.flat()).to.deep.equal(expected);
      });

      it("pages of 1 return each item exactly once", async () => {
        const s = await loadFixture(populated);
        const pages = await allPages(c, s, 1);
        expect(pages.every((p) => p.length === 1)).to.equal(true);
        expect(pages.flat()).to.deep.equal(c.expected(s));
      });

      it("returns [] for the first page past the end and for far pages", async () => {
        const s = await loadFixture(populated);
        const total = c.expected(s).length;
        expect(await c.page(s, s.master, Math.ceil(total / 3), 3)).to.deep.equal([]);
        expect(await c.page(s, s.master, 1, 100)).to.deep.equal([]);
        expect(await c.page(s, s.master, 1_000_000, 1)).to.deep.equal([]);
      });

      it("returns [] for a huge pageNumber (2**255, 2**256-1) without overflowing", async () => {
        const s = await loadFixture(populated);
        for (const p of HUGE_PAGES) {
          expect(await c.page(s, s.master, p, 100)).to.deep.equal([]);
          expect(await c.page(s, s.master, p, 1)).to.deep.equal([]);
        }
      });

      it("returns [] for page 0 of an empty list", async () => {
        const s = await loadFixture(populated);
        expect(await c.emptyPage(s, 0, 10)).to.deep.equal([]);
      });

      it("reverts AccountDoesNotExist(hash) for an unknown account", async () => {
        const s = await loadFixture(populated);
        const unknown = newApiKey().hash;
        await expect(c.page(s, unknown, 0, 10))
          .to.be.revertedWithCustomError(s.f.diamond, "AccountDoesNotExist")
          .withArgs(unknown);
      });

      it("answers the same for a usage key hash of the account", async () => {
        const s = await loadFixture(populated);
        expect(await c.page(s, s.keys[0], 0, 100)).to.deep.equal(c.expected(s));
      });

      if (c.remove) {
        const remove = c.remove;
        it("still partitions the remaining set after an entry is removed", async () => {
          const s = await loadFixture(populated);
          const expected = c.expected(s);
          await remove(s, 1);
          const pages = await allPages(c, s, 2);
          const flat = pages.flat();
          expect(new Set(flat.map(String)).size).to.equal(flat.length);
          expect(flat).to.have.members(expected.filter((_, i) => i !== 1));
          expect(pages.map((p) => p.length)).to.deep.equal([2, 2, 2, ...(expected.length - 1 > 6 ? [expected.length - 7] : [])]);
        });
      }
    });
  }

  describe("group views of a group that is not the account's", () => {
    const groupViews = [
      { name: "listActionsInGroup", call: (s: S, g: bigint | number) => s.f.diamond.listActionsInGroup(s.master, g, 0, 10) },
      { name: "listWalletsInGroup", call: (s: S, g: bigint | number) => s.f.diamond.listWalletsInGroup(s.master, g, 0, 10) },
      { name: "listGroupContents", call: (s: S, g: bigint | number) => s.f.diamond.listGroupContents(s.master, g) },
    ];
    for (const v of groupViews) {
      it(`${v.name} reverts GroupDoesNotExist(hash, id) for another account's group`, async () => {
        const s = await loadFixture(populated);
        await expect(v.call(s, s.otherGroup))
          .to.be.revertedWithCustomError(s.f.diamond, "GroupDoesNotExist")
          .withArgs(s.master, s.otherGroup);
      });

      it(`${v.name} reverts GroupDoesNotExist(hash, 0) for group id 0`, async () => {
        const s = await loadFixture(populated);
        await expect(v.call(s, 0)).to.be.revertedWithCustomError(s.f.diamond, "GroupDoesNotExist").withArgs(s.master, 0n);
      });

      it(`${v.name} reverts GroupDoesNotExist for a removed group`, async () => {
        const s = await loadFixture(populated);
        await s.api.removeGroup(s.master, s.big);
        await expect(v.call(s, s.big))
          .to.be.revertedWithCustomError(s.f.diamond, "GroupDoesNotExist")
          .withArgs(s.master, s.big);
      });
    }
  });

  describe("tuple shapes", () => {
    it("listGroups items are (id, name, description)", async () => {
      const s = await loadFixture(populated);
      const [first, second] = await s.f.diamond.listGroups(s.master, 0, 2);
      expect([first.id, first.name, first.description]).to.deep.equal([s.big, "big", "everything"]);
      expect([second.id, second.name, second.description]).to.deep.equal([s.groups[1], "g1", "group 1"]);
    });

    it("listActions items are (cid hash, name, description)", async () => {
      const s = await loadFixture(populated);
      const items = await s.f.diamond.listActions(s.master, 0, 100);
      expect(items.map((x) => [x.id, x.name, x.description])).to.deep.equal(
        s.actions.map((a) => [a.cid, a.name, a.description]),
      );
    });

    it("listPkps items are (derivation, pkpId, name, description)", async () => {
      const s = await loadFixture(populated);
      const items = await s.f.diamond.listPkps(s.master, 0, 100);
      expect(items.map((x) => [x.id, x.pkpId, x.name, x.description])).to.deep.equal(
        s.wallets.map((w) => [w.derivation, w.pkp, w.name, w.description]),
      );
    });

    it("listActionsInGroup shows the action metadata and the wildcard as (0, \"\", \"\")", async () => {
      const s = await loadFixture(populated);
      const items = await s.f.diamond.listActionsInGroup(s.master, s.big, 0, 100);
      expect(items.map((x) => [x.id, x.name, x.description])).to.deep.equal([
        ...s.actions.map((a) => [a.cid, a.name, a.description]),
        [0n, "", ""],
      ]);
    });

    it("listWalletsInGroup shows the wallet data and the wildcard as (0, address(0), \"\", \"\")", async () => {
      const s = await loadFixture(populated);
      const items = await s.f.diamond.listWalletsInGroup(s.master, s.big, 0, 100);
      expect(items.map((x) => [x.id, x.pkpId, x.name, x.description])).to.deep.equal([
        ...s.wallets.map((w) => [w.derivation, w.pkp, w.name, w.description]),
        [0n, ZERO, "", ""],
      ]);
    });

    it("listApiKeys items carry metadata, hash, expiration, balance and permissions", async () => {
      const s = await loadFixture(populated);
      const [k] = await s.f.diamond.listApiKeys(s.master, 0, 1);
      expect([k.metadata.id, k.metadata.name, k.metadata.description]).to.deep.equal([s.keys[0], "k0", ""]);
      expect(k.apiKeyHash).to.equal(s.keys[0]);
      expect([k.expiration, k.balance]).to.deep.equal([0n, 0n]);
      expect([k.createGroups, k.deleteGroups, k.createPKPs]).to.deep.equal([false, false, false]);
      expect([...k.executeInGroups]).to.deep.equal([s.big]);
      expect([[...k.manageIPFSIdsInGroups], [...k.addPkpToGroups], [...k.removePkpFromGroups]]).to.deep.equal([[], [], []]);
    });

    it("listGroupContents returns (metadata, cidHash[], pkpId[]) including the wildcard entries", async () => {
      const s = await loadFixture(populated);
      const c = await s.f.diamond.listGroupContents(s.master, s.big);
      expect([c.metadata.id, c.metadata.name, c.metadata.description]).to.deep.equal([s.big, "big", "everything"]);
      expect([...c.cidHash]).to.deep.equal([...s.actions.map((a) => a.cid), 0n]);
      expect([...c.pkpId]).to.deep.equal([...s.wallets.map((w) => w.pkp), ZERO]);
    });

    it("listGroupContents of an empty group has empty lists", async () => {
      const s = await loadFixture(populated);
      const c = await s.f.diamond.listGroupContents(s.empty, s.emptyGroup);
      expect([c.metadata.id, c.metadata.name]).to.deep.equal([s.emptyGroup, "empty"]);
      expect([...c.cidHash]).to.deep.equal([]);
      expect([...c.pkpId]).to.deep.equal([]);
    });

    it("listGroupContents reverts AccountDoesNotExist for an unknown account", async () => {
      const s = await loadFixture(populated);
      const unknown = newApiKey().hash;
      await expect(s.f.diamond.listGroupContents(unknown, s.big))
        .to.be.revertedWithCustomError(s.f.diamond, "AccountDoesNotExist")
        .withArgs(unknown);
    });

    it("listGroupContents answers for a usage key hash of the account", async () => {
      const s = await loadFixture(populated);
      const c = await s.f.diamond.listGroupContents(s.keys[3], s.big);
      expect(c.metadata.id).to.equal(s.big);
      expect(c.cidHash.length).to.equal(N + 1);
    });

    it("views of one account never show another account's entries", async () => {
      const s = await loadFixture(populated);
      const otherGroups = (await s.f.diamond.listGroups(s.other, 0, 100)).map((g) => g.id);
      expect(otherGroups).to.deep.equal([s.otherGroup]);
      expect((await s.f.diamond.listGroups(s.master, 0, 100)).map((g) => g.id)).not.to.include(s.otherGroup);
      expect((await s.f.diamond.listActions(s.other, 0, 100)).map((a) => a.id)).to.deep.equal([hashText("Qm-other")]);
      expect((await s.f.diamond.listPkps(s.other, 0, 100)).length).to.equal(1);
      expect(await s.f.diamond.listApiKeys(s.other, 0, 100)).to.deep.equal([]);
    });
  });

  it("the populated fixture starts from a fresh diamond (sanity for the shared fixture)", async () => {
    const s = await loadFixture(populated);
    expect(await s.f.diamond.accountCount()).to.equal(3n);
    expect(s.groups[0]).to.equal(1n);
  });
});
