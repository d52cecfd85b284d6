/**
 * The receipt and finality tracker alone (src/relayer/chain/writer/finality.ts), with an
 * in-memory outbox and a scripted node: what it decides from what a node says, in particular
 * that a node lagging behind (no block at that height yet) or whose receipt index lags (same
 * block, no receipt) never makes it take a write for reorganised away.
 */
import { expect } from "chai";
import { Wallet } from "ethers";
import type { OutboxPort, OutboxRow, RowOutcome } from "../../../src/relayer/ports";
import type { RpcLike } from "../../../src/relayer/chain";
import { diamondInterface, silentLogger, type ChainLogger } from "../../../src/relayer/chain";
import { Broadcaster } from "../../../src/relayer/chain/writer/broadcaster";
import { BusyRows, RowEvents, type WriterContext } from "../../../src/relayer/chain/writer/context";
import { FinalityTracker } from "../../../src/relayer/chain/writer/finality";
import { PayerPool } from "../../../src/relayer/chain/writer/payers";
import { ReceiptTracker } from "../../../src/relayer/chain/writer/receipts";
import type { StuckHandler } from "../../../src/relayer/chain/writer/stuck";
import { devKey } from "../support";
import { hash, outboxRow } from "./outbox-rows";

const PAYER = new Wallet(devKey(4)).address.toLowerCase();
const DIAMOND = "0x00000000000000000000000000000000000000d1";
const q = (n: number): string => `0x${n.toString(16)}`;

function minedRow(id: number, block: number, blockHash: string): OutboxRow {
  return outboxRow({ id, payer: PAYER, to: DIAMOND, blockNumber: block, blockHash });
}

/** An in-memory outbox with the methods the tracker uses. */
function memoryOutbox(rows: OutboxRow[]): OutboxPort & { rows: OutboxRow[] } {
  const find = (id: number): OutboxRow | undefined => rows.find((r) => r.id === id);
  const partial = {
    rows,
    get: async (id: number) => find(id) ?? null,
    unfinal: async () => rows.filter((r) => (r.status === "mined" || r.status === "reverted") && !r.final),
    minedFrom: async (b: number) => rows.filter((r) => (r.status === "mined" || r.status === "reverted") && (r.blockNumber ?? -1) >= b),
    markFinal: async (id: number, blockHash: string) => {
      const r = find(id);
      if (!r || r.blockHash !== blockHash || r.final) return false;
      r.final = true;
      return true;
    },
    moveOutcome: async (old: string, o: RowOutcome) => {
      const r = find(o.id);
      if (!r || r.blockHash !== old) return false;
      Object.assign(r, { status: o.status, blockNumber: o.blockNumber, blockHash: o.blockHash, minedHash: o.minedHash, final: o.final });
      return true;
    },
    unmine: async (id: number, blockHash: string) => {
      const r = find(id);
      if (!r || r.blockHash !== blockHash) return false;
      Object.assign(r, { status: "sent", blockNumber: null, blockHash: null, minedHash: null, final: false });
      return true;
    },
    recordOutcomes: async (outcomes: readonly RowOutcome[]) =>
      outcomes.map((o) => {
        const r = find(o.id);
        if (!r || (r.status !== "sent" && r.status !== "signed")) return false;
        Object.assign(r, { status: o.status, blockNumber: o.blockNumber, blockHash: o.blockHash, minedHash: o.minedHash, final: o.final });
        return true;
      }),
    markSent: async (id: number) => {
      const r = find(id);
      if (r) r.status = "sent";
      return true;
    },
    touch: async () => undefined,
    reconcileNonce: async (_a: string, n: number) => n,
    uncoveredNonces: async () => [],
  };
  return partial as unknown as OutboxPort & { rows: OutboxRow[] };
}

/** What a scripted node knows: its head, its blocks by height, receipts by transaction hash. */
interface NodeState {
  head: number;
  blocks: Map<number, string>;
  receipts: Map<string, { block: number; hash: string; logs?: { address: string; topics: string[]; data: string }[] }>;
}

/** A node answering from `state` (read at each call); records what is sent. */
function scriptedNode(state: NodeState) {
  const sent: string[] = [];
  const rpc: RpcLike = {
    send: async (method, params) => {
      switch (method) {
        case "eth_blockNumber":
          return q(state.head);
        case "eth_getTransactionReceipt": {
          const r = state.receipts.get(String(params[0]));
          return r
            ? { transactionHash: params[0], blockNumber: q(r.block), blockHash: r.hash, status: "0x1", gasUsed: "0x1", logs: r.logs ?? [] }
            : null;
        }
        case "eth_getBlockByNumber": {
          const h = state.blocks.get(Number(params[0]));
          return h === undefined ? null : { number: params[0], hash: h };
        }
        case "eth_sendRawTransaction":
          sent.push(String(params[0]));
          return hash(1);
        case "eth_getTransactionCount":
          return q(0);
        default:
          throw new Error(`unexpected ${method}`);
      }
    },
  };
  return { rpc, sent };
}

