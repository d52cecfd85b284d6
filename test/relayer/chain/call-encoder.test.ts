import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, ParamType, type FunctionFragment } from "ethers";
import { diamondInterface, encodeCall } from "../../../src/relayer/chain";
import { fastEncodeCall, fastEncodeValues } from "../../../src/relayer/chain/call-encoder";
import { seeded } from "../../fixtures/seed";

const FUNCTIONS: FunctionFragment[] = [];
diamondInterface.forEachFunction((f) => FUNCTIONS.push(f));

const hexOf = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;

/** Random values of an ABI type in the forms the relayer passes (uint as bigint, number or text). */
function arbitraryOf(p: ParamType): fc.Arbitrary<unknown> {
  const uint = /^uint(\d*)$/.exec(p.type);
  if (uint) {
    const max = (1n << BigInt(uint[1] === "" ? 256 : Number(uint[1]))) - 1n;
    return fc.oneof(
      fc.bigInt({ min: 0n, max }),
      fc.bigInt({ min: 0n, max }).map((v) => `0x${v.toString(16)}`),
      fc.bigInt({ min: 0n, max }).map((v) => v.toString()),
      fc.integer({ min: 0, max: Number(max < 2n ** 31n ? max : 2n ** 31n) }),
    );
  }
  if (p.type === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hexOf);
  if (p.type === "bool") return fc.boolean();
  if (p.type === "string") return fc.string({ unit: "grapheme", maxLength: 80 });
  if (p.type === "bytes") return fc.uint8Array({ maxLength: 100 }).map(hexOf);
  const fixed = /^bytes(\d+)$/.exec(p.type);
  if (fixed) return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map(hexOf);
  if (p.baseType === "array" && p.arrayChildren) {
    const n = p.arrayLength ?? -1;
    return fc.array(arbitraryOf(p.arrayChildren), n >= 0 ? { minLength: n, maxLength: n } : { maxLength: 6 });
  }
  if (p.baseType === "tuple" && p.components) return fc.tuple(...p.components.map(arbitraryOf));
  throw new Error(`no arbitrary for ${p.type}`);
}

/** What ethers does with the same call: its calldata, or the message it throws. */
function viaEthers(fragment: FunctionFragment, args: readonly unknown[]): string {
  try {
    return diamondInterface.encodeFunctionData(fragment, args);
  } catch (err) {
    return `throws: ${(err as Error).message}`;
  }
}

function viaEncodeCall(fragment: FunctionFragment, args: readonly unknown[]): string {
  try {
    return encodeCall(fragment.name, args);
  } catch (err) {
    return `throws: ${(err as Error).message}`;
  }
}

const addGroup = diamondInterface.getFunction("addGroup");
if (!addGroup) throw new Error("addGroup missing");
const HASH = `0x${"12".repeat(32)}`;

describe("relayer call encoding (fast path)", () => {
  for (const fragment of FUNCTIONS) {
    it(`encodes ${fragment.name} exactly as ethers does (property)`, () => {
      fc.assert(
        fc.property(fc.tuple(...fragment.inputs.map(arbitraryOf)), (args) => {
          expect(viaEncodeCall(fragment, args)).to.equal(viaEthers(fragment, args));
        }),
        seeded(30),
      );
    });
  }

  it("encodes a management write's arguments itself (no ethers coder)", () => {
    const args = [HASH, "name 😀", "déscription", [HASH, 7n], ["0x" + "ab".repeat(20)]];
    expect(fastEncodeCall(addGroup, args)).to.equal(diamondInterface.encodeFunctionData(addGroup, args));
  });

  it("encodes nested dynamic arrays and tuples as ethers' AbiCoder does (property)", () => {
    const types = ["tuple(string,uint256[],bytes)[]", "bytes4[2]", "string[2][]", "tuple(address,tuple(bool,bytes)[])"].map((t) =>
      ParamType.from(t),
    );
    fc.assert(
      fc.property(fc.tuple(...types.map(arbitraryOf)), (values) => {
        expect(`0x${fastEncodeValues(types, values)}`).to.equal(AbiCoder.defaultAbiCoder().encode(types, values));
      }),
      seeded(40),
    );
  });

  it("leaves to ethers what it does not take, with the same result or error", () => {
    const checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    const cases: unknown[][] = [
      [HASH, "a", "b", [], [checksummed]], // mixed case: ethers checks the checksum
      [HASH, "a", "b", [], [checksummed.replace("a", "A")]], // a bad checksum: ethers throws
      [HASH, "a", "b", [], ["ab".repeat(20)]], // no 0x prefix
      [HASH, "\uD83D", "b", [], []], // a lone surrogate: ethers throws
      [-1n, "a", "b", [], []], // out of range
      [1n << 256n, "a", "b", [], []],
      ["0x", "a", "b", [], []],
      ["12abc", "a", "b", [], []],
      [HASH, "a", "b", [], []].slice(0, 4), // too few arguments
      [HASH, "a", "b", "not an array", []],
      [HASH, 5, "b", [], []],
    ];
    const fixed = [ParamType.from("bytes4[2]")];
    expect(fastEncodeValues(fixed, [["0x01020304"]])).to.equal(null); // a fixed array of the wrong length
    expect(fastEncodeValues(fixed, [["0x01020304", "0x0102030405"]])).to.equal(null); // a bytes4 of 5 bytes
    for (const args of cases) {
      expect(fastEncodeCall(addGroup, args), JSON.stringify(args, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))).to.equal(null);
      expect(viaEncodeCall(addGroup, args)).to.equal(viaEthers(addGroup, args));
    }
  });

  it("leaves tuples given as objects to ethers, which reads them by name", () => {
    const types = [ParamType.from("tuple(uint256 a, bool b)")];
    expect(fastEncodeValues(types, [{ a: 1n, b: true }])).to.equal(null);
    expect(fastEncodeValues(types, [[1n, true]])).to.equal(AbiCoder.defaultAbiCoder().encode(types, [{ a: 1n, b: true }]).slice(2));
  });
});
