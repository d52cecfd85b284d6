/** group:* tasks. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { ZeroAddress } from "ethers";
import { apiKeyHash, cidHash } from "../../src/core";
import type { JsonObject, WriteResult } from "../../tasks/lib/cli";
import { CID1, CID2, CID3, CIDV1, eventNames, fails, newManaged, newWallet, run, setup, write, type TaskEnv } from "./support";

describe("tasks: group", () => {
  let env: TaskEnv;
  let master: { key: string; hash: string };
  beforeEach(async () => {
    env = await setup();
    master = await newManaged("groups");
  });

  async function addGroup(args: Record<string, unknown> = {}): Promise<string> {
    const r = await run<WriteResult & { groupId: string }>("group:add", { account: master.key, name: "g", ...args });
    return r.groupId;
  }

  it("group:add hashes raw CIDs, accepts 0x hashes and wallets, and prints the groupId", async () => {
    const w1 = await newWallet(master.key);
    const r = await run<WriteResult & { groupId: string }>("group:add", {
      account: master.key,
      name: "ops",
      description: "ops group",
      cids: `${CID1}, ${cidHash(CID2)},${CIDV1}`,
      pkps: w1.toLowerCase(),
      from: "apiPayer1",
    });
    expect(r.groupId).to.match(/^[1-9][0-9]*$/);
    expect(eventNames(r)).to.include.members(["GroupAdded", "GroupMetadataSet", "ActionAddedToGroup", "PkpAddedToGroup"]);
    const c = await env.diamond.listGroupContents(master.hash, r.groupId);
    expect(c.metadata.name).to.equal("ops");
    expect(c.metadata.description).to.equal("ops group");
    expect(c.cidHash.map((h) => ethers.toBeHex(h, 32))).to.deep.equal([cidHash(CID1), cidHash(CID2), cidHash(CIDV1)]);
    expect(c.pkpId).to.deep.equal([w1]);

    const contents = await run<JsonObject>("group:contents", { account: master.hash, group: r.groupId });
    expect(contents).to.deep.equal({
      metadata: { id: r.groupId, name: "ops", description: "ops group" },
      cidHash: [cidHash(CID1), cidHash(CID2), cidHash(CIDV1)],
      pkpId: [w1],
    });
  });

  it("group:add by a usage key without createGroups reverts with NotAllowedToCreateGroup", async () => {
    await write("usage-key:set", { account: master.key, key: "weak" });
    const e = await fails("group:add", { account: "weak", name: "x" }, "NotAllowedToCreateGroup");
    expect(e.args).to.deep.equal({ apiKeyHash: apiKeyHash("weak") });
    await write("usage-key:set", { account: master.key, key: "strong", createGroups: true });
    const r = await write("group:add", { account: "strong", name: "y" });
    // events carry the master hash
    expect(r.events.find((ev) => ev.name === "GroupAdded")?.args.apiKeyHash).to.equal(master.hash);
  });

  it("group options are validated before sending: bad group id, bad CID, bad address", async () => {
    const g = await fails("group:remove", { account: master.key, group: "abc" }, "InvalidArgument");
    expect(g.message).to.equal('--group: expected a decimal or 0x-hex group id, got "abc"');
    await fails("group:remove", { account: master.key, group: "0" }, "InvalidArgument");
    const c = await fails("group:add", { account: master.key, cids: `${CID1},QmNotACid` }, "InvalidArgument");
    expect(c.message).to.equal(
      '--cids entry 2: expected an IPFS CID (Qm... CIDv0 or b... base32 CIDv1) or a 0x 32-byte hash, got "QmNotACid"',
    );
    const p = await fails("group:add", { account: master.key, pkps: "0x123" }, "InvalidArgument");
    expect(p.message).to.equal('--pkps entry 1: expected a 20-byte hex address (0x optional), got "0x123"');
    await fails("group:add-action", { account: master.key, group: "1", cid: "nope" }, "InvalidArgument");
    await fails("group:add-pkp", { account: master.key, group: "1", pkp: "nope" }, "InvalidArgument");
    const missing = await fails("group:remove", { account: master.key, group: "0x99" }, "GroupDoesNotExist");
    expect(missing.args).to.deep.equal({ apiKeyHash: master.hash, groupId: "153" });
  });

  it("group:update replaces lists; group:metadata renames; group:remove deletes", async () => {
    const w1 = await newWallet(master.key);
    const w2 = await newWallet(master.key);
    const id = await addGroup({ cids: CID1, pkps: w1 });
    const u = await write("group:update", { account: master.key, group: id, name: "new", description: "nd", cids: `${CID2},0`, pkps: `${w2},*` });
    expect(eventNames(u)).to.include.members(["GroupUpdated", "GroupMetadataSet", "ActionRemovedFromGroup", "PkpRemovedFromGroup"]);
    let c = await env.diamond.listGroupContents(master.hash, id);
    expect(c.metadata.name).to.equal("new");
    expect(c.cidHash).to.deep.equal([BigInt(cidHash(CID2)), 0n]);
    expect(c.pkpId).to.deep.equal([w2, ZeroAddress]);

    await write("group:metadata", { account: master.hash, group: id, name: "renamed", description: "rd" });
    c = await env.diamond.listGroupContents(master.hash, id);
    expect([c.metadata.name, c.metadata.description]).to.deep.equal(["renamed", "rd"]);

    await write("usage-key:set", { account: master.key, key: "u" });
    await fails("group:metadata", { account: "u", group: id, name: "z" }, "NotMasterAccount");

    const r = await write("group:remove", { account: master.key, group: `0x${BigInt(id).toString(16)}` });
    expect(eventNames(r)).to.include("GroupRemoved");
    expect(await env.diamond.listGroups(master.hash, 0, 100)).to.deep.equal([]);
  });

  it("group:add-action / remove-action / add-pkp / remove-pkp", async () => {
    const w = await newWallet(master.key);
    const id = await addGroup();
    const a = await write("group:add-action", { account: master.key, group: id, cid: CID3 });
    expect(a.events.find((e) => e.name === "ActionAddedToGroup")).to.deep.equal({
      name: "ActionAddedToGroup",
      args: { apiKeyHash: master.hash, groupId: id, action: cidHash(CID3) },
    });
    expect((await env.diamond.listGroupContents(master.hash, id)).cidHash).to.deep.equal([BigInt(cidHash(CID3))]);
    const again = await write("group:add-action", { account: master.key, group: id, cid: cidHash(CID3) });
    expect(again.events).to.deep.equal([]); // idempotent
    await write("group:remove-action", { account: master.key, group: id, cid: CID3 });
    expect((await env.diamond.listGroupContents(master.hash, id)).cidHash).to.deep.equal([]);
    const gone = await fails("group:remove-action", { account: master.key, group: id, cid: CID3 }, "ActionDoesNotExist");
    expect(gone.args).to.deep.equal({ apiKeyHash: master.hash, groupId: id, cidHash: cidHash(CID3) });

    const p = await write("group:add-pkp", { account: master.key, group: id, pkp: w.slice(2) });
    expect(p.events).to.deep.equal([{ name: "PkpAddedToGroup", args: { apiKeyHash: master.hash, groupId: id, pkpId: w } }]);
    expect((await env.diamond.listGroupContents(master.hash, id)).pkpId).to.deep.equal([w]);
    await write("group:remove-pkp", { account: master.key, group: id, pkp: w });
    expect((await env.diamond.listGroupContents(master.hash, id)).pkpId).to.deep.equal([]);
    const stranger = ethers.Wallet.createRandom().address;
    const e = await fails("group:add-pkp", { account: master.key, group: id, pkp: stranger }, "PkpDoesNotExist");
    expect(e.args).to.deep.equal({ apiKeyHash: master.hash, groupId: id, pkpId: stranger });
  });

  it("group:list, group:actions and group:wallets page through the account's groups", async () => {
    const w = await newWallet(master.key);
    await write("action:add", { account: master.key, cid: CID1, name: "hello", description: "hi" });
    const g1 = await addGroup({ name: "one", cids: CID1, pkps: w });
    const g2 = await addGroup({ name: "two" });
    expect(await run("group:list", { account: master.key })).to.deep.equal([
      { id: g1, name: "one", description: "" },
      { id: g2, name: "two", description: "" },
    ]);
    expect(await run("group:list", { account: master.key, page: "1", pageSize: "1" })).to.deep.equal([{ id: g2, name: "two", description: "" }]);
    expect(await run("group:list", { account: master.key, all: true })).to.have.length(2);
    expect(await run("group:actions", { account: master.key, group: g1 })).to.deep.equal([
      { id: cidHash(CID1), name: "hello", description: "hi" },
    ]);
    const wallets = await run<JsonObject[]>("group:wallets", { account: master.key, group: g1 });
    expect(wallets).to.have.length(1);
    expect(wallets[0].pkpId).to.equal(w);
    expect(wallets[0].name).to.equal("w");
    expect(await run("group:wallets", { account: master.key, group: g2 })).to.deep.equal([]);
    await fails("group:list", { account: "nobody" }, "AccountDoesNotExist");
  });
});
