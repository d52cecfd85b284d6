/**
 * Outbox rows for the writer-stage tests that run against an in-memory outbox (finality tracker,
 * reorg re-send): a complete row whose fields the test overrides.
 */
import type { OutboxRow } from "../../../src/relayer/ports";

/** `0x` + 64 hex of `n` (a block or transaction hash in the scripted nodes). */
export const hash = (n: number): string => `0x${n.toString(16).padStart(64, "0")}`;

/**
 * A row of write `id`, by default mined in block 10 (hash(10)) with transaction hash(1000 + id);
 * a row that is not mined or reverted gets no block, receipt hash, gas or result (whatever `fields`
 * say of its block).
 */
export function outboxRow(fields: Partial<OutboxRow> & { id: number }): OutboxRow {
  const status = fields.status ?? "mined";
  const mined = status === "mined" || status === "reverted";
  const block = fields.blockNumber === undefined ? 10 : fields.blockNumber;
  return {
    kind: "call",
    idemScope: null,
    idemKey: null,
    requestHash: "0x",
    method: "addGroup",
    to: "0x00000000000000000000000000000000000000d1",
    calldata: "0x",
    value: "0",
    payer: "0x0000000000000000000000000000000000000001",
    nonce: fields.id,
    status,
    txHashes: [hash(1000 + fields.id)],
    rawTx: "0x02",
    gasLimit: "100000",
    maxFeePerGas: "1",
    maxPriorityFeePerGas: "1",
    gasPrice: null,
    attempts: 1,
    errorName: null,
    errorArgs: null,
    errorMessage: null,
    final: false,
    minedHash: mined ? hash(1000 + fields.id) : null,
    gasUsed: mined ? "50000" : null,
    result: mined ? "{}" : null,
    createdAt: 0,
    updatedAt: 0,
    sentAt: 0,
    gasFromCache: false,
    resend: "none",
    ...fields,
    blockNumber: mined ? block : null,
    blockHash: mined && block !== null ? (fields.blockHash ?? hash(block)) : null,
  };
}
