/** Unit tests of src/core: hashing (spec vectors) and option parsing. */
import { expect } from "chai";
import fc from "fast-check";
import * as fs from "fs";
import { decodeBase64, keccak256, toUtf8Bytes } from "ethers";
import {
  ParseError,
  apiKeyHash,
  chainSecuredHash,
  cidHash,
  generateApiKey,
  isHash32,
  parseAddress,
  parseAddressList,
  parseLowercaseAddress,
  parseCid,
  parseCidList,
  parseGroupId,
  parseKeyOrHash,
  parseTimestamp,
  parseUint,
  parseUintList,
  toHash32,
} from "../../src/core";
import { sharedSpecPath } from "../fixtures/spec";
import { skipBecause } from "../fixtures/skips";

/** The vectors of shared/spec/vectors.json (http-api.md §1, §7), embedded so the repo is self-contained. */
const VECTORS = {
  apiKeyHash: {
    key: "5OlOM7BgjXecuaemydJCsZPtiJ937FFUzNLiJrZu+qk=",
    hash: "0xf089db65318c37c3b7ed0588970ef8e0e57883ea043a4ce4710eff19e94d7333",
  },
  chainSecuredHash: {
    address: "0x0940e276fd22446e4234c5691ce8636eefd7b513",
    hash: "0x2c56775615e86f52e2907058f2a854cbedf0bf60db2163c83676735837f08927",
  },
  cidHash: {
    cid: "QmZr5qtNmcxBdpXF7K7hSkLbxK2wUVhMhZn29PKzhynvcR",
    hash: "0x8c4105ec0937f0fc27873d0af1dd93b35f6ee096ec93d173c629fb17c4abf22f",
  },
};

function throwsParse(fn: () => unknown, ...fragments: string[]): string {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a ParseError").to.be.instanceOf(ParseError);
  const message = (caught as Error).message;
  expect(message).to.not.include("\n");
  for (const f of fragments) expect(message).to.include(f);
  return message;
}

describe("src/core hashing", () => {
  it("embedded vectors equal ../shared/spec/vectors.json (when the spec is checked out next to the repo)", function () {
    const file = sharedSpecPath("vectors.json");
    if (!file) skipBecause(this, "spec-checkout", "no ../shared/spec/vectors.json beside the repository: nothing to compare the embedded vectors with");
    const spec = JSON.parse(fs.readFileSync(file, "utf8")) as typeof VECTORS;
    expect(spec.apiKeyHash).to.deep.equal(VECTORS.apiKeyHash);
    expect(spec.chainSecuredHash).to.deep.equal(VECTORS.chainSecuredHash);
    expect(spec.cidHash).to.deep.equal(VECTORS.cidHash);
  });

  it("apiKeyHash hashes the key text (vector) and passes 0x hashes through, lowercased", () => {
    expect(apiKeyHash(VECTORS.apiKeyHash.key)).to.equal(VECTORS.apiKeyHash.hash);
    expect(apiKeyHash(VECTORS.apiKeyHash.hash)).to.equal(VECTORS.apiKeyHash.hash);
    expect(apiKeyHash(VECTORS.apiKeyHash.hash.toUpperCase().replace("0X", "0x"))).to.equal(VECTORS.apiKeyHash.hash);
    // not the decoded bytes
    expect(apiKeyHash(VECTORS.apiKeyHash.key)).to.not.equal(keccak256(decodeBase64(VECTORS.apiKeyHash.key)));
    expect(() => apiKeyHash("")).to.throw(/api key/);
  });

  it("chainSecuredHash = keccak256(abi.encodePacked(address)) (vector), any case, 0x optional", () => {
    const { address, hash } = VECTORS.chainSecuredHash;
    expect(chainSecuredHash(address)).to.equal(hash);
    expect(chainSecuredHash(address.toUpperCase().replace("0X", "0x"))).to.equal(hash);
    expect(chainSecuredHash(address.slice(2))).to.equal(hash);
  });

  it("cidHash = keccak256(utf8(cid)) (vector) and passes 0x hashes through", () => {
    expect(cidHash(VECTORS.cidHash.cid)).to.equal(VECTORS.cidHash.hash);
    expect(cidHash(VECTORS.cidHash.hash)).to.equal(VECTORS.cidHash.hash);
    expect(cidHash("x")).to.equal(keccak256(toUtf8Bytes("x")));
  });

  it("isHash32 accepts exactly 0x + 64 hex", () => {
    expect(isHash32(VECTORS.cidHash.hash)).to.equal(true);
    expect(isHash32(VECTORS.cidHash.hash.toUpperCase().replace("0X", "0x"))).to.equal(true);
    expect(isHash32(VECTORS.cidHash.hash.slice(0, 65))).to.equal(false);
    expect(isHash32(`${VECTORS.cidHash.hash}0`)).to.equal(false);
    expect(isHash32(VECTORS.cidHash.hash.slice(2))).to.equal(false);
    expect(isHash32(`0x${"g".repeat(64)}`)).to.equal(false);
  });

  it("generateApiKey returns 32 random bytes as padded base64 (44 chars)", () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).to.have.length(44);
    expect(a.endsWith("=")).to.equal(true);
    expect(decodeBase64(a)).to.have.length(32);
    expect(a).to.not.equal(b);
  });

  it("toHash32 pads to 32 bytes and rejects out-of-range values", () => {
    expect(toHash32(1n)).to.equal(`0x${"0".repeat(63)}1`);
    expect(() => toHash32(1n << 256n)).to.throw();
    expect(() => toHash32(-1n)).to.throw();
  });
});

