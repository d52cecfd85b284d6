/**
 * The services' use of the FreshIndex port (fake index, fake gate that plays the indexer catching
 * up): which decisions wait for the head, that they read the index only after it, and that a 503
 * from the gate uses up no signature.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { chainSecuredHash } from "../../../src/core";
import { StaleIndexError, type AccountRow, type BindingRow, type FreshIndex, type IndexReader, type Writer } from "../../../src/relayer/ports";
import { AccessControl } from "../../../src/relayer/services/access";
import { ServiceError, fromBackendError } from "../../../src/relayer/services/errors";
import { Submitter } from "../../../src/relayer/services/submit";
import { MemoryReplayStore, WalletSignatureVerifier, chainSecuredTypedData } from "../../../src/relayer/services/wallet-signatures";
import { ChainSecuredService } from "../../../src/relayer/services/wallet-signatures-flows";

const NOW = 1_800_000_000;

class Index {
  readonly bindings = new Map<string, BindingRow>();
  readonly accounts = new Map<string, AccountRow>();
  bind(hash: string, master: string, kind: BindingRow["kind"], account: Partial<AccountRow> = {}): void {
    this.bindings.set(hash, { hash, master, kind });
    this.accounts.set(master, { master, managed: false, admin: "0x" + "0".repeat(40), name: "", description: "", ...account });
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
      usageKey: async () => null,
    } as unknown as IndexReader;
  }
}

/** A gate that counts its checks and runs `catchUp` (what the indexer would apply) or fails. */
class Gate implements FreshIndex {
  checks = 0;
  catchUp: () => void = () => undefined;
  failing = false;
  async ensureFresh(): Promise<void> {
    this.checks++;
    if (this.failing) throw new StaleIndexError("the index has not reached the chain head (block 9) within 3000 ms", 9, 8, 1);
    this.catchUp();
  }
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const mapped = fromBackendError(e);
    if (mapped instanceof ServiceError) return mapped.code;
    throw e;
  }
  return "resolved";
}

function chainSecured(index: Index, gate: FreshIndex): ChainSecuredService {
  const now = () => NOW;
  const writer: Writer = { write: async () => Promise.reject(new Error("no writes expected")) };
  return new ChainSecuredService({
    index: index.reader(),
    submitter: new Submitter(writer),
    rootSecret: new Uint8Array(32).fill(3),
    now,
    fresh: gate,
    verifier: new WalletSignatureVerifier({ chainId: 31337, now, replay: new MemoryReplayStore(now) }),
  });
}

let issued = NOW - 100;
async function signed(w: Pick<Wallet, "address" | "signTypedData">, flow: "CreateWallet" | "BillingAuth") {
  const typed = chainSecuredTypedData(flow, w.address, 31337, issued++);
  return { typed_data: typed, signature: await w.signTypedData(typed.domain, { [flow]: typed.types[flow] }, typed.message) };
}

describe("services on the FreshIndex port", () => {
  it("the admin check reads the index after the gate: an account the catch-up brings in is found", async () => {
    const index = new Index();
    const gate = new Gate();
    const admin = Wallet.createRandom();
    const alias = chainSecuredHash(admin.address);
    gate.catchUp = () => index.bind(alias, alias, "Master", { admin: admin.address.toLowerCase() });
    const minted = await chainSecured(index, gate).createWallet(await signed(admin, "CreateWallet"));
    expect(minted.master).to.equal(alias);
    expect(gate.checks).to.equal(1);
  });

  it("X-Wallet-Auth of an admin the catch-up replaces is refused (403 NoAccountAccess)", async () => {
    const index = new Index();
    const gate = new Gate();
    const admin = Wallet.createRandom();
    const alias = chainSecuredHash(admin.address);
    index.bind(alias, alias, "Master", { admin: admin.address.toLowerCase() });
    gate.catchUp = () => index.bind(alias, alias, "Master", { admin: Wallet.createRandom().address.toLowerCase() });
    const header = Buffer.from(JSON.stringify(await signed(admin, "BillingAuth"))).toString("base64");
    expect(await codeOf(chainSecured(index, gate).billingAuth(header))).to.equal("NoAccountAccess");
  });

  it("a gate that cannot reach the head answers IndexBehindHead and leaves the signature unused", async () => {
    const index = new Index();
    const gate = new Gate();
    const admin = Wallet.createRandom();
    const alias = chainSecuredHash(admin.address);
    index.bind(alias, alias, "Master", { admin: admin.address.toLowerCase() });
    const service = chainSecured(index, gate);
    const request = await signed(admin, "CreateWallet");
    gate.failing = true;
    expect(await codeOf(service.createWallet(request))).to.equal("IndexBehindHead");
    gate.failing = false;
    expect(await codeOf(service.createWallet(request))).to.equal("resolved");
  });

  it("credentials of managed accounts are not gated; ChainSecured and unknown ones are, then looked up again", async () => {
    const index = new Index();
    const gate = new Gate();
    const access = new AccessControl(index.reader(), () => NOW, gate);
    const managed = `0x${"11".repeat(32)}`;
    index.bind(managed, managed, "Master", { managed: true });
    await access.authorize(managed as never);
    expect(gate.checks).to.equal(0);

    const unknown = `0x${"22".repeat(32)}`;
    const master = `0x${"33".repeat(32)}`;
    gate.catchUp = () => index.bind(unknown, master, "UsageKey");
    expect(await access.exists(unknown as never)).to.equal(true);
    expect(gate.checks).to.equal(1);

    const removed = `0x${"44".repeat(32)}`;
    index.bind(removed, master, "Master");
    gate.catchUp = () => index.bindings.delete(removed);
    expect(await codeOf(access.authorize(removed as never))).to.equal("InvalidApiKey");
    expect(gate.checks).to.equal(2);
  });

  it("without a gate (FRESH_READS=signatures or off) credentials are looked up once, as they are", async () => {
    const index = new Index();
    const access = new AccessControl(index.reader(), () => NOW);
    expect(await access.exists(`0x${"22".repeat(32)}` as never)).to.equal(false);
  });
});
