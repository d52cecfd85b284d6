/**
 * The bound wallet-signature format (docs/wallet-signatures.md) in the verifier and the SDK, without
 * a chain: the vectors (recomputed with a hand-written EIP-712 encoder), how the domain version
 * selects the format, every rejection of the bound format with its own code, LEGACY_SIGNATURES=false,
 * the time window, single use and ERC-1271 on the bound digest, and a seeded property: a bound
 * signature verifies only on its own diamond and, for a conversion, only for its own account.
 */
import { expect } from "chai";
import fc from "fast-check";
import fs from "fs";
import path from "path";
import { AbiCoder, Wallet, concat, getAddress, hexlify, keccak256, randomBytes, toUtf8Bytes } from "ethers";
import { specPath } from "../../fixtures/spec";
import {
  MemoryReplayStore,
  WalletSignatureVerifier,
  boundTypedData,
  chainSecuredTypedData,
  type WalletFlow,
} from "../../../src/relayer/services/wallet-signatures";
import { ServiceError } from "../../../src/relayer/services/errors";
import { KIND_STATUS } from "../../../src/relayer/http/errors";
import type { SignatureChecker } from "../../../src/relayer/ports";
import {
  LitUsageError,
  chainSecuredDigest,
  chainSecuredTypedData as sdkTypedData,
  signChainSecured,
  walletAuthHeader,
} from "../../../src/sdk";

interface BoundVector {
  primaryType: WalletFlow;
  signer_private_key: string;
  domain: { name: string; version: string; chainId: number; verifyingContract: string };
  message: { address: string; apiKeyHash?: string; issuedAt: number };
  digest: string;
  signature: string;
}
interface HostedVector {
  primaryType: WalletFlow;
  message: { address: string; issuedAt: number };
  signature: string;
}

const BOUND: BoundVector[] = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "../../fixtures/bound-signature-vectors.json"), "utf8")) as {
    eip712: BoundVector[];
  }
).eip712;
const HOSTED: HostedVector[] = (
  JSON.parse(fs.readFileSync(specPath("vectors.json"), "utf8")) as { eip712: HostedVector[] }
).eip712;
const NOW = BOUND[0].message.issuedAt;
const DIAMOND = BOUND[0].domain.verifyingContract.toLowerCase();
const OTHER_DIAMOND = "0x" + "d1".repeat(20);
const signer = new Wallet(BOUND[0].signer_private_key);
const ACCOUNT_X = keccak256(toUtf8Bytes("account X's master key"));
const ACCOUNT_Y = keccak256(toUtf8Bytes("account Y's master key"));

