/**
 * Answers that follow the chain, not the last poll (docs/finality.md "Answers that follow the
 * chain"): a real relayer whose indexer polls only every second, and wallets that write to the
 * diamond themselves. Every signature endpoint called the moment the wallet's transaction is mined
 * answers from an index at the chain head: a new account is found, a transferred one refuses its
 * previous admin, a usage key the admin adds or removes on-chain counts at once, and when the index
 * cannot reach the head in time the answer is 503 IndexBehindHead with Retry-After, the signature
 * kept for a retry.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, type Interface } from "ethers";
import type { LightMyRequestResponse } from "fastify";
import { chainSecuredHash } from "../../../src/core";
import { chainSecuredTypedData, type WalletFlow } from "../../../src/relayer/services/wallet-signatures";
import { startHarness, type Harness } from "../e2e/relayer-harness";

type Signer = Pick<Wallet, "address" | "signTypedData">;

const now = () => Math.floor(Date.now() / 1000);
let issued = 0;
/** A fresh issuedAt per signature (each is accepted once). */
const fresh = () => (issued = Math.max(now(), issued + 1));

async function sign(signer: Signer, flow: WalletFlow): Promise<{ typed_data: unknown; signature: string }> {
  const typed = chainSecuredTypedData(flow, signer.address, 31337, fresh());
  const signature = await signer.signTypedData(typed.domain, { [flow]: typed.types[flow] }, typed.message);
  return { typed_data: typed, signature };
}

async function walletAuth(signer: Signer): Promise<string> {
  return Buffer.from(JSON.stringify(await sign(signer, "BillingAuth"))).toString("base64");
}

/** A funded wallet the test signs and sends with (not known to the relayer). */
async function fundedWallet(): Promise<Wallet> {
  const w = new Wallet(ethers.hexlify(ethers.randomBytes(32)), ethers.provider);
  await ethers.provider.send("hardhat_setBalance", [w.address, "0x56BC75E2D63100000"]); // 100 ETH
  return w;
}

/** The three signature-gated requests of a ChainSecured admin, signed in advance. */
async function signedRequests(h: Harness, signer: Signer): Promise<() => Promise<LightMyRequestResponse[]>> {
  const create = await sign(signer, "CreateWallet");
  const usage = await sign(signer, "AddUsageApiKey");
  const auth = await walletAuth(signer);
  return () =>
    Promise.all([
      h.call("POST", "/core/v1/create_wallet_with_signature", { body: create }),
      h.call("POST", "/core/v1/add_usage_api_key_with_signature", { body: usage }),
      h.call("GET", "/core/v1/billing/balance", { headers: { "x-wallet-auth": auth } }),
    ]);
}

const ENDPOINTS = ["create_wallet_with_signature", "add_usage_api_key_with_signature", "billing/balance (X-Wallet-Auth)"];

