/**
 * ChainSecuredService on its own (fake index): who may mint, the per-address mint limit, a
 * signature given back when the work fails, X-Wallet-Auth resolving to the admin's account, and
 * the account binding of minted key material.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { chainSecuredHash, pkpAddress } from "../../../src/core";
import type { AccountRow, BindingRow, IndexReader, Writer } from "../../../src/relayer/ports";
import { ServiceError } from "../../../src/relayer/services/errors";
import { Submitter } from "../../../src/relayer/services/submit";
import {
  MemoryReplayStore,
  WalletSignatureVerifier,
  chainSecuredTypedData,
  type WalletFlow,
} from "../../../src/relayer/services/wallet-signatures";
import { ChainSecuredService } from "../../../src/relayer/services/wallet-signatures-flows";

const ROOT = new Uint8Array(32).fill(7);
const NOW = 1_800_000_000;

class Index {
  readonly bindings = new Map<string, BindingRow>();
  readonly accounts = new Map<string, AccountRow>();
  add(admin: string, master = chainSecuredHash(admin)): string {
    const a = admin.toLowerCase();
    this.bindings.set(chainSecuredHash(a), {
      hash: chainSecuredHash(a),
      master,
      kind: master === chainSecuredHash(a) ? "Master" : "AdminAlias",
    });
    this.accounts.set(master, { master, managed: false, admin: a, name: "", description: "" });
    return master;
  }
  reader(): IndexReader {
    return {
      resolve: async (h: string) => this.bindings.get(h) ?? null,
      binding: async (h: string) => this.bindings.get(h) ?? null,
      account: async (m: string) => this.accounts.get(m) ?? null,
      credential: async (h: string) => {
        const binding = this.bindings.get(h);
        return binding ? { binding, account: this.accounts.get(binding.master) ?? null, usageKey: null } : null;
      },
    } as unknown as IndexReader;
  }
}

function service(index: Index, mintLimit?: { perMinute: number; burst: number }, now = () => NOW): ChainSecuredService {
  const writer: Writer = { write: async () => Promise.reject(new Error("no writes expected")) };
  return new ChainSecuredService({
    index: index.reader(),
    submitter: new Submitter(writer),
    rootSecret: ROOT,
    now,
    mintLimit,
    verifier: new WalletSignatureVerifier({ chainId: 31337, now, replay: new MemoryReplayStore(now) }),
  });
}

let issued = NOW;
async function sign(w: Pick<Wallet, "address" | "signTypedData">, flow: WalletFlow) {
  const typed = chainSecuredTypedData(flow, w.address, 31337, issued++ - 100);
  return {
    typed_data: typed,
    signature: await w.signTypedData(typed.domain, { [flow]: typed.types[flow] }, typed.message),
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ServiceError) return e.code;
    throw e;
  }
  return "resolved";
}

describe("ChainSecuredService (fake index)", () => {
  it("mints a wallet bound to the signer's account master hash, as 0x hex without padding", async () => {
    const index = new Index();
    const admin = Wallet.createRandom();
    const master = `0x${"12".repeat(32)}`; // a converted account: the admin's alias resolves to another master
    index.add(admin.address, master);
    const minted = await service(index).createWallet(await sign(admin, "CreateWallet"));
    expect(minted.master).to.equal(master);
    expect(minted.derivationPath).to.match(/^0x[1-9a-f][0-9a-f]*$/);
    expect(pkpAddress(ROOT, master, BigInt(minted.derivationPath))).to.equal(minted.walletAddress);
    const usage = await service(index).addUsageApiKey(await sign(admin, "AddUsageApiKey"));
    expect(usage.usageApiKey).to.match(/^[A-Za-z0-9+/]{43}=$/);
  });

  it("no account -> 404 and the signature is given back; a former admin -> 403", async () => {
    const index = new Index();
    const s = service(index);
    const admin = Wallet.createRandom();
    const request = await sign(admin, "CreateWallet");
    expect(await codeOf(s.createWallet(request))).to.equal("AccountDoesNotExist");
    index.add(admin.address);
    expect(await codeOf(s.createWallet(request))).to.equal("resolved"); // not consumed by the failed call
    const former = Wallet.createRandom();
    const master = index.add(former.address);
    index.accounts.set(master, { ...index.accounts.get(master)!, admin: Wallet.createRandom().address.toLowerCase() });
    expect(await codeOf(s.createWallet(await sign(former, "CreateWallet")))).to.equal("NoAccountAccess");
  });

  it("limits mints per address (429 with Retry-After), independently of other addresses", async () => {
    const index = new Index();
    const a = Wallet.createRandom();
    const b = Wallet.createRandom();
    index.add(a.address);
    index.add(b.address);
    const s = service(index, { perMinute: 6, burst: 2 });
    expect(await codeOf(s.createWallet(await sign(a, "CreateWallet")))).to.equal("resolved");
    expect(await codeOf(s.addUsageApiKey(await sign(a, "AddUsageApiKey")))).to.equal("resolved");
    let limited: unknown;
    try {
      await s.createWallet(await sign(a, "CreateWallet"));
    } catch (e) {
      limited = e;
    }
    expect(limited).to.be.instanceOf(ServiceError);
    expect((limited as ServiceError).kind).to.equal("RateLimited");
    expect((limited as ServiceError).retryAfterSeconds).to.be.greaterThan(0);
    expect(await codeOf(s.createWallet(await sign(b, "CreateWallet")))).to.equal("resolved");
  });

  it("X-Wallet-Auth resolves to the account its current admin signed for", async () => {
    const index = new Index();
    const admin = Wallet.createRandom();
    const master = index.add(admin.address);
    const header = Buffer.from(JSON.stringify(await sign(admin, "BillingAuth"))).toString("base64");
    const s = service(index);
    expect(await s.billingAuth(header)).to.deep.equal({ address: admin.address.toLowerCase(), master });
    expect(await codeOf(s.billingAuth(header))).to.equal("SignatureAlreadyUsed");
    const stranger = Buffer.from(JSON.stringify(await sign(Wallet.createRandom(), "BillingAuth"))).toString("base64");
    expect(await codeOf(s.billingAuth(stranger))).to.equal("AccountDoesNotExist");
  });
});
