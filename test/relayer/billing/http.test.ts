/**
 * Billing over HTTP (http-api.md §3, §8) with the dev provider and a real SQLite ledger: the
 * endpoints, top-ups credited exactly once, bad amounts and ids, and the charges of management
 * writes and Lit Actions (402 before any work, refunds of failed writes, no overspending).
 */
import { expect } from "chai";
import { keccak256, toUtf8Bytes } from "ethers";
import { ChainUnavailableError, RevertError } from "../../../src/relayer/ports";
import { bearer, errorBody, get, makeApp, newAccount, post, usageKey } from "../http/support";
import { billingOn, closeAllBilling, type TestBilling } from "./support";

const hashOf = (key: string): string => keccak256(toUtf8Bytes(key));
const GROUP = { group_name: "g", group_description: "", pkp_ids_permitted: [], cid_hashes_permitted: [] };

async function setup(overrides: Parameters<typeof billingOn>[0] = {}) {
  const billing = await billingOn(overrides);
  const t = await makeApp({ billing: billing.service });
  const { key } = await newAccount(t.app);
  return { ...t, billing, key, master: hashOf(key) };
}

async function credit(billing: TestBilling, master: string): Promise<number> {
  return billing.ledger.balance(master);
}

async function expectConsistent(billing: TestBilling, master: string): Promise<void> {
  const v = await billing.ledger.verify(master);
  expect(v.balanceCents).to.equal(v.ledgerSumCents);
  expect(v.balanceCents).to.be.gte(0);
}

/** Records the duration each execution meter of `billing` settles on (the charged run time). */
function recordDurations(billing: TestBilling): number[] {
  const durations: number[] = [];
  const service = billing.service;
  const meter = service.meterExecution.bind(service);
  service.meterExecution = async (account, requestId) => {
    const m = await meter(account, requestId);
    return {
      ...m,
      finish: async (durationMs: number) => {
        durations.push(durationMs);
        return m.finish(durationMs);
      },
    };
  };
  return durations;
}

async function topUp(app: Awaited<ReturnType<typeof setup>>["app"], key: string, cents: number): Promise<string> {
  const r = await post(app, "/billing/create_payment_intent", { amount_cents: cents }, bearer(key));
  expect(r.statusCode, r.body).to.equal(200);
  return (r.json() as { payment_intent_id: string }).payment_intent_id;
}

