/**
 * Properties of storable text (src/core/text.ts), seeded: what `unstorableText` accepts has an
 * exact UTF-8 round trip and no NUL; `storableText` always yields such text, changes nothing that
 * is storable already, and keeps the length (one U+FFFD per NUL or lone surrogate).
 * FC_SEED reproduces a run.
 */
import { expect } from "chai";
import fc from "fast-check";
import { storableText, unstorableText } from "../../../src/core";

const seed = process.env.FC_SEED !== undefined && process.env.FC_SEED !== "" ? Number(process.env.FC_SEED) : 0x7e47;

/** Strings of UTF-16 code units with NULs and surrogates (paired and lone) over-represented. */
const units = fc
  .array(
    fc.oneof(
      fc.constantFrom(0x0000, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xfffd, 0x41),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    { maxLength: 40 },
  )
  .map((codes) => String.fromCharCode(...codes));

const roundTrips = (s: string): boolean => Buffer.from(s, "utf8").toString("utf8") === s;

describe("relayer hardening: storable text (property)", () => {
  it("accepts exactly the strings without NUL whose UTF-8 round trip is exact", () => {
    fc.assert(
      fc.property(units, (s) => {
        if ((unstorableText(s) === null) !== (!s.includes("\u0000") && roundTrips(s))) expect.fail(JSON.stringify(s));
      }),
      { seed, numRuns: 2000 },
    );
  });

  it("makes any string storable, keeping its length and leaving storable text unchanged", () => {
    fc.assert(
      fc.property(units, (s) => {
        const t = storableText(s);
        const problems: string[] = [];
        if (unstorableText(t) !== null) problems.push("result not storable");
        if (t.length !== s.length) problems.push("length changed");
        if (unstorableText(s) === null && t !== s) problems.push("storable text changed");
        // Only the offending code units change, each into U+FFFD.
        for (let i = 0; i < s.length; i++) if (t[i] !== s[i] && t[i] !== "\ufffd") problems.push(`unit ${i} changed`);
        if (problems.length > 0) expect.fail(`${JSON.stringify(s)} -> ${JSON.stringify(t)}: ${problems.join(", ")}`);
      }),
      { seed, numRuns: 2000 },
    );
  });

  it("names the position of the first offending code unit", () => {
    expect(unstorableText("ab\u0000")).to.contain("NUL").and.contain("position 2");
    expect(unstorableText("😀\ud800")).to.contain("U+D800").and.contain("position 2");
    expect(unstorableText("\udc00x")).to.contain("U+DC00").and.contain("position 0");
  });
});
