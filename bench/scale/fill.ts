/**
 * Fills an index through the projection (store.index.projection.applyBlock, the call the indexer
 * makes for every block), one transaction per block. Blocks older than the last `journalBlocks`
 * are applied without the undo journal, as the indexer applies blocks older than its reorg window
 * (docs/finality.md, "The index on a reorg").
 */
import type { Store } from "../../src/relayer/store";
import { scaleBlocks, scaleEventCount, type ScaleSpec } from "./dataset";

export interface FillResult {
  events: number;
  blocks: number;
  ms: number;
}

export interface FillOptions {
  /** Events per block (default 500). */
  perBlock?: number;
  /** Apply the last this many blocks with the journal (default 64). */
  journalBlocks?: number;
  /** Called after every block with the events applied so far. */
  progress?: (events: number) => void;
}

export async function fillIndex(store: Store, spec: ScaleSpec, options: FillOptions = {}): Promise<FillResult> {
  const perBlock = options.perBlock ?? 500;
  const total = scaleEventCount(spec);
  const lastBlock = Math.ceil(total / perBlock);
  const journalFrom = lastBlock - (options.journalBlocks ?? 64) + 1;
  await store.index.projection.reset(1);
  const t0 = performance.now();
  let events = 0;
  let blocks = 0;
  for (const b of scaleBlocks(spec, perBlock)) {
    const outcome = await store.index.projection.applyBlock(b.number, b.hash, b.parentHash, b.events, {
      journal: b.number >= journalFrom,
      durable: false,
    });
    if (outcome !== "applied") throw new Error(`fill: block ${b.number} was ${outcome}`);
    events += b.events.length;
    blocks++;
    options.progress?.(events);
  }
  return { events, blocks, ms: performance.now() - t0 };
}
