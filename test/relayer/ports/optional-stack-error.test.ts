/**
 * The base of the relayer's refusals (ServiceError, RevertError): an Error whose stack trace is
 * captured only when asked for (docs/relayer-latency.md, "Read path CPU").
 */
import { expect } from "chai";
import { OptionalStackError } from "../../../src/relayer/ports";

const frames = (e: Error): string[] => (e.stack ?? "").split("\n").filter((l) => l.trim().startsWith("at "));

class Refusal extends OptionalStackError {
  constructor(message: string, captureStack: boolean) {
    super(message, captureStack);
    this.name = "Refusal";
  }
}

describe("OptionalStackError", () => {
  it("built without a stack carries no stack frames, keeps its message and restores the stack trace limit", () => {
    const limit = Error.stackTraceLimit;
    const e = new Refusal("refused", false);
    expect(e).to.be.instanceOf(OptionalStackError).and.instanceOf(Error);
    expect([e.name, e.message]).to.deep.equal(["Refusal", "refused"]);
    expect(frames(e)).to.deep.equal([]);
    expect(Error.stackTraceLimit).to.equal(limit);
  });

  it("built with a stack carries the frames from where it was built, not its constructors'", function builtHere() {
    const e = new Refusal("down", true);
    const top = frames(e)[0] ?? "";
    expect(top).to.include("builtHere");
    expect(frames(new Error("plain")).length).to.be.greaterThan(0);
  });
});
