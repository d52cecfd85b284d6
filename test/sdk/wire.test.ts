/**
 * The SDK's argument checks for the diamond transport (src/sdk/wire.ts): what a uint argument
 * accepts and what it refuses, naming the field, before anything is sent.
 */
import { expect } from "chai";
import { LitUsageError } from "../../src/sdk";
import { uintArg } from "../../src/sdk/wire";

describe("SDK wire: uint arguments", () => {
  it("takes a non-negative integer as a number, a decimal string or a 0x hex string", () => {
    expect(uintArg("groupId", 7)).to.equal(7n);
    expect(uintArg("groupId", "42")).to.equal(42n);
    expect(uintArg("groupId", "0x2a")).to.equal(42n);
    expect(uintArg("groupId", 0)).to.equal(0n);
  });

  it("takes the largest uint256 and refuses 2^256", () => {
    expect(uintArg("groupId", `0x${"f".repeat(64)}`)).to.equal(2n ** 256n - 1n);
    expect(() => uintArg("groupId", `0x1${"0".repeat(64)}`)).to.throw(LitUsageError, "groupId: expected a non-negative integer below 2^256");
  });

  for (const bad of ["", "  ", "-1", "1.5", "abc", "0xzz"]) {
    it(`refuses ${JSON.stringify(bad)} with a LitUsageError naming the field`, () => {
      expect(() => uintArg("groupId", bad)).to.throw(LitUsageError, `groupId: expected a non-negative integer below 2^256 (decimal or 0x hex), got ${bad}`);
    });
  }

  for (const bad of [-1, 1.5, Number.NaN]) {
    it(`refuses the number ${bad} with a LitUsageError naming the field`, () => {
      expect(() => uintArg("groupId", bad)).to.throw(LitUsageError, "groupId: expected a non-negative integer");
    });
  }
});
