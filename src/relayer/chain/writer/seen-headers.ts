/**
 * The block headers the writer saw lately (the latest header of each broadcast's batch, the ones
 * asked for again with a receipt, the ones read by hash), by block hash. A header is the same for
 * ever under its hash (the hash commits to the parent hash and the transaction list), so a remembered
 * one is as good as one read again, through any reorg: the own-block path (answer.ts,
 * receiptBlockHeader) looks here before it reads a receipt's block header by hash.
 */
/** Headers kept: a few rounds of every payer's broadcasts. */
const KEPT = 64;

/** `H`: the writer's BlockHeader (broadcaster.ts), kept generic so that this file imports nothing. */
export class SeenHeaders<H extends { hash: string }> {
  private readonly byHash = new Map<string, H>();

  remember(header: H | null): void {
    if (header === null || this.byHash.has(header.hash)) return;
    this.byHash.set(header.hash, header);
    if (this.byHash.size > KEPT) {
      const oldest = this.byHash.keys().next();
      if (!oldest.done) this.byHash.delete(oldest.value);
    }
  }

  /** The header of the block with this hash (lower case), when seen lately. */
  get(hash: string): H | null {
    return this.byHash.get(hash) ?? null;
  }
}
