import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployDiamond } from "../fixtures/diamond";
import { createManagedAccount, registerWallet, groupIdFrom, usageKeyArgs, newApiKey, hashText } from "../fixtures/support";

describe("AccountConfig smoke", () => {
  it("runs the seed 000 API workflow through the api payer", async () => {
    const f = await loadFixture(deployDiamond);
    const master = await createManagedAccount(f);
    const pkp = await registerWallet(f, f.payer, master);
    const cid = hashText("QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR");
    const groupId = await groupIdFrom(f, f.diamond.connect(f.payer).addGroup(master, "g", "", [cid], [pkp]));
    const usage = newApiKey();
    await f.diamond.connect(f.payer).setUsageApiKey(master, usage.hash, ...usageKeyArgs({ executeInGroups: [groupId] }));
    expect(await f.diamond.canExecuteAction(usage.hash, cid)).to.equal(true);
    expect(await f.diamond.canUseWalletInAction(usage.hash, cid, pkp)).to.equal(true);
    expect(await f.diamond.groupIdsForAction(usage.hash, cid)).to.deep.equal([groupId]);
    const keys = await f.diamond.listApiKeys(master, 0, 10);
    expect(keys.length).to.equal(1);
    expect(keys[0].executeInGroups).to.deep.equal([groupId]);
  });
});
