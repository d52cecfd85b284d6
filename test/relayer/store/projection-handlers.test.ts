import { expect } from "chai";
import { diamondInterface } from "../../../src/relayer/chain";
import { EVENT_HANDLERS, NO_STATE_EVENTS } from "../../../src/relayer/store";

describe("index projection: event handlers", () => {
  it("has a handler for every event of the diamond's ABI", () => {
    const events: string[] = [];
    diamondInterface.forEachEvent((e) => events.push(e.name));
    expect(events.length, "events in the ABI").to.be.greaterThan(30);
    const missing = events.filter((name) => !Object.prototype.hasOwnProperty.call(EVENT_HANDLERS, name));
    expect(missing, "diamond events without a projection handler").to.deep.equal([]);
  });

  it("names only events of the diamond's ABI (no handler for an event that does not exist)", () => {
    const events = new Set<string>();
    diamondInterface.forEachEvent((e) => events.add(e.name));
    const unknown = Object.keys(EVENT_HANDLERS).filter((name) => !events.has(name));
    expect(unknown).to.deep.equal([]);
    expect(Object.keys(NO_STATE_EVENTS).every((name) => events.has(name))).to.equal(true);
  });
});
