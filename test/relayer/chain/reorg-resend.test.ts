/**
 * The first move of the writer after a reported reorg (src/relayer/chain/writer/reorg-resend.ts),
 * alone, with an in-memory outbox and a scripted node: which transactions it hands to the node
 * again, that it does so in one JSON-RPC batch in nonce order per payer, and that a node refusing
 * nonces ahead of its next one gets the refused ones again one by one, lowest first.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import { silentLogger, type RpcLike } from "../../../src/relayer/chain";
import type { RpcCall, RpcSettled } from "../../../src/relayer/chain/rpc";
import { RpcResponseError } from "../../../src/relayer/chain/rpc";
import { BusyRows, RowEvents, type WriterContext } from "../../../src/relayer/chain/writer/context";
import { PayerPool } from "../../../src/relayer/chain/writer/payers";
import { ReorgResend, rowsToResend } from "../../../src/relayer/chain/writer/reorg-resend";
import type { OutboxPort, OutboxRow, OutboxStatus } from "../../../src/relayer/ports";
import { devKey } from "../support";
import { hash, outboxRow } from "./outbox-rows";

const A = new Wallet(devKey(4)).address.toLowerCase();
const B = new Wallet(devKey(5)).address.toLowerCase();
const FOREIGN = new Wallet(devKey(6)).address.toLowerCase();

function row(id: number, payer: string, nonce: number, status: OutboxStatus, block: number | null, extra: Partial<OutboxRow> = {}): OutboxRow {
  return outboxRow({ id, payer, nonce, status, blockNumber: block, rawTx: `0x${id.toString(16).padStart(4, "0")}`, ...extra });
}

/** The outbox methods the stage reads. */
function memoryOutbox(rows: OutboxRow[]): OutboxPort {
  const partial = {
    minedFrom: async (b: number) => rows.filter((r) => (r.status === "mined" || r.status === "reverted") && (r.blockNumber ?? -1) >= b),
    inFlight: async () => rows.filter((r) => r.status === "queued" || r.status === "signed" || r.status === "sent"),
  };
  return partial as unknown as OutboxPort;
}

/** A node that takes JSON-RPC batches; `refuse(raw)` may answer a transaction with an error. */
function scriptedNode(refuse: (raw: string, attempt: number) => Error | null = () => null) {
  const batches: string[][] = [];
  const singles: string[] = [];
  const tries = new Map<string, number>();
  const answer = (raw: string): Error | null => {
    const n = (tries.get(raw) ?? 0) + 1;
    tries.set(raw, n);
    return refuse(raw, n);
  };
  const rpc: RpcLike = {
    send: async (method, params) => {
      if (method !== "eth_sendRawTransaction") throw new Error(`unexpected ${method}`);
      const raw = String(params[0]);
      singles.push(raw);
      const err = answer(raw);
      if (err) throw err;
      return hash(1);
    },
    sendBatch: async (calls: readonly RpcCall[]): Promise<RpcSettled[]> => {
      batches.push(calls.map((c) => String(c.params[0])));
      return calls.map((c) => {
        const err = answer(String(c.params[0]));
        return err ? { ok: false as const, error: err } : { ok: true as const, result: hash(1) };
      });
    },
  };
  return { rpc, batches, singles };
}

function stage(rows: OutboxRow[], node: ReturnType<typeof scriptedNode>, busy: number[] = []) {
  const ctx: WriterContext = { rpc: node.rpc, outbox: memoryOutbox(rows), diamond: "0xd1", log: silentLogger, rows: new RowEvents(), busy: new BusyRows() };
  for (const id of busy) ctx.busy.active.add(id);
  return new ReorgResend(ctx, new PayerPool([devKey(4), devKey(5)]));
}

describe("relayer reorg re-send (alone: in-memory outbox, scripted node)", () => {
  it("re-sends every write mined from the reorg's first block (final or not) and every sent write, in one batch", async () => {
    const rows = [
      row(1, A, 1, "mined", 9), // below the fork: not touched
      row(2, A, 2, "mined", 10, { final: true }),
      row(3, A, 3, "reverted", 11),
      row(4, A, 4, "sent", null),
      row(5, B, 7, "mined", 10),
      row(6, B, 8, "signed", null), // never handed to the node yet: the worker broadcasts it
      row(7, B, 9, "queued", null, { nonce: null, rawTx: null }),
      row(8, B, 10, "failed", null),
    ];
    const node = scriptedNode();
    const res = await stage(rows, node).resend(10);
    expect(node.batches).to.have.length(1);
    expect(node.singles).to.deep.equal([]);
    expect(res.rows.map((r) => r.id).sort()).to.deep.equal([2, 3, 4, 5]);
    expect([...res.accepted].sort()).to.deep.equal([2, 3, 4, 5]);
  });

  it("orders the batch by nonce per payer", async () => {
    const rows = [row(1, A, 5, "sent", null), row(2, B, 3, "mined", 12), row(3, A, 4, "mined", 12), row(4, B, 2, "mined", 11)];
    const node = scriptedNode();
    await stage(rows, node).resend(11);
    const order = node.batches[0].map((raw) => rows.find((r) => r.rawTx === raw)).map((r) => `${r?.payer === A ? "A" : "B"}${r?.nonce}`);
    const a = order.filter((x) => x.startsWith("A"));
    const b = order.filter((x) => x.startsWith("B"));
    expect(a).to.deep.equal(["A4", "A5"]);
    expect(b).to.deep.equal(["B2", "B3"]);
    expect(order.join()).to.match(/^(A4,A5,B2,B3|B2,B3,A4,A5)$/);
  });

  it("leaves out rows of payers it has no key of and rows another stage is handling", () => {
    const rows = [row(1, FOREIGN, 1, "mined", 10), row(2, A, 2, "mined", 10), row(3, A, 3, "sent", null)];
    const picked = rowsToResend(rows.slice(0, 2), rows, 10, (p) => p === A || p === B, (id) => id === 3);
    expect(picked.map((r) => r.id)).to.deep.equal([2]);
  });

  it("sends again, one by one and lowest first, the transactions a node refused as ahead of its next nonce", async () => {
    const rows = [row(1, A, 1, "mined", 10), row(2, A, 2, "mined", 10), row(3, A, 3, "sent", null)];
    // Like an automining node: a nonce above the next one is refused in the batch, taken afterwards.
    const node = scriptedNode((raw, attempt) =>
      raw !== rows[0].rawTx && attempt === 1 ? new RpcResponseError("nonce too high", -32000) : null,
    );
    const res = await stage(rows, node).resend(10);
    expect(node.singles).to.deep.equal([rows[1].rawTx, rows[2].rawTx]);
    expect([...res.accepted].sort()).to.deep.equal([1, 2, 3]);
  });

  it("counts a transaction the node already has as accepted and leaves a nonce already used to the rounds", async () => {
    const rows = [row(1, A, 1, "mined", 10), row(2, A, 2, "mined", 10)];
    const node = scriptedNode((raw) =>
      raw === rows[0].rawTx ? new RpcResponseError("already known", -32000) : new RpcResponseError("nonce too low", -32000),
    );
    const res = await stage(rows, node).resend(10);
    expect([...res.accepted]).to.deep.equal([1]);
    expect(node.singles).to.deep.equal([]);
  });

  it("does nothing when no write is mined since the reorg nor in flight", async () => {
    const node = scriptedNode();
    const res = await stage([row(1, A, 1, "mined", 9)], node).resend(10);
    expect(res.rows).to.deep.equal([]);
    expect(node.batches).to.deep.equal([]);
  });
});
