/**
 * The wallet-signature verifier (http-api.md §4) on its own: the spec's EIP-712 vectors, every
 * rejection with its own status/code, the legacy signed-text format, single use, ERC-1271 via a
 * fake checker, and the X-Wallet-Auth header.
 */
import { expect } from "chai";
import fs from "fs";
import { Wallet, getBytes, hashMessage } from "ethers";
import { specPath } from "../../fixtures/spec";
import {
  MemoryReplayStore,
  WalletSignatureVerifier,
  chainSecuredTypedData,
  type SignedRequest,
  type WalletFlow,
} from "../../../src/relayer/services/wallet-signatures";
import { ServiceError } from "../../../src/relayer/services/errors";
import { KIND_STATUS } from "../../../src/relayer/http/errors";
import type { SignatureChecker } from "../../../src/relayer/ports";

interface Vector {
  primaryType: WalletFlow;
  signer_private_key: string;
  domain: { name: string; version: string; chainId: number };
  message: { address: string; issuedAt: number };
  digest: string;
  signature: string;
}
const vectors = (JSON.parse(fs.readFileSync(specPath("vectors.json"), "utf8")) as { eip712: Vector[] }).eip712;
const NOW = vectors[0].message.issuedAt;
const signer = new Wallet(vectors[0].signer_private_key);

function verifier(opts: { now?: number; checker?: SignatureChecker } = {}): WalletSignatureVerifier {
  const now = () => opts.now ?? NOW;
  return new WalletSignatureVerifier({
    chainId: 31337,
    now,
    checker: opts.checker,
    replay: new MemoryReplayStore(now),
  });
}

async function sign(flow: WalletFlow, over: { issuedAt?: number; chainId?: number; wallet?: Wallet } = {}) {
  const w = over.wallet ?? signer;
  const typed = chainSecuredTypedData(flow, w.address, over.chainId ?? 31337, over.issuedAt ?? NOW);
  const signature = await w.signTypedData(typed.domain, { [flow]: typed.types[flow] }, typed.message);
  return { typed_data: typed as unknown as Record<string, unknown>, signature };
}

