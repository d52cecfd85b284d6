/**
 * Billing: the account's credit balance and Add funds through the relayer's provider. "dev"
 * payments are local test payments (no money moves); "stripe" takes a card through Stripe.js
 * Elements, then the relayer credits the confirmed payment once.
 */
import { useEffect, useRef, useState } from "react";
import type { LitNodeSimpleApiClient } from "../../../src/sdk";
import {
  type BillingStatus,
  MIN_PAYMENT_CENTS,
  type StripeCardElement,
  type StripeInstance,
  billingStatus,
  dollarsToCents,
  loadStripe,
} from "../api/billing";
import { ErrorNotice } from "../components/ErrorNotice";
import { TextField } from "../components/Field";
import { ButtonRow, FormCard } from "../components/Form";
import { LoadNotice } from "../components/Loaded";
import { Panel } from "../components/Panel";
import { WriteStatus } from "../components/WriteStatus";
import { useDashboard } from "../state/context";
import { useLoad } from "../state/load";
import { reportPhase, useWrite } from "../state/write";

const usd = (cents: number) => `$${(cents / 100).toFixed(2)}`;

export function Billing() {
  const { client } = useDashboard();
  const status = useLoad(() => billingStatus(client), [client]);
  return (
    <Panel
      title="Billing"
      lead="Credits pay for management writes (1 cent each) and Lit Action runs (1 cent per started second). The balance belongs to the account and survives conversion and ownership changes."
    >
      <LoadNotice loaded={status} errorLabel="Loading the billing settings" loadingText="Loading billing…" />
      {status.data?.kind === "disabled" ? (
        <p className="notice notice-info" data-testid="billing-disabled">
          {status.data.reason} The balance and Add funds are unavailable.
        </p>
      ) : null}
      {status.data?.kind === "enabled" ? <BillingEnabled client={client} status={status.data} /> : null}
    </Panel>
  );
}

function BillingEnabled({
  client,
  status,
}: {
  client: LitNodeSimpleApiClient;
  status: Extract<BillingStatus, { kind: "enabled" }>;
}) {
  const { session } = useDashboard();
  const balance = useLoad(() => client.getBillingBalance(), [client]);
  const write = useWrite();
  const [amount, setAmount] = useState("10");
  const cents = dollarsToCents(amount);
  const cardHost = useRef<HTMLDivElement>(null);
  const stripe = useRef<{ instance: StripeInstance; card: StripeCardElement } | null>(null);
  const [stripeError, setStripeError] = useState<string | null>(null);

  useEffect(() => {
    if (status.provider !== "stripe") return undefined;
    let live = true;
    loadStripe(status.publishableKey).then(
      (instance) => {
        if (!live || cardHost.current === null) return;
        const card = instance.elements().create("card");
        card.mount(cardHost.current);
        stripe.current = { instance, card };
      },
      (e: unknown) => live && setStripeError((e as Error).message),
    );
    return () => {
      live = false;
      stripe.current?.card.destroy();
      stripe.current = null;
    };
  }, [status]);

  const addFunds = async () => {
    const ok = await write.run(
      "Adding funds",
      async () => {
        if (cents === null || cents < MIN_PAYMENT_CENTS) throw new Error(`The minimum is ${usd(MIN_PAYMENT_CENTS)}.`);
        reportPhase("Creating the payment");
        const intent = await client.createPaymentIntent({ amountCents: cents });
        if (status.provider === "stripe") {
          const s = stripe.current;
          if (s === null) throw new Error("The card form is not ready yet.");
          reportPhase("Confirming the card payment with Stripe");
          const result = await s.instance.confirmCardPayment(intent.client_secret, { payment_method: { card: s.card } });
          if (result.error !== undefined) throw new Error(`Card payment failed: ${result.error.message ?? "unknown error"}`);
        }
        reportPhase("Crediting the account");
        await client.confirmPayment({ paymentIntentId: intent.payment_intent_id });
        return cents;
      },
      (c) => `Added ${usd(c)}${status.provider === "dev" ? " (development payment)" : ""}`,
    );
    if (ok !== undefined) balance.reload();
  };

  return (
    <>
      <section className="card balance-card" aria-labelledby="balance-title">
        <h2 id="balance-title">Balance</h2>
        {balance.error === null ? null : <ErrorNotice error={balance.error} label="Loading the balance" />}
        {balance.data === null ? (
          <p role="status">{balance.loading ? "Loading the balance…" : ""}</p>
        ) : (
          <p className="balance" data-testid="balance" data-balance-cents={balance.data.balance_cents}>
            {balance.data.balance_display}
          </p>
        )}
        <button type="button" onClick={balance.reload} disabled={balance.loading}>
          Refresh balance
        </button>
        {session.mode === "sovereign" ? (
          <p className="hint">Your wallet signs a BillingAuth message for each billing request (no gas).</p>
        ) : null}
      </section>
      <FormCard title="Add funds" onSubmit={addFunds}>
        {status.provider === "dev" ? (
          <p className="notice notice-info" data-testid="dev-payments">
            <strong>Development payments: no real money.</strong> This relayer uses the development billing provider, which
            credits test payments at once.
          </p>
        ) : (
          <>
            <p className="hint">Card payments are processed by Stripe.</p>
            <div className="field">
              <span className="label" id="card-label">
                Card
              </span>
              <div ref={cardHost} className="card-element" role="group" aria-labelledby="card-label" />
            </div>
            {stripeError === null ? null : (
              <p className="field-error" role="alert">
                {stripeError}
              </p>
            )}
          </>
        )}
        <TextField
          label="Amount (USD)"
          type="number"
          min={MIN_PAYMENT_CENTS / 100}
          step={1}
          value={amount}
          onChange={setAmount}
          hint={`At least ${usd(MIN_PAYMENT_CENTS)}.`}
        />
        <ButtonRow
          label={cents === null ? "Add funds" : `Add ${usd(cents)}${status.provider === "dev" ? " (test payment)" : ""}`}
          busy={write.busy}
          disabled={cents === null}
        />
        <WriteStatus state={write.state} />
      </FormCard>
    </>
  );
}