describe("src/core parse", () => {
  it("parseGroupId: decimal or 0x hex, positive, fits uint256", () => {
    expect(parseGroupId("7")).to.equal(7n);
    expect(parseGroupId(" 0x1f ")).to.equal(31n);
    expect(parseGroupId(`0x${"f".repeat(64)}`)).to.equal((1n << 256n) - 1n);
    expect(throwsParse(() => parseGroupId("abc"))).to.equal('--group: expected a decimal or 0x-hex group id, got "abc"');
    throwsParse(() => parseGroupId("0"), "--group", "positive", '"0"');
    throwsParse(() => parseGroupId("-1"), "--group");
    throwsParse(() => parseGroupId("1.5"), "--group");
    throwsParse(() => parseGroupId(""), "--group");
    throwsParse(() => parseGroupId((1n << 256n).toString()), "--group");
    throwsParse(() => parseGroupId(`0x1${"0".repeat(64)}`), "--group");
    throwsParse(() => parseGroupId("x", "--id"), "--id:");
  });

  it("parseUint / parseUintList", () => {
    expect(parseUint("0")).to.equal(0n);
    expect(parseUint("0X10")).to.equal(16n);
    throwsParse(() => parseUint("1e3", "--amount"), '--amount: expected a decimal or 0x-hex unsigned integer', '"1e3"');
    expect(parseUintList("")).to.deep.equal([]);
    expect(parseUintList(" ")).to.deep.equal([]);
    expect(parseUintList("0, 2,0x3")).to.deep.equal([0n, 2n, 3n]);
    throwsParse(() => parseUintList("1,,2", "--execute"), "--execute entry 2", '""');
    throwsParse(() => parseUintList("1,x", "--execute"), "--execute entry 2", '"x"');
  });

  it("parseAddress: 0x optional, case-insensitive, returns the checksummed form", () => {
    const checksummed = "0x0940e276FD22446E4234c5691CE8636eefd7b513";
    const lower = "0x0940e276fd22446e4234c5691ce8636eefd7b513";
    expect(parseAddress(lower)).to.equal(parseAddress(lower.toUpperCase().replace("0X", "0x")));
    expect(parseAddress(lower.slice(2))).to.equal(parseAddress(lower));
    expect(parseAddress(lower).toLowerCase()).to.equal(lower);
    // a mixed-case value with a wrong checksum is still accepted (case-insensitive)
    expect(parseAddress(checksummed).toLowerCase()).to.equal(lower);
    expect(throwsParse(() => parseAddress("0x1234", "--pkp"))).to.equal('--pkp: expected a 20-byte hex address (0x optional), got "0x1234"');
    throwsParse(() => parseAddress(`0x${"z".repeat(40)}`), "--address");
    expect(parseAddressList("")).to.deep.equal([]);
    expect(parseAddressList(`${lower},${lower.slice(2)}`)).to.have.length(2);
    throwsParse(() => parseAddressList(`${lower},nope`, "--payers"), "--payers entry 2");
  });

  it("parseLowercaseAddress answers parseAddress's address in lowercase, and refuses what it refuses (property)", () => {
    const hex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString("hex"));
    const text = fc.oneof(
      fc.tuple(hex40, fc.constantFrom("0x", "0X", "", " 0x"), fc.boolean()).map(([h, p, up]) => `${p}${up ? h.toUpperCase() : h}`),
      fc.string({ maxLength: 44 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        let want: string | Error;
        try {
          want = parseAddress(t, "--x").toLowerCase();
        } catch (e) {
          want = e as Error;
        }
        if (typeof want === "string") expect(parseLowercaseAddress(t, "--x")).to.equal(want);
        else expect(() => parseLowercaseAddress(t, "--x")).to.throw(want.message);
      }),
      { numRuns: 300 },
    );
  });

  it("parseCid: CIDv0, CIDv1 base32 or a 0x hash", () => {
    expect(parseCid(VECTORS.cidHash.cid)).to.equal(VECTORS.cidHash.cid);
    expect(parseCid("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")).to.match(/^bafy/);
    expect(parseCid(VECTORS.cidHash.hash.toUpperCase().replace("0X", "0x"))).to.equal(VECTORS.cidHash.hash);
    throwsParse(() => parseCid("Qm123"), "--cid", "IPFS CID", '"Qm123"');
    throwsParse(() => parseCid(`Qm${"0".repeat(44)}`), "--cid"); // 0 is not base58
    throwsParse(() => parseCid("0x1234"), "--cid");
    throwsParse(() => parseCid("BAFYBEIGDYRZT5SFP7UDM7HU76UH7Y26NF3EFUYLQABF3OCLGTQY55FBZDI"), "--cid");
    expect(parseCidList(`${VECTORS.cidHash.cid}, ${VECTORS.cidHash.hash}`)).to.have.length(2);
    throwsParse(() => parseCidList(`${VECTORS.cidHash.cid},bad`, "--cids"), "--cids entry 2");
  });

  it("parseKeyOrHash rejects empty values and malformed hashes", () => {
    expect(parseKeyOrHash(" key ")).to.equal("key");
    expect(parseKeyOrHash(VECTORS.apiKeyHash.hash)).to.equal(VECTORS.apiKeyHash.hash);
    throwsParse(() => parseKeyOrHash(""), "--key");
    throwsParse(() => parseKeyOrHash("0x1234", "--account"), "--account", "0x + 64 hex");
  });

  it("parseTimestamp: unix seconds or ISO-8601", () => {
    expect(parseTimestamp("0")).to.equal(0n);
    expect(parseTimestamp("1700000000")).to.equal(1700000000n);
    expect(parseTimestamp("2030-01-01T00:00:00Z")).to.equal(1893456000n);
    throwsParse(() => parseTimestamp("tomorrow"), "--expiration");
  });
});
