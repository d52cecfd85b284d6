/** action:* and wallet:* tasks. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { cidHash } from "../../src/core";
import type { JsonObject, WriteResult } from "../../tasks/lib/cli";
import { CID1, CID2, eventNames, fails, newManaged, run, setup, write, type TaskEnv } from "./support";

describe("tasks: action", () => {
  let env: TaskEnv;
  let master: { key: string; hash: string };
  beforeEach(async () => {
    env = await setup();
    master = await newManaged("actions");
  });

  it("action:add registers a CID (hashed for the user) and prints its cidHash", async () => {
    const r = await run<WriteResult & { cidHash: string }>("action:add", { account: master.key, cid: CID1, name: "hello", description: "world" });
    expect(r.cidHash).to.equal(cidHash(CID1));
    expect(eventNames(r)).to.deep.equal(["ActionAdded", "ActionMetadataSet"]);
    const list = await env.diamond.listActions(master.hash, 0, 10);
    expect(list.map((m) => [ethers.toBeHex(m.id, 32), m.name, m.description])).to.deep.equal([[cidHash(CID1), "hello", "world"]]);
    // upsert with the hash: metadata only
    const again = await write("action:add", { account: master.hash, cid: cidHash(CID1), name: "hello2" });
    expect(eventNames(again)).to.deep.equal(["ActionMetadataSet"]);
  });

  it("action:list prints ids as cid hashes usable as --cid; action:metadata updates; action:remove unregisters", async () => {
    await write("action:add", { account: master.key, cid: CID1, name: "a" });
    await write("action:add", { account: master.key, cid: CID2, name: "b" });
    const list = await run<JsonObject[]>("action:list", { account: master.key });
    expect(list).to.deep.equal([
      { id: cidHash(CID1), name: "a", description: "" },
      { id: cidHash(CID2), name: "b", description: "" },
    ]);
    expect(await run("action:list", { account: master.key, page: "1", pageSize: "1" })).to.have.length(1);

    await write("action:metadata", { account: master.key, cid: list[1].id, name: "B", description: "bee" });
    const meta = await env.diamond.listActions(master.hash, 1, 1);
    expect([meta[0].name, meta[0].description]).to.deep.equal(["B", "bee"]);
    const noGroup = await fails("action:metadata", { account: master.key, cid: CID2, group: "77", name: "x" }, "GroupDoesNotExist");
    expect(noGroup.args).to.deep.equal({ apiKeyHash: master.hash, groupId: "77" });

    const gid = (await run<JsonObject>("group:add", { account: master.key, cids: CID1 })).groupId as string;
    const r = await write("action:remove", { account: master.key, cid: CID1 });
    expect(eventNames(r)).to.deep.equal(["ActionRemovedFromGroup", "ActionRemoved"]);
    expect((await env.diamond.listGroupContents(master.hash, gid)).cidHash).to.deep.equal([]);
    expect(await env.diamond.listActions(master.hash, 0, 10)).to.have.length(1);
    const missing = await fails("action:remove", { account: master.key, cid: CID1 }, "ActionDoesNotExist");
    expect(missing.args).to.deep.equal({ apiKeyHash: master.hash, groupId: "0", cidHash: cidHash(CID1) });
  });

  it("action errors: bad CID, usage key is not master", async () => {
    const e = await fails("action:add", { account: master.key, cid: "hello.js" }, "InvalidArgument");
    expect(e.message).to.equal('--cid: expected an IPFS CID (Qm... CIDv0 or b... base32 CIDv1) or a 0x 32-byte hash, got "hello.js"');
    await fails("action:metadata", { account: master.key, cid: CID1, group: "x" }, "InvalidArgument");
    await write("usage-key:set", { account: master.key, key: "u", manageIpfs: "0" });
    await fails("action:add", { account: "u", cid: CID1 }, "NotMasterAccount");
  });
});

describe("tasks: wallet", () => {
  let env: TaskEnv;
  let master: { key: string; hash: string };
  beforeEach(async () => {
    env = await setup();
    master = await newManaged("wallets");
  });

  it("wallet:register, wallet:derivation, wallet:list, wallet:count, wallet:at", async () => {
    const countBefore = BigInt(await run<string>("wallet:count"));
    const pkp = ethers.Wallet.createRandom().address;
    const r = await write("wallet:register", { account: master.key, pkp: pkp.toLowerCase(), derivation: "0xabc", name: "main", description: "d" });
    expect(r.events[0]).to.deep.equal({ name: "WalletDerivationRegistered", args: { apiKeyHash: master.hash, pkpId: pkp, derivationPath: "2748" } });
    expect(await env.diamond.getWalletDerivation(master.hash, pkp)).to.equal(0xabcn);

    expect(await run("wallet:derivation", { account: master.key, pkp })).to.equal("2748");
    expect(await run("wallet:derivation", { account: master.key, pkp: ethers.Wallet.createRandom().address })).to.equal("0");
    expect(await run("wallet:list", { account: master.hash })).to.deep.equal([{ id: "2748", pkpId: pkp, name: "main", description: "d" }]);
    expect(await run("wallet:list", { account: master.hash, page: "1", pageSize: "1" })).to.deep.equal([]);
    expect(await run("wallet:count")).to.equal((countBefore + 1n).toString());
    expect(await run("wallet:at", { index: countBefore.toString() })).to.equal(pkp);
    await fails("wallet:at", { index: "1000" }, "InvalidRequest");
  });

  it("wallet errors: bad address / derivation, already registered, usage key without createPKPs", async () => {
    await fails("wallet:register", { account: master.key, pkp: "0xabc", derivation: "1" }, "InvalidArgument");
    await fails("wallet:register", { account: master.key, pkp: ethers.ZeroAddress.slice(2), derivation: "one" }, "InvalidArgument");
    const pkp = ethers.Wallet.createRandom().address;
    await write("wallet:register", { account: master.key, pkp, derivation: "9" });
    const dup = await fails("wallet:register", { account: master.key, pkp, derivation: "10" }, "WalletAlreadyRegistered");
    expect(dup.args).to.deep.equal({ pkpId: pkp, ownerApiKeyHash: master.hash });
    await write("usage-key:set", { account: master.key, key: "nopkp" });
    const denied = await fails("wallet:register", { account: "nopkp", pkp: ethers.Wallet.createRandom().address, derivation: "11" }, "NotAllowedToCreatePkp");
    expect(Object.keys(denied.args as JsonObject)).to.deep.equal(["apiKeyHash"]);
    await fails("wallet:derivation", { account: master.key, pkp: "zz" }, "InvalidArgument");
    expect(env.address).to.be.a("string");
  });
});
