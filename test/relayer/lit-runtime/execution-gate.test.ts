/**
 * The execution gate: executions are limited per account as well as in total, so one account
 * cannot hold every slot (http-api.md §10); waiting executions start in arrival order, skipping
 * accounts at their limit; an account's queue is bounded (429). No timing: every step is driven by
 * promises the test resolves.
 */
import { expect } from "chai";
import fc from "fast-check";
import { ServiceError } from "../../../src/relayer/services/errors";
import { ExecutionGate } from "../../../src/relayer/services/execution-gate";

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** An execution the test ends by hand. */
function controllable(gate: ExecutionGate, account: string) {
  let end!: () => void;
  const state = { started: false, done: false };
  const finished = gate
    .run(account, async () => {
      state.started = true;
      await new Promise<void>((resolve) => (end = resolve));
    })
    .then(() => {
      state.done = true;
    });
  return { state, finished, end: () => end() };
}

describe("lit actions: execution gate", () => {
  it("one account cannot hold every slot: another account's execution starts at once", async () => {
    const gate = new ExecutionGate({ total: 4, perAccount: 2, queuedPerAccount: 10 });
    const hog = Array.from({ length: 6 }, () => controllable(gate, "A"));
    await settle();
    expect(hog.filter((h) => h.state.started)).to.have.length(2);
    const other = controllable(gate, "B");
    await settle();
    expect(other.state.started).to.equal(true);
    other.end();
    await other.finished;
    // A's waiting executions start one by one as A's running ones end.
    hog[0].end();
    await settle();
    expect(hog.filter((h) => h.state.started)).to.have.length(3);
    for (const h of hog) {
      await settle();
      h.end();
    }
    await Promise.all(hog.map((h) => h.finished));
  });

  it("refuses an execution beyond the account's running and waiting limit with 429 TooManyExecutions", async () => {
    const gate = new ExecutionGate({ total: 8, perAccount: 1, queuedPerAccount: 2 });
    const held = Array.from({ length: 3 }, () => controllable(gate, "A"));
    await settle();
    let error: unknown;
    try {
      await gate.run("A", async () => undefined);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ServiceError);
    expect(error).to.include({ kind: "RateLimited", code: "TooManyExecutions" });
    expect(await gate.run("B", async () => "ok")).to.equal("ok");
    for (const h of held) {
      await settle();
      h.end();
    }
    await Promise.all(held.map((h) => h.finished));
    expect(await gate.run("A", async () => "ok again")).to.equal("ok again");
  });

  it("a ticket released before it started frees its place in the queue", async () => {
    const gate = new ExecutionGate({ total: 1, perAccount: 1, queuedPerAccount: 1 });
    const first = controllable(gate, "A");
    await settle();
    const ticket = gate.admit("A");
    const waiting = ticket.start();
    ticket.release(); // e.g. the balance could not pay for it
    expect(() => gate.admit("A").release()).to.not.throw();
    first.end();
    await first.finished;
    void waiting;
  });

  it("never runs more than total, nor more than perAccount of one account, and runs everything (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.constantFrom("A", "B", "C"), fc.nat(5)), { minLength: 1, maxLength: 25 }),
        async (total, perAccount, jobs) => {
          const gate = new ExecutionGate({ total, perAccount, queuedPerAccount: 100 });
          let running = 0;
          const by = new Map<string, number>();
          let done = 0;
          await Promise.all(
            jobs.map(([account, ticks]) =>
              gate.run(account, async () => {
                running++;
                by.set(account, (by.get(account) ?? 0) + 1);
                expect(running).to.be.at.most(total);
                expect(by.get(account)).to.be.at.most(perAccount);
                for (let i = 0; i < ticks; i++) await settle();
                running--;
                by.set(account, (by.get(account) ?? 0) - 1);
                done++;
              }),
            ),
          );
          expect(done).to.equal(jobs.length);
        },
      ),
      { seed: 1308, numRuns: 60 },
    );
  });
});
