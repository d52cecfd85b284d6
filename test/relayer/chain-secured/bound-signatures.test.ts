/**
 * Bound wallet signatures (docs/wallet-signatures.md) over HTTP: two real relayers on one
 * in-process chain, each serving its own diamond. Relayer A keeps the hosted formats (the default);
 * relayer B runs with LEGACY_SIGNATURES=false. The hosted typed data names neither the diamond nor
 * the account, so a signature made for A also works on any other deployment of the same chain,
 * and an intercepted ConvertAccount signature converts whichever account sends it; the bound
 * version (domain version "2" with verifyingContract, ConvertAccount with apiKeyHash) closes both.
 *
 * The bound envelopes here are built by hand from the documented wire format (not with the
 * relayer's or the SDK's builders), so the test also pins the format itself.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import type { AddressInfo } from "net";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { LightMyRequestResponse } from "fastify";
import { startHarness, type Harness } from "../e2e/relayer-harness";
import { chainSecuredTypedData, type WalletFlow } from "../../../src/relayer/services/wallet-signatures";
import { LitNodeSimpleApiClient, createClient, type FetchLike } from "../../../src/sdk";

const now = () => Math.floor(Date.now() / 1000);
let issued = 0;
/** A fresh issuedAt per signature (each signature is accepted once). */
const fresh = () => (issued = Math.max(now(), issued + 1));

type Signer = Pick<HardhatEthersSigner, "address" | "signTypedData">;

/** The hosted format: domain {name, version "1", chainId}, struct [address, issuedAt]. */
async function hostedSignature(signer: Signer, flow: WalletFlow) {
  const typed = chainSecuredTypedData(flow, signer.address, 31337, fresh());
  const signature = await signer.signTypedData(typed.domain, { [flow]: typed.types[flow] }, typed.message);
  return { typed_data: typed, signature };
}

/** The bound format, written out from the wire format in docs/wallet-signatures.md. */
async function boundSignature(
  signer: Signer,
  flow: WalletFlow,
  diamond: string,
  opts: { apiKeyHash?: string; address?: string } = {},
) {
  const struct =
    flow === "ConvertAccount"
      ? [
          { name: "address", type: "address" },
          { name: "apiKeyHash", type: "bytes32" },
          { name: "issuedAt", type: "uint256" },
        ]
      : [
          { name: "address", type: "address" },
          { name: "issuedAt", type: "uint256" },
        ];
  const domain = { name: "Lit ChainSecured", version: "2", chainId: 31337, verifyingContract: diamond };
  const message: Record<string, string | number> = { address: opts.address ?? signer.address };
  if (flow === "ConvertAccount") message.apiKeyHash = opts.apiKeyHash ?? ethers.ZeroHash;
  message.issuedAt = fresh();
  const typed_data = {
    types: {
      EIP712Domain: [
        { name: "name", type: "string" },
        { name: "version", type: "string" },
        { name: "chainId", type: "uint256" },
        { name: "verifyingContract", type: "address" },
      ],
      [flow]: struct,
    },
    primaryType: flow,
    domain,
    message,
  };
  const signature = await signer.signTypedData(domain, { [flow]: struct }, message);
  return { typed_data, signature };
}

const errorOf = (res: LightMyRequestResponse) => res.json() as { code: string; error: string };

