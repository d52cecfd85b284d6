/** usage-key:* tasks. */
import { expect } from "chai";
import { apiKeyHash, chainSecuredHash } from "../../src/core";
import type { JsonObject, WriteResult } from "../../tasks/lib/cli";
import { eventNames, fails, newManaged, run, setup, write, type TaskEnv } from "./support";

describe("tasks: usage-key", () => {
  let env: TaskEnv;
  let master: { key: string; hash: string };
  beforeEach(async () => {
    env = await setup();
    master = await newManaged("uk");
  });

  it("usage-key:set generates a key (printed once) and sets every permission option", async () => {
    const r = await run<WriteResult & { usageApiKey: string; usageApiKeyHash: string }>("usage-key:set", {
      account: master.key,
      expiration: "2100-01-01T00:00:00Z",
      balance: "42",
      name: "ci",
      description: "for CI",
      createGroups: true,
      deleteGroups: true,
      createPkps: true,
      manageIpfs: "1,2",
      addPkp: "0x3",
      removePkp: "4",
      execute: "0",
      from: "apiPayer1",
    });
    expect(r.usageApiKey).to.have.length(44);
    expect(r.usageApiKeyHash).to.equal(apiKeyHash(r.usageApiKey));
    expect(eventNames(r)).to.deep.equal(["UsageApiKeySet", "UsageApiKeyPermissionsSet", "UsageApiKeyMetadataSet"]);
    const perms = r.events[1].args.permissions as JsonObject;
    expect(perms.manageIPFSIdsInGroups).to.deep.equal(["1", "2"]);
    expect(perms.executeInGroups).to.deep.equal(["0"]);

    const k = await env.diamond.getUsageApiKey(master.hash, r.usageApiKeyHash);
    expect(k.expiration).to.equal(4102444800n);
    expect(k.balance).to.equal(42n);
    expect(k.metadata.name).to.equal("ci");
    expect(k.metadata.description).to.equal("for CI");
    expect([k.createGroups, k.deleteGroups, k.createPKPs]).to.deep.equal([true, true, true]);
    expect(k.manageIPFSIdsInGroups).to.deep.equal([1n, 2n]);
    expect(k.addPkpToGroups).to.deep.equal([3n]);
    expect(k.removePkpFromGroups).to.deep.equal([4n]);
    expect(k.executeInGroups).to.deep.equal([0n]);

    const [resolved, kind] = await env.diamond.resolveApiKeyHash(apiKeyHash(r.usageApiKey));
    expect(resolved).to.equal(BigInt(master.hash));
    expect(kind).to.equal(2n);
  });

  it("usage-key:get and usage-key:list print the key with named fields; overwrite with --key", async () => {
    await write("usage-key:set", { account: master.hash, key: "usage-1", name: "one", execute: "5,6" });
    await write("usage-key:set", { account: master.hash, key: apiKeyHash("usage-1"), name: "uno" }); // full overwrite
    const got = await run<JsonObject>("usage-key:get", { account: master.key, key: "usage-1" });
    expect(got).to.deep.equal({
      metadata: { id: apiKeyHash("usage-1"), name: "uno", description: "" },
      apiKeyHash: apiKeyHash("usage-1"),
      expiration: "0",
      balance: "0",
      executeInGroups: [],
      createGroups: false,
      deleteGroups: false,
      createPKPs: false,
      manageIPFSIdsInGroups: [],
      addPkpToGroups: [],
      removePkpFromGroups: [],
    });
    await write("usage-key:set", { account: master.hash, key: "usage-2" });
    const list = await run<JsonObject[]>("usage-key:list", { account: master.key });
    expect(list.map((k) => k.apiKeyHash)).to.deep.equal([apiKeyHash("usage-1"), apiKeyHash("usage-2")]);
    expect(await run("usage-key:list", { account: master.key, page: "1", pageSize: "1" })).to.have.length(1);
    expect(await run("usage-key:list", { account: master.key, all: true })).to.have.length(2);
    expect(await run("usage-key:list", { account: master.key, page: "5", pageSize: 10 })).to.deep.equal([]);
    const bad = await fails("usage-key:list", { account: master.key, pageSize: "0" }, "InvalidArgument");
    expect(bad.message).to.match(/^--page-size: expected a page size 1\.\.100/);
  });

  it("usage-key:metadata and usage-key:remove", async () => {
    await write("usage-key:set", { account: master.key, key: "meta-key" });
    const m = await write("usage-key:metadata", { account: master.key, key: "meta-key", name: "renamed", description: "x" });
    expect(eventNames(m)).to.deep.equal(["UsageApiKeyMetadataSet"]);
    const k = await env.diamond.getUsageApiKey(master.hash, apiKeyHash("meta-key"));
    expect([k.metadata.name, k.metadata.description]).to.deep.equal(["renamed", "x"]);

    const r = await write("usage-key:remove", { account: master.key, key: "meta-key" });
    expect(eventNames(r)).to.include("UsageApiKeyRemoved");
    const [, kind] = await env.diamond.resolveApiKeyHash(apiKeyHash("meta-key"));
    expect(kind).to.equal(4n);
    const again = await fails("usage-key:remove", { account: master.key, key: "meta-key" }, "UsageApiKeyDoesNotExist");
    expect(again.args).to.deep.equal({ apiKeyHash: master.hash, usageApiKeyHash: apiKeyHash("meta-key") });
  });

  it("usage-key errors: bad list, duplicate ids, a usage key is not a master, ChainSecured needs its admin", async () => {
    const bad = await fails("usage-key:set", { account: master.key, execute: "1,two" }, "InvalidArgument");
    expect(bad.message).to.equal('--execute entry 2: expected a decimal or 0x-hex unsigned integer, got "two"');
    await fails("usage-key:set", { account: master.key, expiration: "soon" }, "InvalidArgument");
    const dup = await fails("usage-key:set", { account: master.key, execute: "1,1" }, "InvalidRequest");
    expect(dup.args).to.deep.equal({ message: "executeInGroups: duplicate group id" });
    await write("usage-key:set", { account: master.key, key: "child" });
    const notMaster = await fails("usage-key:set", { account: "child", key: "grandchild" }, "NotMasterAccount");
    expect(notMaster.args).to.deep.equal({ apiKeyHash: apiKeyHash("child") });

    const admin = env.users[0];
    await write("account:new-chainsecured", { from: admin.address });
    const hash = chainSecuredHash(admin.address);
    const denied = await fails("usage-key:set", { account: hash, key: "k" }, "NoAccountAccess");
    expect(denied.args).to.deep.equal({ apiKeyHash: hash, sender: env.owner.address });
    await write("usage-key:set", { account: hash, key: "k", from: admin.address });
  });
});
