/**
 * A refusal (ServiceError of a 4xx kind) carries no stack trace, which cost ~10 us per refused
 * request; an Unavailable (a 5xx answer, logged with its error) keeps one (docs/relayer-latency.md,
 * "Read path CPU").
 */
import { expect } from "chai";
import { RevertError } from "../../../src/relayer/ports";
import { ServiceError, forbidden, notFound } from "../../../src/relayer/services/errors";

describe("ServiceError stacks", () => {
  const frames = (e: Error): number => (e.stack ?? "").split("\n").filter((l) => l.trim().startsWith("at ")).length;

  it("a refusal carries no stack frames, and keeps its kind, code, message and name", () => {
    const e = forbidden("NoAccountAccess", "no access");
    expect(e).to.be.instanceOf(ServiceError).and.instanceOf(Error);
    expect([e.kind, e.code, e.message, e.name]).to.deep.equal(["Forbidden", "NoAccountAccess", "no access", "ServiceError"]);
    expect(frames(e)).to.equal(0);
    expect(frames(notFound("GroupDoesNotExist", "x"))).to.equal(0);
  });

  it("an Unavailable keeps its stack (logged with 5xx answers), and the stack trace limit is restored", () => {
    const limit = Error.stackTraceLimit;
    forbidden("x", "y");
    expect(Error.stackTraceLimit).to.equal(limit);
    const e = new ServiceError("Unavailable", "ChainUnavailable", "down", 5);
    expect(frames(e)).to.be.greaterThan(0);
    expect(frames(new Error("plain"))).to.be.greaterThan(0);
  });

  it("a contract's refusal (RevertError) carries no stack frames, keeps its error name, arguments and message, and restores the limit", () => {
    const limit = Error.stackTraceLimit;
    const e = new RevertError("GroupDoesNotExist", [7n]);
    expect(e).to.be.instanceOf(Error);
    expect([e.name, e.errorName, e.errorArgs, e.message]).to.deep.equal(["RevertError", "GroupDoesNotExist", [7n], "reverted: GroupDoesNotExist"]);
    expect(frames(e)).to.equal(0);
    expect(Error.stackTraceLimit).to.equal(limit);
  });
});
