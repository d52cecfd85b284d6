/** account:* tasks against the hardhat-deploy diamond. */
import { expect } from "chai";
import { ethers } from "hardhat";
import { apiKeyHash, chainSecuredHash } from "../../src/core";
import type { JsonObject, WriteResult } from "../../tasks/lib/cli";
import { eventNames, fails, hex32, indexOf, newManaged, run, setup, write, type TaskEnv } from "./support";

describe("tasks: account", () => {
  let env: TaskEnv;
  beforeEach(async () => {
    env = await setup();
  });

  it("account:new generates a key, prints it once with its hash, and creates a managed account", async () => {
    const r = await run<WriteResult & { apiKey: string; apiKeyHash: string; managed: boolean; admin: string }>("account:new", {
      name: "acme",
      description: "d",
      from: "apiPayer1",
    });
    expect(r.apiKey).to.have.length(44);
    expect(r.apiKeyHash).to.equal(apiKeyHash(r.apiKey));
    expect(r.managed).to.equal(true);
    expect(r.admin).to.equal(env.payer.address);
    expect(eventNames(r)).to.deep.equal(["AccountCreated", "AccountMetadataSet"]);
    expect(r.events[0].args).to.deep.equal({ apiKeyHash: r.apiKeyHash, admin: env.payer.address, managed: true });
    expect(r.tx).to.match(/^0x[0-9a-f]{64}$/);
    expect(r.block).to.be.a("number");
    expect(BigInt(r.gasUsed)).to.be.greaterThan(0n);
    const info = await env.diamond.getAccount(r.apiKeyHash);
    expect(info.name).to.equal("acme");
    expect(info.description).to.equal("d");
    expect(info.managed).to.equal(true);
    expect(await env.diamond.accountExists(apiKeyHash(r.apiKey))).to.equal(true);
  });

  it("account:new with --api-key uses that key and does not echo it; --unmanaged --admin creates a ChainSecured account", async () => {
    const admin = env.users[0].address;
    const r = await run<JsonObject>("account:new", { apiKey: "my own key", unmanaged: true, admin });
    expect(r.apiKey).to.equal(undefined);
    expect(r.apiKeyHash).to.equal(apiKeyHash("my own key"));
    expect(r.managed).to.equal(false);
    const info = await env.diamond.getAccount(apiKeyHash("my own key"));
    expect(info.managed).to.equal(false);
    expect(info.adminWalletAddress).to.equal(admin);
    // the admin alias resolves to the account
    const [master, kind] = await env.diamond.resolveApiKeyHash(chainSecuredHash(admin));
    expect(hex32(master)).to.equal(apiKeyHash("my own key"));
    expect(kind).to.equal(3n);
  });

  it("account:new by an unprivileged signer reverts with OnlyApiPayerOrOwner; a bad --admin is InvalidArgument", async () => {
    const e = await fails("account:new", { from: indexOf(env, env.users[0]) }, "OnlyApiPayerOrOwner");
    expect(e.args).to.deep.equal({ caller: env.users[0].address });
    const bad = await fails("account:new", { admin: "0xnope" }, "InvalidArgument");
    expect(bad.message).to.equal('--admin: expected a 20-byte hex address (0x optional), got "0xnope"');
    await fails("account:new", { apiKey: "0x12" }, "InvalidArgument");
    await write("account:new", { apiKey: "dup" });
    const dup = await fails("account:new", { apiKey: "dup" }, "AccountAlreadyExists");
    expect(dup.args).to.deep.equal({ apiKeyHash: apiKeyHash("dup") });
  });

  it("account:new-chainsecured creates the signer's own account", async () => {
    const user = env.users[1];
    const r = await run<JsonObject>("account:new-chainsecured", { name: "mine", from: user.address.toLowerCase() });
    expect(r.apiKeyHash).to.equal(chainSecuredHash(user.address));
    expect(r.admin).to.equal(user.address);
    const info = await env.diamond.getAccount(chainSecuredHash(user.address));
    expect(info.managed).to.equal(false);
    expect(info.adminWalletAddress).to.equal(user.address);
    expect(info.name).to.equal("mine");
  });

  it("account:convert turns a managed account into a ChainSecured one", async () => {
    const { key, hash } = await newManaged();
    const admin = env.users[2].address;
    const r = await write("account:convert", { account: key, admin: admin.slice(2).toLowerCase() });
    expect(eventNames(r)).to.include("AccountConvertedToChainSecured");
    expect(r.adminAliasHash).to.equal(chainSecuredHash(admin));
    const info = await env.diamond.getAccount(hash);
    expect(info.managed).to.equal(false);
    expect(info.adminWalletAddress).to.equal(admin);
    const again = await fails("account:convert", { account: hash, admin }, "InvalidRequest");
    expect(again.args).to.deep.equal({ message: "account is already ChainSecured" });
  });

  it("account:transfer moves a ChainSecured account to a new admin (only the admin may)", async () => {
    const [a, b, c] = env.users;
    await write("account:new-chainsecured", { from: indexOf(env, a) });
    const hash = chainSecuredHash(a.address);
    const denied = await fails("account:transfer", { account: hash, to: b.address, from: indexOf(env, c) }, "NoAccountAccess");
    expect(denied.args).to.deep.equal({ apiKeyHash: hash, sender: c.address });
    const r = await write("account:transfer", { account: hash, to: b.address, from: indexOf(env, a) });
    expect(eventNames(r)).to.include("ChainSecuredAccountOwnershipTransferred");
    const ev = r.events.find((e) => e.name === "ChainSecuredAccountOwnershipTransferred");
    expect(ev?.args).to.deep.equal({ masterApiKeyHash: hash, previousAdminWalletAddress: a.address, newAdminWalletAddress: b.address });
    expect((await env.diamond.getAccount(hash)).adminWalletAddress).to.equal(b.address);
    await fails("account:transfer", { account: hash, to: "not-an-address", from: indexOf(env, b) }, "InvalidArgument");
  });

  it("account:exists, get, resolve, wallet-address accept the key text or its hash", async () => {
    const { key, hash } = await newManaged("lookup");
    expect(await run("account:exists", { account: key })).to.equal(true);
    expect(await run("account:exists", { account: hash })).to.equal(true);
    expect(await run("account:exists", { account: "unknown" })).to.equal(false);

    const info = await run<JsonObject>("account:get", { account: key });
    expect(info).to.deep.equal({
      masterApiKeyHash: hash,
      managed: true,
      adminWalletAddress: env.owner.address,
      name: "lookup",
      description: "",
      groupCount: "0",
      actionCount: "0",
      walletCount: "0",
      usageKeyCount: "0",
      masterIsAdminAlias: false,
      masterWallet: ethers.ZeroAddress,
    });
    const missing = await fails("account:get", { account: "nobody" }, "AccountDoesNotExist");
    expect(missing.args).to.deep.equal({ apiKeyHash: apiKeyHash("nobody") });

    expect(await run("account:resolve", { account: key })).to.deep.equal({ apiKeyHash: hash, master: hash, kind: "Master" });
    expect(await run("account:resolve", { account: "x" })).to.deep.equal({ apiKeyHash: apiKeyHash("x"), master: hex32(0n), kind: "None" });
    expect(await run("account:wallet-address", { account: hash })).to.equal(await env.diamond.getAccountWalletAddress(hash));
  });

  it("account:writable answers for the signer; account:exists for anyone", async () => {
    const [admin, stranger] = env.users;
    await write("account:new-chainsecured", { name: "mine", from: indexOf(env, admin) });
    const alias = chainSecuredHash(admin.address);
    expect(await run("account:writable", { account: alias, from: indexOf(env, admin) })).to.equal(true);
    expect(await run("account:writable", { account: alias, from: indexOf(env, stranger) })).to.equal(false);
    expect(await run("account:writable", { account: alias })).to.equal(false); // signer 0, the owner: no authority here
    expect(await run("account:exists", { account: alias, from: indexOf(env, stranger) })).to.equal(true);
    const { hash } = await newManaged("api mode");
    expect(await run("account:writable", { account: hash, from: "apiPayer1" })).to.equal(true);
    expect(await run("account:writable", { account: hash, from: indexOf(env, stranger) })).to.equal(false);
  });

  it("account:reclaim-alias takes the signer's alias back from a squatting usage key", async () => {
    const victim = env.users[2];
    const { hash } = await newManaged("squatter");
    const alias = chainSecuredHash(victim.address);
    await write("usage-key:set", { account: hash, key: alias });
    const r = await run<WriteResult & { aliasHash: string }>("account:reclaim-alias", { from: indexOf(env, victim) });
    expect(r.aliasHash).to.equal(alias);
    expect(eventNames(r)).to.deep.equal(["UsageApiKeyRemoved", "AddressAliasReclaimed"]);
    expect(await run("account:resolve", { account: alias })).to.deep.equal({ apiKeyHash: alias, master: hex32(0n), kind: "RemovedUsageKey" });
    // a wallet whose alias is free just reserves it
    expect(eventNames(await write("account:reclaim-alias", { from: indexOf(env, env.users[3]) }))).to.deep.equal(["AddressAliasReclaimed"]);
    await write("account:new-chainsecured", { from: indexOf(env, victim) });
    const owned = await fails("account:reclaim-alias", { from: indexOf(env, victim) }, "AccountAlreadyExists");
    expect(owned.args).to.deep.equal({ apiKeyHash: alias });
  });

  it("account:count and account:at enumerate accounts", async () => {
    const before = BigInt(await run<string>("account:count"));
    const { hash } = await newManaged();
    expect(await run("account:count")).to.equal((before + 1n).toString());
    expect(await run("account:at", { index: before.toString() })).to.equal(hash);
    expect(await run("account:at", { index: `0x${before.toString(16)}` })).to.equal(hash);
    const oob = await fails("account:at", { index: "999" }, "InvalidRequest");
    expect(oob.args).to.deep.equal({ message: "index: out of range" });
    await fails("account:at", { index: "-1" }, "InvalidArgument");
    expect(ethers.isAddress(env.address)).to.equal(true);
  });
});