describe("relayer http: billing (dev provider, SQLite ledger)", () => {
  after(closeAllBilling);

  describe("endpoints", () => {
    it("stripe_config names the dev provider and its label key, without authentication", async () => {
      const { app } = await setup();
      const r = await get(app, "/billing/stripe_config");
      expect(r.statusCode).to.equal(200);
      expect(r.json()).to.deep.equal({ publishable_key: "pk_dev_local_test_payments_no_real_money", provider: "dev" });
    });

    it("a new account's balance is its starting credit, in the hosted shape (negative = credit)", async () => {
      const { app, key } = await setup();
      const r = await get(app, "/billing/balance", bearer(key));
      expect(r.statusCode).to.equal(200);
      expect(r.json()).to.deep.equal({ balance_cents: -10_000, balance_display: "$100.00 credit" });
    });

    it("an empty balance reads 0 and No credits", async () => {
      const { app, key } = await setup({ startingCreditCents: 0 });
      expect((await get(app, "/billing/balance", bearer(key))).json()).to.deep.equal({
        balance_cents: 0,
        balance_display: "No credits",
      });
    });

    it("the balance needs a key of the account (401 without one)", async () => {
      const { app } = await setup();
      const r = await get(app, "/billing/balance");
      expect(r.statusCode).to.equal(401);
      expect(errorBody(r).code).to.equal("MissingApiKey");
    });

    it("usage keys see and spend the account's one balance", async () => {
      const { app, key, billing, master } = await setup();
      const usage = await usageKey(app, key, { execute_in_groups: [0] }); // a billed write: 1 cent
      const viaUsage = (await get(app, "/billing/balance", bearer(usage))).json() as { balance_cents: number };
      const viaMaster = (await get(app, "/billing/balance", bearer(key))).json() as { balance_cents: number };
      expect(viaUsage.balance_cents).to.equal(viaMaster.balance_cents);
      expect(viaMaster.balance_cents).to.equal(-9_999);
      expect(await credit(billing, master)).to.equal(9_999);
    });

    it("a top-up (create_payment_intent, then confirm_payment) adds its amount", async () => {
      const { app, key, billing, master } = await setup();
      const id = await topUp(app, key, 500);
      expect(id).to.match(/^pi_dev_[0-9a-f]{24}$/);
      const r = await post(app, "/billing/confirm_payment", { payment_intent_id: id }, bearer(key));
      expect(r.statusCode, r.body).to.equal(200);
      expect(r.json()).to.deep.equal({ success: true, already_credited: false, credited_cents: 500 });
      expect(await credit(billing, master)).to.equal(10_500);
      expect((await get(app, "/billing/balance", bearer(key))).json()).to.deep.equal({
        balance_cents: -10_500,
        balance_display: "$105.00 credit",
      });
      await expectConsistent(billing, master);
    });

    it("confirm_payment twice credits once; the repeat says already_credited", async () => {
      const { app, key, billing, master } = await setup();
      const id = await topUp(app, key, 750);
      await post(app, "/billing/confirm_payment", { payment_intent_id: id }, bearer(key));
      const again = await post(app, "/billing/confirm_payment", { payment_intent_id: id }, bearer(key));
      expect(again.statusCode).to.equal(200);
      expect(again.json()).to.deep.equal({ success: true, already_credited: true, credited_cents: 750 });
      expect(await credit(billing, master)).to.equal(10_750);
    });

    it("20 concurrent confirm_payment calls credit once", async () => {
      const { app, key, billing, master } = await setup();
      const id = await topUp(app, key, 1_000);
      const all = await Promise.all(
        Array.from({ length: 20 }, () => post(app, "/billing/confirm_payment", { payment_intent_id: id }, bearer(key))),
      );
      expect(all.map((r) => r.statusCode)).to.deep.equal(Array(20).fill(200));
      expect(all.filter((r) => (r.json() as { already_credited: boolean }).already_credited === false)).to.have.length(1);
      expect(await credit(billing, master)).to.equal(11_000);
      const payments = (await billing.ledger.entries(master)).filter((e) => e.reason === "payment");
      expect(payments).to.have.length(1);
      expect(payments[0]).to.include({ amountCents: 1_000, reference: `payment:${id}` });
      await expectConsistent(billing, master);
    });

    it("a top-up with a usage key credits the account", async () => {
      const { app, key, billing, master } = await setup();
      const usage = await usageKey(app, key, { execute_in_groups: [0] });
      const id = await topUp(app, usage, 600);
      expect((await post(app, "/billing/confirm_payment", { payment_intent_id: id }, bearer(usage))).statusCode).to.equal(200);
      expect(await credit(billing, master)).to.equal(10_000 - 1 + 600);
    });

    it("bad amounts are 400 naming amount_cents (below the minimum, negative, fractional, huge) and change nothing", async () => {
      const { app, key, billing, master } = await setup();
      const before = await billing.ledger.entries(master);
      for (const [amount, message] of [
        [499, /minimum top-up is 500 cents; got 499/],
        [0, /minimum top-up is 500/],
        [-500, /negative amount \(-500\)/],
        [500.5, /fraction \(500\.5\)/],
        [100_000_000, /maximum top-up is 99999999 cents/],
        [1e300, /maximum top-up/],
      ] as const) {
        const r = await post(app, "/billing/create_payment_intent", { amount_cents: amount }, bearer(key));
        expect(r.statusCode, String(amount)).to.equal(400);
        expect(errorBody(r).error, String(amount)).to.match(/^amount_cents: /).and.match(message);
      }
      expect(await billing.ledger.entries(master)).to.deep.equal(before);
      expect(await billing.store.db.query("SELECT * FROM billing_payments")).to.deep.equal([]);
    });

    it("an amount of the wrong JSON type or a missing one is 422", async () => {
      const { app, key } = await setup();
      for (const body of [{ amount_cents: "500" }, {}, { amount_cents: null }]) {
        const r = await post(app, "/billing/create_payment_intent", body, bearer(key));
        expect(r.statusCode, JSON.stringify(body)).to.equal(422);
        expect(errorBody(r).error).to.match(/amount_cents/);
      }
    });

    it("an unknown payment id is 404, a malformed one 400, and nothing is credited", async () => {
      const { app, key, billing, master } = await setup();
      const unknown = await post(app, "/billing/confirm_payment", { payment_intent_id: "pi_dev_000000000000000000000000" }, bearer(key));
      expect(unknown.statusCode).to.equal(404);
      expect(errorBody(unknown).code).to.equal("PaymentIntentNotFound");
      for (const id of ["", "ch_123", "pi_", "pi_../../x", "x".repeat(300)]) {
        const r = await post(app, "/billing/confirm_payment", { payment_intent_id: id }, bearer(key));
        expect(r.statusCode, id).to.equal(400);
        expect(errorBody(r).error).to.match(/^payment_intent_id: /);
      }
      expect(await credit(billing, master)).to.equal(10_000);
    });

    it("another account's payment id is 404 and credits neither account", async () => {
      const { app, key, billing, master } = await setup();
      const other = await newAccount(app, "other");
      const id = await topUp(app, other.key, 900);
      const r = await post(app, "/billing/confirm_payment", { payment_intent_id: id }, bearer(key));
      expect(r.statusCode).to.equal(404);
      expect(errorBody(r).code).to.equal("PaymentIntentNotFound");
      expect(await credit(billing, master)).to.equal(10_000);
      expect(await credit(billing, hashOf(other.key))).to.equal(10_000);
    });
  });

  describe("management writes", () => {
    it("a billed write costs 1 cent, recorded as a write row", async () => {
      const { app, key, billing, master } = await setup();
      expect((await post(app, "/add_group", GROUP, bearer(key))).statusCode).to.equal(200);
      expect(await credit(billing, master)).to.equal(9_999);
      const [last] = await billing.ledger.entries(master, 1);
      expect(last).to.include({ amountCents: -1, reason: "write" });
    });

    it("new_account is free", async () => {
      const { billing, master } = await setup();
      expect(await credit(billing, master)).to.equal(10_000);
      expect((await billing.ledger.entries(master)).map((e) => e.reason)).to.deep.equal(["starting_credit"]);
    });

    it("without credit a billed write is 402 and nothing reaches the chain", async () => {
      const { app, key, chain } = await setup({ startingCreditCents: 0 });
      const writes = chain.requests.length;
      const r = await post(app, "/add_group", GROUP, bearer(key));
      expect(r.statusCode).to.equal(402);
      expect(errorBody(r).code).to.equal("InsufficientCredits");
      expect(errorBody(r).error).to.match(/costs 1 cent\(s\), the balance is 0/);
      expect(chain.requests.length).to.equal(writes);
    });

    it("a request refused for permission (403) or shape (422) or value (400) is not charged", async () => {
      const { app, key, billing, master } = await setup();
      const usage = await usageKey(app, key, { execute_in_groups: [0] });
      const after = await credit(billing, master);
      expect((await post(app, "/add_group", GROUP, bearer(usage))).statusCode).to.equal(403);
      expect((await post(app, "/add_group", { group_name: 1 }, bearer(key))).statusCode).to.equal(422);
      expect((await post(app, "/add_group", { ...GROUP, group_name: "n".repeat(200) }, bearer(key))).statusCode).to.equal(400);
      expect((await post(app, "/remove_group", { group_id: "0" }, bearer(key))).statusCode).to.equal(400);
      expect(await credit(billing, master)).to.equal(after);
    });

    it("a write that reverts is refunded", async () => {
      const { app, key, chain, billing, master } = await setup();
      chain.failNext(new RevertError("InvalidRequest", ["name: too long"]));
      const r = await post(app, "/add_group", GROUP, bearer(key));
      expect(r.statusCode).to.equal(400);
      expect(await credit(billing, master)).to.equal(10_000);
      const reasons = (await billing.ledger.entries(master)).map((e) => [e.reason, e.amountCents]);
      expect(reasons.slice(0, 2)).to.deep.equal([
        ["refund", 1],
        ["write", -1],
      ]);
      await expectConsistent(billing, master);
    });

    it("a write that never reached the chain is refunded; a queued one stays charged", async () => {
      const { app, key, chain, billing, master } = await setup();
      chain.failNext(new ChainUnavailableError("down", false));
      expect((await post(app, "/add_group", GROUP, bearer(key))).statusCode).to.equal(503);
      expect(await credit(billing, master)).to.equal(10_000);
      chain.failNext(new ChainUnavailableError("down after storing", true));
      expect((await post(app, "/add_group", GROUP, bearer(key))).statusCode).to.equal(503);
      expect(await credit(billing, master)).to.equal(9_999);
    });

    it("a retry with the same Idempotency-Key is charged once", async () => {
      const { app, key, billing, master } = await setup();
      const headers = { ...bearer(key), "idempotency-key": "group-1" };
      const first = await post(app, "/add_group", GROUP, headers);
      const second = await post(app, "/add_group", GROUP, headers);
      expect(first.statusCode).to.equal(200);
      expect(second.json()).to.deep.equal(first.json());
      expect(await credit(billing, master)).to.equal(9_999);
    });

    it("a retry of a failed write with the same Idempotency-Key is charged again (the first was refunded)", async () => {
      const { app, key, chain, billing, master } = await setup();
      const headers = { ...bearer(key), "idempotency-key": "group-2" };
      chain.failNext(new ChainUnavailableError("down", false));
      expect((await post(app, "/add_group", GROUP, headers)).statusCode).to.equal(503);
      expect((await post(app, "/add_group", GROUP, headers)).statusCode).to.equal(200);
      expect(await credit(billing, master)).to.equal(9_999);
      await expectConsistent(billing, master);
    });
    it("once a refund exists for an Idempotency-Key, repeats that only replay the result are not charged again", async () => {
      const { app, key, chain, billing, master } = await setup();
      const headers = { ...bearer(key), "idempotency-key": "group-3" };
      chain.failNext(new ChainUnavailableError("down", false));
      expect((await post(app, "/add_group", GROUP, headers)).statusCode).to.equal(503); // charged, refunded
      const applied = await post(app, "/add_group", GROUP, headers); // the write runs: charged once
      expect(applied.statusCode).to.equal(200);
      for (let i = 0; i < 3; i++) {
        const replay = await post(app, "/add_group", GROUP, headers); // the same result, replayed
        expect(replay.json()).to.deep.equal(applied.json());
      }
      expect(await credit(billing, master)).to.equal(9_999);
      await expectConsistent(billing, master);
    });

    it("each further failed attempt under one Idempotency-Key is refunded, and the one that applies is charged once", async () => {
      const { app, key, chain, billing, master } = await setup();
      const headers = { ...bearer(key), "idempotency-key": "group-4" };
      for (let i = 0; i < 3; i++) {
        chain.failNext(new RevertError("InvalidRequest", ["busy"]));
        expect((await post(app, "/add_group", GROUP, headers)).statusCode).to.equal(400);
      }
      expect(await credit(billing, master)).to.equal(10_000);
      expect((await post(app, "/add_group", GROUP, headers)).statusCode).to.equal(200);
      expect((await post(app, "/add_group", GROUP, headers)).statusCode).to.equal(200);
      expect(await credit(billing, master)).to.equal(9_999);
      await expectConsistent(billing, master);
    });
  });

  describe("Lit Action executions", () => {
    const QUICK = "async function main() { return 42; }";

    it("a short execution costs 1 cent", async () => {
      const { app, key, billing, master } = await setup();
      const r = await post(app, "/lit_action", { code: QUICK }, bearer(key));
      expect(r.statusCode, r.body).to.equal(200);
      expect(await credit(billing, master)).to.equal(9_999);
      const [last] = await billing.ledger.entries(master, 1);
      expect(last).to.include({ amountCents: -1, reason: "execution" });
    });

    it("each started second costs 1 cent (an action of over 1 s costs one cent per started second, at least 2)", async () => {
      const { app, key, billing, master } = await setup();
      // The duration the meter settles on, whatever the machine's load made it.
      const durations = recordDurations(billing);
      const code = "async function main() { const t = Date.now(); while (Date.now() - t < 1200) {} return 1; }";
      const r = await post(app, "/lit_action", { code }, bearer(key));
      expect((r.json() as { has_error: boolean }).has_error, r.body).to.equal(false);
      expect(durations).to.have.length(1);
      expect(durations[0], "the run lasted at least its busy wait").to.be.gte(1200);
      const startedSeconds = Math.ceil(durations[0] / 1000);
      expect(startedSeconds).to.be.gte(2);
      expect(await credit(billing, master)).to.equal(10_000 - startedSeconds);
      await expectConsistent(billing, master);
    });

    it("an action that throws is charged too", async () => {
      const { app, key, billing, master } = await setup();
      const r = await post(app, "/lit_action", { code: "async function main() { throw new Error('no'); }" }, bearer(key));
      expect((r.json() as { has_error: boolean }).has_error).to.equal(true);
      expect(await credit(billing, master)).to.equal(9_999);
    });

    it("50 concurrent executions against a balance for 10: exactly 10 run, 40 get 402, the ledger agrees", async () => {
      const { app, key, billing, master } = await setup({ startingCreditCents: 10 });
      const all = await Promise.all(
        Array.from({ length: 50 }, () => post(app, "/lit_action", { code: QUICK }, bearer(key))),
      );
      const ran = all.filter((r) => r.statusCode === 200);
      const refused = all.filter((r) => r.statusCode === 402);
      expect(ran).to.have.length(10);
      expect(refused).to.have.length(40);
      for (const r of ran) expect(r.json()).to.deep.include({ response: 42, has_error: false });
      for (const r of refused) expect(errorBody(r).code).to.equal("InsufficientCredits");
      expect(await credit(billing, master)).to.equal(0);
      const executions = (await billing.ledger.entries(master)).filter((e) => e.reason === "execution");
      expect(executions).to.have.length(10);
      await expectConsistent(billing, master);
    });

    it("an action is stopped when the balance cannot pay for its next second", async function () {
      this.timeout(120_000); // generous outer bound: without the stop the action below never ends
      const { app, key, billing, master } = await setup({ startingCreditCents: 1 });
      const code = "async function main() { for (;;) {} }";
      const r = await post(app, "/lit_action", { code }, bearer(key));
      const body = r.json() as { has_error: boolean; response: string };
      expect(body.has_error).to.equal(true);
      expect(body.response).to.match(/out of credits/);
      expect(await credit(billing, master)).to.equal(0);
      await expectConsistent(billing, master);
    });

    it("an execution refused for permission (403) is not charged", async () => {
      const { app, key, billing, master } = await setup();
      const usage = await usageKey(app, key, {}); // may run nothing
      const after = await credit(billing, master);
      const r = await post(app, "/lit_action", { code: QUICK }, bearer(usage));
      expect(r.statusCode).to.equal(403);
      expect(await credit(billing, master)).to.equal(after);
    });
  });
});