function tracker(rows: OutboxRow[], node: ReturnType<typeof scriptedNode>, depth: number, log: ChainLogger = silentLogger) {
  const outbox = memoryOutbox(rows);
  const ctx: WriterContext = { rpc: node.rpc, outbox, diamond: DIAMOND, log, rows: new RowEvents(), busy: new BusyRows() };
  const pool = new PayerPool([devKey(4)]);
  let t: FinalityTracker | undefined;
  const receipts = new ReceiptTracker(
    ctx,
    { syncTo: async () => undefined, prefetch: () => undefined },
    () => depth === 0,
    () => t,
  );
  const broadcaster = new Broadcaster(ctx, receipts, { insufficientFunds: () => undefined });
  const stuck = { handle: async () => undefined } as unknown as StuckHandler;
  t = new FinalityTracker(ctx, pool, receipts, broadcaster, stuck, { confirmationDepth: depth });
  return { t, outbox, receipts };
}

/** A tracker (confirmation depth 3) over one row mined in block 10 (hash(10)), against a node in `state`. */
function overRowInBlock10(state: NodeState) {
  const node = scriptedNode(state);
  return { node, ...tracker([minedRow(1, 10, hash(10))], node, 3) };
}

describe("relayer finality tracker (alone: in-memory outbox, scripted node)", () => {
  it("marks a receipt final once it is confirmation-depth blocks deep, not before", async () => {
    const row = minedRow(1, 10, hash(10));
    const state = { head: 12, blocks: new Map([[10, hash(10)]]), receipts: new Map([[row.minedHash as string, { block: 10, hash: hash(10) }]]) };
    const { t, outbox } = tracker([row], scriptedNode(state), 3);
    await t.round();
    expect(outbox.rows[0].final).to.equal(false);
    expect(t.confirmations(outbox.rows[0])).to.equal(2);
    state.head = 13;
    await t.round();
    expect(outbox.rows[0].final).to.equal(true);
  });

  const lagging: { when: string; node: () => NodeState }[] = [
    { when: "the node has no block at that height yet (a lagging node)", node: () => ({ head: 8, blocks: new Map(), receipts: new Map() }) },
    {
      when: "the node still has the same block but no receipt (its receipt index lags)",
      node: () => ({ head: 11, blocks: new Map([[10, hash(10)]]), receipts: new Map() }),
    },
  ];
  for (const c of lagging) {
    it(`decides nothing while ${c.when}`, async () => {
      const { t, outbox, node } = overRowInBlock10(c.node());
      await t.round();
      expect(outbox.rows[0]).to.deep.include({ status: "mined", blockHash: hash(10) });
      expect(node.sent).to.deep.equal([]);
    });
  }

  it("sends a row back and rebroadcasts its signed bytes when another block holds its height", async () => {
    const { t, outbox, node } = overRowInBlock10({ head: 11, blocks: new Map([[10, hash(99)]]), receipts: new Map() });
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "sent", blockHash: null });
    expect(node.sent).to.deep.equal(["0x02"]);
    expect(t.counts.dropped).to.equal(1);
  });

  it("sends a row back without a broadcast of its own when the node accepted its bytes as the reorg was reported", async () => {
    const { t, outbox, node } = overRowInBlock10({ head: 11, blocks: new Map([[10, hash(99)]]), receipts: new Map() });
    t.noteReorg(10);
    t.noteResent([outbox.rows[0]], new Set([1]));
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "sent", blockHash: null });
    expect(node.sent, "no second broadcast holding the payer's queue").to.deep.equal([]);
    expect(t.counts.dropped).to.equal(1);
  });

  it("records the new block of a receipt that a reorg moved", async () => {
    const row = minedRow(1, 10, hash(10));
    const node = scriptedNode({
      head: 12,
      blocks: new Map([[11, hash(111)]]),
      receipts: new Map([[row.minedHash as string, { block: 11, hash: hash(111) }]]),
    });
    const { t, outbox } = tracker([row], node, 3);
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "mined", blockNumber: 11, blockHash: hash(111) });
    expect(node.sent).to.deep.equal([]);
    expect(t.counts.moved).to.equal(1);
  });

  it("logs 'another outcome' when a batch re-mined by a reorg keeps its status but one of its calls changed outcome", async () => {
    const batchResult = (i: number, success: boolean) => ({ name: "BatchCallResult", args: { index: String(i), success, revertData: success ? "0x" : "0x1234" } });
    const old = { txHash: hash(1001), blockNumber: 10, gasUsed: "1", events: [batchResult(0, true), batchResult(1, false)] };
    const row = { ...minedRow(1, 10, hash(10)), method: "batchCalls", result: JSON.stringify(old) };
    const log = (i: number, success: boolean) => ({
      address: DIAMOND,
      ...diamondInterface.encodeEventLog("BatchCallResult", [i, success, success ? "0x" : "0x1234"]),
    });
    const node = scriptedNode({
      head: 12,
      blocks: new Map([[11, hash(111)]]),
      receipts: new Map([[row.minedHash as string, { block: 11, hash: hash(111), logs: [log(0, true), log(1, true)] }]]),
    });
    const warnings: string[] = [];
    const { t, outbox } = tracker([row], node, 3, { ...silentLogger, warn: (_f, msg) => warnings.push(msg) });
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "mined", blockNumber: 11 });
    expect(warnings).to.deep.equal(["reorg: transaction re-mined in another block with another outcome"]);
  });

  it("with depth 0 watches nothing, until a reorg is reported from a block at or below the row's", async () => {
    const row = { ...minedRow(1, 10, hash(10)), final: true };
    const node = scriptedNode({ head: 12, blocks: new Map([[10, hash(99)]]), receipts: new Map() });
    const { t, outbox } = tracker([row], node, 0);
    await t.round();
    expect(outbox.rows[0].status).to.equal("mined");
    t.noteReorg(11); // above the row: not its block
    await t.round();
    expect(outbox.rows[0].status).to.equal("mined");
    t.noteReorg(10);
    await t.round();
    expect(outbox.rows[0].status).to.equal("sent");
    expect(node.sent).to.deep.equal(["0x02"]);
  });

  it("keeps re-checking a final row of a reported reorg until the new branch reaches its height, then sends it back", async () => {
    const row = { ...minedRow(1, 15, hash(15)), final: true };
    // The new branch is still shorter than the old one: no block at height 15 yet.
    const state = { head: 12, blocks: new Map([[12, hash(112)]]), receipts: new Map<string, { block: number; hash: string }>() };
    const node = scriptedNode(state);
    const { t, outbox } = tracker([row], node, 3);
    t.noteReorg(11);
    await t.round();
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "mined", blockHash: hash(15) });
    state.head = 16;
    state.blocks.set(15, hash(115));
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "sent", blockHash: null });
  });

  it("re-sends at once, once, the signed bytes of a reorg's row whose height the new branch has not reached, leaving it recorded", async () => {
    const row = { ...minedRow(1, 15, hash(15)), final: true };
    const state = { head: 12, blocks: new Map([[12, hash(112)]]), receipts: new Map<string, { block: number; hash: string }>() };
    const node = scriptedNode(state);
    const { t, outbox } = tracker([row], node, 3);
    t.noteReorg(11);
    await t.round();
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "mined", blockHash: hash(15) });
    expect(node.sent).to.deep.equal(["0x02"]);
    // Mined again on the new branch: recorded in its new block.
    state.head = 13;
    state.blocks.set(13, hash(113));
    state.receipts.set(row.minedHash as string, { block: 13, hash: hash(113) });
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "mined", blockNumber: 13, blockHash: hash(113) });
    expect(node.sent).to.deep.equal(["0x02"]);
  });

  it("never marks a row final while the node's block at its height is not the receipt's block", async () => {
    const row = minedRow(1, 10, hash(10));
    // A node behind a load balancer: the receipt from one branch, the block at 10 from another.
    const state = { head: 20, blocks: new Map([[10, hash(99)]]), receipts: new Map([[row.minedHash as string, { block: 10, hash: hash(10) }]]) };
    const { t, outbox } = tracker([row], scriptedNode(state), 3);
    await t.round();
    expect(outbox.rows[0].final).to.equal(false);
    state.blocks.set(10, hash(10));
    await t.round();
    expect(outbox.rows[0].final).to.equal(true);
  });

  it("checks again a receipt read on the old branch before a reorg and recorded after the reorg's round (depth 0)", async () => {
    const row = { ...minedRow(1, 10, hash(10)), status: "sent" as const, blockNumber: null, blockHash: null, minedHash: null, final: false };
    const state = { head: 10, blocks: new Map([[10, hash(10)]]), receipts: new Map([[hash(1001), { block: 10, hash: hash(10) }]]) };
    const node = scriptedNode(state);
    const { t, outbox, receipts } = tracker([row], node, 0);
    await t.round(); // depth known: nothing swept later
    const send = node.rpc.send.bind(node.rpc);
    let reorged = false;
    node.rpc.send = async (method, params) => {
      const answer = await send(method, params);
      if (method === "eth_getTransactionReceipt" && !reorged) {
        // The receipt is read from the old branch; then the reorg is reported and looked at
        // before the receipt is recorded.
        reorged = true;
        state.blocks.set(10, hash(99));
        state.head = 11;
        state.receipts.clear();
        t.noteReorg(10);
        await t.round();
      }
      return answer;
    };
    expect(await receipts.check(outbox.rows[0])).to.equal(true);
    expect(outbox.rows[0]).to.deep.include({ status: "mined", blockHash: hash(10), final: true });
    await t.round();
    expect(outbox.rows[0]).to.deep.include({ status: "sent", blockHash: null });
  });
});