describe("fresh reads: signature endpoints answer from the chain head (indexer polling every 1 s)", function () {
  this.timeout(300_000);
  let h: Harness;
  const abi = (): Interface => h.f.diamond.interface as Interface;

  before(async () => {
    h = await startHarness(
      { BILLING_PROVIDER: "dev", FRESH_READ_TIMEOUT_MS: "20000" },
      { chain: { indexerPollIntervalMs: 1000 } },
    );
    await h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());
  });
  after(async () => {
    await h?.close();
  });

  /** Sends a diamond call from `wallet` and resolves with its receipt (the block is mined). */
  async function send(wallet: Wallet, method: string, args: unknown[]): Promise<void> {
    const tx = await wallet.sendTransaction({ to: h.f.diamondAddress, data: abi().encodeFunctionData(method, args) });
    const receipt = await tx.wait();
    expect(receipt?.status).to.equal(1);
  }

  it("an account created on-chain is found by each signature endpoint the moment it is mined, 50 times in a row", async () => {
    const answers: number[] = [];
    for (let i = 0; i < 50; i++) {
      const wallet = await fundedWallet();
      const requests = await signedRequests(h, wallet);
      await send(wallet, "newChainSecuredAccount", [`fresh ${i}`, ""]);
      const replies = await requests();
      replies.forEach((r, k) => {
        answers.push(r.statusCode);
        expect(r.statusCode, `round ${i}, ${ENDPOINTS[k]}: ${r.body}`).to.equal(200);
      });
    }
    expect(answers.filter((s) => s === 404)).to.have.length(0);
    expect(answers).to.have.length(150);
  });

  it("after a transfer mined on-chain the previous admin's signatures are refused at once, every time, and the new admin's accepted", async () => {
    let admin = await fundedWallet();
    await send(admin, "newChainSecuredAccount", ["transferred", ""]);
    // indexed before the loop: what is checked below is the transfer, not the creation
    await h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    const master = chainSecuredHash(admin.address);
    for (let i = 0; i < 20; i++) {
      const next = await fundedWallet();
      const previous = await signedRequests(h, admin);
      const current = await signedRequests(h, next);
      await send(admin, "transferChainSecuredAccountOwnership", [master, next.address]);
      const [refused, accepted] = await Promise.all([previous(), current()]);
      refused.forEach((r, k) => {
        expect(r.statusCode, `round ${i}, previous admin, ${ENDPOINTS[k]}: ${r.body}`).to.equal(403);
        expect(r.json()).to.include({ code: "NoAccountAccess" });
      });
      accepted.forEach((r, k) => expect(r.statusCode, `round ${i}, new admin, ${ENDPOINTS[k]}: ${r.body}`).to.equal(200));
      admin = next;
    }
  });

  it("a usage key the admin adds on-chain authenticates at once, and is refused at once once the admin removes it", async () => {
    const admin = await fundedWallet();
    await send(admin, "newChainSecuredAccount", ["keys", ""]);
    const master = chainSecuredHash(admin.address);
    for (let i = 0; i < 10; i++) {
      const key = ethers.hexlify(ethers.randomBytes(32)).slice(2);
      const keyHash = ethers.keccak256(ethers.toUtf8Bytes(key));
      await send(admin, "setUsageApiKey", [master, keyHash, 0, 0, `k${i}`, "", true, false, false, [], [], [], []]);
      const listed = await h.call("GET", "/core/v1/list_groups?page_number=0&page_size=10", { key });
      expect(listed.statusCode, `round ${i}, added: ${listed.body}`).to.equal(200);
      await send(admin, "removeUsageApiKey", [master, keyHash]);
      const refused = await h.call("GET", "/core/v1/list_groups?page_number=0&page_size=10", { key });
      expect(refused.statusCode, `round ${i}, removed: ${refused.body}`).to.equal(401);
    }
  });
});

describe("fresh reads: an index that cannot reach the head within the bound", function () {
  this.timeout(300_000);
  let h: Harness;
  /** While set, eth_getLogs hangs until `release()`: the index cannot catch up. */
  let stalled: { promise: Promise<void>; release: () => void } | null = null;
  const stall = () => {
    let release = () => undefined as void;
    const promise = new Promise<void>((r) => (release = r));
    stalled = { promise, release };
  };

  before(async () => {
    const provider = {
      send: async (method: string, params: unknown[]): Promise<unknown> => {
        if (method === "eth_getLogs" && stalled !== null) await stalled.promise;
        return ethers.provider.send(method, params);
      },
    };
    h = await startHarness({ BILLING_PROVIDER: "dev", FRESH_READ_TIMEOUT_MS: "400" }, { chain: { indexerPollIntervalMs: 1000 }, provider });
    await h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());
  });
  after(async () => {
    stalled?.release();
    await h?.close();
  });

  it("answers 503 IndexBehindHead with Retry-After, never a 404, and keeps the signature for the retry", async () => {
    const wallet = await fundedWallet();
    const body = await sign(wallet, "CreateWallet");
    const auth = await walletAuth(wallet);
    stall();
    const tx = await wallet.sendTransaction({
      to: h.f.diamondAddress,
      data: h.f.diamond.interface.encodeFunctionData("newChainSecuredAccount", ["late", ""]),
    });
    await tx.wait();
    const [minted, balance] = await Promise.all([
      h.call("POST", "/core/v1/create_wallet_with_signature", { body }),
      h.call("GET", "/core/v1/billing/balance", { headers: { "x-wallet-auth": auth } }),
    ]);
    for (const r of [minted, balance]) {
      expect(r.statusCode, r.body).to.equal(503);
      expect(r.json()).to.include({ code: "IndexBehindHead" });
      expect(Number(r.headers["retry-after"])).to.be.at.least(1);
    }
    stalled?.release();
    stalled = null;
    // once the index has caught up, the same signatures are accepted: the 503 used neither up
    await h.relayer.chain.indexer.syncTo(await ethers.provider.getBlockNumber());
    const retried = await h.call("POST", "/core/v1/create_wallet_with_signature", { body });
    expect(retried.statusCode, retried.body).to.equal(200);
    const retriedAuth = await h.call("GET", "/core/v1/billing/balance", { headers: { "x-wallet-auth": auth } });
    expect(retriedAuth.statusCode, retriedAuth.body).to.equal(200);
  });
});
