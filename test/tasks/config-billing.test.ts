/** config:*, billing:* and diamond:* tasks. */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { JsonObject } from "../../tasks/lib/cli";
import { eventNames, fails, indexOf, newManaged, run, setup, write, type TaskEnv } from "./support";

describe("tasks: config", () => {
  let env: TaskEnv;
  beforeEach(async () => {
    env = await setup();
  });

  it("config:api-payers / is-api-payer / set-api-payers", async () => {
    const payers = await env.diamond.api_payers();
    expect(await run("config:api-payers")).to.deep.equal({ payers: [...payers], count: payers.length.toString() });
    expect(await run("config:is-api-payer", { address: env.payer.address })).to.equal(true);
    expect(await run("config:is-api-payer", { address: env.users[0].address.toLowerCase() })).to.equal(false);

    const next = [env.users[0].address, env.users[1].address];
    const r = await write("config:set-api-payers", { payers: next.map((a) => a.toLowerCase()).join(",") });
    expect(r.events[0]).to.deep.equal({ name: "ApiPayersUpdated", args: { newApiPayers: next } });
    expect(await env.diamond.api_payers()).to.deep.equal(next);
    await write("config:set-api-payers", { payers: "", from: "configOperator" });
    expect(await env.diamond.apiPayerCount()).to.equal(0n);

    const denied = await fails("config:set-api-payers", { payers: next[0], from: indexOf(env, env.users[2]) }, "OnlyConfigOperatorOrOwner");
    expect(denied.args).to.deep.equal({ caller: env.users[2].address });
    const bad = await fails("config:set-api-payers", { payers: `${next[0]},0xdead` }, "InvalidArgument");
    expect(bad.message).to.equal('--payers entry 2: expected a 20-byte hex address (0x optional), got "0xdead"');
    const dup = await fails("config:set-api-payers", { payers: `${next[0]},${next[0]}` }, "InvalidRequest");
    expect(dup.args).to.deep.equal({ message: "newApiPayers: duplicate address" });
  });

  it("config:set-admin-payer / admin-payer / set-operator / operator", async () => {
    expect(await run("config:admin-payer")).to.equal(env.adminPayer.address);
    await write("config:set-admin-payer", { address: env.users[0].address });
    expect(await env.diamond.adminApiPayerAccount()).to.equal(env.users[0].address);
    expect(await run("config:admin-payer")).to.equal(env.users[0].address);

    expect(await run("config:operator")).to.equal(env.configOperator.address);
    const r = await write("config:set-operator", { address: env.users[1].address, from: "owner" });
    expect(eventNames(r)).to.deep.equal(["ConfigOperatorUpdated"]);
    expect(await env.diamond.configOperator()).to.equal(env.users[1].address);
    const e = await fails("config:set-operator", { address: env.users[1].address, from: "configOperator" }, "NotContractOwner");
    expect(e.args).to.deep.equal({ _user: env.configOperator.address, _contractOwner: env.owner.address });
  });

  it("config:set-requested-payer-count / requested-payer-count / set-rebalance-amount / rebalance-amount", async () => {
    await write("config:set-requested-payer-count", { count: "7", from: "configOperator" });
    expect(await env.diamond.requestedApiPayerCount()).to.equal(7n);
    expect(await run("config:requested-payer-count")).to.equal("7");
    const r = await write("config:set-rebalance-amount", { amount: "0xde0b6b3a7640000" });
    expect(r.events[0]).to.deep.equal({ name: "RebalanceAmountUpdated", args: { newRebalanceAmount: "1000000000000000000" } });
    expect(await env.diamond.rebalanceAmount()).to.equal(10n ** 18n);
    expect(await run("config:rebalance-amount")).to.equal("1000000000000000000");
    await fails("config:set-rebalance-amount", { amount: "1 eth" }, "InvalidArgument");
    await fails("config:set-requested-payer-count", { count: "1", from: "apiPayer1" }, "OnlyConfigOperatorOrOwner");
  });

  it("config:set-node-config / node-config / remove-node-config", async () => {
    await write("config:set-node-config", { key: "timeout_ms", value: "30000" });
    await write("config:set-node-config", { key: "memory_limit_mb", value: "256", from: "configOperator" });
    expect(await env.diamond.nodeConfigurationValue("timeout_ms")).to.equal("30000");
    expect(await run("config:node-config", { key: "timeout_ms" })).to.equal("30000");
    const all = await run<JsonObject>("config:node-config");
    expect(all.keys).to.include.members(["timeout_ms", "memory_limit_mb"]);
    expect(all.values).to.deep.include({ key: "memory_limit_mb", value: "256" });
    const r = await write("config:remove-node-config", { key: "timeout_ms" });
    expect(r.events[0]).to.deep.equal({ name: "NodeConfigurationSet", args: { key: "timeout_ms", value: "", removed: true } });
    expect(await env.diamond.nodeConfigurationKeys()).to.not.include("timeout_ms");
    const e = await fails("config:remove-node-config", { key: "timeout_ms" }, "InvalidRequest");
    expect(e.args).to.deep.equal({ message: "key: not set" });
  });

  it("config:server-trigger emits ServerTriggered; unprivileged senders revert", async () => {
    const r = await write("config:server-trigger", { value: "5", from: "apiPayer1" });
    expect(r.events).to.deep.equal([{ name: "ServerTriggered", args: { value: "5", sender: env.payer.address } }]);
    const e = await fails("config:server-trigger", { from: indexOf(env, env.users[0]) }, "OnlyApiPayerOrOwner");
    expect(e.args).to.deep.equal({ caller: env.users[0].address });
  });
});

