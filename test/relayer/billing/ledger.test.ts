/**
 * The billing ledger (src/relayer/store/ledger.ts, http-api.md §8) on both backends: every credit
 * and debit is one append-only row with a reason and a unique reference, the stored balance always
 * equals the ledger sum (`verify()`), debits never overdraw under concurrency, and a payment is
 * credited exactly once however often and however concurrently it is confirmed.
 *
 * One fresh store per test: SQLite in a temp dir; Postgres at DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test) in a fresh schema, dropped afterwards. The Postgres
 * variants skip when no server answers.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { Client } from "pg";
import { BACKENDS, PG_URL, rejectionOf, skipUnlessAvailable, type BackendName } from "../support";
import { LEDGER_MIGRATIONS, SqlLedger, openStore, type LedgerEntry, type Store } from "../../../src/relayer/store";

// ------------------------------------------------------------------ store opener

const runId = `${process.pid}_${Date.now().toString(36)}`;
let schemaCounter = 0;

interface LedgerStore {
  store: Store;
  cleanup(): Promise<void>;
}

/** A store with the ledger tables: SQLite in a temp dir, or Postgres in a fresh schema. */
async function openLedgerStore(backend: BackendName): Promise<LedgerStore> {
  if (backend === "sqlite") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "billing-ledger-"));
    let store: Store;
    try {
      store = await openStore({ dataDir: dir, migrations: LEDGER_MIGRATIONS });
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      store,
      cleanup: async () => {
        await store.close().catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `billing_ledger_test_${runId}_${++schemaCounter}`;
  const dropSchema = async (): Promise<void> => {
    const c = new Client({ connectionString: PG_URL });
    await c.connect();
    try {
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await c.end();
    }
  };
  let store: Store;
  try {
    store = await openStore({ dataDir: os.tmpdir(), databaseUrl: PG_URL, schema, migrations: LEDGER_MIGRATIONS });
  } catch (err) {
    await dropSchema().catch(() => undefined);
    throw err;
  }
  return {
    store,
    cleanup: async () => {
      await store.close().catch(() => undefined);
      await dropSchema();
    },
  };
}

// ------------------------------------------------------------------ helpers

const ALICE = `0x${"a1".repeat(32)}`;
const BOB = `0x${"b2".repeat(32)}`;

/** A deterministic clock: 1_700_000_000_000, +1 ms per reading. */
function steppingClock(): () => number {
  let t = 1_700_000_000_000;
  return () => t++;
}

/** The stored balance equals the ledger sum and the expected value. */
async function expectConsistent(ledger: SqlLedger, account: string, expectedCents: number): Promise<void> {
  const v = await ledger.verify(account);
  expect(v.ledgerSumCents, `ledger sum of ${account}`).to.equal(v.balanceCents);
  expect(v.balanceCents, `balance of ${account}`).to.equal(expectedCents);
}

const refsOf = (entries: LedgerEntry[]): string[] => entries.map((e) => e.reference);

// ------------------------------------------------------------------ tests

for (const backend of BACKENDS) {
  describe(`billing ledger (${backend})`, function () {
    let ls: LedgerStore | null = null;
    const db = () => {
      if (!ls) throw new Error("no store");
      return ls.store.db;
    };
    const ledgerWith = (startingCreditCents: number): SqlLedger =>
      new SqlLedger(db(), { startingCreditCents, nowMs: steppingClock() });

    beforeEach(async function () {
      await skipUnlessAvailable(this, backend);
      ls = await openLedgerStore(backend);
    });
    afterEach(async () => {
      const s = ls;
      ls = null;
      await s?.cleanup();
    });

    describe("starting credit", () => {
      it("writes the starting credit once, on the first touch of an account", async () => {
        const ledger = ledgerWith(250);
        expect(await ledger.balance(ALICE)).to.equal(250);
        expect(await ledger.balance(ALICE)).to.equal(250);
        const entries = await ledger.entries(ALICE);
        expect(entries).to.have.length(1);
        expect(entries[0]).to.deep.include({
          account: ALICE,
          amountCents: 250,
          reason: "starting_credit",
          reference: `starting_credit:${ALICE}`,
        });
        await expectConsistent(ledger, ALICE, 250);
      });

      it("writes the starting credit once under 10 concurrent first touches", async () => {
        const ledger = ledgerWith(250);
        const balances = await Promise.all(Array.from({ length: 10 }, () => ledger.balance(ALICE)));
        expect(balances).to.deep.equal(Array(10).fill(250));
        const entries = await ledger.entries(ALICE);
        expect(refsOf(entries)).to.deep.equal([`starting_credit:${ALICE}`]);
        await expectConsistent(ledger, ALICE, 250);
      });

      it("writes the starting credit once when 10 concurrent first touches are debits", async () => {
        const ledger = ledgerWith(250);
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => ledger.debit(ALICE, 1, "write", `write:first:${i}`)),
        );
        expect(results.map((r) => r.status)).to.deep.equal(Array(10).fill("debited"));
        const entries = await ledger.entries(ALICE);
        expect(entries.filter((e) => e.reason === "starting_credit")).to.have.length(1);
        expect(entries).to.have.length(11);
        await expectConsistent(ledger, ALICE, 240);
      });

      it("writes no starting credit when it is configured as 0", async () => {
        const ledger = ledgerWith(0);
        expect(await ledger.balance(ALICE)).to.equal(0);
        expect(await ledger.entries(ALICE)).to.deep.equal([]);
        await expectConsistent(ledger, ALICE, 0);
      });

      it("gives every account its own starting credit", async () => {
        const ledger = ledgerWith(250);
        await Promise.all([ledger.balance(ALICE), ledger.balance(BOB)]);
        expect(refsOf(await ledger.entries(ALICE))).to.deep.equal([`starting_credit:${ALICE}`]);
        expect(refsOf(await ledger.entries(BOB))).to.deep.equal([`starting_credit:${BOB}`]);
        await expectConsistent(ledger, ALICE, 250);
        await expectConsistent(ledger, BOB, 250);
      });
    });

    describe("credits and debits", () => {
      it("appends one row per credit and per debit, with its reason and reference, and moves the balance", async () => {
        const ledger = ledgerWith(0);
        expect(await ledger.credit(ALICE, 500, "adjustment", "adjustment:1")).to.deep.equal({
          status: "credited",
          balanceCents: 500,
        });
        expect(await ledger.debit(ALICE, 120, "write", "write:1")).to.deep.equal({ status: "debited", balanceCents: 380 });
        expect(await ledger.balance(ALICE)).to.equal(380);
        const entries = await ledger.entries(ALICE);
        expect(entries.map(({ account, amountCents, reason, reference }) => ({ account, amountCents, reason, reference })))
          .to.deep.equal([
            { account: ALICE, amountCents: -120, reason: "write", reference: "write:1" },
            { account: ALICE, amountCents: 500, reason: "adjustment", reference: "adjustment:1" },
          ]);
        for (const e of entries) {
          expect(e.id).to.be.a("number");
          expect(e.createdAtMs).to.be.a("number").and.at.least(1_700_000_000_000);
        }
        await expectConsistent(ledger, ALICE, 380);
      });

      it("lets a debit take the whole balance down to exactly 0", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 300, "payment", "payment:pi_x");
        expect(await ledger.debit(ALICE, 300, "execution", "exec:1")).to.deep.equal({ status: "debited", balanceCents: 0 });
        await expectConsistent(ledger, ALICE, 0);
      });

      it("refuses a debit larger than the balance as insufficient and changes nothing", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 100, "adjustment", "adjustment:1");
        const before = await ledger.entries(ALICE);
        expect(await ledger.debit(ALICE, 101, "write", "write:too-much")).to.deep.equal({
          status: "insufficient",
          balanceCents: 100,
        });
        expect(await ledger.entries(ALICE)).to.deep.equal(before);
        expect(await ledger.hasReference("write:too-much")).to.equal(false);
        await expectConsistent(ledger, ALICE, 100);
      });

      it("refuses any debit from a new account without starting credit", async () => {
        const ledger = ledgerWith(0);
        expect(await ledger.debit(ALICE, 1, "write", "write:1")).to.deep.equal({ status: "insufficient", balanceCents: 0 });
        expect(await ledger.entries(ALICE)).to.deep.equal([]);
        await expectConsistent(ledger, ALICE, 0);
      });

      it("does not consume the reference of a refused debit (it succeeds once the balance covers it)", async () => {
        const ledger = ledgerWith(0);
        expect((await ledger.debit(ALICE, 50, "write", "write:later")).status).to.equal("insufficient");
        await ledger.credit(ALICE, 50, "adjustment", "adjustment:1");
        expect(await ledger.debit(ALICE, 50, "write", "write:later")).to.deep.equal({ status: "debited", balanceCents: 0 });
        expect(refsOf(await ledger.entries(ALICE))).to.deep.equal(["write:later", "adjustment:1"]);
        await expectConsistent(ledger, ALICE, 0);
      });

      it("changes nothing on a credit with a reference already written", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 500, "adjustment", "adjustment:1");
        expect(await ledger.credit(ALICE, 700, "adjustment", "adjustment:1")).to.deep.equal({
          status: "duplicate",
          balanceCents: 500,
        });
        expect(await ledger.entries(ALICE)).to.have.length(1);
        await expectConsistent(ledger, ALICE, 500);
      });

      it("changes nothing on a debit with a reference already written", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 500, "adjustment", "adjustment:1");
        await ledger.debit(ALICE, 10, "write", "write:1");
        expect(await ledger.debit(ALICE, 10, "write", "write:1")).to.deep.equal({ status: "duplicate", balanceCents: 490 });
        expect(await ledger.entries(ALICE)).to.have.length(2);
        await expectConsistent(ledger, ALICE, 490);
      });

      it("treats a reference as unique across reasons and accounts", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 500, "adjustment", "shared:1");
        expect((await ledger.debit(ALICE, 10, "write", "shared:1")).status).to.equal("duplicate");
        expect(await ledger.credit(BOB, 500, "adjustment", "shared:1")).to.deep.equal({
          status: "duplicate",
          balanceCents: 0,
        });
        expect(await ledger.entries(BOB)).to.deep.equal([]);
        await expectConsistent(ledger, ALICE, 500);
        await expectConsistent(ledger, BOB, 0);
      });

      it("writes no row for a zero debit or a zero credit", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 5, "adjustment", "adjustment:1");
        expect(await ledger.debit(ALICE, 0, "write", "write:zero")).to.deep.equal({ status: "debited", balanceCents: 5 });
        expect(await ledger.credit(ALICE, 0, "refund", "refund:zero")).to.deep.equal({ status: "credited", balanceCents: 5 });
        expect(refsOf(await ledger.entries(ALICE))).to.deep.equal(["adjustment:1"]);
        await expectConsistent(ledger, ALICE, 5);
      });

      it("reports whether a reference has been written", async () => {
        const ledger = ledgerWith(0);
        expect(await ledger.hasReference("adjustment:1")).to.equal(false);
        await ledger.credit(ALICE, 5, "adjustment", "adjustment:1");
        expect(await ledger.hasReference("adjustment:1")).to.equal(true);
        await expectConsistent(ledger, ALICE, 5);
      });
    });

    describe("attempts of an idempotent request (debitAttempt)", () => {
      it("charges one attempt once, however often it is repeated", async () => {
        const ledger = ledgerWith(100);
        const first = await ledger.debitAttempt(ALICE, 3, "write", "write:k");
        expect(first).to.deep.include({ status: "debited", reference: "write:k" });
        for (let i = 0; i < 3; i++) expect(await ledger.debitAttempt(ALICE, 3, "write", "write:k")).to.deep.include({ status: "duplicate", reference: "write:k" });
        await expectConsistent(ledger, ALICE, 97);
      });

      it("after a refunded attempt charges the next attempt once, and its repeats never", async () => {
        const ledger = ledgerWith(100);
        await ledger.debitAttempt(ALICE, 3, "write", "write:k");
        await ledger.credit(ALICE, 3, "refund", "refund:write:k");
        const second = await ledger.debitAttempt(ALICE, 3, "write", "write:k");
        expect(second).to.deep.include({ status: "debited", reference: "write:k:attempt:2" });
        for (let i = 0; i < 3; i++) expect((await ledger.debitAttempt(ALICE, 3, "write", "write:k")).status).to.equal("duplicate");
        await ledger.credit(ALICE, 3, "refund", "refund:write:k:attempt:2");
        expect(await ledger.debitAttempt(ALICE, 3, "write", "write:k")).to.deep.include({ status: "debited", reference: "write:k:attempt:3" });
        await expectConsistent(ledger, ALICE, 97);
      });

      it("charges 10 concurrent repeats after a refund exactly once", async () => {
        const ledger = ledgerWith(100);
        await ledger.debitAttempt(ALICE, 1, "write", "write:c");
        await ledger.credit(ALICE, 1, "refund", "refund:write:c");
        const all = await Promise.all(Array.from({ length: 10 }, () => ledger.debitAttempt(ALICE, 1, "write", "write:c")));
        expect(all.filter((r) => r.status === "debited")).to.have.length(1);
        expect(new Set(all.map((r) => r.reference))).to.deep.equal(new Set(["write:c:attempt:2"]));
        await expectConsistent(ledger, ALICE, 99);
      });

      it("reports an attempt the balance cannot pay as insufficient, taking nothing", async () => {
        const ledger = ledgerWith(0);
        expect((await ledger.debitAttempt(ALICE, 1, "write", "write:p")).status).to.equal("insufficient");
        await ledger.credit(ALICE, 1, "adjustment", "adjustment:p");
        expect(await ledger.debitAttempt(ALICE, 1, "write", "write:p")).to.deep.include({ status: "debited", reference: "write:p" });
        await expectConsistent(ledger, ALICE, 0);
      });
    });

    describe("concurrency", () => {
      it("lets exactly 10 of 100 concurrent 1-cent debits through against a balance of 10, never below 0", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 10, "adjustment", "adjustment:1");
        const reads: number[] = [];
        const debits = Array.from({ length: 100 }, (_, i) => ledger.debit(ALICE, 1, "execution", `exec:${i}`));
        const readers = Array.from({ length: 20 }, () => ledger.balance(ALICE).then((b) => void reads.push(b)));
        const results = await Promise.all(debits);
        await Promise.all(readers);

        const debited = results.filter((r) => r.status === "debited");
        const refused = results.filter((r) => r.status === "insufficient");
        expect(debited, "debited").to.have.length(10);
        expect(refused, "insufficient").to.have.length(90);
        for (const r of results) expect(r.balanceCents).to.be.within(0, 10);
        for (const b of reads) expect(b).to.be.within(0, 10);
        for (const r of refused) expect(r.balanceCents).to.equal(0);
        // The debited ones saw the balance go 9, 8, ..., 0, each exactly once.
        expect(debited.map((r) => r.balanceCents).sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        const entries = await ledger.entries(ALICE);
        expect(entries.filter((e) => e.reason === "execution")).to.have.length(10);
        expect(entries).to.have.length(11);
        await expectConsistent(ledger, ALICE, 0);
      });

      it("keeps the balance equal to the ledger sum under concurrent mixed credits and debits", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 20, "adjustment", "adjustment:seed");
        const ops = Array.from({ length: 60 }, (_, i) =>
          i % 3 === 0
            ? ledger.credit(ALICE, 2, "refund", `refund:${i}`)
            : ledger.debit(ALICE, 3, "write", `write:${i}`),
        );
        const results = await Promise.all(ops);
        const credited = results.filter((r) => r.status === "credited").length;
        const debited = results.filter((r) => r.status === "debited").length;
        expect(credited).to.equal(20);
        const expected = 20 + 2 * credited - 3 * debited;
        expect(expected).to.be.at.least(0);
        for (const r of results) expect(r.balanceCents).to.be.at.least(0);
        expect(await ledger.entries(ALICE)).to.have.length(1 + credited + debited);
        await expectConsistent(ledger, ALICE, expected);
      });

      it("credits a payment exactly once under 20 concurrent creditPayment calls for the same intent", async () => {
        const ledger = ledgerWith(0);
        await ledger.recordPayment({ intentId: "pi_concurrent", account: ALICE, provider: "stripe", amountCents: 700 });
        const results = await Promise.all(
          Array.from({ length: 20 }, () => ledger.creditPayment(ALICE, "pi_concurrent", 700)),
        );
        expect(results.filter((r) => r.status === "credited"), "credited").to.have.length(1);
        expect(results.filter((r) => r.status === "duplicate"), "duplicate").to.have.length(19);
        for (const r of results) expect(r.balanceCents).to.equal(700);

        const entries = await ledger.entries(ALICE);
        expect(entries.map(({ amountCents, reason, reference }) => ({ amountCents, reason, reference }))).to.deep.equal([
          { amountCents: 700, reason: "payment", reference: "payment:pi_concurrent" },
        ]);
        const payment = await ledger.payment("pi_concurrent");
        expect(payment).to.deep.include({ intentId: "pi_concurrent", account: ALICE, provider: "stripe", amountCents: 700 });
        expect(payment?.creditedCents).to.equal(700);
        expect(payment?.creditedAtMs).to.be.a("number");
        await expectConsistent(ledger, ALICE, 700);
      });
    });

    describe("payments", () => {
      it("records a payment intent as not yet credited, idempotently", async () => {
        const ledger = ledgerWith(0);
        const p = { intentId: "pi_rec", account: ALICE, provider: "stripe", amountCents: 900 };
        await ledger.recordPayment(p);
        await ledger.recordPayment({ ...p, account: BOB, amountCents: 1 });
        const rec = await ledger.payment("pi_rec");
        expect(rec).to.deep.include({ ...p, creditedCents: null, creditedAtMs: null });
        expect(rec?.createdAtMs).to.be.a("number");
        expect(await ledger.payment("pi_unknown")).to.equal(null);
        expect(await ledger.entries(ALICE)).to.deep.equal([]);
      });

      it("keeps the first credited amount and time when a payment is credited again", async () => {
        const ledger = ledgerWith(0);
        await ledger.recordPayment({ intentId: "pi_twice", account: ALICE, provider: "stripe", amountCents: 600 });
        expect(await ledger.creditPayment(ALICE, "pi_twice", 600)).to.deep.equal({ status: "credited", balanceCents: 600 });
        const first = await ledger.payment("pi_twice");
        expect(await ledger.creditPayment(ALICE, "pi_twice", 999)).to.deep.equal({ status: "duplicate", balanceCents: 600 });
        expect(await ledger.payment("pi_twice")).to.deep.equal(first);
        expect(first?.creditedCents).to.equal(600);
        expect(refsOf(await ledger.entries(ALICE))).to.deep.equal(["payment:pi_twice"]);
        await expectConsistent(ledger, ALICE, 600);
      });
    });

    describe("entries", () => {
      it("lists an account's rows newest first, only its own, up to the limit", async () => {
        const ledger = ledgerWith(0);
        await ledger.credit(ALICE, 100, "adjustment", "r:1");
        await ledger.credit(BOB, 100, "adjustment", "r:bob");
        await ledger.debit(ALICE, 10, "write", "r:2");
        await ledger.credit(ALICE, 10, "refund", "r:3");
        await ledger.debit(ALICE, 5, "execution", "r:4");
        const all = await ledger.entries(ALICE);
        expect(refsOf(all)).to.deep.equal(["r:4", "r:3", "r:2", "r:1"]);
        for (let i = 1; i < all.length; i++) {
          expect(all[i - 1].id).to.be.greaterThan(all[i].id);
          expect(all[i - 1].createdAtMs).to.be.greaterThan(all[i].createdAtMs);
        }
        expect(refsOf(await ledger.entries(ALICE, 2))).to.deep.equal(["r:4", "r:3"]);
        expect(refsOf(await ledger.entries(BOB))).to.deep.equal(["r:bob"]);
        await expectConsistent(ledger, ALICE, 95);
        await expectConsistent(ledger, BOB, 100);
      });
    });

    describe("amount validation", () => {
      const bad: Array<[string, number]> = [
        ["a fraction", 1.5],
        ["a negative amount", -1],
        ["NaN", Number.NaN],
        ["Infinity", Number.POSITIVE_INFINITY],
        ["an amount beyond 2^53", 2 ** 53],
      ];
      for (const [what, amount] of bad) {
        it(`rejects ${what} (${amount}) with a RangeError on debit, credit and creditPayment, writing nothing`, async () => {
          const ledger = ledgerWith(0);
          await ledger.credit(ALICE, 100, "adjustment", "adjustment:1");
          const debit = rejectionOf(ledger.debit(ALICE, amount, "write", "write:bad"));
          const credit = rejectionOf(ledger.credit(ALICE, amount, "refund", "refund:bad"));
          const payment = rejectionOf(ledger.creditPayment(ALICE, "pi_bad", amount));
          for (const err of await Promise.all([debit, credit, payment])) {
            expect(err).to.be.instanceOf(RangeError);
            expect(err.message).to.match(/whole cents >= 0/);
          }
          expect(refsOf(await ledger.entries(ALICE))).to.deep.equal(["adjustment:1"]);
          await expectConsistent(ledger, ALICE, 100);
        });
      }

      it("rejects an amount given as a string with a RangeError", async () => {
        const ledger = ledgerWith(0);
        const err = await rejectionOf(ledger.credit(ALICE, "5" as unknown as number, "adjustment", "adjustment:1"));
        expect(err).to.be.instanceOf(RangeError);
        expect(await ledger.entries(ALICE)).to.deep.equal([]);
        await expectConsistent(ledger, ALICE, 0);
      });
    });
  });
}