describe("bound wallet signatures: two relayers, two diamonds, one chain", function () {
  this.timeout(240_000);
  let a: Harness; // hosted formats accepted (default)
  let b: Harness; // LEGACY_SIGNATURES=false
  let baseUrlA: string;
  let baseUrlB: string;
  let admin: HardhatEthersSigner; // admin of a ChainSecured account on both diamonds

  const syncAll = async () => {
    const block = await ethers.provider.getBlockNumber();
    await a.relayer.chain.indexer.syncTo(block);
    await b.relayer.chain.indexer.syncTo(block);
  };
  const listen = async (h: Harness) => {
    await h.relayer.app.listen({ host: "127.0.0.1", port: 0 });
    return `http://127.0.0.1:${(h.relayer.app.server.address() as AddressInfo).port}`;
  };
  const newManaged = async (h: Harness) => {
    const res = await h.call("POST", "/core/v1/new_account", { body: { account_name: "api", account_description: "" } });
    expect(res.statusCode, res.body).to.equal(200);
    const key = (res.json() as { api_key: string }).api_key;
    return { key, master: ethers.keccak256(ethers.toUtf8Bytes(key)) };
  };

  before(async () => {
    a = await startHarness();
    b = await startHarness({ LEGACY_SIGNATURES: "false", BILLING_PROVIDER: "dev" });
    baseUrlA = await listen(a);
    baseUrlB = await listen(b);
    admin = a.f.users[10];
    await (await a.f.diamond.connect(admin).newChainSecuredAccount("on A", "")).wait();
    await (await b.f.diamond.connect(admin).newChainSecuredAccount("on B", "")).wait();
    await syncAll();
  });
  after(async () => {
    await a?.close();
    await b?.close();
  });

  it("a hosted-format signature made for diamond A is refused by a relayer serving diamond B when legacy is off", async () => {
    const made = await hostedSignature(admin, "CreateWallet");
    const onB = await b.call("POST", "/core/v1/create_wallet_with_signature", { body: made });
    expect(onB.statusCode, onB.body).to.equal(401);
    expect(errorOf(onB).code).to.equal("LegacySignaturesDisabled");
    expect(errorOf(onB).error).to.contain("LEGACY_SIGNATURES=false");
    expect(errorOf(onB).error).to.contain(b.f.diamondAddress.toLowerCase());
    // the relayer it was made for (hosted formats on, the default) still accepts it
    const onA = await a.call("POST", "/core/v1/create_wallet_with_signature", { body: made });
    expect(onA.statusCode, onA.body).to.equal(200);
  });

  it("the hosted signed-text format is refused too when legacy is off, naming why", async () => {
    const message = [
      "Sign this message to create a new wallet for your account.",
      `Address: ${admin.address}`,
      "Chain ID: 31337",
      `Issued At: ${fresh()}`,
    ].join("\n");
    const res = await b.call("POST", "/core/v1/create_wallet_with_signature", {
      body: { message, signature: await admin.signMessage(message) },
    });
    expect(res.statusCode, res.body).to.equal(401);
    expect(errorOf(res).code).to.equal("LegacySignaturesDisabled");
    expect(errorOf(res).error).to.contain("LEGACY_SIGNATURES=false");
  });

  it("the bound version made for diamond A is accepted by A and refused by B", async () => {
    const forA = await boundSignature(admin, "CreateWallet", a.f.diamondAddress);
    const onB = await b.call("POST", "/core/v1/create_wallet_with_signature", { body: forA });
    expect(onB.statusCode, onB.body).to.equal(401);
    expect(errorOf(onB).code).to.equal("WrongVerifyingContract");
    expect(errorOf(onB).error).to.contain(b.f.diamondAddress.toLowerCase());
    const onA = await a.call("POST", "/core/v1/create_wallet_with_signature", { body: forA });
    expect(onA.statusCode, onA.body).to.equal(200);
  });

  it("the bound version made for diamond B is refused by A although A accepts hosted formats", async () => {
    const forB = await boundSignature(admin, "AddUsageApiKey", b.f.diamondAddress);
    const onA = await a.call("POST", "/core/v1/add_usage_api_key_with_signature", { body: forB });
    expect(onA.statusCode, onA.body).to.equal(401);
    expect(errorOf(onA).code).to.equal("WrongVerifyingContract");
    const onB = await b.call("POST", "/core/v1/add_usage_api_key_with_signature", { body: forB });
    expect(onB.statusCode, onB.body).to.equal(200);
  });

  it("an intercepted ConvertAccount signature the SDK made for account X cannot convert account Y", async () => {
    const x = await newManaged(a);
    const y = await newManaged(a);
    const newAdmin = ethers.Wallet.createRandom();
    // A man in the middle holds back the SDK's conversion request of X and keeps its body.
    let intercepted: Record<string, unknown> | undefined;
    const fetchImpl: FetchLike = async (url, init) => {
      if (url.endsWith("/convert_to_chain_secured_account")) {
        intercepted = JSON.parse(init.body ?? "{}") as Record<string, unknown>;
        return { status: 503, headers: { get: () => null }, text: async () => '{"code":"Unavailable","error":"x"}' };
      }
      return fetch(url, init);
    };
    const client = createClient(baseUrlA, { apiKey: x.key, fetch: fetchImpl });
    await client.convertToChainSecuredAccount({ signer: newAdmin }).catch(() => undefined);
    expect(intercepted, "the SDK sent no conversion").to.not.equal(undefined);

    const stolen = await a.call("POST", "/core/v1/convert_to_chain_secured_account", { key: y.key, body: intercepted });
    expect(stolen.statusCode, stolen.body).to.equal(401);
    expect(errorOf(stolen).code).to.equal("WrongAccount");
    expect(errorOf(stolen).error).to.contain(x.master).and.to.contain(y.master);
    expect((await a.f.diamond.getAccount(y.master)).managed).to.equal(true);

    // the failed attempt did not use the signature up: X's own request still converts X
    const own = await a.call("POST", "/core/v1/convert_to_chain_secured_account", { key: x.key, body: intercepted });
    expect(own.statusCode, own.body).to.equal(200);
    const account = await a.f.diamond.getAccount(x.master);
    expect(account.managed).to.equal(false);
    expect(account.adminWalletAddress).to.equal(newAdmin.address);
  });

  it("the SDK signs only the bound version: each request names the diamond, and the conversion the account", async () => {
    const seen: { path: string; typed: { domain: Record<string, unknown>; message: Record<string, unknown> } }[] = [];
    const recording: FetchLike = async (url, init) => {
      const path = new URL(url).pathname;
      if (init.body !== undefined && init.body.includes("typed_data")) {
        const body = JSON.parse(init.body) as { typed_data: (typeof seen)[number]["typed"] };
        seen.push({ path, typed: body.typed_data });
      }
      const auth = init.headers["x-wallet-auth"];
      if (auth !== undefined) {
        const header = JSON.parse(Buffer.from(auth, "base64").toString("utf8")) as {
          typed_data: (typeof seen)[number]["typed"];
        };
        seen.push({ path, typed: header.typed_data });
      }
      return fetch(url, init);
    };
    const x = await newManaged(b);
    const convertedAdmin = b.f.users[11];
    const api = createClient(baseUrlB, { apiKey: x.key, fetch: recording });
    await api.convertToChainSecuredAccount({ signer: convertedAdmin });
    const sovereign = new LitNodeSimpleApiClient({
      baseUrl: baseUrlB,
      mode: "sovereign",
      signer: admin,
      fetch: recording,
    });
    await sovereign.mintWalletWithSignature();
    await sovereign.mintUsageApiKeyWithSignature();
    await sovereign.getBillingBalance();

    expect(seen.map((s) => s.path)).to.deep.equal([
      "/core/v1/convert_to_chain_secured_account",
      "/core/v1/create_wallet_with_signature",
      "/core/v1/add_usage_api_key_with_signature",
      "/core/v1/billing/balance",
    ]);
    for (const s of seen) {
      expect(s.typed.domain, s.path).to.deep.equal({
        name: "Lit ChainSecured",
        version: "2",
        chainId: 31337,
        verifyingContract: ethers.getAddress(b.f.diamondAddress),
      });
    }
    expect(seen[0].typed.message.apiKeyHash).to.equal(x.master);
  });
});
