/**
 * src/core/hashing as the one home of the hashing helpers (docs/hashing.md): the text-only and the
 * text-or-hash helpers agree where they should and differ where they must (seeded property tests),
 * toHash32 normalises every accepted form of a 32-byte value, the SDK, relayer and dashboard use
 * these functions rather than copies, no hashing helper is written again elsewhere, and a 32-byte
 * hash has one type name (Hash32) across src, tasks, scripts, bench, test and the dashboard.
 */
import { expect } from "chai";
import fc from "fast-check";
import fs from "fs";
import path from "path";
import { keccak256, solidityPackedKeccak256, toUtf8Bytes } from "ethers";
import {
  apiKeyHash,
  apiKeyTextHash,
  chainSecuredHash,
  cidHash,
  cidTextHash,
  isHash32,
  toHash32,
} from "../../src/core/hashing";
import * as sdk from "../../src/sdk";
import { credentialHash } from "../../src/relayer/http/credentials";

const ROOT = path.resolve(__dirname, "..", "..");
const HASH = "0x8c4105ec0937f0fc27873d0af1dd93b35f6ee096ec93d173c629fb17c4abf22f";

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
const uint256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
const text = fc.string({ minLength: 1, maxLength: 80, unit: "binary" });
const upperHex = (h: string) => `0x${h.slice(2).toUpperCase()}`;

/** Hashing written inline: keccak256 of utf8 text, of a packed address, a 32-byte hex padding. */
const INLINE_HASHING = [
  /keccak256\(\s*(ethers\.)?toUtf8Bytes\(/,
  /solidityPackedKeccak256\(\s*\[\s*"address"\s*\]/,
  /0x\$\{[^}]*toString\(16\)\.padStart\(64/,
];

/** Our TypeScript files under `dir` (relative to the repository root, forward slashes; no installed or built trees). */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(path.join(ROOT, dir))) return out;
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "dist") out.push(...sourceFiles(rel));
    } else if (/\.tsx?$/.test(entry.name)) out.push(rel);
  }
  return out;
}

