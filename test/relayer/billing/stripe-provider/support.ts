/**
 * A local HTTP stub of the two Stripe endpoints the Stripe payment provider
 * (src/relayer/payments/stripe.ts) uses, and the set-up shared by the tests of this folder.
 *
 * The stub (node:http on 127.0.0.1, port 0) implements
 *   POST /v1/payment_intents      form-encoded; Idempotency-Key: same key -> same intent
 *   GET  /v1/payment_intents/:id  the PaymentIntent JSON, or Stripe's 404 resource_missing error
 * and lets a test set an intent's status, force 500 answers or hang (for timeouts).
 */
import http from "http";
import type { AddressInfo } from "net";
import { randomBytes } from "crypto";
import { StripePaymentProvider, type PaymentStatus } from "../../../../src/relayer/payments";

// ------------------------------------------------------------------ the Stripe stub
export interface StubIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_received: number;
  currency: string;
  status: PaymentStatus;
  client_secret: string;
  description: string | null;
  metadata: Record<string, string>;
  last_payment_error: { type: string; code: string; message: string } | null;
  automatic_payment_methods: { enabled: boolean } | null;
  created: number;
  livemode: false;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}

export type StubMode = "ok" | "error500" | "hang";

export class StripeStub {
  readonly requests: RecordedRequest[] = [];
  readonly intents = new Map<string, StubIntent>();
  private readonly byIdempotencyKey = new Map<string, string>();
  mode: StubMode = "ok";
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sets an intent's status the way Stripe reports it. */
  setStatus(id: string, status: "succeeded" | "processing" | "declined" | "requires_payment_method" | "canceled"): void {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`stub: no intent ${id}`);
    intent.last_payment_error = null;
    intent.amount_received = 0;
    if (status === "succeeded") {
      intent.status = "succeeded";
      intent.amount_received = intent.amount;
    } else if (status === "declined") {
      intent.status = "requires_payment_method";
      intent.last_payment_error = { type: "card_error", code: "card_declined", message: "Your card was declined." };
    } else {
      intent.status = status;
    }
  }

  /** Direct edits of a stored intent (what Stripe would report). */
  patch(id: string, fields: Partial<StubIntent>): void {
    const intent = this.intents.get(id);
    if (!intent) throw new Error(`stub: no intent ${id}`);
    Object.assign(intent, fields);
  }

  reset(): void {
    this.requests.length = 0;
    this.intents.clear();
    this.byIdempotencyKey.clear();
    this.mode = "ok";
    this.server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stub");
      this.requests.push({
        method: req.method ?? "",
        path: url.pathname,
        headers: req.headers,
        form: new URLSearchParams(Buffer.concat(chunks).toString("utf8")),
      });
      if (this.mode === "hang") return; // never answers; the client times out
      if (this.mode === "error500") {
        return send(res, 500, { error: { type: "api_error", message: "An unknown error occurred (stub)" } });
      }
      if (!/^Bearer sk_test_\w+$/.test(req.headers.authorization ?? "")) {
        return send(res, 401, { error: { type: "invalid_request_error", message: "Invalid API Key provided" } });
      }
      const form = this.requests[this.requests.length - 1].form;
      if (req.method === "POST" && url.pathname === "/v1/payment_intents") return this.create(req, res, form);
      const m = /^\/v1\/payment_intents\/([^/]+)$/.exec(url.pathname);
      if (req.method === "GET" && m) {
        const id = decodeURIComponent(m[1]);
        const intent = this.intents.get(id);
        if (!intent) return send(res, 404, missing(id));
        return send(res, 200, intent);
      }
      return send(res, 404, {
        error: { type: "invalid_request_error", message: `Unrecognized request URL (${req.method}: ${url.pathname})` },
      });
    });
  }

  private create(req: http.IncomingMessage, res: http.ServerResponse, form: URLSearchParams): void {
    const key = req.headers["idempotency-key"];
    if (typeof key === "string" && this.byIdempotencyKey.has(key)) {
      return send(res, 200, this.intents.get(this.byIdempotencyKey.get(key)!));
    }
    const amount = Number(form.get("amount"));
    const currency = form.get("currency");
    if (!Number.isSafeInteger(amount) || amount < 1 || currency === null) {
      return send(res, 400, {
        error: { type: "invalid_request_error", code: "parameter_missing", message: "Missing or invalid amount/currency" },
      });
    }
    const metadata: Record<string, string> = {};
    for (const [k, v] of form) {
      const mk = /^metadata\[(.+)\]$/.exec(k);
      if (mk) metadata[mk[1]] = v;
    }
    const id = `pi_${randomBytes(12).toString("hex")}`;
    const intent: StubIntent = {
      id,
      object: "payment_intent",
      amount,
      amount_received: 0,
      currency,
      status: "requires_payment_method",
      client_secret: `${id}_secret_${randomBytes(8).toString("hex")}`,
      description: form.get("description"),
      metadata,
      last_payment_error: null,
      automatic_payment_methods:
        form.get("automatic_payment_methods[enabled]") === null
          ? null
          : { enabled: form.get("automatic_payment_methods[enabled]") === "true" },
      created: Math.floor(Date.now() / 1000),
      livemode: false,
    };
    this.intents.set(id, intent);
    if (typeof key === "string") this.byIdempotencyKey.set(key, id);
    return send(res, 200, intent);
  }
}

export function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    "Request-Id": `req_${randomBytes(6).toString("hex")}`,
  });
  res.end(text);
}

export const missing = (id: string) => ({
  error: {
    type: "invalid_request_error",
    code: "resource_missing",
    param: "intent",
    message: `No such payment_intent: '${id}'`,
  },
});

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

// ------------------------------------------------------------------ fixtures
export const SECRET = "sk_test_stub_0123456789";
export const PUBLISHABLE = "pk_test_stub_0123456789";
export const ALICE = `0x${"a1".repeat(32)}`;
export const BOB = `0x${"b2".repeat(32)}`;

export function providerAt(apiBase: string, overrides: { timeoutMs?: number; maxNetworkRetries?: number } = {}) {
  return new StripePaymentProvider({
    secretKey: SECRET,
    publishableKey: PUBLISHABLE,
    apiBase,
    timeoutMs: overrides.timeoutMs ?? 30_000,
    maxNetworkRetries: overrides.maxNetworkRetries ?? 0,
  });
}
