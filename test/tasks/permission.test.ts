/** permission:* tasks. */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { JsonObject } from "../../tasks/lib/cli";
import { CID1, CID2, fails, newManaged, newWallet, run, setup, write } from "./support";

describe("tasks: permission", () => {
  let master: { key: string; hash: string };
  let wallet: string;
  let other: string;
  let group: string;
  beforeEach(async () => {
    await setup();
    master = await newManaged("perm");
    wallet = await newWallet(master.key);
    other = await newWallet(master.key);
    group = (await run<JsonObject>("group:add", { account: master.key, cids: CID1, pkps: wallet })).groupId as string;
    await write("usage-key:set", { account: master.key, key: "scoped", execute: group });
    await write("usage-key:set", { account: master.key, key: "nothing" });
  });

  it("permission:can-execute (and --fast)", async () => {
    expect(await run("permission:can-execute", { account: "scoped", cid: CID1 })).to.equal(true);
    expect(await run("permission:can-execute", { account: "scoped", cid: CID2 })).to.equal(false);
    expect(await run("permission:can-execute", { account: "nothing", cid: CID1, fast: true })).to.equal(false);
    expect(await run("permission:can-execute", { account: master.key, cid: CID2, fast: true })).to.equal(true);
    await fails("permission:can-execute", { account: "scoped", cid: "x" }, "InvalidArgument");
  });

  it("permission:can-use-wallet (and --fast) and permission:check", async () => {
    expect(await run("permission:can-use-wallet", { account: "scoped", cid: CID1, pkp: wallet })).to.equal(true);
    expect(await run("permission:can-use-wallet", { account: "scoped", cid: CID1, pkp: other })).to.equal(false);
    expect(await run("permission:can-use-wallet", { account: "scoped", cid: CID1, pkp: wallet, fast: true })).to.equal(true);
    expect(await run("permission:check", { account: "scoped", cid: CID1, pkp: other })).to.deep.equal({ canExecute: true, canUseWallet: false });
    expect(await run("permission:check", { account: master.key, cid: CID2, pkp: other })).to.deep.equal({ canExecute: true, canUseWallet: true });
    await fails("permission:check", { account: "scoped", cid: CID1, pkp: "0x0" }, "InvalidArgument");
  });

  it("permission:groups-for-action, groups-for-action-and-wallet, any-group", async () => {
    expect(await run("permission:groups-for-action", { account: "scoped", cid: CID1 })).to.deep.equal([group]);
    expect(await run("permission:groups-for-action", { account: "scoped", cid: CID2 })).to.deep.equal([]);
    expect(await run("permission:groups-for-action-and-wallet", { account: "scoped", cid: CID1, pkp: wallet })).to.deep.equal([group]);
    expect(await run("permission:groups-for-action-and-wallet", { account: "scoped", cid: CID1, pkp: other })).to.deep.equal([]);
    expect(await run("permission:any-group", { account: "scoped", groups: `99,${group}` })).to.equal(true);
    expect(await run("permission:any-group", { account: "nothing", groups: group })).to.equal(false);
    await fails("permission:any-group", { account: "scoped", groups: "a" }, "InvalidArgument");
    expect(ethers.isAddress(wallet)).to.equal(true);
  });
});
