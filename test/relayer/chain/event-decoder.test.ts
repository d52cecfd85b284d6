import { expect } from "chai";
import fc from "fast-check";
import type { EventFragment, ParamType } from "ethers";
import { decodeLog, diamondInterface, normalize } from "../../../src/relayer/chain";
import { fastDecodeValues } from "../../../src/relayer/chain/event-decoder";
import { seeded } from "../../fixtures/seed";

const EVENTS: EventFragment[] = [];
diamondInterface.forEachEvent((e) => EVENTS.push(e));

const hexOf = (b: Uint8Array): string => `0x${Buffer.from(b).toString("hex")}`;

/** Random values of an ABI type, as ethers' encoder accepts them. */
function arbitraryOf(p: ParamType): fc.Arbitrary<unknown> {
  const uint = /^uint(\d*)$/.exec(p.type);
  if (uint) return fc.bigInt({ min: 0n, max: (1n << BigInt(uint[1] === "" ? 256 : Number(uint[1]))) - 1n });
  if (p.type === "address") return fc.uint8Array({ minLength: 20, maxLength: 20 }).map(hexOf);
  if (p.type === "bool") return fc.boolean();
  if (p.type === "string") return fc.string({ unit: "grapheme", maxLength: 80 });
  if (p.type === "bytes") return fc.uint8Array({ maxLength: 100 }).map(hexOf);
  const fixed = /^bytes(\d+)$/.exec(p.type);
  if (fixed) return fc.uint8Array({ minLength: Number(fixed[1]), maxLength: Number(fixed[1]) }).map(hexOf);
  if (p.baseType === "array" && p.arrayChildren) return fc.array(arbitraryOf(p.arrayChildren), { maxLength: 6 });
  if (p.baseType === "tuple" && p.components) return fc.tuple(...p.components.map(arbitraryOf));
  throw new Error(`no arbitrary for ${p.type}`);
}

/** What decodeLog gives through ethers alone. */
function viaEthers(fragment: EventFragment, topics: string[], data: string): Record<string, unknown> | null {
  try {
    const values = diamondInterface.decodeEventLog(fragment, data, topics);
    return Object.fromEntries(fragment.inputs.map((p, i) => [p.name || String(i), normalize(p, values[i])]));
  } catch {
    return null;
  }
}

describe("relayer event decoding (fast path)", () => {
  it("handles every diamond event except those with tuple parameters", () => {
    const slow = EVENTS.filter((e) => fastDecodeValues(e, [e.topicHash, ...e.inputs.filter((i) => i.indexed).map(() => "0x" + "00".repeat(32))], "0x" + "00".repeat(32 * 20)) === null);
    expect(slow.map((e) => e.name).sort()).to.deep.equal(["DiamondCut", "UsageApiKeyPermissionsSet"]);
  });

  for (const fragment of EVENTS) {
    it(`decodes ${fragment.name} exactly as ethers does (property)`, () => {
      fc.assert(
        fc.property(fc.tuple(...fragment.inputs.map(arbitraryOf)), (args) => {
          const { topics, data } = diamondInterface.encodeEventLog(fragment, args);
          const got = decodeLog({ topics, data });
          expect(got).to.deep.equal({ name: fragment.name, args: viaEthers(fragment, topics, data) });
        }),
        seeded(40),
      );
    });
  }

  it("keeps an event whose string is not valid UTF-8 (replacement characters) instead of losing it", () => {
    const f = diamondInterface.getEvent("GroupMetadataSet");
    if (!f) throw new Error("event missing");
    const good = diamondInterface.encodeEventLog(f, [1n, 2n, "name", "desc"]);
    const data = good.data.replace(Buffer.from("name").toString("hex"), "ff".repeat(4));
    expect(viaEthers(f, good.topics, data)).to.equal(null); // what ethers alone would do
    expect(decodeLog({ topics: good.topics, data })).to.deep.equal({
      name: "GroupMetadataSet",
      args: { apiKeyHash: `0x${"0".repeat(63)}1`, groupId: "2", name: "\uFFFD".repeat(4), description: "desc" },
    });
  });

  it("leaves malformed logs to ethers and agrees with it (truncated, dirty words, wrong topic count)", () => {
    const f = diamondInterface.getEvent("GroupMetadataSet");
    const b = diamondInterface.getEvent("BatchCallResult");
    const p = diamondInterface.getEvent("PkpAddedToGroup");
    if (!f || !b || !p) throw new Error("events missing");
    const good = diamondInterface.encodeEventLog(f, [1n, 2n, "name", "desc"]);
    const batch = diamondInterface.encodeEventLog(b, [0n, true, "0x"]);
    const dirtyBool = `0x${batch.data.slice(2, 66)}${"0".repeat(63)}2${batch.data.slice(130)}`;
    const pkp = diamondInterface.encodeEventLog(p, [1n, 2n, "0x" + "ab".repeat(20)]);
    const dirtyAddress = `0x${"11".repeat(12)}${pkp.data.slice(26)}`;
    const cases: [EventFragment, string[], string][] = [
      [f, good.topics, good.data.slice(0, good.data.length - 64)],
      [f, good.topics.slice(0, 2), good.data],
      [b, batch.topics, dirtyBool],
      [p, pkp.topics, dirtyAddress],
      [f, good.topics, "0x1"],
    ];
    for (const [fragment, topics, data] of cases) {
      expect(fastDecodeValues(fragment, topics, data), `${fragment.name} ${data.slice(0, 20)}`).to.equal(null);
      const expected = viaEthers(fragment, topics, data);
      expect(decodeLog({ topics, data })).to.deep.equal(expected === null ? null : { name: fragment.name, args: expected });
    }
  });
});