async function rejection(p: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ServiceError) return { status: KIND_STATUS[e.kind], code: e.code, message: e.message };
    throw e;
  }
  throw new Error("expected a rejection");
}

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe("wallet signatures: the verifier (http-api.md §4)", () => {
  describe("spec vectors", () => {
    for (const v of vectors) {
      it(`${v.primaryType}: digest and signature of vectors.json verify`, async () => {
        const typed = chainSecuredTypedData(v.primaryType, v.message.address, v.domain.chainId, v.message.issuedAt);
        const verified = await verifier().verify(v.primaryType, { typed_data: typed, signature: v.signature });
        expect(verified.digest).to.equal(v.digest);
        expect(verified.address).to.equal(v.message.address.toLowerCase());
        expect(verified.scheme).to.equal("ecdsa");
        expect(new Wallet(v.signer_private_key).address).to.equal(v.message.address);
      });
    }

    it("accepts the seed's envelope with string chainId and issuedAt, and typed_data sent as JSON text", async () => {
      const v = vectors[1];
      const typed = clone(
        chainSecuredTypedData(v.primaryType, v.message.address, 31337, v.message.issuedAt),
      ) as unknown as {
        domain: Record<string, unknown>;
        message: Record<string, unknown>;
      };
      typed.domain.chainId = "31337";
      typed.message.issuedAt = String(v.message.issuedAt);
      const ok = await verifier().verify("ConvertAccount", {
        typed_data: JSON.stringify(typed),
        signature: v.signature,
      });
      expect(ok.digest).to.equal(v.digest);
    });
  });

  describe("rejections, each with its own message", () => {
    it("wrong primaryType: a CreateWallet signature sent to convert is 401 WrongPrimaryType", async () => {
      const r = await rejection(verifier().verify("ConvertAccount", await sign("CreateWallet")));
      expect(r).to.include({ status: 401, code: "WrongPrimaryType" });
      expect(r.message).to.contain('expected "ConvertAccount"');
    });

    it("wrong chainId is 401 WrongChainId", async () => {
      const r = await rejection(verifier().verify("CreateWallet", await sign("CreateWallet", { chainId: 1 })));
      expect(r).to.include({ status: 401, code: "WrongChainId" });
    });

    it("wrong domain name or version is 401 WrongDomain", async () => {
      const s = await sign("CreateWallet");
      const named = clone(s);
      (named.typed_data.domain as Record<string, unknown>).name = "Lit Protocol";
      expect(await rejection(verifier().verify("CreateWallet", named))).to.include({
        status: 401,
        code: "WrongDomain",
      });
      const versioned = clone(s);
      // "2" is the bound format (bound-vectors.test.ts); any version but "1" and "2" is unknown
      (versioned.typed_data.domain as Record<string, unknown>).version = "3";
      expect(await rejection(verifier().verify("CreateWallet", versioned))).to.include({
        status: 401,
        code: "WrongDomain",
      });
    });

    it("reordered, extra or missing type fields are 400 InvalidTypes", async () => {
      const s = await sign("CreateWallet");
      const types = (x: typeof s) => x.typed_data.types as Record<string, { name: string; type: string }[]>;
      const reordered = clone(s);
      types(reordered).CreateWallet.reverse();
      const extra = clone(s);
      types(extra).CreateWallet.push({ name: "nonce", type: "uint256" });
      const missing = clone(s);
      types(missing).EIP712Domain.pop();
      const domainReordered = clone(s);
      types(domainReordered).EIP712Domain.reverse();
      const extraType = clone(s);
      types(extraType).Other = [{ name: "x", type: "uint256" }];
      for (const bad of [reordered, extra, missing, domainReordered, extraType]) {
        const r = await rejection(verifier().verify("CreateWallet", bad));
        expect(r).to.include({ status: 400, code: "InvalidTypes" });
      }
    });

    it("issuedAt 301 s old or 301 s in the future is 401 SignatureExpired; 300 s is accepted", async () => {
      const old = await rejection(verifier({ now: NOW + 301 }).verify("CreateWallet", await sign("CreateWallet")));
      expect(old).to.include({ status: 401, code: "SignatureExpired" });
      expect(old.message).to.contain("too old");
      const future = await rejection(verifier({ now: NOW - 301 }).verify("CreateWallet", await sign("CreateWallet")));
      expect(future).to.include({ status: 401, code: "SignatureExpired" });
      expect(future.message).to.contain("in the future");
      await verifier({ now: NOW + 300 }).verify("CreateWallet", await sign("CreateWallet"));
      await verifier({ now: NOW - 300 }).verify("CreateWallet", await sign("CreateWallet"));
    });

    it("typed data over 4096 bytes is 400 TypedDataTooLarge", async () => {
      const s = await sign("CreateWallet");
      const big = clone(s);
      (big.typed_data as Record<string, unknown>).padding = "x".repeat(4096);
      expect(await rejection(verifier().verify("CreateWallet", big))).to.include({
        status: 400,
        code: "TypedDataTooLarge",
      });
      const text = { typed_data: JSON.stringify(s.typed_data) + " ".repeat(4097), signature: s.signature };
      expect(await rejection(verifier().verify("CreateWallet", text))).to.include({
        status: 400,
        code: "TypedDataTooLarge",
      });
    });

    it("a signer that is not message.address is 401 SignerMismatch; a body address that differs is 401 AddressMismatch", async () => {
      const other = Wallet.createRandom();
      const s = await sign("CreateWallet");
      const forged = clone(s);
      (forged.typed_data.message as Record<string, unknown>).address = other.address;
      expect(await rejection(verifier().verify("CreateWallet", forged))).to.include({
        status: 401,
        code: "SignerMismatch",
      });
      const r = await rejection(verifier().verify("CreateWallet", { ...s, claimedAddress: other.address }));
      expect(r).to.include({ status: 401, code: "AddressMismatch" });
      expect(await rejection(verifier().verify("CreateWallet", { ...s, signature: "0x1234" }))).to.include({
        status: 401,
        code: "InvalidSignature",
      });
    });

    it("malformed requests are 400 naming the field", async () => {
      const s = await sign("CreateWallet");
      const noTyped: SignedRequest = { signature: s.signature };
      expect(await rejection(verifier().verify("CreateWallet", noTyped))).to.include({
        status: 400,
        code: "InvalidTypedData",
      });
      expect(await rejection(verifier().verify("CreateWallet", { ...s, signature: "nothex" }))).to.include({
        status: 400,
        code: "InvalidSignature",
      });
      const badIssued = clone(s);
      (badIssued.typed_data.message as Record<string, unknown>).issuedAt = -5;
      const r = await rejection(verifier().verify("CreateWallet", badIssued));
      expect(r).to.include({ status: 400, code: "InvalidTypedData" });
      expect(r.message).to.contain("typed_data.message.issuedAt");
    });

    it("a replayed signature is 409 SignatureAlreadyUsed, even re-encoded (keyed by the signed digest)", async () => {
      const v = verifier();
      const s = await sign("AddUsageApiKey");
      await v.verify("AddUsageApiKey", s);
      const again = await rejection(v.verify("AddUsageApiKey", s));
      expect(again).to.include({ status: 409, code: "SignatureAlreadyUsed" });
      expect(again.message).to.equal("signature already used; sign a new message");
      const reencoded = {
        typed_data: JSON.stringify(s.typed_data),
        signature: s.signature.toUpperCase().replace("0X", "0x"),
      };
      expect(await rejection(v.verify("AddUsageApiKey", reencoded))).to.include({ status: 409 });
      // a released claim (the work failed) may be used again
      const fresh = await sign("AddUsageApiKey", { issuedAt: NOW + 1 });
      const used = await v.verify("AddUsageApiKey", fresh);
      await v.release(used);
      await v.verify("AddUsageApiKey", fresh);
    });
  });

  describe("ERC-1271 contract wallets", () => {
    const contract = "0x" + "c0".repeat(20);
    const checker = (accept: boolean): SignatureChecker & { asked: string[] } => {
      const asked: string[] = [];
      return {
        asked,
        hasCode: async (a) => a === contract,
        isValidSignature: async (_a, digest) => {
          asked.push(digest);
          return accept;
        },
      };
    };

    it("asks the wallet when the address has code, and accepts its answer", async () => {
      const typed = chainSecuredTypedData("ConvertAccount", contract, 31337, NOW);
      const c = checker(true);
      const ok = await verifier({ checker: c }).verify("ConvertAccount", { typed_data: typed, signature: "0xabcd" });
      expect(ok).to.include({ address: contract, scheme: "erc1271" });
      expect(c.asked).to.deep.equal([ok.digest]);
      const r = await rejection(
        verifier({ checker: checker(false) }).verify("ConvertAccount", { typed_data: typed, signature: "0xabcd" }),
      );
      expect(r).to.include({ status: 401, code: "SignerMismatch" });
    });
  });

  describe("legacy signed-text messages", () => {
    const text = (first: string, lines: string[]) => [first, ...lines].join("\n");
    const fields = (issuedAt = NOW, chainId = 31337) => [
      `Address: ${signer.address}`,
      `Chain ID: ${chainId}`,
      `Issued At: ${issuedAt}`,
    ];

    it("accepts a personal_sign message naming this endpoint's flow", async () => {
      const message = text("I want to create a new wallet for my Lit account", fields());
      const ok = await verifier().verify("CreateWallet", { message, signature: await signer.signMessage(message) });
      expect(ok).to.include({ format: "legacy", address: signer.address.toLowerCase(), digest: hashMessage(message) });
    });

    it("refuses another flow's message, duplicate lines, wrong chain, stale time, overflow, and replays", async () => {
      const v = verifier();
      const other = text("I want to take admin ownership of this account", fields());
      expect(
        await rejection(v.verify("CreateWallet", { message: other, signature: await signer.signMessage(other) })),
      ).to.include({
        status: 401,
        code: "WrongPrimaryType",
      });
      const dup = text("Please create a new wallet", [...fields(), `Address: ${Wallet.createRandom().address}`]);
      expect(
        await rejection(v.verify("CreateWallet", { message: dup, signature: await signer.signMessage(dup) })),
      ).to.include({
        status: 400,
      });
      const chain = text("Please create a new wallet", fields(NOW, 1));
      expect(
        await rejection(v.verify("CreateWallet", { message: chain, signature: await signer.signMessage(chain) })),
      ).to.include({
        code: "WrongChainId",
      });
      const stale = text("Please create a new wallet", fields(NOW - 301));
      expect(
        await rejection(v.verify("CreateWallet", { message: stale, signature: await signer.signMessage(stale) })),
      ).to.include({
        code: "SignatureExpired",
      });
      const huge = text("Please create a new wallet", [
        `Address: ${signer.address}`,
        "Chain ID: 31337",
        `Issued At: ${"9".repeat(40)}`,
      ]);
      expect(
        await rejection(v.verify("CreateWallet", { message: huge, signature: await signer.signMessage(huge) })),
      ).to.include({
        status: 400,
      });
      const long = text("Please create a new wallet", [...fields(), "x".repeat(4100)]);
      expect(
        await rejection(v.verify("CreateWallet", { message: long, signature: await signer.signMessage(long) })),
      ).to.include({
        code: "TypedDataTooLarge",
      });
      const ok = text("Please mint a usage API key", fields());
      const sig = await signer.signMessage(ok);
      await v.verify("AddUsageApiKey", { message: ok, signature: sig });
      expect(await rejection(v.verify("AddUsageApiKey", { message: ok, signature: sig }))).to.include({ status: 409 });
    });
  });

  describe("X-Wallet-Auth (BillingAuth)", () => {
    it("accepts base64 of JSON {typed_data, signature} once; refuses other primaryTypes and garbage", async () => {
      const v = verifier();
      const header = Buffer.from(JSON.stringify(await sign("BillingAuth"))).toString("base64");
      const ok = await v.verifyWalletAuthHeader(header);
      expect(ok.address).to.equal(signer.address.toLowerCase());
      expect(await rejection(v.verifyWalletAuthHeader(header))).to.include({ status: 409 });
      const wrong = Buffer.from(JSON.stringify(await sign("CreateWallet", { issuedAt: NOW + 2 }))).toString("base64");
      expect(await rejection(v.verifyWalletAuthHeader(wrong))).to.include({ status: 401, code: "WrongPrimaryType" });
      expect(await rejection(v.verifyWalletAuthHeader("!!!"))).to.include({ status: 401, code: "InvalidWalletAuth" });
    });
  });

  it("the digest is the EIP-712 hash: a raw ECDSA signature of it by the signer verifies", async () => {
    const typed = chainSecuredTypedData("CreateWallet", signer.address, 31337, NOW + 5);
    const first = await verifier({ now: NOW + 5 }).check("CreateWallet", {
      typed_data: typed,
      signature: await signer.signTypedData(typed.domain, { CreateWallet: typed.types.CreateWallet }, typed.message),
    });
    const raw = signer.signingKey.sign(getBytes(first.digest)).serialized;
    const second = await verifier({ now: NOW + 5 }).check("CreateWallet", { typed_data: typed, signature: raw });
    expect(second.digest).to.equal(first.digest);
  });
});
