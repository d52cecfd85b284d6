/**
 * Billing on a real SQLite ledger for HTTP tests: `billingOn()` opens a store in a temp dir with
 * the billing migrations and returns the service (dev provider) to pass to makeApp({ billing }).
 */
import fs from "fs";
import os from "os";
import path from "path";
import { createBilling } from "../../../src/relayer/billing-setup";
import type { BillingSettings } from "../../../src/relayer/config";
import { DEV_PAYMENT_MIGRATIONS } from "../../../src/relayer/store/dev-intents";
import type { BillingService } from "../../../src/relayer/services";
import { LEDGER_MIGRATIONS, openStore, type SqlLedger, type Store } from "../../../src/relayer/store";

export interface TestBilling {
  service: BillingService;
  ledger: SqlLedger;
  store: Store;
  close(): Promise<void>;
}

export function devSettings(overrides: Partial<BillingSettings> = {}): BillingSettings {
  return {
    provider: "dev",
    startingCreditCents: 10_000,
    prices: { writeCents: 1, executionSecondCents: 1 },
    minTopUpCents: 500,
    maxTopUpCents: 99_999_999,
    stripe: null,
    ...overrides,
  };
}

const open: TestBilling[] = [];

export async function billingOn(overrides: Partial<BillingSettings> = {}): Promise<TestBilling> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "billing-"));
  const store = await openStore({ dataDir: dir, migrations: [...LEDGER_MIGRATIONS, ...DEV_PAYMENT_MIGRATIONS] });
  const setup = createBilling(devSettings(overrides), store.db);
  if (setup.ledger === null) throw new Error("billing is off");
  const b: TestBilling = {
    service: setup.service,
    ledger: setup.ledger,
    store,
    close: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  open.push(b);
  return b;
}

/** Closes every store opened by billingOn (call in an after hook). */
export async function closeAllBilling(): Promise<void> {
  for (const b of open.splice(0)) await b.close().catch(() => undefined);
}
