/**
 * What the batching front's unit tests (batch-limits, batch-gas-cap, batch-budget-recovery) share:
 * a diamond address, addGroup requests, a node whose batch pre-flight passes every call, and a way
 * to make writes queue up behind a busy target so that they leave as batches.
 */
import { diamondInterface, type BatchingWriter } from "../../../src/relayer/chain";
import type { WriteReceipt, WriteRequest } from "../../../src/relayer/ports";
import { h } from "../support";

export const DIAMOND = "0x" + "11".repeat(20);

/** addGroup `g<i>` on one account. */
export const groupRequest = (i: number): WriteRequest => ({ method: "addGroup", args: [h("acct"), `g${i}`, "", [], []] });
export const groupCallData = (i: number): string => diamondInterface.encodeFunctionData("addGroup", groupRequest(i).args);

/** A node whose batchCalls pre-flight passes every call at 50 000 gas. */
export const preflightAllOk = {
  async send(method: string, params: unknown[]): Promise<unknown> {
    if (method !== "eth_call") throw new Error(`unexpected ${method}`);
    const [calls] = diamondInterface.decodeFunctionData("batchCalls", (params[0] as { data: string }).data) as unknown as [string[]];
    return diamondInterface.encodeFunctionResult("batchCalls", [calls.map(() => true), calls.map(() => "0x"), calls.map(() => 50_000n)]);
  },
};

/** Holds the target busy with one write (its `gate`), queues `n` more behind it, then lets them go: their answers. */
export async function busyThen(w: BatchingWriter, t: { gate: Promise<void> }, n: number): Promise<Promise<WriteReceipt>[]> {
  let open!: () => void;
  t.gate = new Promise((r) => (open = r));
  const first = w.write(groupRequest(0));
  await new Promise((r) => setImmediate(r));
  const rest = Array.from({ length: n }, (_, i) => w.write(groupRequest(i + 1)));
  await new Promise((r) => setImmediate(r));
  open();
  return [first, ...rest];
}

/** busyThen, waiting for every answer. */
export async function burst(w: BatchingWriter, t: { gate: Promise<void> }, n: number): Promise<void> {
  await Promise.all(await busyThen(w, t, n));
}
