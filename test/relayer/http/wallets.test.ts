/** create_wallet and list_wallets (http-api.md §3, §6). */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { pkpAddress } from "../../../src/core";
import { bearer, createWallet, errorBody, get, makeApp, newAccount, ROOT_SECRET, usageKey } from "./support";

const hashOf = (key: string): string => keccak256(toUtf8Bytes(key));

describe("relayer http: wallets", () => {
  it("GET /create_wallet registers a PKP whose address derives from the root secret, master hash and derivation", async () => {
    const { app, chain } = await makeApp();
    const { key } = await newAccount(app);
    const r = await get(app, "/create_wallet", bearer(key));
    expect(r.statusCode).to.equal(200);
    const body = r.json() as { wallet_address: string };
    expect(Object.keys(body)).to.deep.equal(["wallet_address"]);
    expect(body.wallet_address).to.match(/^0x[0-9a-f]{40}$/);
    const req = chain.requests.at(-1);
    expect(req?.method).to.equal("registerWalletDerivation");
    const [h, wallet, derivation, name, description] = req?.args as string[];
    expect([h, wallet, name, description]).to.deep.equal([hashOf(key), body.wallet_address, "Wallet", "Wallet"]);
    expect(pkpAddress(ROOT_SECRET, hashOf(key), derivation)).to.equal(body.wallet_address);
  });

  it("GET /list_wallets lists id = decimal derivation, name, description, wallet_address", async () => {
    const { app, chain } = await makeApp();
    const { key, wallet } = await newAccount(app);
    const w2 = await createWallet(app, key);
    const r = await get(app, "/list_wallets?page_number=0&page_size=10", bearer(key));
    expect(r.statusCode).to.equal(200);
    const items = r.json() as { id: string; name: string; description: string; wallet_address: string }[];
    expect(items.map((i) => i.wallet_address)).to.deep.equal([wallet, w2]);
    expect(items[0]).to.deep.equal({
      id: chain.wallets.get(wallet)?.derivation,
      name: "AMW",
      description: "Account Master Wallet",
      wallet_address: wallet,
    });
    expect(items[1]).to.deep.include({ id: chain.wallets.get(w2)?.derivation, name: "Wallet", description: "Wallet" });
    for (const i of items) expect(i.id).to.match(/^[1-9][0-9]*$/);
    expect((await get(app, "/list_wallets?page_number=1&page_size=1", bearer(key))).json()).to.have.length(1);
    expect((await get(app, "/list_wallets?page_number=2&page_size=1", bearer(key))).json()).to.deep.equal([]);
    // Account-scoped: another account sees only its own.
    const other = await newAccount(app);
    expect(
      ((await get(app, "/list_wallets?page_number=0&page_size=10", bearer(other.key))).json() as unknown[]).length,
    ).to.equal(1);
  });

  it("a usage key needs can_create_pkps (403 before any write)", async () => {
    const { app, chain } = await makeApp();
    const { key } = await newAccount(app);
    const without = await usageKey(app, key, { can_create_groups: true, execute_in_groups: [0] });
    const withIt = await usageKey(app, key, { can_create_pkps: true });
    const writes = chain.requests.length;
    const r = await get(app, "/create_wallet", bearer(without));
    expect(r.statusCode).to.equal(403);
    expect(errorBody(r).code).to.equal("NotAllowedToCreatePkp");
    expect(chain.requests.length).to.equal(writes);
    const ok = await get(app, "/create_wallet", bearer(withIt));
    expect(ok.statusCode).to.equal(200);
    // Registered to the account (context = master hash), listed for the master.
    expect(chain.requests.at(-1)?.args[0]).to.equal(hashOf(withIt));
    const w = (ok.json() as { wallet_address: string }).wallet_address;
    expect(chain.wallets.get(w)?.account).to.equal(hashOf(key));
    expect(pkpAddress(ROOT_SECRET, hashOf(key), chain.wallets.get(w)?.derivation ?? "0")).to.equal(w);
  });

  it("with an Idempotency-Key a retried create_wallet returns the same wallet", async () => {
    const { app, chain } = await makeApp();
    const { key } = await newAccount(app);
    const a = await get(app, "/create_wallet", { ...bearer(key), "idempotency-key": "w-1" });
    const b = await get(app, "/create_wallet", { ...bearer(key), "idempotency-key": "w-1" });
    expect(b.json()).to.deep.equal(a.json());
    expect(chain.wallets.size).to.equal(2);
    expect(chain.requests.at(-1)).to.deep.include({ idempotencyKey: "w-1", idempotencyScope: hashOf(key) });
    const c = await get(app, "/create_wallet", { ...bearer(key), "idempotency-key": "w-2" });
    expect(c.json()).to.not.deep.equal(a.json());
    const bad = await get(app, "/create_wallet", { ...bearer(key), "idempotency-key": "x".repeat(256) });
    expect(bad.statusCode).to.equal(400);
    expect(errorBody(bad).error).to.contain("Idempotency-Key");
  });

  it("HEAD never runs a GET that writes", async () => {
    const { app, chain } = await makeApp();
    const { key } = await newAccount(app);
    const writes = chain.requests.length;
    const r = await app.inject({ method: "HEAD", url: "/core/v1/create_wallet", headers: bearer(key) });
    expect(r.statusCode).to.equal(404);
    expect(chain.requests.length).to.equal(writes);
  });
});