// ------------------------------------------------------------- a hand-written EIP-712 encoder
const abi = AbiCoder.defaultAbiCoder();
const DOMAIN_TYPEHASH = keccak256(
  toUtf8Bytes("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
);
function manualDigest(v: Pick<BoundVector, "primaryType" | "domain" | "message">): string {
  const domainSeparator = keccak256(
    abi.encode(
      ["bytes32", "bytes32", "bytes32", "uint256", "address"],
      [
        DOMAIN_TYPEHASH,
        keccak256(toUtf8Bytes(v.domain.name)),
        keccak256(toUtf8Bytes(v.domain.version)),
        v.domain.chainId,
        v.domain.verifyingContract,
      ],
    ),
  );
  const converts = v.primaryType === "ConvertAccount";
  const typeString = converts
    ? "ConvertAccount(address address,bytes32 apiKeyHash,uint256 issuedAt)"
    : `${v.primaryType}(address address,uint256 issuedAt)`;
  const structHash = keccak256(
    converts
      ? abi.encode(
          ["bytes32", "address", "bytes32", "uint256"],
          [keccak256(toUtf8Bytes(typeString)), v.message.address, v.message.apiKeyHash, v.message.issuedAt],
        )
      : abi.encode(
          ["bytes32", "address", "uint256"],
          [keccak256(toUtf8Bytes(typeString)), v.message.address, v.message.issuedAt],
        ),
  );
  return keccak256(concat(["0x1901", domainSeparator, structHash]));
}

// ------------------------------------------------------------- helpers
function verifier(
  opts: { now?: number; diamond?: string | null; legacy?: boolean; checker?: SignatureChecker } = {},
): WalletSignatureVerifier {
  const now = () => opts.now ?? NOW;
  return new WalletSignatureVerifier({
    chainId: 31337,
    verifyingContract: opts.diamond === undefined ? DIAMOND : opts.diamond,
    acceptHostedFormats: opts.legacy ?? true,
    now,
    checker: opts.checker,
    replay: new MemoryReplayStore(now),
  });
}

async function signBound(
  flow: WalletFlow,
  over: { diamond?: string; account?: string; issuedAt?: number; address?: string; wallet?: Wallet } = {},
) {
  const w = over.wallet ?? signer;
  const typed = boundTypedData(flow, {
    address: over.address ?? w.address,
    chainId: 31337,
    verifyingContract: over.diamond ?? DIAMOND,
    issuedAt: over.issuedAt ?? NOW,
    ...(flow === "ConvertAccount" ? { apiKeyHash: over.account ?? ACCOUNT_X } : {}),
  });
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
type Envelope = {
  types: Record<string, { name: string; type: string }[]>;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
};
const envelope = (s: { typed_data: Record<string, unknown> }) => s.typed_data as unknown as Envelope;

describe("wallet signatures: the bound format (docs/wallet-signatures.md)", () => {
  describe("vectors", () => {
    for (const v of BOUND) {
      it(`${v.primaryType}: the digest equals a hand-written EIP-712 encoding, and the relayer verifies the signature`, async () => {
        expect(manualDigest(v)).to.equal(v.digest);
        const typed = boundTypedData(v.primaryType, {
          address: v.message.address,
          chainId: v.domain.chainId,
          verifyingContract: v.domain.verifyingContract,
          issuedAt: v.message.issuedAt,
          apiKeyHash: v.message.apiKeyHash,
        });
        expect(typed.domain).to.deep.equal(v.domain);
        expect(typed.message).to.deep.equal(v.message);
        const ok = await verifier().verify(v.primaryType, {
          typed_data: typed,
          signature: v.signature,
          account: v.message.apiKeyHash,
        });
        expect(ok).to.include({ digest: v.digest, format: "bound", scheme: "ecdsa", address: v.message.address.toLowerCase() });
      });

      it(`${v.primaryType}: the SDK builds the same envelope, digest and signature`, async () => {
        const binding = {
          chainId: v.domain.chainId,
          verifyingContract: v.domain.verifyingContract,
          ...(v.message.apiKeyHash === undefined ? {} : { apiKeyHash: v.message.apiKeyHash }),
        };
        const typed = sdkTypedData(v.primaryType, v.message.address, binding, v.message.issuedAt);
        expect(typed.domain).to.deep.equal(v.domain);
        expect(typed.message).to.deep.equal(v.message);
        expect(chainSecuredDigest(typed)).to.equal(v.digest);
        const signed = await signChainSecured(new Wallet(v.signer_private_key), v.primaryType, binding, {
          issuedAt: v.message.issuedAt,
        });
        expect(signed.signature).to.equal(v.signature);
        expect(signed.typed_data).to.deep.equal(typed);
      });
    }

    it("the hosted vectors of the spec still verify while the hosted formats are on (the default)", async () => {
      for (const v of HOSTED) {
        const typed = chainSecuredTypedData(v.primaryType, v.message.address, 31337, v.message.issuedAt);
        const ok = await verifier().verify(v.primaryType, { typed_data: typed, signature: v.signature });
        expect(ok.format).to.equal("eip712");
      }
    });
  });

  describe("the domain version selects the format", () => {
    it("version 2 without verifyingContract in the types is 400 InvalidTypes naming the bound domain type", async () => {
      const s = await signBound("CreateWallet");
      const bad = clone(s);
      envelope(bad).types.EIP712Domain.pop();
      delete envelope(bad).domain.verifyingContract;
      const r = await rejection(verifier().verify("CreateWallet", bad));
      expect(r).to.include({ status: 400, code: "InvalidTypes" });
      expect(r.message).to.contain("verifyingContract address");
    });

    it("version 1 with verifyingContract is 400 InvalidTypes (the hosted format has no diamond)", async () => {
      const s = await signBound("CreateWallet");
      const bad = clone(s);
      envelope(bad).domain.version = "1";
      const r = await rejection(verifier().verify("CreateWallet", bad));
      expect(r).to.include({ status: 400, code: "InvalidTypes" });
      expect(r.message).to.contain("the hosted format");
    });

    it("any other version is 401 WrongDomain naming the accepted ones", async () => {
      const s = await signBound("CreateWallet");
      const bad = clone(s);
      envelope(bad).domain.version = "3";
      const on = await rejection(verifier().verify("CreateWallet", bad));
      expect(on).to.include({ status: 401, code: "WrongDomain" });
      expect(on.message).to.contain('"2"').and.to.contain('"1"');
      const off = await rejection(verifier({ legacy: false }).verify("CreateWallet", bad));
      expect(off.message).to.contain('"2"').and.not.to.contain('"1"');
    });
  });

  describe("rejections of the bound format, each with its own code", () => {
    it("a signature for another diamond is 401 WrongVerifyingContract naming both diamonds", async () => {
      const r = await rejection(verifier().verify("CreateWallet", await signBound("CreateWallet", { diamond: OTHER_DIAMOND })));
      expect(r).to.include({ status: 401, code: "WrongVerifyingContract" });
      expect(r.message).to.contain(DIAMOND).and.to.contain(OTHER_DIAMOND);
    });

    it("a relayer without a configured diamond refuses the bound format, saying so", async () => {
      const r = await rejection(verifier({ diamond: null }).verify("CreateWallet", await signBound("CreateWallet")));
      expect(r).to.include({ status: 401, code: "WrongVerifyingContract" });
      expect(r.message).to.contain("DIAMOND_ADDRESS");
    });

    it("a ConvertAccount signature for account X is 401 WrongAccount for account Y or no account", async () => {
      const s = await signBound("ConvertAccount", { account: ACCOUNT_X });
      const y = await rejection(verifier().verify("ConvertAccount", { ...s, account: ACCOUNT_Y }));
      expect(y).to.include({ status: 401, code: "WrongAccount" });
      expect(y.message).to.contain(ACCOUNT_X).and.to.contain(ACCOUNT_Y);
      const none = await rejection(verifier().verify("ConvertAccount", s));
      expect(none).to.include({ status: 401, code: "WrongAccount" });
      await verifier().verify("ConvertAccount", { ...s, account: ACCOUNT_X.toUpperCase().replace("0X", "0x") });
    });

    it("an altered apiKeyHash does not verify (it is signed): 401 SignerMismatch", async () => {
      const s = await signBound("ConvertAccount", { account: ACCOUNT_X });
      const altered = clone(s);
      envelope(altered).message.apiKeyHash = ACCOUNT_Y;
      const r = await rejection(verifier().verify("ConvertAccount", { ...altered, account: ACCOUNT_Y }));
      expect(r).to.include({ status: 401, code: "SignerMismatch" });
    });

    it("a ConvertAccount without apiKeyHash, or with a malformed one, is 400", async () => {
      const s = await signBound("ConvertAccount");
      const noField = clone(s);
      envelope(noField).types.ConvertAccount.splice(1, 1);
      delete envelope(noField).message.apiKeyHash;
      const r = await rejection(verifier().verify("ConvertAccount", { ...noField, account: ACCOUNT_X }));
      expect(r).to.include({ status: 400, code: "InvalidTypes" });
      expect(r.message).to.contain("apiKeyHash bytes32");
      const malformed = clone(s);
      envelope(malformed).message.apiKeyHash = "0x1234";
      const m = await rejection(verifier().verify("ConvertAccount", { ...malformed, account: ACCOUNT_X }));
      expect(m).to.include({ status: 400, code: "InvalidTypedData" });
      expect(m.message).to.contain("typed_data.message.apiKeyHash");
    });

    it("apiKeyHash on another flow is 400 InvalidTypes (only ConvertAccount names the account)", async () => {
      const s = await signBound("CreateWallet");
      const extra = clone(s);
      envelope(extra).types.CreateWallet.splice(1, 0, { name: "apiKeyHash", type: "bytes32" });
      envelope(extra).message.apiKeyHash = ACCOUNT_X;
      expect(await rejection(verifier().verify("CreateWallet", extra))).to.include({ status: 400, code: "InvalidTypes" });
    });

    it("a malformed verifyingContract is 400 InvalidTypedData", async () => {
      const bad = clone(await signBound("CreateWallet"));
      envelope(bad).domain.verifyingContract = "0x1234";
      const r = await rejection(verifier().verify("CreateWallet", bad));
      expect(r).to.include({ status: 400, code: "InvalidTypedData" });
      expect(r.message).to.contain("typed_data.domain.verifyingContract");
    });

    it("issuedAt 301 s away is 401 SignatureExpired; 300 s is accepted", async () => {
      const s = await signBound("AddUsageApiKey");
      expect(await rejection(verifier({ now: NOW + 301 }).verify("AddUsageApiKey", s))).to.include({
        code: "SignatureExpired",
      });
      expect(await rejection(verifier({ now: NOW - 301 }).verify("AddUsageApiKey", s))).to.include({
        code: "SignatureExpired",
      });
      await verifier({ now: NOW + 300 }).verify("AddUsageApiKey", s);
      await verifier({ now: NOW - 300 }).verify("AddUsageApiKey", s);
    });

    it("a bound signature is accepted once: a repeat is 409 SignatureAlreadyUsed", async () => {
      const v = verifier();
      const s = await signBound("CreateWallet");
      await v.verify("CreateWallet", s);
      expect(await rejection(v.verify("CreateWallet", s))).to.include({ status: 409, code: "SignatureAlreadyUsed" });
      expect(await rejection(v.verify("CreateWallet", { ...s, typed_data: JSON.stringify(s.typed_data) }))).to.include({
        status: 409,
      });
    });

    it("an ERC-1271 contract wallet is asked about the bound digest and its answer decides", async () => {
      const contract = "0x" + "c0".repeat(20);
      const asked: string[] = [];
      const checker = (accept: boolean): SignatureChecker => ({
        hasCode: async (a) => a === contract,
        isValidSignature: async (_a, digest) => {
          asked.push(digest);
          return accept;
        },
      });
      const typed = boundTypedData("ConvertAccount", {
        address: contract,
        chainId: 31337,
        verifyingContract: DIAMOND,
        issuedAt: NOW,
        apiKeyHash: ACCOUNT_X,
      });
      const request = { typed_data: typed, signature: "0xabcd", account: ACCOUNT_X };
      const ok = await verifier({ checker: checker(true) }).verify("ConvertAccount", request);
      expect(ok).to.include({ scheme: "erc1271", format: "bound" });
      expect(asked).to.deep.equal([ok.digest]);
      expect(ok.digest).to.equal(manualDigest({ primaryType: "ConvertAccount", domain: typed.domain, message: typed.message }));
      expect(await rejection(verifier({ checker: checker(false) }).verify("ConvertAccount", request))).to.include({
        status: 401,
        code: "SignerMismatch",
      });
    });
  });

  describe("LEGACY_SIGNATURES=false", () => {
    it("hosted typed data is 401 LegacySignaturesDisabled naming the setting and the bound domain to sign", async () => {
      for (const v of HOSTED) {
        const typed = chainSecuredTypedData(v.primaryType, v.message.address, 31337, v.message.issuedAt);
        const r = await rejection(verifier({ legacy: false }).verify(v.primaryType, { typed_data: typed, signature: v.signature }));
        expect(r).to.include({ status: 401, code: "LegacySignaturesDisabled" });
        expect(r.message).to.contain("LEGACY_SIGNATURES=false").and.to.contain(`verifyingContract ${DIAMOND}`);
        expect(r.message.includes("apiKeyHash")).to.equal(v.primaryType === "ConvertAccount");
      }
    });

    it("hosted signed text is 401 LegacySignaturesDisabled", async () => {
      const message = ["Please create a new wallet", `Address: ${signer.address}`, "Chain ID: 31337", `Issued At: ${NOW}`].join(
        "\n",
      );
      const r = await rejection(
        verifier({ legacy: false }).verify("CreateWallet", { message, signature: await signer.signMessage(message) }),
      );
      expect(r).to.include({ status: 401, code: "LegacySignaturesDisabled" });
      expect(r.message).to.contain("signed text");
    });

    it("X-Wallet-Auth: a hosted BillingAuth is refused, a bound one accepted", async () => {
      const v = verifier({ legacy: false });
      const hosted = HOSTED.find((h) => h.primaryType === "BillingAuth");
      if (hosted === undefined) throw new Error("no hosted BillingAuth vector");
      const typed = chainSecuredTypedData("BillingAuth", hosted.message.address, 31337, hosted.message.issuedAt);
      const hostedHeader = Buffer.from(JSON.stringify({ typed_data: typed, signature: hosted.signature })).toString("base64");
      expect(await rejection(v.verifyWalletAuthHeader(hostedHeader))).to.include({
        status: 401,
        code: "LegacySignaturesDisabled",
      });
      const header = await walletAuthHeader(signer, { chainId: 31337, verifyingContract: DIAMOND });
      const ok = await verifier({ legacy: false, now: Math.floor(Date.now() / 1000) }).verifyWalletAuthHeader(header);
      expect(ok).to.include({ format: "bound", address: signer.address.toLowerCase() });
    });
  });

  describe("SDK envelopes", () => {
    it("refuse a conversion without the account, an account on another flow, and a bad diamond (LitUsageError)", async () => {
      const cases: [WalletFlow, Parameters<typeof signChainSecured>[2]][] = [
        ["ConvertAccount", { chainId: 31337, verifyingContract: DIAMOND }],
        ["ConvertAccount", { chainId: 31337, verifyingContract: DIAMOND, apiKeyHash: "0x12" }],
        ["CreateWallet", { chainId: 31337, verifyingContract: DIAMOND, apiKeyHash: ACCOUNT_X }],
        ["BillingAuth", { chainId: 31337, verifyingContract: "not an address" }],
        ["BillingAuth", { chainId: 0, verifyingContract: DIAMOND }],
      ];
      for (const [flow, binding] of cases) {
        let thrown: unknown;
        try {
          await signChainSecured(signer, flow, binding);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `${flow} ${JSON.stringify(binding)}`).to.be.instanceOf(LitUsageError);
      }
    });
  });

  describe("property (seeded): a bound signature verifies only where and for whom it was made", () => {
    it("accepted on its diamond (and account); refused on any other diamond, hosted formats on or off; refused for any other account", async () => {
      const hex20 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => hexlify(b));
      const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => hexlify(b));
      const flow = fc.constantFrom<WalletFlow>("CreateWallet", "ConvertAccount", "AddUsageApiKey", "BillingAuth");
      const wallet = new Wallet(hexlify(randomBytes(32)));
      await fc.assert(
        fc.asyncProperty(
          flow,
          hex20,
          hex20,
          hex32,
          hex32,
          fc.integer({ min: -300, max: 300 }),
          fc.boolean(),
          async (f, a, b, x, y, skew, legacy) => {
            fc.pre(a !== b && x !== y);
            const diamondA = getAddress(a).toLowerCase();
            const diamondB = getAddress(b).toLowerCase();
            const s = await signBound(f, { diamond: diamondA, account: x, wallet, issuedAt: NOW + skew });
            const onB = await rejection(verifier({ diamond: diamondB, legacy }).verify(f, { ...s, account: x }));
            expect(onB).to.include({ status: 401, code: "WrongVerifyingContract" });
            if (f === "ConvertAccount") {
              const forY = await rejection(verifier({ diamond: diamondA, legacy }).verify(f, { ...s, account: y }));
              expect(forY).to.include({ status: 401, code: "WrongAccount" });
            }
            const ok = await verifier({ diamond: diamondA, legacy }).verify(f, { ...s, account: x });
            expect(ok).to.include({ format: "bound", address: wallet.address.toLowerCase() });
          },
        ),
        { seed: 1302, numRuns: 60 },
      );
    });
  });
});