describe("src/core hashing: one set of helpers", () => {
  it("apiKeyTextHash hashes any key text, including one that looks like a hash (property)", () => {
    fc.assert(
      fc.property(fc.oneof(text, hex32), (key) => {
        expect(apiKeyTextHash(key)).to.equal(keccak256(toUtf8Bytes(key)));
        expect(apiKeyTextHash(key)).to.not.equal(key.toLowerCase());
      }),
      { seed: 1717, numRuns: 300 },
    );
  });

  it("apiKeyHash takes a 0x 32-byte value as the hash and hashes every other text like apiKeyTextHash (property)", () => {
    fc.assert(
      fc.property(text, hex32, (key, hash) => {
        if (!isHash32(key)) expect(apiKeyHash(key)).to.equal(apiKeyTextHash(key));
        expect(apiKeyHash(upperHex(hash))).to.equal(hash);
      }),
      { seed: 1718, numRuns: 300 },
    );
  });

  it("cidTextHash hashes any CID text; cidHash passes a 0x 32-byte value through (property)", () => {
    fc.assert(
      fc.property(text, hex32, (cid, hash) => {
        expect(cidTextHash(cid)).to.equal(keccak256(toUtf8Bytes(cid)));
        if (!isHash32(cid)) expect(cidHash(cid)).to.equal(cidTextHash(cid));
        expect(cidHash(upperHex(hash))).to.equal(hash);
        expect(cidTextHash(hash)).to.not.equal(hash);
      }),
      { seed: 1719, numRuns: 300 },
    );
  });

  it("the text helpers refuse an empty text", () => {
    expect(() => apiKeyTextHash("")).to.throw(/api key/);
    expect(() => cidTextHash("")).to.throw(/cid/);
  });

  it("chainSecuredHash is keccak256(abi.encodePacked(address)) for any case, with or without 0x (property)", () => {
    fc.assert(
      fc.property(address, (a) => {
        const expected = solidityPackedKeccak256(["address"], [a]);
        expect(chainSecuredHash(a)).to.equal(expected);
        expect(chainSecuredHash(upperHex(a))).to.equal(expected);
        expect(chainSecuredHash(a.slice(2))).to.equal(expected);
      }),
      { seed: 1720, numRuns: 200 },
    );
  });

  it("chainSecuredHash refuses a text that is not 20 hex bytes", () => {
    for (const bad of ["", "0x", "0x1234", `0x${"g".repeat(40)}`, `0x${"a".repeat(41)}`, `${"a".repeat(39)}`])
      expect(() => chainSecuredHash(bad), bad).to.throw(/invalid address/);
  });

  it("toHash32 gives the same Hash32 for a uint256 as a bigint, a 0x-hex string of any case and a decimal string (property)", () => {
    fc.assert(
      fc.property(uint256, (n) => {
        const h = toHash32(n);
        expect(isHash32(h) && h === h.toLowerCase()).to.equal(true);
        expect(BigInt(h)).to.equal(n);
        expect(toHash32(`0x${n.toString(16)}`)).to.equal(h);
        expect(toHash32(`0X${n.toString(16).toUpperCase()}`)).to.equal(h);
        expect(toHash32(n.toString())).to.equal(h);
        expect(toHash32(upperHex(h))).to.equal(h);
      }),
      { seed: 1721, numRuns: 300 },
    );
  });

  it("toHash32 gives a short decimal string (a counter, padded from its number) the Hash32 of its bigint, leading zeros included (property)", () => {
    fc.assert(
      fc.property(fc.bigInt(0n, 10n ** 16n), fc.nat(3), (n, zeros) => {
        const h = toHash32(n);
        expect(toHash32(n.toString())).to.equal(h);
        expect(toHash32("0".repeat(zeros) + n.toString())).to.equal(h);
      }),
      { seed: 1722, numRuns: 500 },
    );
  });

  it("toHash32 refuses values outside uint256 and strings of another form, quoting them", () => {
    expect(() => toHash32(1n << 256n)).to.throw(/does not fit in 32 bytes/);
    expect(() => toHash32(-1n)).to.throw(/does not fit in 32 bytes/);
    expect(() => toHash32(`0x${"f".repeat(65)}`)).to.throw(/got "0x/);
    expect(() => toHash32((1n << 256n).toString())).to.throw(/does not fit in 32 bytes/);
    for (const bad of ["", "0x", "12a", "-1", " 1", "1e3"]) expect(() => toHash32(bad), bad).to.throw(/expected a 0x-hex or decimal/);
  });

  it("the SDK exports core's helpers themselves, and its chainSecuredAccountHash is core's chainSecuredHash", () => {
    expect(sdk.apiKeyHash).to.equal(apiKeyHash);
    expect(sdk.apiKeyTextHash).to.equal(apiKeyTextHash);
    expect(sdk.cidHash).to.equal(cidHash);
    expect(sdk.cidTextHash).to.equal(cidTextHash);
    expect(sdk.chainSecuredHash).to.equal(chainSecuredHash);
    expect(sdk.chainSecuredAccountHash).to.equal(chainSecuredHash);
    expect(sdk.toHash32).to.equal(toHash32);
  });

  it("the relayer hashes a header credential with core's apiKeyTextHash: a 0x hash sent as a key is hashed, not trusted", () => {
    // credentialHash caches by the key's digest (http/credentials.ts): the hash it gives is core's.
    fc.assert(fc.property(fc.string({ minLength: 1 }), (key) => credentialHash(key) === apiKeyTextHash(key)));
    expect(credentialHash(HASH)).to.equal(apiKeyTextHash(HASH));
    expect(credentialHash(HASH)).to.not.equal(HASH);
  });

  it("no hashing helper is defined outside src/core (keccak256 of utf8 text, of a packed address, 32-byte hex padding)", () => {
    // The one exception: an ERC-7201 storage slot hashes a namespace text (not a key, a CID or an
    // alias); only that pattern is allowed there, a chainSecuredHash copy in the same file is not.
    const allowed = new Map<string, RegExp[]>([["scripts/lib/storage-v2.ts", [INLINE_HASHING[0]!]]]);
    const offenders: string[] = [];
    for (const dir of ["src", "tasks", "scripts", "bench", "dashboard/src"]) {
      for (const rel of sourceFiles(dir)) {
        if (rel.startsWith("src/core/")) continue;
        const source = fs.readFileSync(path.join(ROOT, rel), "utf8");
        for (const p of INLINE_HASHING) {
          if (p.test(source) && !(allowed.get(rel) ?? []).includes(p)) offenders.push(`${rel}: ${p.source}`);
        }
      }
    }
    expect(offenders).to.deep.equal([]);
  });

  it("a 32-byte hash has one name, Hash32: no other spelling in src, tasks, scripts, bench, test or the dashboard", () => {
    const other = new RegExp(["Hex", "32"].join("")); // spelled in two parts so this file passes its own check
    const offenders: string[] = [];
    for (const dir of ["src", "tasks", "scripts", "bench", "test", "dashboard/src"]) {
      for (const rel of sourceFiles(dir)) {
        const lines = fs.readFileSync(path.join(ROOT, rel), "utf8").split("\n");
        lines.forEach((line, i) => {
          if (other.test(line)) offenders.push(`${rel}:${i + 1}`);
        });
      }
    }
    expect(offenders).to.deep.equal([]);
  });
});
