/** Billing settings from the environment (README "Billing"): defaults per provider, and errors naming the variable. */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, loadConfig } from "../../../src/relayer/config";

const base = (): Record<string, string> => ({ DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "billing-config-")) });

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base(), ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("relayer config: billing", () => {
  it("is off by default, with 1-cent prices and the 500-cent minimum top-up", () => {
    expect(loadConfig(base()).billing).to.deep.equal({
      provider: "none",
      startingCreditCents: 0,
      prices: { writeCents: 1, executionSecondCents: 1 },
      minTopUpCents: 500,
      maxTopUpCents: 99_999_999,
      stripe: null,
    });
  });

  it("the dev provider starts accounts with 10 000 cents unless told otherwise", () => {
    expect(loadConfig({ ...base(), BILLING_PROVIDER: "dev" }).billing.startingCreditCents).to.equal(10_000);
    expect(
      loadConfig({ ...base(), BILLING_PROVIDER: "DEV", BILLING_STARTING_CREDIT_CENTS: "0" }).billing.startingCreditCents,
    ).to.equal(0);
  });

  it("reads the Stripe keys, prices and API base", () => {
    const c = loadConfig({
      ...base(),
      BILLING_PROVIDER: "stripe",
      STRIPE_SECRET_KEY: "sk_test_abc",
      STRIPE_PUBLISHABLE_KEY: "pk_test_def",
      STRIPE_API_BASE: "http://127.0.0.1:12111/",
      BILLING_WRITE_PRICE_CENTS: "3",
      BILLING_EXECUTION_SECOND_PRICE_CENTS: "2",
    }).billing;
    expect(c.stripe).to.deep.equal({ secretKey: "sk_test_abc", publishableKey: "pk_test_def", apiBase: "http://127.0.0.1:12111" });
    expect(c.prices).to.deep.equal({ writeCents: 3, executionSecondCents: 2 });
    expect(c.startingCreditCents).to.equal(0);
  });

  it("names each invalid billing variable, without echoing a secret key", () => {
    expect(problemsOf({ BILLING_PROVIDER: "paypal" })).to.deep.equal(['BILLING_PROVIDER: expected none, dev or stripe, got "paypal"']);
    const stripe = problemsOf({ BILLING_PROVIDER: "stripe" });
    expect(stripe).to.include("STRIPE_SECRET_KEY: required with BILLING_PROVIDER=stripe");
    expect(stripe).to.include("STRIPE_PUBLISHABLE_KEY: required with BILLING_PROVIDER=stripe");
    const bad = problemsOf({ BILLING_PROVIDER: "stripe", STRIPE_SECRET_KEY: "pk_live_secretish", STRIPE_PUBLISHABLE_KEY: "sk_x" });
    expect(bad.join("\n")).to.not.contain("secretish");
    expect(bad.some((p) => p.startsWith("STRIPE_SECRET_KEY: expected a Stripe secret key"))).to.equal(true);
    expect(problemsOf({ BILLING_WRITE_PRICE_CENTS: "-1" })[0]).to.match(/^BILLING_WRITE_PRICE_CENTS: expected an integer/);
    expect(problemsOf({ BILLING_MIN_TOP_UP_CENTS: "1000", BILLING_MAX_TOP_UP_CENTS: "600" })[0]).to.match(
      /^BILLING_MAX_TOP_UP_CENTS: 600 is below BILLING_MIN_TOP_UP_CENTS/,
    );
  });
});
