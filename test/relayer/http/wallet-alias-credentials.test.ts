/** A hash that is a wallet's alias is never accepted as an API key (services/access.ts isWalletAlias). */
import { expect } from "chai";
import { ethers } from "ethers";
import { isWalletAlias } from "../../../src/relayer/services/access";
import { makeApp } from "./support";

const keyHash = (text: string) => ethers.keccak256(ethers.toUtf8Bytes(text));

describe("wallet aliases are not API keys", () => {
  it("refuses a credential whose hash is bound as an admin alias with 401", async () => {
    const t = await makeApp();
    const master = keyHash("master-key-of-converted-account");
    t.chain.seedAccount(master, false, "0x00000000000000000000000000000000000000aa");
    const text = "header-bytes-equal-to-an-address";
    t.chain.bindings.set(keyHash(text), { hash: keyHash(text), master, kind: "AdminAlias" });
    const res = await t.app.inject({ method: "GET", url: "/core/v1/list_groups?page_number=0&page_size=10", headers: { "x-api-key": text } });
    expect(res.statusCode).to.equal(401);
    expect((res.json() as { error: string }).error).to.match(/wallet alias/);
  });

  it("treats the master of a self-service account (its admin's alias) as a wallet alias", () => {
    const admin = "0x00000000000000000000000000000000000000bb";
    const aliasOf = (a: string) => (a === admin ? "0x" + "11".repeat(32) : "0x" + "22".repeat(32));
    const account = { managed: false, admin };
    expect(isWalletAlias({ kind: "Master", master: "0x" + "11".repeat(32) }, account, aliasOf)).to.equal(true);
    expect(isWalletAlias({ kind: "Master", master: "0x" + "33".repeat(32) }, account, aliasOf)).to.equal(false);
    expect(isWalletAlias({ kind: "Master", master: "0x" + "11".repeat(32) }, { managed: true, admin }, aliasOf)).to.equal(false);
    expect(isWalletAlias({ kind: "UsageKey", master: "0x" + "11".repeat(32) }, account, aliasOf)).to.equal(false);
  });

  it("still accepts the master key of a converted account for reads", async () => {
    const t = await makeApp();
    const text = "converted-master-key";
    t.chain.seedAccount(keyHash(text), false, "0x00000000000000000000000000000000000000cc");
    const res = await t.app.inject({ method: "GET", url: "/core/v1/account_exists", headers: { "x-api-key": text } });
    expect(res.statusCode).to.equal(200);
    expect(res.json()).to.equal(true);
  });
});
