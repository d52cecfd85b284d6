/**
 * Sends diamond calls through the Writer, with the caller's Idempotency-Key, and turns the
 * Writer's documented rejections into ServiceErrors. Arguments are JSON-safe: hashes `0x` + 64 hex,
 * other uint256 values decimal strings, addresses lowercase hex.
 */
import type { DecodedEvent, WriteReceipt, Writer } from "../ports";
import { fromBackendError } from "./errors";

/** What a route passes down with every write. */
export interface WriteOptions {
  /** The client's Idempotency-Key header, when sent. */
  idempotencyKey?: string;
}

export class Submitter {
  constructor(private readonly writer: Writer) {}

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
    const key = options.idempotencyKey;
    try {
      return await this.writer.write({
        method,
        args,
        ...(key === undefined
          ? {}
          : { idempotencyKey: part === undefined ? key : `${key}#${part}`, idempotencyScope: scope }),
      });
    } catch (e) {
      throw fromBackendError(e);
    }
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