describe("tasks: billing", () => {
  let env: TaskEnv;
  beforeEach(async () => {
    env = await setup();
  });

  it("billing:set-pricing-operator / pricing-operator", async () => {
    expect(await run("billing:pricing-operator")).to.equal(env.pricingOperator.address);
    await write("billing:set-pricing-operator", { address: env.users[0].address });
    expect(await env.diamond.pricingOperator()).to.equal(env.users[0].address);
    await fails("billing:set-pricing-operator", { address: env.users[0].address, from: "pricingOperator" }, "NotContractOwner");
  });

  it("billing:set-pricing / pricing / pricing-at", async () => {
    await write("billing:set-pricing", { item: "1", price: "100", from: "pricingOperator" });
    const r = await write("billing:set-pricing", { item: "0x2", price: "250" });
    expect(r.events[0]).to.deep.equal({ name: "PricingUpdated", args: { pricingItemId: "2", price: "250" } });
    expect(await env.diamond.getPricing(2)).to.equal(250n);
    expect(await run("billing:pricing", { item: "2" })).to.equal("250");
    expect(await run("billing:pricing")).to.deep.equal({
      count: "2",
      items: [
        { id: "1", price: "100" },
        { id: "2", price: "250" },
      ],
    });
    expect(await run("billing:pricing-at", { index: "1" })).to.equal("250");
    await fails("billing:pricing-at", { index: "2" }, "InvalidRequest");
    await fails("billing:set-pricing", { item: "1", price: "1", from: "apiPayer1" }, "OnlyPricingOperatorOrOwner");
  });

  it("billing:credit / debit / balance", async () => {
    const { key, hash } = await newManaged("bill");
    const c = await write("billing:credit", { account: key, amount: "1000", from: "apiPayer1" });
    expect(c.events).to.deep.equal([{ name: "ApiKeyCredited", args: { apiKeyHash: hash, amount: "1000" } }]);
    expect(await env.diamond.apiKeyBalance(hash)).to.equal(1000n);
    await write("billing:debit", { account: hash, amount: "400", from: "pricingOperator" });
    expect(await run("billing:balance", { account: key })).to.equal("600");
    const e = await fails("billing:debit", { account: key, amount: "601" }, "InsufficientBalance");
    expect(e.args).to.deep.equal({ apiKeyHash: hash, amount: "601" });
    await fails("billing:credit", { account: key, amount: "5", from: indexOf(env, env.users[0]) }, "OnlyApiPayerOrPricingOperator");
    await fails("billing:credit", { account: key, amount: "-5" }, "InvalidArgument");
    await fails("billing:credit", { account: "nobody", amount: "5" }, "AccountDoesNotExist");
  });
});

describe("tasks: diamond", () => {
  it("diamond:info prints address, owner and every facet with its selector count", async () => {
    const env = await setup();
    const info = await run<JsonObject>("diamond:info");
    expect(info.address).to.equal(env.address);
    expect(info.owner).to.equal(env.owner.address);
    const facets = await env.diamond.facets();
    const list = info.facets as JsonObject[];
    expect(list).to.have.length(facets.length);
    expect(list.map((f) => f.address)).to.deep.equal(facets.map((f) => f.facetAddress));
    expect(list.map((f) => f.selectors)).to.deep.equal(facets.map((f) => f.functionSelectors.length));
    expect(list.map((f) => f.name)).to.include.members(["ActionsFacet", "WalletsFacet", "GroupsFacet", "BillingFacet"]);
    expect(info.selectorCount).to.equal(facets.reduce((n, f) => n + f.functionSelectors.length, 0));
    expect(ethers.isAddress(info.address as string)).to.equal(true);
  });
});
