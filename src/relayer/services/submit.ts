/**
 * Sends diamond calls through the Writer, with the caller's Idempotency-Key, and turns the
 * Writer's documented rejections into ServiceErrors. Arguments are JSON-safe: hashes `0x` + 64 hex,
 * other uint256 values decimal strings, addresses lowercase hex.
 */
import type { WriteTracer } from "../../core/write-trace";
import { ChainUnavailableError, type DecodedEvent, type WriteReceipt, type Writer } from "../ports";
import type { BillingService } from "./billing";
import { fromBackendError } from "./errors";

/** What a route passes down with every write. */
export interface WriteOptions {
  /** The client's Idempotency-Key header, when sent. */
  idempotencyKey?: string;
  /** Stage timing of the request (tracing on; core/write-trace.ts). */
  trace?: WriteTracer;
}

export class Submitter {
  constructor(
    private readonly writer: Writer,
    private readonly billing: BillingService | null = null,
  ) {}

  /**
   * A billed management write ("$" in http-api.md §3): the price is taken from the account
   * `master` first (402 when short, before any gas), and given back when the write fails. A write
   * that is queued (the chain is unreachable after the transaction was stored) stays charged: it
   * will be applied.
   */
  async billedCall(method: string, args: readonly unknown[], master: string, options: WriteOptions): Promise<WriteReceipt> {
    const charge = this.billing === null ? null : await this.billing.chargeWrite(master, options.idempotencyKey);
    try {
      return await this.send(method, args, master, options);
    } catch (e) {
      if (charge !== null && !(e instanceof ChainUnavailableError && e.queued)) await charge.refund().catch(() => undefined);
      throw fromBackendError(e);
    }
  }

  /**
   * One diamond call. `scope` is the caller's master hash (or "anon:<ip>"); `part` distinguishes the
   * writes of an endpoint that makes several, so each gets its own idempotency record.
   */
  async call(
    method: string,
    args: readonly unknown[],
    scope: string,
    options: WriteOptions,
    part?: string,
  ): Promise<WriteReceipt> {
    try {
      return await this.send(method, args, scope, options, part);
    } catch (e) {
      throw fromBackendError(e);
    }
  }

  private send(
    method: string,
    args: readonly unknown[],
    scope: string,
    options: WriteOptions,
    part?: string,
  ): Promise<WriteReceipt> {
    const key = options.idempotencyKey;
    options.trace?.mark("permission");
    return this.writer.write({
      method,
      args,
      ...(options.trace === undefined ? {} : { trace: options.trace }),
      ...(key === undefined
        ? {}
        : { idempotencyKey: part === undefined ? key : `${key}#${part}`, idempotencyScope: scope }),
    });
  }
}

/** The first event named `name` in a receipt. */
export function findEvent(receipt: WriteReceipt, name: string): DecodedEvent | undefined {
  return receipt.events.find((e) => e.name === name);
}

/** An event argument holding a uint256, as a decimal string. */
export function uintArg(event: DecodedEvent, key: string): string | undefined {
  const v: unknown = event.args[key];
  if (typeof v === "bigint" || typeof v === "number") return BigInt(v).toString();
  if (typeof v === "string" && /^(0x[0-9a-fA-F]+|[0-9]+)$/.test(v)) return BigInt(v).toString();
  return undefined;
}
